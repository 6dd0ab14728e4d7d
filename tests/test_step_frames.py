"""Frames read at a glance: digit height, every channel's panel, the full equation, no
empty space, measured on the rendered figure itself."""
import numpy as np
import pytest
from conftest import need

from nnref.cli.step import make_data
from nnref.layers.spec import parse_layer
from nnref.trace import plot
from nnref.trace.frame import PALETTE

MIN_DIGIT_PX = 14


@pytest.fixture
def pil(matplotlib):
    return need("PIL.Image")


def rendered(spec, shape, number=1, per_tap=False, values="int"):
    layer = parse_layer(spec)
    x = make_data(layer, shape, values, 0)
    fig = plot.figure(layer, x, number, per_tap=per_tap)
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(int)
    return fig, image


def texts(fig, prefix):
    return [t for t in fig.axes[0].texts if (t.get_gid() or "").startswith(prefix)]


def ink_height(fig, image, text) -> int:
    """Pixel rows that hold the text's dark ink, inside the text's own box."""
    box = text.get_window_extent(fig.canvas.get_renderer())
    h = image.shape[0]
    top, bottom = int(h - box.y1), int(np.ceil(h - box.y0))
    crop = image[max(top, 0):bottom, int(box.x0):int(np.ceil(box.x1))]
    dark = (crop.max(axis=2) < 100).any(axis=1)  # the text is near-black on light cells
    return int(dark.sum())


@pytest.mark.parametrize("spec,shape", [
    ("Conv2d(2, 1, 3, stride=2, padding=1)", (1, 2, 5, 5)),  # the example
    ("Conv2d(4, 2, 3, padding=1, groups=2)", (1, 4, 4, 4)),
    ("Linear(5, 3)", (2, 5)),
    ("AvgPool2d(3, stride=2, padding=1)", (1, 1, 6, 6)),
])
def test_cell_digits_are_at_least_14_px_tall(matplotlib, spec, shape):
    fig, image = rendered(spec, shape)
    cells = [t for t in texts(fig, "cell:") if t.get_text().strip("−").isdigit()]
    assert cells
    heights = [ink_height(fig, image, t) for t in cells]
    assert min(heights) >= MIN_DIGIT_PX, f"digits {min(heights)} px tall"
    assert max(heights) <= 3 * MIN_DIGIT_PX  # measured ink, not a whole-figure box


def test_every_input_channel_of_the_group_has_its_panel(matplotlib):
    fig, _ = rendered("Conv2d(2, 1, 3, stride=2, padding=1)", (1, 2, 5, 5))
    panels = {p.get_gid() for p in fig.axes[0].patches if (p.get_gid() or "").startswith("panel:")}
    assert panels == {"panel:input:x[0, 0]", "panel:input:x[0, 1]", "panel:kernel:w[0, 0]",
                      "panel:kernel:w[0, 1]", "panel:output:y[0, 0]"}
    boxes = [p.get_bbox().bounds for p in fig.axes[0].patches if p.get_gid() in panels]
    assert len(set(boxes)) == 5  # five separate places, none drawn over another
    fig, _ = rendered("Conv2d(6, 4, 3, padding=1, groups=2)", (1, 6, 3, 3), number=20)
    titles = {t.get_text() for t in texts(fig, "panel-title:")}
    assert {"x[0, 3]", "x[0, 4]", "x[0, 5]"} <= titles and "x[0, 0]" not in titles  # group 2
    assert "(group 2 of 2)" in texts(fig, "subtitle")[0].get_text()


def test_the_whole_equation_is_written(matplotlib):
    fig, _ = rendered("Conv2d(2, 1, 3, stride=2, padding=1)", (1, 2, 5, 5), number=5)
    eq = "\n".join(t.get_text() for t in texts(fig, "equation"))
    assert eq.count("×") == 2 * 9 and "…" not in eq  # every product of both channels
    assert "x[0, 0]:" in eq and "x[0, 1]:" in eq and "+ b =" in eq
    width = fig.get_size_inches()[0] * fig.dpi
    for t in texts(fig, "equation") + texts(fig, "title") + texts(fig, "counts"):
        box = t.get_window_extent(fig.canvas.get_renderer())
        assert box.x0 >= 0 and box.x1 <= width, f"{t.get_text()!r} runs off the frame"


@pytest.mark.parametrize("spec,shape", [
    ("Conv2d(2, 1, 3, stride=2, padding=1)", (1, 2, 5, 5)),
    ("MaxPool2d(2)", (1, 1, 6, 6)),
    ("Conv1d(1, 1, 3)", (1, 1, 8)),
])
def test_no_empty_band(matplotlib, spec, shape):
    fig, image = rendered(spec, shape)
    background = (image == 255).all(axis=2).all(axis=1)  # pixel rows without any ink
    run = longest = 0
    for blank in background:
        run = run + 1 if blank else 0
        longest = max(longest, run)
    assert longest <= 40, f"{longest} empty pixel rows in a {image.shape[0]} px frame"


def test_gif_and_pngs_share_the_frame(pil, tmp_path):
    layer = parse_layer("Conv2d(2, 1, 3, stride=2, padding=1)")
    x = make_data(layer, (1, 2, 5, 5), "int", 0)
    pngs = plot.save_pngs(layer, x, tmp_path / "p")
    plot.save_gif(layer, x, tmp_path / "a.gif")
    sizes = set()
    for p in pngs.paths:
        with pil.open(p) as im:
            sizes.add(im.size)
    with pil.open(tmp_path / "a.gif") as im:
        sizes.add(im.size)
        im.seek(im.n_frames - 1)
        sizes.add(im.size)
    assert len(sizes) == 1 and min(sizes.pop()) > 300
    with pil.open(pngs.paths[0]) as im:
        colours = {c for _, c in im.convert("RGB").getcolors(1 << 20)}
    for key in ("input", "kernel", "window"):  # the palette the HTML page uses too
        assert tuple(int(PALETTE[key][i:i + 2], 16) for i in (1, 3, 5)) in colours
