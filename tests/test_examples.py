"""The examples run, quickly, and say what they are meant to show."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(name, *args):
    """Run an example with the nnref of this checkout (not another installed copy)."""
    path = os.pathsep.join([str(EXAMPLES.parent)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=300,
                          env={**os.environ, "PYTHONPATH": path})
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
    page = (tmp_path / "conv.html").read_text(encoding="utf-8")
    assert f"wrote {tmp_path / 'conv.html'}: an interactive page" in out
    assert page.startswith("<!DOCTYPE html>") and '"formula":{"text":' in page


def test_derivation_check_quick():
    out = run("derivation_check.py", "--quick")
    lines = {line.split(":")[0].strip(): line for line in out.splitlines() if ": " in line}
    for form in ("seed", "seed+bias", "depthwise", "pointwise"):
        assert "exact on all 20 configurations" in lines[form], lines[form]
    assert "off by −Ho·Wo·Co" in out and "the bias add?" in out  # seed on layers with bias
    assert "configurations with bias=1" in out
    tf = out[out.index("             TF:"):]
    assert "differs" in tf.splitlines()[0] and "hint: off by +Ho·Wo·Co" in tf  # one per output
    assert "too high wherever taps land on padding" in out  # skip
