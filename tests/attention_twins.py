"""torch twins of ScaledDotProductAttention and MultiheadAttention, for tests/catalogue.py.

Dense mode is torch itself: ``F.scaled_dot_product_attention`` and ``nn.MultiheadAttention``
holding the nnref layer's weights, each on the path torch picks (so that FlopCounterMode
sees what it would see), except on inputs with a NaN or an infinity: those run torch's
math backend, because the CPU flash kernel's NaN handling is its own (with is_causal it
skips masked blocks, so whether a NaN in a masked key reaches other rows depends on block
sizes; a NaN query can give 0 in some features). nnref's dense mode is the math
backend's arithmetic.

Skip mode has no torch equivalent: its twin computes, with torch ops, each query row on
the keys that no mask removes (the row's kept keys gathered), which is what skip means;
a NaN in a removed key cannot reach it. torch's own call runs first, so that a dispatch
mode (FlopCounterMode) sees torch's work; the gathered computation is hidden from it.
tests/test_attention.py checks that both agree with torch on inputs without NaN.
"""
import contextlib
import math
import warnings

import numpy as np
from conftest import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils._python_dispatch import _disable_current_modes

F = torch.nn.functional


def tensor(mask, like):
    """A mask as a tensor: bool as it is, float in the dtype of ``like``."""
    if mask is None:
        return None
    t = torch.from_numpy(np.array(mask))
    return t if t.dtype == torch.bool else t.to(like.dtype)


def rows(q, k, v, keep, terms, scale, safe):
    """Attention of each row of ``q`` (G, L, E) on its kept keys of ``k`` (G, S, E) and
    ``v`` (G, S, Ev): ``keep`` (G, L, S) bool, ``terms`` (G, L, S) added to the scores."""
    G, L, Ev = q.shape[0], q.shape[1], v.shape[-1]
    out = torch.empty(G, L, Ev, dtype=q.dtype)
    for g in range(G):
        for i in range(L):
            idx = keep[g, i].nonzero().flatten()
            if len(idx) == 0:
                out[g, i] = 0.0 if safe else math.nan
                continue
            s = (k[g, idx] @ q[g, i]) * scale + terms[g, i, idx]
            w = torch._safe_softmax(s, -1) if safe else torch.softmax(s, -1)
            out[g, i] = w @ v[g, idx]
    return out


def keep_terms(masks, grid, dtype):
    """(keep, terms) on ``grid`` of the masks ``[(array, masked_if_true)]``."""
    keep, terms = torch.ones(grid, dtype=torch.bool), torch.zeros(grid, dtype=dtype)
    for mask, masked_if_true in masks:
        m = torch.from_numpy(np.array(mask))
        if m.dtype == torch.bool:
            keep &= ~m if masked_if_true else m
        else:
            keep &= m != -math.inf
            terms = terms + torch.where(m == -math.inf, 0.0, m).to(dtype)
    return keep, terms


def backend(*ts):
    """torch's math backend if an input has a NaN or an infinity, else torch's choice."""
    finite = all(bool(torch.isfinite(t).all()) for t in ts)
    return contextlib.nullcontext() if finite else sdpa_kernel(SDPBackend.MATH)


def sdpa(layer, q, k, v):
    mask = tensor(layer.attn_mask, q)
    with backend(q, k, v):
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=layer.is_causal,
                                           scale=layer.scale, enable_gqa=layer.enable_gqa)
    if layer.mask_mode == "dense":
        return y
    with _disable_current_modes():
        batch, L, S, E, Ev, grouped = layer.geometry((tuple(q.shape), tuple(k.shape),
                                                      tuple(v.shape)))
        if grouped:
            k, v = (x.repeat_interleave(q.shape[-3] // x.shape[-3], -3) for x in (k, v))
        q3, k3, v3 = (x.expand(batch + x.shape[-2:]).reshape(-1, *x.shape[-2:]) for x in (q, k, v))
        masks = [] if layer.attn_mask is None else [(layer.attn_mask, False)]
        if layer.is_causal:
            masks.append((np.tril(np.ones((L, S), bool)), False))
        keep, terms = keep_terms(masks, batch + (L, S), q.dtype)
        scale = 1 / math.sqrt(E) if layer.scale is None else layer.scale
        out = rows(q3, k3, v3, keep.reshape(-1, L, S), terms.reshape(-1, L, S), scale, True)
        return out.reshape(batch + (L, Ev))


def mha_module(layer, dtype):
    """torch's nn.MultiheadAttention holding the nnref ``layer``'s weights, in eval."""
    m = torch.nn.MultiheadAttention(layer.embed_dim, layer.num_heads, layer.dropout, layer.bias,
                                    layer.add_bias_kv, layer.add_zero_attn, layer.kdim,
                                    layer.vdim, layer.batch_first).to(dtype).eval()
    with torch.no_grad():
        for name, value in layer.parameters().items():
            m.get_parameter(name).copy_(torch.from_numpy(np.asarray(value)).to(dtype))
    return m


def mha(layer, *ts):
    """The module on query, key, value (one tensor three times for self-attention, so that
    torch sees ``query is key is value``)."""
    xs = ts if len(ts) == 3 else ts * 3
    m = mha_module(layer, ts[0].dtype)
    with backend(*ts), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Support for mismatched key_padding_mask")
        y = m(*xs, key_padding_mask=tensor(layer.key_padding_mask, ts[0]),
              need_weights=layer.need_weights, attn_mask=tensor(layer.attn_mask, ts[0]),
              average_attn_weights=layer.average_attn_weights, is_causal=layer.is_causal)[0]
    if layer.mask_mode == "dense":
        return y.detach()
    with _disable_current_modes(), torch.no_grad():
        return _mha_skip(layer, m, xs).detach()


def _mha_skip(layer, m, xs):
    batched = xs[0].dim() == 3
    nle = [x if not batched else (x if layer.batch_first else x.transpose(0, 1)) for x in xs]
    nle = [x if batched else x[None] for x in nle]
    E, H, d = layer.embed_dim, layer.num_heads, layer.head_dim
    if m.in_proj_weight is not None:
        ws = m.in_proj_weight.split(E)
    else:
        ws = (m.q_proj_weight, m.k_proj_weight, m.v_proj_weight)
    bs = (None,) * 3 if m.in_proj_bias is None else m.in_proj_bias.split(E)
    q, k, v = (F.linear(x, w, b) for x, w, b in zip(nle, ws, bs))
    N, L, S = q.shape[0], q.shape[1], k.shape[1]
    if m.bias_k is not None:
        k, v = torch.cat([k, m.bias_k.expand(N, 1, E)], 1), torch.cat([v, m.bias_v.expand(N, 1, E)], 1)

    def heads(x):
        return x.reshape(N, x.shape[1], H, d).transpose(1, 2).reshape(N * H, x.shape[1], d)

    q, k, v = heads(q), heads(k), heads(v)
    if layer.add_zero_attn:
        k, v = (torch.cat([x, torch.zeros_like(x[:, :1])], 1) for x in (k, v))
    S2 = k.shape[1]
    masks = []
    if layer.attn_mask is not None:
        a = layer.attn_mask.reshape(N, H, L, S) if layer.attn_mask.ndim == 3 else layer.attn_mask
        masks.append((np.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, S2 - S)]), True))
    if layer.key_padding_mask is not None:
        kpm = layer.key_padding_mask.reshape(N, 1, 1, S)
        masks.append((np.pad(kpm, [(0, 0)] * 3 + [(0, S2 - S)]), True))
    keep, terms = keep_terms(masks, (N, H, L, S2), q.dtype)
    out = rows(q, k, v, keep.reshape(-1, L, S2), terms.reshape(-1, L, S2), 1 / math.sqrt(d),
               not layer.need_weights)
    y = F.linear(out.reshape(N, H, L, d).transpose(1, 2).reshape(N, L, E), m.out_proj.weight,
                 m.out_proj.bias)
    return y[0] if not batched else (y if layer.batch_first else y.transpose(0, 1))


#: Masks of the catalogue samples: a bool (5, 6) with row 1 fully masked, a float one with
#: −inf entries, and MultiheadAttention's key padding of batch row 2 fully masked.
_rng = np.random.default_rng(3)
BOOL_5x6 = _rng.random((5, 6)) > 0.4
BOOL_5x6[1] = False
FLOAT_3x5x6 = np.where(_rng.random((3, 5, 6)) > 0.3, _rng.standard_normal((3, 5, 6)), -np.inf)
KPM_3x5 = _rng.random((3, 5)) > 0.7
KPM_3x5[2] = True
FLOAT_6x5x5 = np.where(_rng.random((6, 5, 5)) > 0.2, 0.5, -np.inf).astype(np.float32)
CAUSAL_5 = np.triu(np.ones((5, 5), bool), 1)
