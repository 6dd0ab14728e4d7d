"""nnref's pytest plugin: the ``nnref_oracle`` fixture, for other projects' test suites.

Installed with nnref, it is registered through the ``pytest11`` entry point, so a test
only has to ask for the fixture::

    def test_my_conv_flops(nnref_oracle):
        conv = nnref.Conv2d(3, 8, 3, padding=1)
        nnref_oracle.assert_counts(my_flops(conv, (1, 3, 32, 32)), conv, (1, 3, 32, 32))

The default convention of ``nnref_oracle.assert_counts`` is ``exact``; change it with
``--nnref-convention=thop`` (or ``nnref_convention = thop`` in the ini file). Disable
the plugin with ``-p no:nnref.testing.plugin``. Importing this module imports only
pytest: nnref's numba kernels load when a count is first made.
"""
from __future__ import annotations

import pytest

from ._names import CONVENTIONS


class Oracle:
    """What the ``nnref_oracle`` fixture gives a test: nnref's counts and checks.

    Parameters
    ----------
    convention : str
        The default convention of :meth:`count` and :meth:`assert_counts`.
    """

    conventions = CONVENTIONS

    def __init__(self, convention: str = "exact"):
        if convention not in CONVENTIONS:
            raise ValueError(f"nnref_oracle: convention={convention!r} is invalid; expected one "
                             f"of {', '.join(CONVENTIONS)}")
        self.convention = convention

    def __repr__(self):
        return f"Oracle(convention={self.convention!r})"

    def count(self, layer_or_model, input_shape=None, convention=None):
        """nnref's count (an OpCounts for ``exact``, an int otherwise) of a layer or model."""
        from .assertions import expected_counts

        return expected_counts(layer_or_model, input_shape, convention or self.convention)

    def assert_counts(self, actual, layer_or_model, input_shape=None, convention=None):
        """:func:`nnref.testing.assert_counts` with the session's default convention."""
        from .assertions import assert_counts

        return assert_counts(actual, layer_or_model, input_shape, convention or self.convention)

    def compare(self, layer_or_model, input_shape=None, tools=None):
        """Every tool's count beside nnref's, per layer and explained (``nnref compare``): a
        :class:`~nnref.conventions.Reconciliation`."""
        from ..conventions import compare_layers
        from .assertions import resolve_plan

        plan, title = resolve_plan(layer_or_model, input_shape, "nnref_oracle.compare")
        return compare_layers(plan, tools, title=title)

    def run_tools(self, module, inputs, tools=None):
        """The real THOP, ptflops, fvcore and FlopCounterMode on a torch module (``compare`` extra)."""
        from .tools import run_tools

        return run_tools(module, inputs, tools)

    @property
    def strategies(self):
        """:mod:`nnref.testing.strategies`: hypothesis strategies of layers with torch twins."""
        from . import strategies

        return strategies


def pytest_addoption(parser):
    group = parser.getgroup("nnref", "nnref: exact operation counts as an oracle")
    group.addoption("--nnref-convention", default=None, choices=CONVENTIONS,
                    help="default convention of nnref_oracle.assert_counts (default: the "
                         "nnref_convention ini value, else exact)")
    parser.addini("nnref_convention", default="exact",
                  help="default convention of nnref_oracle.assert_counts: "
                       + ", ".join(CONVENTIONS))


def _convention(config) -> str:
    return config.getoption("nnref_convention") or config.getini("nnref_convention")


def pytest_configure(config):
    if _convention(config) not in CONVENTIONS:
        raise pytest.UsageError(f"nnref_convention={_convention(config)!r} is invalid; "
                                f"expected one of {', '.join(CONVENTIONS)}")


def pytest_report_header(config):
    return f"nnref oracle: nnref_oracle fixture, default convention {_convention(config)}"


@pytest.fixture(scope="session")
def nnref_oracle(pytestconfig) -> Oracle:
    """nnref as an oracle: ``nnref_oracle.assert_counts(actual, layer_or_model, input_shape)``,
    ``.count(...)``, ``.compare(...)``, ``.run_tools(...)``, ``.strategies``."""
    return Oracle(_convention(pytestconfig))
