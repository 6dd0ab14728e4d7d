"""The examples run, quickly, and say what they are meant to show."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: The examples import nnref from this checkout, as the tests do, not from an older install.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def run(name, *args):
    """Run an example with the nnref of this checkout (not another installed copy)."""
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=300, env=ENV)
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


def test_seed_crnn_explained():
    out = run("seed_crnn_explained.py")
    total = next(ln for ln in out.splitlines() if ln.startswith("total"))
    # nnref mul, nnref ops, THOP, ptflops, fvcore, torch, TF (tests/test_tools_live.py and
    # tests/test_tf_fixture.py check the tools' own figures)
    assert total.split()[1:] == ["124,942,208", "250,499,008", "125,026,016", "126,233,472",
                                 "8,691,200", "249,809,920", "22,540,096"]
    text = " ".join(out.split())
    for claim in ("TensorFlow counts the GRU's loop body once", "fvcore has no GRU rule",
                  "THOP and ptflops differ on the bias and the activations",
                  "turns its steps into batch", "batch_first=False"):
        assert claim in text
    # ptflops − THOP = conv bias + dense bias + ReLU twice: 394,208 + 24,832 + 2·394,208
    assert "+1,207,456 MACs" in text and "counts the same 232,623,072 operations" in text
    steps = [ln.split() for ln in out.splitlines() if ln.split()[:1] in (["10"], ["97"], ["400"])]
    assert [row[2] for row in steps] == ["4,738,656"] * 3  # TF's figure, whatever T
    assert len({row[1] for row in steps}) == 3  # nnref's grows with T


def test_my_counter_suite_shows_the_readable_failure_on_demand():
    """The project's own run collects examples/ (testpaths) and skips the wrong formula;
    with NNREF_SHOW_FAILURE=1 it runs, and fails with nnref's table."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(EXAMPLES / "test_my_counter.py"), "-k", "seed_formula"],
        capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=ROOT,
        env={**ENV, "NNREF_SHOW_FAILURE": "1"})
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "CountMismatch: counts differ from nnref (every operation nnref executes" in out
    assert "likely cause" in out and "bias not counted" in out
    assert "1 failed" in out


def test_vit_explained():
    """ViT-B/16's products by hand: patch embedding 196·768·768 (16·16·3 taps), per block
    q, k, v and out projections 4·197·768², QKᵀ and A·V 2·12·197²·64, the MLPs
    2·197·768·3072, and the head 768·1000; THOP and FlopCounterMode miss the attention."""
    out = run("vit_explained.py")
    patch, proj = 196 * 768 * 768, 12 * 4 * 197 * 768 * 768
    core, mlp = 12 * 2 * 12 * 197 * 197 * 64, 12 * 2 * 197 * 768 * 3072 + 768 * 1000
    assert f"patch embedding (Conv2d)                        {patch:,}" in out
    assert f"{proj:,}" in out and f"{core:,}" in out and f"{mlp:,}" in out
    assert f"multiply-accumulates of the products: {patch + proj + core + mlp:,}" in out
    assert "THOP counts 0 for nn.MultiheadAttention" in out and "(17.61 G," in out
    assert "those that miss all of MultiheadAttention at 11.27 G" in out
    dense = int(out.split("dense (every score computed, then masked): ")[1].split()[0]
                .replace(",", ""))
    skip = int(out.split("skip (only the kept scores, as flash kernels do): ")[1].split()[0]
               .replace(",", ""))
    # skip leaves out the masked scores, ΔK = 12 heads × 1024·1023/2: per score mul 64 + 1
    # + 64, add 63 + 1 + 64, cmp 1, sub, exp, div 1 each (261); and dense adds the causal
    # mask to every one of the 12·1024² scores
    masked = 12 * 1024 * 1023 // 2
    assert dense - skip == 261 * masked + 12 * 1024 * 1024
