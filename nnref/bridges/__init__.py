"""Bridges to other frameworks. ``nnref.bridges.torch``: ``from_torch``, ``to_torch``, ``exact``.

Each bridge imports its framework only when it is imported itself: ``import nnref``
never imports torch.
"""
