"""The torch bridge: count any ``torch.nn.Module`` exactly, and build torch modules back.

    model = from_torch(torch_module, example_input)   # an nnref Graph: same names, weights
    y, report = model(x_numpy)                         # outputs as torch's, exact counts
    torch_module = to_torch(model)                     # back, e.g. for the real THOP
    report = exact(torch_module, (1, 3, 224, 224))     # one line

Parts: :mod:`.modules` (torch modules and nnref layers, both ways), :mod:`.functions`
(functions, methods, operators), :mod:`.trace` and :mod:`.convert` (``from_torch``),
:mod:`.hooks` (the fallback for models fx cannot trace), :mod:`.emit` (``to_torch``),
:mod:`.exact`.
"""
from .convert import from_torch
from .emit import to_torch
from .exact import exact

__all__ = ["exact", "from_torch", "to_torch"]
