"""The project's hypothesis strategies: nnref.testing.strategies' configurations, with arrays.

Each draws ``(layer, x)``: a small random configuration of the class (the public
:func:`nnref.testing.strategies.configs`, one strategy per layer class) and an input it
accepts, ``x`` a float32 or float64 array, sometimes with a NaN or an infinity
(:func:`arrays`); a layer of several operands draws a tuple, ``(Add(), (a, b))``. ``STRATEGIES`` maps every layer class
name to its strategy with the default bounds. The factories take the family's bounds
(sizes, the number of spatial axes, the algorithms, ...; see ``configs``) and the
options of :func:`arrays`, for the per-family tests that need other ranges or clean
float64 inputs, e.g. ``FACTORIES["Conv2d"](modes=[("naive", "skip")], nan=False,
dtypes=(np.float64,))``.

Shapes are tiny by default: the traced reference they feed is slow plain Python.
"""
from types import MappingProxyType

import numpy as np
from hypothesis import strategies as st

from nnref.testing.configs.attention import randomised  # noqa: F401
from nnref.testing.strategies import BY_CLASS, MODES, SCALES, configs, seeds, trained  # noqa: F401

FLOATS = (np.float64, np.float32)


@st.composite
def arrays(draw, shape, scale=1.0, nan=True, dtypes=FLOATS):
    """A standard-normal array of ``shape`` times ``scale``, of one of ``dtypes``.

    With ``nan``, one array in four has one element set to NaN, +inf or -inf: it must
    propagate alike everywhere (and change no count).
    """
    dtype = draw(st.sampled_from(dtypes))
    x = np.asarray(np.random.default_rng(draw(seeds)).standard_normal(shape) * scale, dtype)
    if nan and draw(st.integers(0, 3)) == 0:
        x.flat[draw(st.integers(0, x.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return x


def factory(name):
    """The factory of class ``name``: ``(**bounds) -> strategy of (layer, x)``."""

    def make(*, scale=None, nan=True, dtypes=FLOATS, **bounds):
        values = dict(scale=SCALES[name] if scale is None else scale, nan=nan)

        @st.composite
        def draw_layer_and_input(draw):
            layer, shape = draw(configs(name, **bounds))
            if layer.operands == 0:  # a Parameter: no input at all
                return layer, ()
            if not np.issubdtype(layer.random_input(np.random.default_rng(0), (), np.float32).dtype,
                                 np.floating):  # indices (Embedding)
                rng = np.random.default_rng(draw(seeds))
                dtype = draw(st.sampled_from([np.int64, np.int32]))
                return layer, layer.random_input(rng, shape, np.float32).astype(dtype)
            shapes = layer.operand_shapes(shape)
            a = draw(arrays(shapes[0], dtypes=dtypes, **values))
            if len(shapes) == 1:
                return layer, a
            return layer, (a, *(draw(arrays(s, dtypes=(a.dtype.type,), **values))
                                for s in shapes[1:]))

        return draw_layer_and_input()

    return make


#: class name -> factory(**bounds) of its strategy
FACTORIES = MappingProxyType({name: factory(name) for name in sorted(BY_CLASS)})
#: class name -> strategy of (layer, x) with the default bounds
STRATEGIES = MappingProxyType({name: make() for name, make in FACTORIES.items()})
