"""The real counters on a torch module, by the keys of the family tests: a thin adapter over
:mod:`nnref.testing.tools` (THOP, ptflops with and without functional counting, ptflops'
aten backend, fvcore, FlopCounterMode).

``live(module, *inputs)`` returns each tool's total, under the keys of
``nnref_side(plan)``, the same numbers from nnref's conventions of the equivalent plan.
A test that needs a tool of the ``compare`` extra is skipped without it (an error in CI).
"""
from functools import partial

from conftest import need, torch

from nnref.conventions import fvcore, ptflops, thop, torch_flop_counter
from nnref.testing.tools import (run_flop_counter, run_fvcore, run_ptflops, run_ptflops_aten,
                                 run_thop)

#: The keys of both sides, in the order the tests print them.
KEYS = ("thop", "ptflops", "ptflops_nofunc", "aten", "fvcore", "torch")
RUNNERS = {"thop": run_thop, "ptflops": run_ptflops,
           "ptflops_nofunc": partial(run_ptflops, count_functional=False),
           "aten": run_ptflops_aten, "fvcore": run_fvcore, "torch": run_flop_counter}
NEEDS = {"thop": "thop", "ptflops": "ptflops", "ptflops_nofunc": "ptflops", "aten": "ptflops",
         "fvcore": "fvcore"}


class _Held(torch.nn.Module):
    """``module`` called with the tensors ``xs`` it holds, whatever it is given: ptflops takes
    one positional input (its batch counter reads its first axis, as nnref's rule does), or
    its inputs by name, which its batch counter does not see. Hooks still see ``module``."""

    def __init__(self, module, xs):
        super().__init__()
        self.module, self.xs = module, xs

    def forward(self, *args):
        return self.module(*self.xs)


def live_counts(module, *xs, tools=KEYS) -> dict:
    """Each real tool's :class:`~nnref.testing.tools.LiveCount` for ``module`` on the tensors
    ``xs`` (eval, no grad); None where ptflops failed (it prints the exception, e.g. its
    MultiheadAttention hook on an unbatched query)."""
    for t in tools:
        if t in NEEDS:
            need(NEEDS[t])
    module = module.eval()
    held = (module, xs) if len(xs) == 1 else (  # len() of a 0-d stand-in fails: (1,)
        _Held(module, xs).eval(), (xs[0] if xs[0].dim() else torch.zeros(1),))
    out = {}
    for t in tools:
        try:
            out[t] = RUNNERS[t](*(held if t in ("ptflops", "ptflops_nofunc", "aten")
                                  else (module, xs)))
        except RuntimeError as e:
            if "ptflops failed" not in str(e):
                raise
            out[t] = None
    return out


def live(module, *xs, tools=KEYS):
    """What each real tool reports for ``module`` on the tensors ``xs``: its total (None:
    ptflops failed)."""
    return {t: None if c is None else c.total for t, c in live_counts(module, *xs, tools=tools).items()}


def nnref_side(plan, tools=KEYS, functional=()):
    """nnref's reproduction of each tool on ``plan``, under the keys of :func:`live`;
    ``functional`` names the calls the torch model makes as functions."""
    fn = functional
    rows = {"thop": lambda: thop(plan, functional=fn).total,
            "ptflops": lambda: ptflops(plan, functional=fn).total,
            "ptflops_nofunc": lambda: ptflops(plan, count_functional=False, functional=fn).total,
            "aten": lambda: ptflops(plan, backend="aten").total,
            "fvcore": lambda: fvcore(plan).total, "torch": lambda: torch_flop_counter(plan).total}
    return {k: rows[k]() for k in tools}


def one(layer, shape):
    """A one-call plan of ``layer`` on ``shape``."""
    return [("l", layer, shape, tuple(layer.output_shape(shape)))]
