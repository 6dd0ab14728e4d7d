"""Step through a small Conv2d one output at a time, then draw it as a GIF and a web page.

    python examples/step_through_conv.py            # GIF and HTML in a temporary directory
    python examples/step_through_conv.py out.gif    # GIF where you say (HTML beside it)
    python examples/step_through_conv.py --html step.html   # the page where you say
    python examples/step_through_conv.py --per-tap  # one step per multiply-add

The text shows, for every output element, the input window (padding as ``·``), the
kernel, the output filling in, the products and their sum, and the counts so far. The
last counts are compared with what the numba kernel counted. The GIF needs matplotlib
(``pip install 'nnref[plot]'``); without it only the text and the page are written.
The page is one self-contained HTML file: open it from disk in any browser (next,
previous, play, the slider and the arrow keys; hover over a tap for its product; the
dense/skip switch shows what skipping the padding saves; the seed formula is checked
beside the counts).
"""
import argparse
import os
import tempfile

import numpy as np

from nnref.layers.conv import Conv2d
from nnref.testing.formula import formula_for_page
from nnref.trace.html import save_html
from nnref.trace.plot import save_gif
from nnref.trace.render import format_counts, render_steps


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gif", nargs="?", help="where to write the GIF (default: a temp dir)")
    parser.add_argument("--html", help="where to write the page (default: beside the GIF)")
    parser.add_argument("--per-tap", action="store_true", help="one step per tap")
    args = parser.parse_args(argv)

    layer = Conv2d(1, 1, 3, stride=2, padding=1)
    layer.weight = np.array([[[[1, 0, -1], [2, 1, 0], [0, -1, 1]]]], dtype=np.float32)
    layer.bias = np.array([1], dtype=np.float32)
    x = np.arange(25, dtype=np.float64).reshape(1, 1, 5, 5) % 4  # small ints: easy sums

    for block in render_steps(layer, x, per_tap=args.per_tap):
        print(block, end="\n\n")
    _, ops = layer(x)
    print(f"the numba kernel counted: {format_counts(ops)}")

    path = args.gif or os.path.join(tempfile.mkdtemp(prefix="nnref-"), "step_through_conv.gif")
    try:
        print(save_gif(layer, x, path, per_tap=args.per_tap).note)
    except ImportError as e:
        print(f"no GIF: {e}")
    page = args.html or os.path.splitext(path)[0] + ".html"
    print(save_html(layer, x, page, per_tap=args.per_tap, formula=formula_for_page(layer, x.shape)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
