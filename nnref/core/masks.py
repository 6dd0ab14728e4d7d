"""Attention geometry: broadcast batch axes, masks as the kernel reads them.

The scores of an attention call form a grid of shape ``(*batch, L, S)``: one row of S
scores per query position of each group (a batch element and head). Operands and masks
are broadcast onto it as torch does, without copying them to its full size: each keeps
its own compact 3-D array and an index that maps every group of the grid to one of its
groups (:func:`group_index`).

A :class:`Mask` holds one attention mask on the grid: its additive ``term`` (a bool mask
becomes 0 where kept and −inf where masked, as torch turns bool masks into a float bias),
where it ``keep``\\ s a score, and whether it is ``additive`` (a float mask, whose values are
added to the scores it keeps). Shared by :mod:`nnref.layers.attention` (the layers build
their masks here) and nothing else: the formulas and the traced reference read the masks
their own way.
"""
from __future__ import annotations

from math import prod
from typing import NamedTuple

import numpy as np


def broadcast(owner: str, shapes: dict) -> tuple:
    """The broadcast of the batch shapes ``{name: shape}``; a ValueError naming them."""
    try:
        return tuple(int(s) for s in np.broadcast_shapes(*shapes.values()))
    except ValueError:
        listed = ", ".join(f"{n} {tuple(s)}" for n, s in shapes.items())
        raise ValueError(f"{owner}: the batch axes of {listed} do not broadcast; expected "
                         "equal sizes or 1 on each axis (counted from the end)") from None


def group_index(batch: tuple, target: tuple) -> np.ndarray:
    """For each group of ``target`` (in C order), the index of its group in ``batch``,
    which broadcasts to ``target``: int64 of length prod(target)."""
    lead = (1,) * (len(target) - len(batch)) + tuple(batch)
    index = np.arange(prod(lead), dtype=np.int64).reshape(lead)
    return np.ascontiguousarray(np.broadcast_to(index, target).reshape(-1))


def heads_index(batch: tuple, heads: int, target: tuple) -> np.ndarray:
    """:func:`group_index` of grouped-query attention: ``batch`` ends with ``heads`` kv
    heads, ``target`` with H query heads, H a multiple of ``heads``; query head h reads kv
    head h // (H / heads), as torch's ``repeat_interleave`` does."""
    outer = group_index(batch[:-1], target[:-1])
    h = np.arange(target[-1], dtype=np.int64) // (target[-1] // heads)
    return np.ascontiguousarray((outer[:, None] * heads + h[None, :]).reshape(-1))


class Mask(NamedTuple):
    """One mask on a score grid of G groups × L rows × S columns (see the module doc)."""

    term: np.ndarray  # (Mg, 1 or L, S) float: the value added to each score (0 or −inf if bool)
    keep: np.ndarray  # (Mg, 1 or L, S) bool: the score is kept (not masked)
    index: np.ndarray  # (G,) int64: the mask's group of each group of the grid
    additive: bool  # a float mask: its values are added to the kept scores too


def make_mask(values: np.ndarray, keep: np.ndarray, batch: tuple, rows: int, cols: int,
              additive: bool, dtype) -> Mask:
    """A :class:`Mask` from ``values`` (the additive term) and ``keep``, both broadcastable
    to ``batch + (rows, cols)`` with at most as many axes, onto that grid."""
    shape = np.broadcast_shapes(values.shape, keep.shape)
    lead = (1,) * (len(batch) + 2 - len(shape)) + tuple(shape)
    mbatch, mrows = lead[:-2], lead[-2]
    full = mbatch + (mrows, cols)
    term = np.ascontiguousarray(np.broadcast_to(values, full), dtype=dtype).reshape(-1, mrows, cols)
    kept = np.ascontiguousarray(np.broadcast_to(keep, full), dtype=np.bool_).reshape(-1, mrows, cols)
    return Mask(term, kept, group_index(mbatch, batch), bool(additive))


def bool_mask(keep: np.ndarray, batch: tuple, rows: int, cols: int, dtype) -> Mask:
    """A bool mask (True keeps the score) as a 0 / −inf additive term."""
    keep = np.asarray(keep, np.bool_)
    return make_mask(np.where(keep, 0.0, -np.inf), keep, batch, rows, cols, False, dtype)


def float_mask(values: np.ndarray, batch: tuple, rows: int, cols: int, dtype) -> Mask:
    """A float mask, added to the scores; an entry of −inf masks its score."""
    values = np.asarray(values, dtype)
    return make_mask(values, values != -np.inf, batch, rows, cols, True, dtype)


def check_mask_shape(owner: str, name: str, shape: tuple, grid: tuple) -> None:
    """``shape`` must broadcast to the score grid ``grid`` with no more axes than it and at
    least the two (L, S); a ValueError naming the mask otherwise."""
    ok = 2 <= len(shape) <= len(grid) and all(
        m in (1, g) for m, g in zip(shape[::-1], grid[::-1]))
    if not ok:
        raise ValueError(f"{owner}: {name} has shape {tuple(shape)}; expected a shape that "
                         f"broadcasts to the scores' {tuple(grid)} (*batch, L, S), with 2 to "
                         f"{len(grid)} axes")


def check_mask(value, name: str, owner: str):
    """A mask: None, or a non-empty bool or float (float32/float64) array (lists too)."""
    if value is None:
        return None
    want = "None or a bool or float32/float64 array (a bool mask or an additive float mask)"
    try:
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    except Exception:  # ragged lists and the like
        arr = np.asarray(None)
    if arr.dtype not in (np.bool_, np.float32, np.float64):
        shown = f"{name} of dtype {arr.dtype}" if isinstance(value, np.ndarray) else f"{name}={value!r}"
        raise TypeError(f"{owner}: {shown} is invalid; expected {want}")
    if arr.ndim < 1 or arr.size == 0:
        raise ValueError(f"{owner}: {name} has shape {arr.shape}; expected a non-empty array")
    return arr


# -- ScaledDotProductAttention ------------------------------------------------------------

def sdpa_geometry(layer, q: tuple, k: tuple, v: tuple) -> tuple:
    """``(batch, L, S, E, Ev, grouped)`` of a ScaledDotProductAttention's operand shapes (its
    ``attn_mask`` checked against them); a ValueError naming what does not fit. ``grouped``:
    key and value have fewer heads than query (``enable_gqa``)."""
    owner = f"{layer.kind}: input_shape={(q, k, v)}"
    if min(len(q), len(k), len(v)) < 2:
        raise ValueError(f"{owner} is invalid; expected query, key and value of at least 2 "
                         "axes: (*, L, E), (*, S, E), (*, S, Ev)")
    if q[-1] != k[-1]:
        raise ValueError(f"{owner} is invalid: query has E={q[-1]}, key has {k[-1]}; "
                         "expected equal last axes")
    if k[-2] != v[-2]:
        raise ValueError(f"{owner} is invalid: key has S={k[-2]}, value has {v[-2]}; "
                         "expected equal sequence axes (-2)")
    grouped = layer.enable_gqa and len(q) >= 3 and not (
        len(k) >= 3 and len(v) >= 3 and q[-3] == k[-3] == v[-3])
    if grouped:
        if len(k) < 3 or len(v) < 3 or q[-3] % k[-3] or q[-3] % v[-3]:
            raise ValueError(f"{owner} is invalid with enable_gqa=True: expected key and "
                             "value heads (axis -3) that divide the query's")
    tail = 3 if grouped else 2
    batch = broadcast(layer.kind, {"query": q[:-tail], "key": k[:-tail]})
    if broadcast(layer.kind, {"the scores": batch, "value": v[:-tail]}) != batch:
        raise ValueError(f"{owner} is invalid: value's batch axes {v[:-tail]} would enlarge "
                         f"the scores' {batch} of query and key; expected value batch axes that "
                         "broadcast to them (the scores are computed once per group)")
    batch += q[-3:-2] if grouped else ()
    if layer.attn_mask is not None:
        check_mask_shape(layer.kind, "attn_mask", layer.attn_mask.shape, batch + (q[-2], k[-2]))
    return batch, q[-2], k[-2], q[-1], v[-1], grouped


def to_mask(value: np.ndarray, keep_if_true: bool, grid: tuple, dtype) -> Mask:
    """A bool or float mask as a :class:`Mask` on ``grid`` = batch + (L, S); a bool one keeps
    the scores where it is ``keep_if_true``."""
    batch, rows, cols = grid[:-2], grid[-2], grid[-1]
    if value.dtype == np.bool_:
        return bool_mask(value if keep_if_true else ~value, batch, rows, cols, dtype)
    return float_mask(value, batch, rows, cols, dtype)


# -- MultiheadAttention -------------------------------------------------------------------

def check_causal_hint(owner: str, attn_mask, padded: bool) -> None:
    """MultiheadAttention's ``is_causal=True``: a hint that ``attn_mask`` is the causal mask.

    torch uses the mask in one code path and the hint in another, so a wrong hint gives
    two answers: nnref checks it. A ValueError naming the problem otherwise.
    """
    if attn_mask is None:
        raise ValueError(f"{owner}: is_causal=True without attn_mask is invalid (torch: \"Need "
                         "attn_mask if specifying the is_causal hint\"); expected attn_mask = the "
                         "causal mask, np.triu(np.ones((L, S), bool), 1)")
    if padded:
        raise ValueError(f"{owner}: is_causal=True with add_bias_kv or add_zero_attn is invalid: "
                         "torch's hint then masks the appended key in one code path and not in "
                         "the other; expected is_causal=False")
    above = np.triu(np.ones(attn_mask.shape[-2:], np.bool_), 1)
    if attn_mask.dtype == np.bool_:
        causal = bool((attn_mask == above).all())
    else:
        causal = bool(((attn_mask == -np.inf) == above).all() and (attn_mask[..., ~above] == 0).all())
    if not causal:
        raise ValueError(f"{owner}: is_causal=True is invalid: it is a hint that attn_mask is the "
                         "causal mask, and attn_mask is not (expected True or −inf exactly above "
                         "the diagonal, False or 0 elsewhere); expected is_causal=False")


def mha_geometry(layer, q: tuple, k: tuple, v: tuple) -> tuple:
    """``(batched, N, L, S)`` of a MultiheadAttention's operand shapes; a ValueError naming
    the operand or mask that does not fit."""
    owner = f"{layer.kind}: input_shape={(q, k, v) if (q, k, v) != (q,) * 3 else q}"
    bf = layer.batch_first
    nd = len(q)
    if nd not in (2, 3) or len(k) != nd or len(v) != nd:
        raise ValueError(f"{owner} is invalid; expected query, key and value all 3-D "
                         f"({'(N, L, E)' if bf else '(L, N, E)'}) or all 2-D (L, E), unbatched")
    batched = nd == 3
    if batched:
        (N, L), (Nk, S), (Nv, Sv) = [(s[0], s[1]) if bf else (s[1], s[0]) for s in (q, k, v)]
    else:
        (N, Nk, Nv), (L, S, Sv) = (1, 1, 1), (q[0], k[0], v[0])
    dims = ((q[-1], layer.embed_dim, "query", "embed_dim"), (k[-1], layer.kdim, "key", "kdim"),
            (v[-1], layer.vdim, "value", "vdim"))
    for got, want, name, what in dims:
        if got != want:
            raise ValueError(f"{owner} is invalid: {name} has {got} features; expected {what}="
                             f"{want}")
    if S != Sv or N != Nk or N != Nv:
        raise ValueError(f"{owner} is invalid: expected key and value of one sequence length and "
                         "query, key and value of one batch size")
    H = layer.num_heads
    want = {"key_padding_mask": [(N, S)] if batched else [(S,)],
            "attn_mask": [(L, S), (N * H if batched else H, L, S)]}
    for name, shapes in want.items():
        mask = getattr(layer, name)
        if mask is not None and tuple(mask.shape) not in shapes:
            raise ValueError(f"{layer.kind}: {name} has shape {mask.shape}; expected "
                             f"{' or '.join(map(str, shapes))} for input_shape={owner[len(layer.kind) + 14:]}")
    return batched, N, L, S


def split_heads(q, k, v, bias_k, bias_v, zero_attn: bool, heads: int) -> tuple:
    """Projected (N, T, E) q, k, v as per-head ``(q (N·H, L, d), k (N·H, S', d), vᵀ (N·H, d, S'))``,
    with ``bias_k`` / ``bias_v`` (1, 1, E) and a zero key and value appended (data movement)."""
    N, _, E = q.shape
    if bias_k is not None:
        k, v = (np.concatenate([x, np.broadcast_to(b.reshape(1, 1, E), (N, 1, E))], 1)
                for x, b in ((k, bias_k), (v, bias_v)))

    def per_head(x):
        t = x.shape[1]
        return x.reshape(N, t, heads, E // heads).transpose(0, 2, 1, 3).reshape(N * heads, t, -1)

    qh, kh, vh = per_head(q), per_head(k), per_head(v)
    if zero_attn:
        kh, vh = (np.concatenate([x, np.zeros_like(x[:, :1])], 1) for x in (kh, vh))
    return (np.ascontiguousarray(qh), np.ascontiguousarray(kh),
            np.ascontiguousarray(vh.transpose(0, 2, 1)))


def mha_masks(layer, batched: bool, N: int, L: int, S: int, S2: int, dtype) -> list:
    """The :class:`Mask`\\ s of a MultiheadAttention on the grid (N, H, L, S2): attn_mask, then
    key_padding_mask, bool ones True where masked; the appended keys are kept."""
    H, out = layer.num_heads, []
    for mask, shape in ((layer.attn_mask, (N, H, L, S)), (layer.key_padding_mask, (N, 1, 1, S))):
        if mask is None:
            continue
        a = mask.reshape(shape) if mask.ndim == 3 or mask is layer.key_padding_mask else mask
        a = np.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, S2 - S)])
        out.append(to_mask(a, False, (N, H, L, S2), dtype))
    return out
