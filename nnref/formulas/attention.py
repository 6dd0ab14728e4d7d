"""Closed forms for attention: ScaledDotProductAttention and MultiheadAttention.

The core, :func:`attention`, counts ``softmax(Q·Kᵀ·scale + masks)·V`` on G groups (batch
elements × heads) of L query rows against S keys; MultiheadAttention adds its projections
(:func:`.dense.dense`) and the average of the weights over the heads (:func:`multihead`).
"""
from math import prod

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_str
from ._registry import formula, ints
from .dense import dense


def attention(groups: int, L: int, S: int, E: int, Ev: int, kept=None, rows=None,
              masks: int = 0, float_masks: int = 0, mode: str = "dense",
              safe: bool = True) -> OpCounts:
    """Counts of the attention core on ``groups`` groups of L query rows and S keys.

    Parameters
    ----------
    groups, L, S, E, Ev : int
        G groups (batch elements × heads); L queries and S keys per group; E features of a
        query and a key, Ev of a value.
    kept, rows : int or None
        ``mode="skip"`` only: K, the number of scores that no mask removes, and R, the
        number of query rows with at least one of them. Dense: K = G·L·S, R = G·L.
    masks, float_masks : int
        The masks given (attn_mask, key_padding_mask, is_causal), and how many of them are
        float masks (added to the scores they keep).
    mode : {"dense", "skip"}
    safe : bool
        The softmax of torch's scaled_dot_product_attention (a row of −inf gives 0), which
        tests each row's maximum; False: the plain one (MultiheadAttention with weights).

    Notes
    -----
    Per computed score s_j of a row, and per row of n computed scores (n ≥ 1):

        s_j = (q · k_j)·scale          mul E, add E − 1 (the first product initialises
                                       the sum), then mul 1: the scale multiplies the score
        s_j += each mask               dense: add 1 per score for each mask, is_causal
                                       included (a bool mask or is_causal as 0 where kept,
                                       −inf where masked, as torch builds its bias);
                                       skip: add 1 per computed score for each float mask
                                       (bool masks and is_causal only select)
        m = max_j s_j                  cmp n − 1, and cmp 1 with ``safe`` (m = −inf?)
        w_j = exp(s_j − m) / Σ exp     sub n, exp n, add n − 1, div n (kernels/softmax.py)
        y = Σ_j w_j·v_j                per output element (Ev per row): mul n, add n − 1

    Dense computes every score (n = S, also in a fully masked row, whose weights are then
    NaN, or 0 with ``safe``); skip computes the K kept scores only, and a row with none
    costs nothing. In total, with K and R as above and A the mask adds:

        mul = K·(E + 1 + Ev)
        add = K·(E − 1) + A + (K − R)·(1 + Ev)
        cmp = (K − R) + [safe]·R,   sub = exp = div = K
    """
    groups, L, S, E, Ev = ints("attention", groups=groups, L=L, S=S, E=E, Ev=Ev)
    mode = check_str(mode, "mode", "attention", ("dense", "skip"))
    masks, float_masks = ints("attention", 0, masks=masks, float_masks=float_masks)
    safe = check_bool(safe, "safe", "attention")
    if mode == "dense":
        K, R, A = groups * L * S, groups * L, masks * groups * L * S
    else:
        if kept is None or rows is None:
            raise TypeError("attention: mode='skip' needs kept= and rows= (ints >= 0)")
        K, R = ints("attention", 0, kept=kept, rows=rows)
        A = float_masks * K
    return OpCounts(mul=K * (E + 1 + Ev), add=K * (E - 1) + A + (K - R) * (1 + Ev),
                    cmp=(K - R) + (R if safe else 0), sub=K, exp=K, div=K)


def multihead(heads: int, positions: int) -> OpCounts:
    """Counts of averaging the attention weights over ``heads`` heads at ``positions`` (N·L·S')
    positions: at each, the first head initialises the sum, the others are added, and the sum
    is divided by H: add H − 1, div 1 (also for H = 1)."""
    heads, positions = ints("multihead", heads=heads, positions=positions)
    return OpCounts(add=(heads - 1) * positions, div=positions)


def _kept(keep, grid) -> tuple:
    """(K, R) of a bool ``keep`` broadcast onto ``grid`` (*groups, L, S)."""
    full = np.broadcast_to(keep, grid)
    return int(full.sum()), int(full.any(axis=-1).sum())


def _keep(mask, masked_if_true: bool):
    """Where a bool or float mask keeps a score."""
    if mask.dtype == np.bool_:
        return ~mask if masked_if_true else mask
    return mask != -np.inf


@formula("ScaledDotProductAttention")
def sdpa_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` on ``input_shape`` (query, key, value shapes): :func:`attention`
    with G the product of the broadcast batch axes; with is_causal, row i keeps the keys
    j ≤ i: K = Σ_i min(i + 1, S) per group."""
    batch, L, S, E, Ev, _ = layer.geometry(input_shape)
    G, mask = prod(batch), layer.attn_mask
    kept = rows = None
    if layer.mask_mode == "skip":
        if layer.is_causal:
            m = min(L, S)
            kept, rows = G * (m * (m + 1) // 2 + (L - m) * S), G * L
        elif mask is not None:
            kept, rows = _kept(_keep(mask, False), batch + (L, S))
        else:
            kept, rows = G * L * S, G * L
    floats = int(mask is not None and mask.dtype != np.bool_)
    return attention(G, L, S, E, Ev, kept, rows, int(mask is not None) + layer.is_causal,
                     floats, layer.mask_mode)


@formula("MultiheadAttention")
def mha_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` on ``input_shape`` (the query's shape for self-attention):

        q, k, v projections    dense(E → E) on N·L rows, dense(kdim → E) and
                               dense(vdim → E) on N·S rows, each with bias if ``bias``
        attention              :func:`attention` on N·H groups of L rows and
                               S' = S + add_bias_kv + add_zero_attn keys, E = Ev = E/H;
                               the masks attn_mask and key_padding_mask (the appended
                               keys are kept); safe softmax only without need_weights
        average of weights     :func:`multihead` at N·L·S' positions, with need_weights
                               and average_attn_weights
        out_proj               dense(E → E) on N·L rows, with bias if ``bias``
    """
    batched, N, L, S = layer.geometry(input_shape)
    E, H, d, b = layer.embed_dim, layer.num_heads, layer.head_dim, layer.bias
    S2 = S + layer.add_bias_kv + layer.add_zero_attn
    masks = [m for m in (layer.attn_mask, layer.key_padding_mask) if m is not None]
    kept = rows = None
    if layer.mask_mode == "skip":
        keep = np.ones((N, H, L, S2), np.bool_)
        for mask, shape in ((layer.attn_mask, (N, H, L, S)), (layer.key_padding_mask, (N, 1, 1, S))):
            if mask is not None:
                m = mask.reshape(shape) if mask.ndim == 3 or mask is layer.key_padding_mask else mask
                keep[..., :S] &= _keep(m, True)
        kept, rows = _kept(keep, keep.shape)
    core = attention(N * H, L, S2, d, d, kept, rows, len(masks),
                     sum(m.dtype != np.bool_ for m in masks), layer.mask_mode,
                     safe=not layer.need_weights)
    counts = (dense(E, E, N * L, b) + dense(layer.kdim, E, N * S, b)
              + dense(layer.vdim, E, N * S, b) + core + dense(E, E, N * L, b))
    if layer.need_weights and layer.average_attn_weights:
        counts += multihead(H, N * L * S2)
    return counts
