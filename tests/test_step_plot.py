"""Pictures of the step-through: GIF frame counts, PNG files, the frame cap, the CLI flags."""
import argparse
import sys

import numpy as np
import pytest
from conftest import need

from nnref.layers.conv import Conv1d, Conv2d
from nnref.layers.dense import Dense
from nnref.layers.pool import AvgPool2d
from nnref.cli import step as cli_step
from nnref.trace import plot


@pytest.fixture
def pil(matplotlib):
    return need("PIL.Image")


def x4():
    return np.arange(16.0).reshape(1, 1, 4, 4)


def test_gif_has_one_frame_per_step(pil, tmp_path):
    saved = plot.save_gif(Conv2d(1, 1, 3, padding=1), x4(), tmp_path / "conv.gif")
    assert (saved.frames, saved.steps, saved.capped) == (16, 16, False)  # 4×4 outputs
    with pil.open(tmp_path / "conv.gif") as im:
        assert im.format == "GIF" and im.n_frames == 16


def test_gif_is_capped_and_says_so(pil, tmp_path):
    saved = plot.save_gif(AvgPool2d(1), x4(), tmp_path / "pool.gif", max_frames=5)
    assert (saved.frames, saved.steps, saved.capped) == (5, 16, True)
    assert "5 frames of 16 steps" in saved.note and "max_frames" in saved.note
    with pil.open(tmp_path / "pool.gif") as im:
        assert im.n_frames == 5


def test_pngs_per_tap_exist_and_are_images(pil, tmp_path):
    layer = Dense(3, 2)
    saved = plot.save_pngs(layer, np.ones(3), tmp_path / "pngs", per_tap=True)
    assert saved.frames == saved.steps == 6  # 2 outputs of 3 taps
    assert len(saved.paths) == 6 and sorted(p.name for p in (tmp_path / "pngs").iterdir()) == [
        f"step_{i:04d}.png" for i in range(1, 7)]
    for path in saved.paths:
        with pil.open(path) as im:
            assert im.format == "PNG" and im.size[0] > 100


def test_1d_and_padded_skip_frames_draw(pil, tmp_path):
    layer = Conv1d(2, 1, 3, padding=2, algorithm="naive", padding_taps="skip")
    saved = plot.save_pngs(layer, np.ones((1, 2, 3)), tmp_path, per_tap=True, max_frames=4)
    assert saved.frames == 4 and all((tmp_path / f"step_{i:04d}.png").stat().st_size > 0
                                     for i in range(1, 5))


@pytest.mark.parametrize("total,cap", [(1, 64), (16, 16), (17, 16), (1000, 64), (10, 1), (10, 2)])
def test_pick_frames_keeps_both_ends(total, cap):
    chosen = plot.pick_frames(total, cap)
    assert len(chosen) == min(total, cap) and total in chosen
    assert (1 in chosen) == (cap > 1 or total == 1) and chosen <= set(range(1, total + 1))


def test_missing_matplotlib_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    with pytest.raises(ImportError, match=r"pip install 'nnref\[plot\]'"):
        plot.save_gif(Dense(1, 1), np.ones(1), "never.gif")


def run_cli(argv):
    parser = argparse.ArgumentParser(prog="nnref")
    cli_step.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["step", *argv])
    return args.func(args)


def test_cli_writes_gif_and_pngs(pil, tmp_path, capsys):
    gif, pngs = tmp_path / "out.gif", tmp_path / "frames"
    assert run_cli(["Conv2d(1, 1, 3, stride=2, padding=1)", "--input", "1,1,5,5",
                    "--gif", str(gif), "--png-dir", str(pngs), "--max-frames", "4"]) == 0
    out = capsys.readouterr().out
    assert "4 frames of 9 steps" in out
    with pil.open(gif) as im:
        assert im.n_frames == 4
    assert len(list(pngs.glob("step_*.png"))) == 4
