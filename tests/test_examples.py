"""The examples run, quickly, and say what they are meant to show."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(name, *args):
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_step_through_conv(tmp_path):
    gif = tmp_path / "conv.gif"
    out = run("step_through_conv.py", str(gif))
    assert "step 1/9: y[0, 0, 0, 0]" in out and "step 9/9: y[0, 0, 2, 2]" in out
    # 9 outputs of 9 taps with a bias: mul 81, add 8·9 + 9
    assert "ops in total: mul 81  add 81" in out
    assert "the numba kernel counted: mul 81  add 81" in out
    if importlib.util.find_spec("matplotlib") or os.environ.get("CI"):  # the plot extra
        assert "wrote" in out and gif.read_bytes()[:6] == b"GIF89a"
    else:
        assert "no GIF" in out and "nnref[plot]" in out


def test_derivation_check_quick():
    out = run("derivation_check.py", "--quick")
    assert "seed+bias" in out and "exact" in out
    # 4 configurations, 2 without bias, 2 with: each seed form exact for its half
    assert "seed: exact in 2 of 4 configurations (bias=no)" in out
    assert "seed+bias: exact in 2 of 4 configurations (bias=yes)" in out
    assert "TF: exact in 0 of 4 configurations" in out
