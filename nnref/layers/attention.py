"""Attention: torch's ``F.scaled_dot_product_attention`` and ``nn.MultiheadAttention``.

Both compute ``softmax(Q·Kᵀ·scale + masks)·V`` through :mod:`nnref.kernels.attention`
(the counted GEMM for the products), in one of two ``mask_mode``\\ s: ``"dense"``
computes every score and then masks it (what a plain implementation does), ``"skip"``
computes only the scores no mask removes (what flash-style kernels do). The operands
have shapes of their own, so the input shape of these layers is the tuple of their
shapes (or one shape, every operand's, as for ``Add``); a MultiheadAttention called
on one array is self-attention, query = key = value (torch's ``mha(x, x, x)``)::

    y, ops = ScaledDotProductAttention(is_causal=True)(q, k, v)
    y, ops = MultiheadAttention(768, 12, batch_first=True, need_weights=False)(x)

torch's call arguments (masks, ``need_weights``, ...) are constructor arguments under
torch's names, stored on the layer so that plans, formulas and tool rules see them; a
call may override them for itself: ``mha(q, k, v, key_padding_mask=m)`` runs
``mha.replace(key_padding_mask=m)``. Counts: :mod:`nnref.formulas.attention`.
"""
from __future__ import annotations

import copy
import math

import numpy as np

from ..core import masks as M
from ..core.opcounts import OpCounts
from ..core.validate import (check_array, check_bool, check_float, check_int, check_operand_shapes,
                             check_shapes, check_str, is_shape_tuple, make_rng)
from .base import Layer, uniform_init

MASK_MODES = ("dense", "skip")


class _Attention(Layer):
    """What both layers share: operands of their own shapes, call options, the kernel call."""

    operands = 3
    operand_names = ("query", "key", "value")
    #: The call options a call may override (torch's forward arguments).
    options: tuple = ()

    def replace(self, **options):
        """This layer with some call options changed (the same parameters, not copied)."""
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise TypeError(f"{self.kind}: {unknown[0]}= is not a call option; expected one of "
                            f"{list(self.options)}")
        new = copy.copy(self)
        new._set_options(**{**{n: getattr(self, n) for n in self.options}, **options})
        return new

    def _arrays(self, xs) -> tuple:
        """The operands as float arrays of one dtype, their shapes checked."""
        names = self.operand_names if len(xs) == 3 else self.operand_names[:1]
        xs = tuple(check_array(a, self.kind, n) for a, n in zip(xs, names))
        for a, n in zip(xs[1:], names[1:]):
            if a.dtype != xs[0].dtype:
                raise TypeError(f"{self.kind}: query has dtype {xs[0].dtype} and {n} has dtype "
                                f"{a.dtype}; expected equal dtypes")
        self.output_shape(tuple(a.shape for a in xs) if len(xs) > 1 else xs[0].shape)
        return xs

    def _run(self, *args, safe, scale, store):
        """The kernel (:func:`nnref.kernels.attention.attend`) in this layer's mask mode."""
        from ..kernels.attention import attend

        out, weights, rows = attend(*args, self.mask_mode == "skip", safe, scale, store)
        return out, weights, OpCounts.from_rows(rows)


class ScaledDotProductAttention(_Attention):
    """torch's ``F.scaled_dot_product_attention(query, key, value, ...)`` as a layer.

    Parameters
    ----------
    attn_mask : None or ndarray of bool or float
        Broadcastable to the scores (*batch, L, S). A bool mask keeps the scores where it
        is True; a float mask is added to them (−inf removes a score).
    dropout_p : float
        Must be 0: torch applies this dropout whenever it is given, in eval too, so a
        layer that computes an inference result cannot take it.
    is_causal : bool
        Query i sees keys j <= i (top left aligned, as torch). Not with ``attn_mask``.
    scale : None or float
        Multiplies the scores; None is 1/√E.
    enable_gqa : bool
        Grouped-query attention: key and value may have fewer heads (axis −3) than query,
        a divisor of its number; query head h reads kv head h // (Hq / Hkv).
    mask_mode : {"dense", "skip"}
        Keyword only. ``"skip"`` computes only the kept scores (see the module doc).

    Notes
    -----
    ``query : ndarray of shape (*Bq, L, E)``, ``key (*Bk, S, E)``, ``value (*Bv, S, Ev)``;
    the batch axes broadcast (without ``enable_gqa``, the heads too) to ``batch``, and the
    output is (*batch, L, Ev):

        y = softmax((Q·Kᵀ)·scale + mask) · V

    the scale applied to each computed score. A row whose scores are all masked (or all
    −inf) gives 0, as torch 2.13's safe softmax (math and flash backends). Counts:
    :func:`nnref.formulas.attention.sdpa_layer`.
    """

    options = ("attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa", "mask_mode")

    def __init__(self, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                 enable_gqa=False, *, mask_mode="dense"):
        super().__init__()
        self._set_options(attn_mask=attn_mask, dropout_p=dropout_p, is_causal=is_causal,
                          scale=scale, enable_gqa=enable_gqa, mask_mode=mask_mode)

    def _set_options(self, attn_mask, dropout_p, is_causal, scale, enable_gqa, mask_mode):
        k = self.kind
        self.attn_mask = M.check_mask(attn_mask, "attn_mask", k)
        if self.attn_mask is not None and self.attn_mask.ndim < 2:
            raise ValueError(f"{k}: attn_mask has shape {self.attn_mask.shape}; expected at least "
                             "2 axes (*, L, S)")
        self.dropout_p = check_float(dropout_p, "dropout_p", k, 0.0)
        if self.dropout_p != 0.0:
            raise ValueError(f"{k}: dropout_p={dropout_p!r} is invalid; expected 0.0 (torch "
                             "applies it whenever it is given, even in eval: pass dropout_p=0.0 "
                             "for inference)")
        self.is_causal = check_bool(is_causal, "is_causal", k)
        if self.is_causal and self.attn_mask is not None:
            raise ValueError(f"{k}: is_causal=True with an attn_mask is invalid (torch's math "
                             "backend refuses it); expected one of them (the causal mask can be "
                             "folded into attn_mask)")
        self.scale = None if scale is None else check_float(scale, "scale", k)
        self.enable_gqa = check_bool(enable_gqa, "enable_gqa", k)
        self.mask_mode = check_str(mask_mode, "mask_mode", k, MASK_MODES)

    def check_shape(self, input_shape) -> tuple:
        return check_operand_shapes(input_shape, 3, self.kind)

    def geometry(self, input_shape) -> tuple:
        """``(batch, L, S, E, Ev, grouped)``: :func:`nnref.core.masks.sdpa_geometry`."""
        return M.sdpa_geometry(self, *self.check_shape(input_shape))

    def output_shape(self, input_shape):
        batch, L, _, _, ev, _ = self.geometry(input_shape)
        return batch + (L, ev)

    def __call__(self, query, key, value, **options):
        if options:
            return self.replace(**options)(query, key, value)
        return self.forward(*self._arrays((query, key, value)))

    def forward(self, q, k, v):
        batch, L, S, E, Ev, grouped = self.geometry((q.shape, k.shape, v.shape))

        def index(x):
            if grouped:
                return M.heads_index(x.shape[:-2], x.shape[-3], batch)
            return M.group_index(x.shape[:-2], batch)

        dt = q.dtype
        q3 = np.ascontiguousarray(q.reshape(-1, L, E))
        k3 = np.ascontiguousarray(k.reshape(-1, S, E))
        vt3 = np.ascontiguousarray(np.swapaxes(v, -1, -2).reshape(-1, Ev, S))
        masks = [] if self.attn_mask is None else [M.to_mask(self.attn_mask, True, batch + (L, S), dt)]
        scale = 1.0 / math.sqrt(E) if self.scale is None else self.scale
        out, _, ops = self._run(q3, k3, vt3, M.group_index(q.shape[:-2], batch), index(k),
                                index(v), masks, self.is_causal, safe=True, scale=scale,
                                store=False)
        return out.reshape(batch + (L, Ev)), ops

    def extra_repr(self):
        mask = "" if self.attn_mask is None else f"attn_mask=<{self.attn_mask.dtype} {self.attn_mask.shape}>"
        return (mask + self._changed((("dropout_p", 0.0), ("is_causal", False), ("scale", None),
                                      ("enable_gqa", False), ("mask_mode", "dense")))).strip(", ")


class _OutProj:
    """torch's ``out_proj`` (a NonDynamicallyQuantizableLinear): ``weight`` (E, E), ``bias``."""

    def __init__(self, weight, bias):
        self.weight, self.bias = weight, bias


class MultiheadAttention(_Attention):
    """torch's ``nn.MultiheadAttention``: projections, attention per head, output projection.

    Parameters
    ----------
    embed_dim, num_heads : int
        E and H, with E a multiple of H (each head has head_dim = E / H).
    dropout : float in [0, 1]
        On the attention weights in training only: nnref runs inference, so none.
    bias, add_bias_kv, add_zero_attn : bool
        ``in_proj_bias`` and ``out_proj.bias``; a learned key and value ``bias_k``,
        ``bias_v`` appended to the sequence; a zero key and value appended after them.
    kdim, vdim : int or None
        Features of key and value (None: E); when either differs from E the projections
        are ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``, else ``in_proj_weight``.
    batch_first : bool
        Batched inputs are (N, L, ·) instead of (L, N, ·).
    key_padding_mask, need_weights, attn_mask, average_attn_weights, is_causal
        Keyword only: torch's forward arguments. Bool masks are True where masked (as in
        torch, the opposite of SDPA); float masks are added to the scores.
        ``is_causal=True`` needs ``attn_mask`` to be the causal mask (checked).
    mask_mode : {"dense", "skip"}
    rng : None, int or numpy Generator
        Initial weights as torch: Xavier-uniform projections, zero biases, out_proj.weight
        U(−1/√E, 1/√E), Xavier-normal bias_k and bias_v.

    Notes
    -----
    For query (L, N, E), key (S, N, kdim), value (S, N, vdim) (N first with batch_first,
    no N if unbatched), with S' = S + add_bias_kv + add_zero_attn:

        q = query·W_qᵀ + b_q, k = key·W_kᵀ + b_k, v = value·W_vᵀ + b_v
        per head: softmax(q_h·k_hᵀ / √head_dim + masks) · v_h      (as SDPA)
        y = concat(heads)·out_proj.weightᵀ + out_proj.bias

    With ``need_weights`` the weights are returned (:meth:`forward_weights`), averaged over
    the heads with ``average_attn_weights``, and a fully masked row is NaN, as torch's
    F.softmax; without, it is 0, as torch's slow path (SDPA). torch's fused fast path
    (eval, no grad, self-attention, batch_first, ...) gives NaN there instead.
    Counts: :func:`nnref.formulas.attention.mha_layer`.
    """

    options = ("key_padding_mask", "need_weights", "attn_mask", "average_attn_weights",
               "is_causal", "mask_mode")
    #: One array is self-attention (torch's ``mha(x, x, x)``), or query, key and value.
    operand_counts = (1, 3)
    param_names = ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight",
                   "in_proj_bias", "bias_k", "bias_v", "out_proj.weight", "out_proj.bias")

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, *,
                 key_padding_mask=None, need_weights=True, attn_mask=None,
                 average_attn_weights=True, is_causal=False, mask_mode="dense", rng=None):
        super().__init__()
        k = self.kind
        E = self.embed_dim = check_int(embed_dim, "embed_dim", k)
        H = self.num_heads = check_int(num_heads, "num_heads", k)
        if E % H:
            raise ValueError(f"{k}: embed_dim={E} is not divisible by num_heads={H}; expected "
                             "embed_dim a multiple of num_heads (head_dim = embed_dim / num_heads)")
        self.head_dim = E // H
        self.dropout = check_float(dropout, "dropout", k, 0.0)
        if self.dropout > 1:
            raise ValueError(f"{k}: dropout={dropout!r} is invalid; expected a probability in [0, 1]")
        self.bias = check_bool(bias, "bias", k)
        self.add_bias_kv = check_bool(add_bias_kv, "add_bias_kv", k)
        self.add_zero_attn = check_bool(add_zero_attn, "add_zero_attn", k)
        self.kdim = E if kdim is None else check_int(kdim, "kdim", k)
        self.vdim = E if vdim is None else check_int(vdim, "vdim", k)
        self.batch_first = check_bool(batch_first, "batch_first", k)
        rng = make_rng(rng)
        same = self._qkv_same_embed_dim = self.kdim == E and self.vdim == E

        def xavier(shape):
            bound = np.float32(math.sqrt(6.0 / (shape[0] + shape[1])))
            return (rng.random(shape, dtype=np.float32) * 2 - 1) * bound

        self.in_proj_weight = xavier((3 * E, E)) if same else None
        self.q_proj_weight, self.k_proj_weight, self.v_proj_weight = (
            (None, None, None) if same else (xavier((E, E)), xavier((E, self.kdim)),
                                             xavier((E, self.vdim))))
        self.in_proj_bias = np.zeros(3 * E, np.float32) if self.bias else None
        self.out_proj = _OutProj(uniform_init(rng, (E, E), E),
                                 np.zeros(E, np.float32) if self.bias else None)
        self.bias_k, self.bias_v = ((rng.standard_normal((2, 1, 1, E)) / math.sqrt(E)).astype(
            np.float32) if self.add_bias_kv else (None, None))
        self._set_options(key_padding_mask, need_weights, attn_mask, average_attn_weights,
                          is_causal, mask_mode)

    def shapes(self) -> dict:
        """``{parameter name: (shape, present)}``, as :meth:`Layer.param` checks them."""
        E, same, b, kv = self.embed_dim, self._qkv_same_embed_dim, self.bias, self.add_bias_kv
        return {"in_proj_weight": ((3 * E, E), same), "q_proj_weight": ((E, E), not same),
                "k_proj_weight": ((E, self.kdim), not same),
                "v_proj_weight": ((E, self.vdim), not same), "in_proj_bias": ((3 * E,), b),
                "bias_k": ((1, 1, E), kv), "bias_v": ((1, 1, E), kv),
                "out_proj.weight": ((E, E), True), "out_proj.bias": ((E,), b)}

    def __getattr__(self, name):  # "out_proj.weight", torch's parameter name
        if name.startswith("out_proj.") and "out_proj" in self.__dict__:
            return getattr(self.__dict__["out_proj"], name[len("out_proj."):])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name, value):
        if name.startswith("out_proj."):
            setattr(self.out_proj, name[len("out_proj."):], value)
        else:
            super().__setattr__(name, value)

    def _set_options(self, key_padding_mask, need_weights, attn_mask, average_attn_weights,
                     is_causal, mask_mode):
        k = self.kind
        self.key_padding_mask = M.check_mask(key_padding_mask, "key_padding_mask", k)
        self.attn_mask = M.check_mask(attn_mask, "attn_mask", k)
        for name, value, ndims in (("key_padding_mask", self.key_padding_mask, (1, 2)),
                                   ("attn_mask", self.attn_mask, (2, 3))):
            if value is not None and value.ndim not in ndims:
                raise ValueError(f"{k}: {name} has shape {value.shape}; expected {ndims[0]} or "
                                 f"{ndims[1]} axes")
        self.need_weights = check_bool(need_weights, "need_weights", k)
        self.average_attn_weights = check_bool(average_attn_weights, "average_attn_weights", k)
        self.is_causal = check_bool(is_causal, "is_causal", k)
        if self.is_causal:
            M.check_causal_hint(k, self.attn_mask, self.add_bias_kv or self.add_zero_attn)
        self.mask_mode = check_str(mask_mode, "mask_mode", k, MASK_MODES)

    def check_shape(self, input_shape) -> tuple:
        """One shape (self-attention: query, key and value have it), a tuple of that one
        shape, or a tuple of three."""
        if is_shape_tuple(input_shape) and len(input_shape) == 1:
            input_shape = input_shape[0]
        return check_shapes(input_shape, 3, self.kind)

    def geometry(self, input_shape) -> tuple:
        """``(batched, N, L, S)``; a ValueError naming what does not fit."""
        shapes = self.check_shape(input_shape)
        q, k, v = shapes if isinstance(shapes[0], tuple) else (shapes,) * 3
        return M.mha_geometry(self, q, k, v)

    def output_shape(self, input_shape):
        shapes = self.check_shape(input_shape)
        self.geometry(shapes)
        return shapes[0] if isinstance(shapes[0], tuple) else shapes

    def __call__(self, query, key=None, value=None, **options):
        (y, _), ops = self.forward_weights(query, key, value, **options)
        return y, ops

    def forward_weights(self, query, key=None, value=None, **options):
        """torch's forward: ``((attn_output, attn_weights or None), ops)``; one operand is
        self-attention; ``options`` override the call options for this call."""
        if options:
            return self.replace(**options).forward_weights(query, key, value)
        if (key is None) != (value is None):
            raise TypeError(f"{self.kind}: give key and value both, or neither (self-attention)")
        return self._forward(*self._arrays((query,) if key is None else (query, key, value)))

    def forward(self, *xs):
        (y, _), ops = self._forward(*xs)
        return y, ops

    def _forward(self, query, key=None, value=None):
        from ..kernels.attention import head_mean
        from ..kernels.dense import dense

        batched, N, L, S = self.geometry(query.shape if key is None else
                                         (query.shape, key.shape, value.shape))
        E, H, d, dt, tables = self.embed_dim, self.num_heads, self.head_dim, query.dtype, []

        def linear(x, w, b):  # (N, T, I) -> (N, T, E), counted
            y = np.empty((x.shape[0] * x.shape[1], w.shape[0]), dt)
            tables.append(dense(np.ascontiguousarray(x.reshape(-1, x.shape[2])), w, b, y))
            return y.reshape(x.shape[0], x.shape[1], w.shape[0])

        def nle(x):  # to (N, T, features)
            return x[None] if not batched else (x if self.batch_first else x.transpose(1, 0, 2))

        p = {n: self.param(n, shape, dt, present) for n, (shape, present) in self.shapes().items()}
        if key is None:
            q, k, v = np.split(linear(nle(query), p["in_proj_weight"], p["in_proj_bias"]), 3, 2)
        else:
            ws = (np.split(p["in_proj_weight"], 3) if self._qkv_same_embed_dim else
                  [p[f"{c}_proj_weight"] for c in "qkv"])
            bs = [None] * 3 if p["in_proj_bias"] is None else np.split(p["in_proj_bias"], 3)
            q, k, v = (linear(nle(x), w, b) for x, w, b in zip((query, key, value), ws, bs))
        heads = M.split_heads(q, k, v, p["bias_k"], p["bias_v"], self.add_zero_attn, H)
        G, S2 = N * H, heads[1].shape[1]
        masks = M.mha_masks(self, batched, N, L, S, S2, dt)
        ar = np.arange(G, dtype=np.int64)
        out, w, ops = self._run(*heads, ar, ar, ar, masks, False, safe=not self.need_weights,
                                scale=1.0 / math.sqrt(d), store=self.need_weights)
        out = out.reshape(N, H, L, d).transpose(0, 2, 1, 3).reshape(N, L, E)
        y = linear(out, p["out_proj.weight"], p["out_proj.bias"])
        if w is not None and self.average_attn_weights:
            mean = np.empty((N, L * S2), dt)
            tables.append(head_mean(w.reshape(N, H, L * S2), np.full(1, H, dt), mean))
            w = mean.reshape(N, L, S2)
        elif w is not None:
            w = w.reshape(N, H, L, S2)
        if not batched:
            y, w = y[0], None if w is None else w[0]
        elif not self.batch_first:
            y = y.transpose(1, 0, 2)
        return (np.ascontiguousarray(y), w), sum((OpCounts.from_rows(t) for t in tables), ops)

    def extra_repr(self):
        s = f"{self.embed_dim}, {self.num_heads}" + self._changed(
            (("dropout", 0.0), ("bias", True), ("add_bias_kv", False), ("add_zero_attn", False),
             ("batch_first", False), ("need_weights", True), ("average_attn_weights", True),
             ("is_causal", False), ("mask_mode", "dense")))
        if not self._qkv_same_embed_dim:
            s += f", kdim={self.kdim}, vdim={self.vdim}"
        return s + "".join(f", {n}=<{v.dtype} {v.shape}>" for n in ("key_padding_mask", "attn_mask")
                           if (v := getattr(self, n)) is not None)
