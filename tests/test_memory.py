"""The memory a model's forward frees is kept for the next one (nnref.models.memory)."""
import subprocess
import sys

import pytest

from nnref.models import memory

glibc = pytest.mark.skipif(memory._mallopt() is None, reason="needs glibc's malloc")

# The first four blocks of MobileNetV2 at 224²: without the setting, glibc returns the top
# of its heap at the end of every forward, and the next forward faults its pages in again.
FORWARDS = """
import os, resource, sys
import numpy as np
from nnref.models import Sequential, zoo

features = dict(zoo.build("mobilenet_v2").named_children())["features"]
model = Sequential(*[c for _, c in features.named_children()][:4])
x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)

def faults():  # page faults of one forward, after warm-up ones
    for _ in range(3):
        model(x)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    model(x)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

os.environ["NNREF_KEEP_MEMORY"] = "0"
left_alone = faults()
os.environ["NNREF_KEEP_MEMORY"] = "1"
print(left_alone, faults())
"""


@glibc
def test_a_forward_reuses_the_memory_the_one_before_freed():
    done = subprocess.run([sys.executable, "-c", FORWARDS], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    left_alone, kept = map(int, done.stdout.split())
    if left_alone < 500:
        pytest.skip(f"this C library kept the memory by itself ({left_alone} page faults)")
    assert kept < left_alone // 20, (left_alone, kept)


@glibc
def test_the_thresholds_are_set_unless_turned_off():
    assert memory.keep_freed_memory({}) is True
    assert memory.keep_freed_memory({"NNREF_KEEP_MEMORY": "1"}) is True
    assert memory.keep_freed_memory({"NNREF_KEEP_MEMORY": "0"}) is False


@pytest.mark.parametrize("value", ["yes", "2", "off"])
def test_a_bad_setting_names_the_variable(value):
    with pytest.raises(ValueError, match=f"NNREF_KEEP_MEMORY='{value}' is invalid"):
        memory.keep_freed_memory({"NNREF_KEEP_MEMORY": value})


def test_models_set_it_before_each_forward(monkeypatch):
    import numpy as np

    from nnref.layers.activation import ReLU
    from nnref.models import Sequential, run

    calls = []
    monkeypatch.setattr(run, "keep_freed_memory", lambda: calls.append(1))
    model = Sequential(ReLU())
    model(np.ones((1, 2), np.float32))
    model(np.ones((1, 2), np.float32))
    assert calls == [1, 1]
