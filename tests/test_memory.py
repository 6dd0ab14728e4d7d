"""The memory a model's forward frees is kept for the next one (nnref.models.memory)."""
import subprocess
import sys

import pytest

from nnref.models import memory

glibc = pytest.mark.skipif(memory._mallopt() is None, reason="needs glibc's malloc")

# What a forward does to the heap (MobileNetV2's forward does it with its activations): a
# block is freed, then several of its size are alive at once, then freed. Without the
# setting, glibc gives the top of its heap back at the end, and the next forward faults
# every page in again (the whole MobileNetV2: 2,400 faults a forward). A model's own
# pattern moves with its kernels' buffers (MobileNetV2's first four blocks alone stopped
# faulting after a kernel change), so the test writes the pattern itself, in a process of
# its own: mallopt cannot be undone.
FORWARDS = """
import resource
import numpy as np
from nnref.models.memory import keep_freed_memory

def forward():
    np.ones(3 << 17)  # 3 MiB, under numpy's 4 MiB huge-page hint
    live = [np.ones(3 << 17) for _ in range(6)]
    del live

def faults():  # page faults of one forward, after warm-up ones
    for _ in range(3):
        forward()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    forward()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

left_alone = faults()
keep_freed_memory({})
print(left_alone, faults())
"""


@glibc
def test_a_forward_reuses_the_memory_the_one_before_freed():
    done = subprocess.run([sys.executable, "-c", FORWARDS], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    left_alone, kept = map(int, done.stdout.split())
    if left_alone < 1000:  # 18 MiB freed: 4,600 faults with glibc 2.36
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
