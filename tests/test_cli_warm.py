"""The helper that compiles kernels from the end of a plan while ``nnref count`` runs
(nnref/cli/_warm.py): what it is given, that it runs it (a layer put off runs again at
the end), and when it starts and stops."""
import io
import json
import os
import subprocess
import sys

import numpy as np

from nnref.cli import _warm
from nnref.kernels._claims import Claimed
from nnref.layers.spec import parse_layer
from nnref.models import zoo


def test_calls_are_the_distinct_layer_calls_last_first():
    plan = zoo.build("resnet50").plan((1, 3, 32, 32))
    todo = _warm.calls(plan, np.float32)
    distinct = {(repr(s.layer), str(s.layer.operand_shapes(s.input_shape))) for s in plan}
    assert len(todo) == len(distinct) < len(plan)
    assert todo[0][0] == repr(plan[-1].layer) and todo[-1][0] == repr(plan[0].layer)
    for spec, shapes, dtype in todo:  # every spec rebuilds the same layer
        assert repr(parse_layer(spec)) == spec and dtype == "float32"


def test_helper_runs_every_call_and_skips_a_bad_one(monkeypatch):
    todo = [["Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1))", [[1, 3, 8, 8]], "float32"],
            ["NoSuchLayer(1)", [[1, 1]], "float32"], ["ReLU()", [[2, 5]], "float64"]]
    ran = []
    real = parse_layer

    def spy(spec):
        layer = real(spec)
        ran.append(type(layer).__name__)
        return layer

    monkeypatch.setattr("nnref.layers.spec.parse_layer", spy)
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(todo)))
    assert _warm.main() == 0
    assert ran == ["Conv2d", "ReLU"]


def test_no_helper_when_disabled_warm_or_small(monkeypatch):
    plan = zoo.build("resnet50").plan((1, 3, 32, 32))
    monkeypatch.setenv("NNREF_WARM", "0")
    assert _warm.start(plan, np.float32) is None
    monkeypatch.delenv("NNREF_WARM")
    monkeypatch.setattr(_warm, "cache_is_cold", lambda: False)
    assert _warm.start(plan, np.float32) is None
    monkeypatch.setattr(_warm, "cache_is_cold", lambda: True)
    assert _warm.start(plan[:3], np.float32) is None  # too few calls to be worth it


def test_a_layer_whose_kernel_is_claimed_runs_again_at_the_end(monkeypatch, tmp_path):
    todo = [["ReLU()", [[2, 5]], "float32"], ["Tanh()", [[2, 5]], "float32"]]
    ran, real = [], parse_layer

    def spy(spec):
        ran.append(spec)
        if ran.count(spec) == 1 and spec == "ReLU()":
            raise Claimed("the main process is compiling it")
        return real(spec)

    monkeypatch.setattr("nnref.layers.spec.parse_layer", spy)
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(todo)))
    monkeypatch.setenv("NNREF_CLAIMS", str(tmp_path))
    assert _warm.main() == 0
    assert ran == ["ReLU()", "Tanh()", "ReLU()"]


def test_helper_starts_on_a_cold_cache_and_stops(monkeypatch):
    monkeypatch.setattr(_warm, "cache_is_cold", lambda: True)
    helper = _warm.start(zoo.build("resnet50").plan((1, 3, 32, 32)), np.float32)
    assert isinstance(helper.process, subprocess.Popen) and os.path.isdir(helper.claims)
    with _warm.sharing(helper):  # this process claims in the helper's directory
        from nnref.kernels._claims import _ACTIVE

        assert _ACTIVE.get() == (helper.claims, True)
    _warm.stop(helper)
    assert helper.process.poll() is not None and not os.path.exists(helper.claims)
    _warm.stop(None)  # nothing to stop
    with _warm.sharing(None):
        assert _ACTIVE.get() is None
