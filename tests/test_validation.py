"""Shared validation helpers, the layer spec parser, and the numba cache fallback."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import nnref.layers
from nnref.kernels._numba import _choose_cache_dir
from nnref.core import validate as v
from nnref.layers.spec import known_layers, parse_layer


def test_as_tuple_ok():
    assert v.as_tuple(3, 2, "stride", "Conv2d") == (3, 3)
    assert v.as_tuple((1, 2), 2, "stride", "Conv2d") == (1, 2)
    assert v.as_tuple(np.int64(0), 1, "padding", "Conv1d", minimum=0) == (0,)


@pytest.mark.parametrize("value,err,match", [
    ((1, 2, 3), ValueError, r"stride=\(1, 2, 3\) has 3 entries"),
    (0, ValueError, "stride=0"),
    ((1, -1), ValueError, r"stride=\(1, -1\)"),
    (1.5, TypeError, "stride=1.5"),
    (True, TypeError, "stride=True"),
    ("2", TypeError, "stride='2'"),
])
def test_as_tuple_errors_name_parameter_and_value(value, err, match):
    with pytest.raises(err, match=match):
        v.as_tuple(value, 2, "stride", "Conv2d")


def test_check_input_messages():
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*expected 4-D"):
        v.check_input(np.zeros((2, 3)), "Conv2d", 4)
    with pytest.raises(ValueError, match="expected 3 channels"):
        v.check_input(np.zeros((1, 2, 4, 4)), "Conv2d", 4, channels=3)
    with pytest.raises(TypeError, match="dtype int64"):
        v.check_input(np.zeros((1, 3), dtype=np.int64), "Dense", 2)
    with pytest.raises(TypeError, match="dtype complex128"):
        v.check_array(np.zeros(3, dtype=complex), "ReLU")


def test_spec_parses_whitelisted_layers_only():
    assert repr(parse_layer("LeakyReLU(negative_slope=0.2)")) == "LeakyReLU(negative_slope=0.2)"
    assert set(known_layers()) == set(nnref.layers.__all__) - {"Layer"}
    with pytest.raises(ValueError, match="unknown layer 'os'.*known layers: .*ReLU"):
        parse_layer("os('rm -rf /')")
    with pytest.raises(ValueError, match="not a literal"):
        parse_layer("ReLU(__import__('os'))")
    with pytest.raises(ValueError, match="not valid call syntax"):
        parse_layer("ReLU(")
    with pytest.raises(ValueError, match="NAME"):
        parse_layer("nnref.ReLU()")


def test_cache_dir_fallback_only_when_nothing_is_writable():
    assert _choose_cache_dir("/pkg", {}, writable=lambda p: True) is None
    assert _choose_cache_dir("/pkg", {"NUMBA_CACHE_DIR": "/x"}, writable=lambda p: False) is None
    home_only = _choose_cache_dir("/pkg", {}, writable=lambda p: p != "/pkg")
    assert home_only is None  # numba's own user-wide cache works
    fallback = _choose_cache_dir("/pkg", {}, writable=lambda p: False)
    assert fallback.startswith(tempfile.gettempdir()) and "nnref-numba-cache" in fallback


def test_read_only_install_still_runs_kernels(tmp_path):
    """A copy of the package with read-only files and an unwritable HOME still runs kernels.

    (As root, permission bits do not stop writes; the fallback decision itself is tested
    above with a fake ``writable`` predicate.)
    """
    import shutil

    import nnref

    site = tmp_path / "site"
    shutil.copytree(os.path.dirname(nnref.__file__), site / "nnref",
                    ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import numpy as np, os, nnref; from nnref.layers import ReLU;"
            "y, ops = ReLU()(np.array([-1.0, 2.0]));"
            "print(ops.cmp, os.environ.get('NUMBA_CACHE_DIR', ''))")
    env = {k: val for k, val in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(PYTHONPATH=str(site), HOME="/proc")
    for p in site.rglob("*"):
        p.chmod(0o555 if p.is_dir() else 0o444)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=str(tmp_path), timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == "2"


def test_cached_kernels_built_for_other_counter_kinds_are_cleared(tmp_path):
    from nnref.kernels._numba import clear_stale_cache

    (tmp_path / "conv.direct-38.py311.nbi").write_text("index")
    (tmp_path / "conv.direct-38.py311.1.nbc").write_text("code")
    (tmp_path / "keep.py").write_text("not a cache file")
    assert clear_stale_cache(str(tmp_path), ("add", "mul"))  # no stamp yet: cleared
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.py", "nnref-kinds.txt"]
    (tmp_path / "conv.direct-38.py311.nbi").write_text("index")
    assert not clear_stale_cache(str(tmp_path), ("add", "mul"))  # same kinds: kept
    assert (tmp_path / "conv.direct-38.py311.nbi").exists()
    assert clear_stale_cache(str(tmp_path), ("add", "mul", "erf"))  # a kind more: cleared
    assert not (tmp_path / "conv.direct-38.py311.nbi").exists()
    assert (tmp_path / "nnref-kinds.txt").read_text() == "add mul erf"


def test_cached_kernels_are_cleared_when_any_kernel_source_changes(tmp_path):
    """numba checks only a kernel's own file; a change to a file it inlines from (the
    micro-kernel of _tile.py in the GEMM of _gemm.py) must clear the cache as well."""
    import os

    from nnref.kernels._numba import clear_stale_cache, sources_stamp

    src, cache = tmp_path / "kernels", tmp_path / "kernels" / "__pycache__"
    cache.mkdir(parents=True)
    (src / "_gemm.py").write_text("gemm")
    (src / "_tile.py").write_text("tile")
    (cache / "_gemm.gemm_tiled-1.py311.nbi").write_text("index")
    assert clear_stale_cache(str(cache), ("add",), sources_stamp(str(src)))  # no stamp yet
    (cache / "_gemm.gemm_tiled-1.py311.nbi").write_text("index")
    assert not clear_stale_cache(str(cache), ("add",), sources_stamp(str(src)))  # unchanged
    st = os.stat(src / "_tile.py")
    os.utime(src / "_tile.py", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # _tile.py edited
    assert clear_stale_cache(str(cache), ("add",), sources_stamp(str(src)))
    assert not (cache / "_gemm.gemm_tiled-1.py311.nbi").exists()
    (src / "_tile.py").write_text("tile, longer")  # or rewritten, the stamp differs again
    (cache / "_gemm.gemm_tiled-1.py311.nbi").write_text("index")
    assert clear_stale_cache(str(cache), ("add",), sources_stamp(str(src)))
