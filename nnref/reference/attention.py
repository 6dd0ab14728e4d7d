"""Traced reference of ScaledDotProductAttention and MultiheadAttention, one scalar at a time.

Written from the equations, one group and one query row at a time, sharing no code with
the kernels nor with the layers' mask handling (``core.masks``): each mask is read here
entry by entry. Per row, over the computed scores (every one in dense mode, the kept
ones in skip mode):

    s_j = (q · k_j)·scale (+ each mask term in dense mode, + each float mask in skip mode)
    w = softmax(s), the row maximum tested against −inf with the safe softmax
    y = Σ_j w_j·v_j

Slow by design: use tiny shapes. Counts: :mod:`nnref.formulas.attention`.
"""
from __future__ import annotations

import math

import numpy as np

from ._registry import traced
from ._scalar import Tally, Traced, exp, maximum, unwrap, wrap

INF = math.inf


def _dot(a, b):
    """Σ_k a_k·b_k, the first product initialising the sum."""
    acc = a[0] * b[0]
    for x, y in zip(a[1:], b[1:]):
        acc = acc + x * y
    return acc


def _linear(rows, w, b):
    """Each row times ``w`` (O, I) transposed, plus ``b`` (O,) if given."""
    return [[_dot(r, w[o]) + b[o] if b is not None else _dot(r, w[o]) for o in range(len(w))]
            for r in rows]


def _row(q, keys, values, scale, terms, kept, skip, safe):
    """One query row: ``terms[j]`` the mask values added to score j, ``kept[j]`` whether no
    mask removes it. Returns (output, weights), weights None where not computed."""
    cols = [j for j in range(len(keys)) if kept[j] or not skip]
    if not cols:  # skip: every key masked; the output (a value, no operation) flows on
        fill = Traced(0.0 if safe else math.nan, q[0].tally)
        return [fill] * len(values[0]), [fill] * len(keys)
    s = {}
    for j in cols:
        v = _dot(q, keys[j]) * scale
        for t in terms[j]:
            v = v + t
        s[j] = v
    m = s[cols[0]]
    for j in cols[1:]:
        m = maximum(m, s[j])
    flagged = safe and m <= -INF  # every score −inf: weights 0 (torch's safe softmax)
    e = {j: exp(s[j] - (0.0 if flagged else m)) for j in cols}
    total = e[cols[0]]
    for j in cols[1:]:
        total = total + e[j]
    w = {j: e[j] / (1.0 if flagged else total) for j in cols}
    y = [_dot([w[j] for j in cols], [values[j][c] for j in cols]) for c in range(len(values[0]))]
    return y, [w.get(j, 0.0) for j in range(len(keys))]


def _term(mask, masked_if_true, skip):
    """(the values added to a score, whether it is kept) for one mask entry."""
    if isinstance(mask, (bool, np.bool_)):
        kept = bool(mask) != masked_if_true
        return ([] if skip else [0.0 if kept else -INF]), kept
    return [float(mask)], float(mask) != -INF


@traced("ScaledDotProductAttention")
def sdpa(layer, xs):
    """softmax(q·kᵀ·scale + attn_mask)·v for every group of the broadcast batch."""
    q, k, v = xs
    L, S, E, Ev = q.shape[-2], k.shape[-2], q.shape[-1], v.shape[-1]
    grouped = (layer.enable_gqa and q.ndim >= 3
               and not (k.ndim >= 3 and v.ndim >= 3 and q.shape[-3] == k.shape[-3] == v.shape[-3]))
    lead = (lambda x: x.shape[:-3]) if grouped else (lambda x: x.shape[:-2])
    batch = np.broadcast_shapes(lead(q), lead(k), lead(v)) + ((q.shape[-3],) if grouped else ())
    scale = 1.0 / math.sqrt(E) if layer.scale is None else layer.scale
    mask = None if layer.attn_mask is None else np.broadcast_to(layer.attn_mask, batch + (L, S))
    skip, tally = layer.mask_mode == "skip", Tally()
    tq, tk, tv = (wrap(x, tally) for x in (q, k, v))
    out = np.empty(batch + (L, Ev), dtype=object)
    for b in np.ndindex(*batch):
        def pick(x, t):  # the operand's group of output group b (broadcast; gqa: h // rep)
            idx = list(b[len(b) - (x.ndim - 2):]) if x.ndim > 2 else []
            if grouped and x is not q:
                idx[-1] = b[-1] // (q.shape[-3] // x.shape[-3])
            idx = [0 if x.shape[a] == 1 else i for a, i in enumerate(idx)]
            return t[tuple(idx)]
        qg, kg, vg = pick(q, tq), pick(k, tk), pick(v, tv)
        for i in range(L):
            terms, kept = [], []
            for j in range(S):
                t, keep = ([], True) if mask is None else _term(mask[b + (i, j)], False, skip)
                if layer.is_causal:
                    keep = j <= i
                    t = [] if skip else [0.0 if keep else -INF]
                terms.append(t)
                kept.append(keep)
            out[b + (i,)] = _row(list(qg[i]), [list(r) for r in kg], [list(r) for r in vg], scale,
                                 terms, kept, skip, True)[0]
    return unwrap(out, q.dtype), tally.counts()


@traced("MultiheadAttention")
def mha(layer, xs):
    """Projections, attention per head (:func:`_row`), average of the weights, out_proj."""
    xs = (xs,) if isinstance(xs, np.ndarray) else xs
    query, key, value = xs if len(xs) == 3 else xs * 3
    dt, batched, tally = query.dtype, query.ndim == 3, Tally()

    def tokens(x):  # (N, T, features) nested lists of Traced
        x = x[None] if not batched else (x if layer.batch_first else x.transpose(1, 0, 2))
        return [[list(r) for r in n] for n in wrap(x, tally)]

    def par(name):
        p = layer.param(name, *layer.shapes()[name][:1], dt, layer.shapes()[name][1])
        return None if p is None else p.tolist()

    E, H, d = layer.embed_dim, layer.num_heads, layer.head_dim
    ws = ([par("in_proj_weight")[c * E:(c + 1) * E] for c in range(3)] if layer._qkv_same_embed_dim
          else [par(f"{c}_proj_weight") for c in "qkv"])
    ib = par("in_proj_bias")
    bs = [None] * 3 if ib is None else [ib[c * E:(c + 1) * E] for c in range(3)]
    q, k, v = ([_linear(n, w, b) for n in tokens(x)] for x, w, b in zip((query, key, value), ws, bs))
    N, L, S = len(q), len(q[0]), len(k[0])
    if layer.add_bias_kv:
        for n in range(N):
            k[n].append(par("bias_k")[0][0])
            v[n].append(par("bias_v")[0][0])
    S2 = S + layer.add_bias_kv + layer.add_zero_attn
    am, kpm, skip = layer.attn_mask, layer.key_padding_mask, layer.mask_mode == "skip"
    kpm = None if kpm is None else kpm.reshape(N, S)
    heads = [[None] * H for _ in range(N)]  # heads[n][h]: L rows of d outputs
    weights = [[None] * H for _ in range(N)]  # L rows of S2 weights
    for n in range(N):
        for h in range(H):
            cut = slice(h * d, (h + 1) * d)
            keys = [r[cut] for r in k[n]] + [[0.0] * d] * layer.add_zero_attn
            vals = [r[cut] for r in v[n]] + [[0.0] * d] * layer.add_zero_attn
            rows = [None if am is None else (am[n * H + h] if am.ndim == 3 else am)[i]
                    for i in range(L)]
            out = []
            for i in range(L):
                terms, kept = [], []
                for j in range(S2):
                    t, keep = [], True
                    for mask in (rows[i], None if kpm is None else kpm[n]):
                        if mask is not None:  # appended keys: False / 0.0, not masked
                            pad = False if mask.dtype == np.bool_ else 0.0
                            tm, km = _term(mask[j] if j < S else pad, True, skip)
                            t, keep = t + tm, keep and km
                    terms.append(t)
                    kept.append(keep)
                out.append(_row(q[n][i][cut], keys, vals, 1.0 / math.sqrt(d), terms, kept, skip,
                                not layer.need_weights))
            heads[n][h], weights[n][h] = [o[0] for o in out], [o[1] for o in out]
    if layer.need_weights and layer.average_attn_weights:  # every position, masked ones too
        for n in range(N):
            for i in range(L):
                for j in range(S2):
                    w = [x if isinstance(x, Traced) else Traced(x, tally)
                         for x in (weights[n][h][i][j] for h in range(H))]
                    acc = w[0]
                    for x in w[1:]:
                        acc = acc + x
                    acc / float(H)
    cat = [[[c for h in range(H) for c in heads[n][h][i]] for i in range(L)] for n in range(N)]
    y = np.array([_linear(cat[n], par("out_proj.weight"), par("out_proj.bias")) for n in range(N)],
                 dtype=object)
    y = y[0] if not batched else (y if layer.batch_first else y.transpose(1, 0, 2))
    return unwrap(y, dt), tally.counts()
