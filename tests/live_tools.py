"""The real counters, run live on a torch module: THOP, ptflops (both backends), fvcore, torch.

One small helper until ``nnref.testing.tools`` (issue 8b) lands; then the tests that use
it should call that instead. THOP, ptflops and fvcore are the ``compare`` extra: a test
that needs one is skipped when it is not installed. FlopCounterMode is torch's own.

``live(module, *inputs)`` returns what each tool reports, under the keys of
``nnref_side(plan)``, the same numbers from nnref's conventions of the equivalent plan.
"""
import contextlib
import io
import logging
import warnings

import pytest
from conftest import torch

from nnref.conventions import fvcore, ptflops, thop, torch_flop_counter

#: The keys of both sides, in the order the tests print them.
KEYS = ("thop", "ptflops", "ptflops_nofunc", "aten", "fvcore", "torch")


def _quiet():
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    stack.callback(logging.disable, logging.NOTSET)
    return stack


def _ptflops(module, xs, **kw):
    from ptflops import get_model_complexity_info

    macs, _ = get_model_complexity_info(module, tuple(xs[0].shape[1:]) or (1,), as_strings=False,
                                        input_constructor=lambda _: xs[0] if xs[0].dim()
                                        else torch.zeros(1),  # len() of a 0-d tensor fails
                                        print_per_layer_stat=False, **kw)
    return macs


def live(module, *xs, tools=KEYS):
    """What each real tool reports for ``module`` on the tensors ``xs`` (eval, no grad)."""
    module = module.eval()
    out = {}
    with _quiet(), torch.no_grad():
        if "thop" in tools:
            out["thop"] = int(pytest.importorskip("thop").profile(module, inputs=xs,
                                                                  verbose=False)[0])
        if {"ptflops", "ptflops_nofunc", "aten"} & set(tools):
            pytest.importorskip("ptflops")
            wrapped = _Positional(module, xs)
            out["ptflops"] = _ptflops(wrapped, xs, backend="pytorch")
            out["ptflops_nofunc"] = _ptflops(wrapped, xs, backend="pytorch",
                                             backend_specific_config={"count_functional": False})
            out["aten"] = _ptflops(wrapped, xs, backend="aten")
        if "fvcore" in tools:
            analysis = pytest.importorskip("fvcore.nn").FlopCountAnalysis(module, xs)
            analysis.unsupported_ops_warnings(False)
            analysis.uncalled_modules_warnings(False)
            out["fvcore"] = int(analysis.total())
        if "torch" in tools:
            from torch.utils.flop_counter import FlopCounterMode

            with FlopCounterMode(display=False) as counter:
                module(*xs)
            out["torch"] = counter.get_total_flops()
    return {k: out[k] for k in tools}


class _Positional(torch.nn.Module):
    """``module`` called with the inputs ``xs`` whatever ptflops passes (its batch is the
    first input, its batch size that input's first axis). Hooks still see ``module``."""

    def __init__(self, module, xs):
        super().__init__()
        self.module, self.xs = module, xs

    def forward(self, *args, **kwargs):
        return self.module(*self.xs)


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
