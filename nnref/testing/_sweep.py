"""The configurations of a formula check, and the named quantities of each.

A configuration is a layer spec (Python call syntax, as ``nnref count`` takes it) and an
input shape. They are drawn from a seeded generator, small enough to run in
milliseconds. Quantities that the formula does not name and that multiply the work
(N, groups, the depth multiplier) are held at 1, so that a formula written for one
image and one group is checked as written; the others (stride, padding, dilation,
bias, non-square kernels unless K is used) vary, since they act through the names
the formula does use.
"""
from __future__ import annotations

from math import prod

import numpy as np

CONV = ("Conv1d", "Conv2d", "DepthwiseConv2d", "PointwiseConv2d")
POOLS = ("MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d")
DENSE = ("Linear", "Dense")
KINDS = CONV + POOLS + DENSE

_SPATIAL = ("K", "Kh", "Kw", "H", "W", "Ho", "Wo", "stride", "padding", "dilation")
#: The quantities of each kind of layer, with what they mean.
MEANINGS = {
    "N": "batch size (rows for Linear)", "Cin": "input channels", "C": "channels (pools)",
    "Cout": "output channels", "Co": "output channels", "groups": "groups",
    "multiplier": "depth multiplier", "K": "kernel size (square kernels)",
    "Kh": "kernel height", "Kw": "kernel width", "H": "input height", "W": "input width",
    "Ho": "output height", "Wo": "output width", "L": "input length (1-D)",
    "Lo": "output length (1-D)", "stride": "stride", "padding": "padding",
    "dilation": "dilation", "bias": "1 with a bias, else 0", "I": "in_features",
    "O": "out_features", "count_include_pad": "1 or 0 (AvgPool)", "ceil_mode": "1 or 0",
}
NAMES = {
    "conv": ("N", "Cin", "Cout", "Co", "groups", *_SPATIAL, "bias"),
    "depthwise": ("N", "Cin", "C", "Cout", "Co", "groups", "multiplier", *_SPATIAL, "bias"),
    "pool": ("N", "C", "Cin", "Co", *_SPATIAL, "ceil_mode", "count_include_pad"),
    "dense": ("N", "I", "O", "bias"),
}
#: Held at 1 unless the formula names them (they multiply the work).
NEUTRAL = ("N", "groups", "multiplier")


def family(kind: str) -> str:
    if kind in DENSE:
        return "dense"
    if kind in POOLS:
        return "pool"
    return "depthwise" if kind == "DepthwiseConv2d" else "conv"


def names(kind: str) -> tuple:
    """The quantities a formula for ``kind`` may use (1-D layers also have L and Lo)."""
    extra = ("L", "Lo") if kind.endswith("1d") else ()
    return NAMES[family(kind)] + extra


def _axes(v, nd) -> tuple:
    t = tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd
    return (1,) * (2 - nd) + t if nd < 2 else t


def _one(t):
    return t[0] if len(set(t)) == 1 else None


def quantities(layer, input_shape) -> dict:
    """The named quantities of ``layer`` on ``input_shape`` (None where undefined)."""
    kind = layer.kind
    shape = tuple(input_shape)
    out = layer.output_shape(shape)
    if family(kind) == "dense":
        return dict(N=prod(shape[:-1]), I=layer.in_features, O=layer.out_features,
                    bias=int(layer.bias is not None))
    nd = 1 if kind.endswith("1d") else 2
    k = _axes(getattr(layer, "kernel_size", 1), nd)
    pad = _axes(getattr(layer, "padding", 0), nd)
    q = dict(N=shape[0] if len(shape) == nd + 2 else 1, Kh=k[0], Kw=k[1], K=_one(k),
             H=_axes(shape[-nd:], nd)[0], W=shape[-1], Ho=_axes(out[-nd:], nd)[0], Wo=out[-1],
             stride=_one(_axes(getattr(layer, "stride", 1), nd)), padding=_one(pad),
             dilation=_one(_axes(getattr(layer, "dilation", 1), nd)))
    if nd == 1:
        q.update(L=q["W"], Lo=q["Wo"], K=k[1])
    if family(kind) == "pool":
        c = shape[-nd - 1] if len(shape) > nd else 1
        q.update(C=c, Cin=c, Co=c, ceil_mode=int(layer.ceil_mode),
                 count_include_pad=int(getattr(layer, "count_include_pad", False)))
        return q
    q.update(Cin=layer.in_channels, Cout=layer.out_channels, Co=layer.out_channels,
             groups=getattr(layer, "groups", 1), bias=int(layer.bias is not None))
    if family(kind) == "depthwise":
        q.update(C=layer.in_channels, multiplier=layer.depth_multiplier)
    return q


# -- drawing configurations ------------------------------------------------------------------


def _pick(rng, values, p=None):
    return values[int(rng.choice(len(values), p=p))]


def _per_axis(rng, nd, same, draw):
    """One value for every axis, or (if not ``same``) maybe one per axis."""
    if nd == 1:
        return draw()
    if same or rng.random() < 0.6:
        return draw()
    return (draw(), draw())


#: Keyword arguments left out of a spec when they have these values.
_DEFAULTS = {"padding": 0, "dilation": 1, "groups": 1, "bias": True, "ceil_mode": False,
             "count_include_pad": True}


def _spec(kind, args, kwargs) -> str:
    """``Conv2d(3, 8, 3, stride=2)``: defaults left out, equal per-axis values as one int."""
    def short(v):
        return v[0] if isinstance(v, tuple) and len(set(v)) == 1 else v

    kwargs = {k: short(v) for k, v in kwargs.items()}
    defaults = _DEFAULTS if kind in POOLS else {**_DEFAULTS, "stride": 1}  # pools: stride=k
    parts = [repr(short(a)) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()
                                              if k not in defaults or defaults[k] != v]
    return f"{kind}({', '.join(parts)})"


def _geometry(rng, kind, nd, uses, fix, pool=False):
    """kernel_size, stride, padding, dilation keyword arguments of one draw."""
    square = "K" in uses
    kw = {}
    kernel = _per_axis(rng, nd, square, lambda: int(rng.integers(1, 6)))
    kw["kernel_size"] = kernel
    ks = _axes(kernel, nd)
    kw["stride"] = _per_axis(rng, nd, "stride" in uses,
                             lambda: _pick(rng, (1, 1, 2, 3)))
    if pool:
        kw["padding"] = _per_axis(rng, nd, True, lambda: int(rng.integers(0, min(ks) // 2 + 1)))
    else:
        kw["padding"] = _per_axis(rng, nd, "padding" in uses, lambda: _pick(rng, (0, 0, 1, 2)))
    if not kind.startswith("AvgPool"):
        kw["dilation"] = _per_axis(rng, nd, "dilation" in uses, lambda: _pick(rng, (1, 1, 1, 2)))
    for name in ("stride", "padding", "dilation"):
        if name in fix and name in kw:
            kw[name] = fix[name]
    for name, axis in (("Kh", 0), ("Kw", 1), ("K", None)):
        if name in fix:
            ks = [fix[name]] * 2 if axis is None else list(ks)
            if axis is not None:
                ks[axis] = fix[name]
            kw["kernel_size"] = ks[-1] if nd == 1 else tuple(ks)
    return kw


def _sizes(rng, layer, nd) -> tuple:
    """Spatial input sizes that give at least one output per axis."""
    k = _axes(layer.kernel_size, nd)
    p = _axes(getattr(layer, "padding", 0), nd)
    d = _axes(getattr(layer, "dilation", 1), nd)
    sizes = [max(1, dd * (kk - 1) + 1 - 2 * pp) + int(rng.integers(0, 7))
             for kk, pp, dd in zip(k, p, d, strict=True)]
    return tuple(sizes[-nd:])


def draw_layer(rng, kind, uses, fix) -> str:
    """A random layer spec of ``kind``."""
    nd = 1 if kind.endswith("1d") else 2
    def has(name):
        return name in uses or name in fix

    bias = bool(fix.get("bias", rng.random() < 0.5))
    if family(kind) == "dense":
        return _spec(kind, (fix.get("I", int(rng.integers(1, 17))),
                            fix.get("O", int(rng.integers(1, 9)))), {"bias": bias})
    if family(kind) == "pool":
        kw = _geometry(rng, kind, nd, uses, fix, pool=True)
        kw["ceil_mode"] = bool(fix.get("ceil_mode", rng.random() < 0.3))
        if kind.startswith("AvgPool"):
            kw["count_include_pad"] = bool(fix.get("count_include_pad", rng.random() < 0.5))
        return _spec(kind, (), kw)
    if kind == "PointwiseConv2d":
        return _spec(kind, (fix.get("Cin", int(rng.integers(1, 9))),
                            fix.get("Co", fix.get("Cout", int(rng.integers(1, 9))))),
                     {"bias": bias})
    kw = _geometry(rng, kind, nd, uses, fix)
    if kind == "DepthwiseConv2d":
        m = fix.get("multiplier", _pick(rng, (1, 1, 2, 3)) if has("multiplier") else 1)
        c = fix.get("C", fix.get("Cin", int(rng.integers(1, 7))))
        return _spec(kind, (c, kw.pop("kernel_size"), m), {**kw, "bias": bias})
    g = fix.get("groups", _pick(rng, (1, 1, 2, 3, 4)) if has("groups") else 1)
    cin = fix.get("Cin", g * int(rng.integers(1, 5)))
    co = fix.get("Co", fix.get("Cout", g * int(rng.integers(1, 5))))
    kw.update(groups=g, bias=bias) if g != 1 else kw.update(bias=bias)
    return _spec(kind, (cin, co, kw.pop("kernel_size")), kw)


def draw_shape(rng, layer, uses, fix) -> tuple:
    """An input shape for ``layer``: batch 1 unless N is named (or fixed)."""
    kind = layer.kind
    n = fix.get("N", _pick(rng, (1, 1, 2, 3)) if "N" in uses else 1)
    if family(kind) == "dense":
        return (n, layer.in_features)
    nd = 1 if kind.endswith("1d") else 2
    hw = _sizes(rng, layer, nd)
    if "H" in fix and nd == 2:
        hw = (fix["H"],) + hw[1:]
    if "W" in fix or "L" in fix:
        hw = hw[:-1] + (fix.get("W", fix.get("L")),)
    if family(kind) == "pool":
        c = fix.get("C", fix.get("Cin", int(rng.integers(1, 4))))
    else:
        c = layer.in_channels
    return (n, c) + hw


def rng_for(seed) -> np.random.Generator:
    return np.random.default_rng(seed)
