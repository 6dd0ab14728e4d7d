"""Composing layers into models: :class:`Sequential`, :class:`Residual`, :class:`Concat`,
:class:`Reshape`, and :class:`Model` (a named Sequential).

Containers hold layers (the leaves) and other containers. Calling a container runs it as
a model::

    y, report = model(x, progress=None)

``report`` is a :class:`~nnref.counting.report.Report` with one
:class:`~nnref.counting.report.LayerRecord` per leaf-layer *call*, in execution order, so
a layer called three times (ResNet's shared ``relu``) appears three times and the
records sum to ``report.total``.

Names follow PyTorch's dotted module names. Each container names its children (by key,
or by position: ``"0"``, ``"1"``, ...), and a child registered under the key ``None`` is
inlined: its own children are named in the parent's scope. A layer reached twice keeps
the first name it was given, and two different layers may not share a name. Names are
assigned to ``layer.name`` when a container is built (the outermost one last, so it wins).
"""
from __future__ import annotations

from collections.abc import Mapping
import numpy as np

from ..core.report import Report
from ..core.validate import check_array, check_param, check_shape
from ..layers.base import Layer
from ..layers.elementwise import Add
from ..layers.reshape import Reshape
from .run import Planner, Runner, Step, chains

__all__ = ["Concat", "Container", "Model", "Reshape", "Residual", "Sequential", "Step"]


def _check_child(m, key, owner):
    if not isinstance(m, (Layer, Container)):
        raise TypeError(f"{owner}: child {key!r} is {m!r}; expected an nnref layer or container")
    return m


def _check_key(key, owner):
    if key is None:
        return None
    if not isinstance(key, str) or not key or "." in key:
        raise ValueError(f"{owner}: name {key!r} is invalid; expected a non-empty str "
                         "without dots, or None to inline the child")
    return key


def _join(scope: str, key: str | None) -> str:
    if key is None:
        return scope
    return f"{scope}.{key}" if scope else key


def _key(name: str, layer, attr: str) -> str:
    """The state_dict key of array ``attr`` of leaf ``name``: ``name.attr``, a Parameter's own
    name, or ``layer.state_keys[attr]`` in the leaf's scope (F.layer_norm of a held weight)."""
    if attr == getattr(layer, "own_array", None):
        return name
    relative, scope = (getattr(layer, "state_keys", None) or {}).get(attr), name.rpartition(".")[0]
    return f"{name}.{attr}" if relative is None else ".".join(filter(None, (scope, relative)))


class Container:
    """Base of the containers; also what makes any container callable as a model.

    Subclasses implement ``named_children()`` and ``flow(x, ex)``, the dataflow written
    once against an executor ``ex``: :class:`~nnref.models.run.Runner` computes arrays and
    records counts, :class:`~nnref.models.run.Planner` propagates shapes only.
    """

    def __init__(self):
        self.name = ""  # dotted scope, set by the model that holds the container

    def named_children(self) -> list:
        """``(key, child)`` pairs; a key of None inlines the child's children."""
        raise NotImplementedError

    def flow(self, x, ex):
        raise NotImplementedError

    @property
    def kind(self) -> str:
        return type(self).__name__

    # -- names ------------------------------------------------------------------------
    def _names(self, building: bool = False) -> dict:
        """``id(leaf) -> dotted name`` with this container as the root.

        While ``building``, nested containers get their ``name`` and a leaf inlined at the
        top level is skipped (it gets a name once the container is placed in a parent).
        """
        names, owner = {}, {}

        def visit(m, scope, depth):
            if isinstance(m, Container):
                if depth and building:
                    m.name = scope
                for key, child in m.named_children():
                    visit(child, _join(scope, key), depth + 1)
            elif id(m) not in names:
                if not scope:
                    if building:
                        return
                    raise ValueError(f"{self.kind}: layer {m!r} is inlined at the top level "
                                     "and has no name; give it a key")
                if scope in owner:
                    raise ValueError(f"{self.kind}: two different layers are both named "
                                     f"{scope!r} ({owner[scope]!r} and {m!r})")
                names[id(m)], owner[scope] = scope, m

        visit(self, "", 0)
        return names

    def _assign_names(self):
        """Store each leaf's dotted name on it (``layer.name``)."""
        names = self._names(building=True)
        for m in self._leaves():
            if id(m) in names:
                m.name = names[id(m)]

    def _leaves(self) -> list:
        """Each distinct leaf layer once, in first-call order."""
        seen, out = set(), []

        def visit(m):
            if isinstance(m, Container):
                for _, child in m.named_children():
                    visit(child)
            elif id(m) not in seen:
                seen.add(id(m))
                out.append(m)

        visit(self)
        return out

    def named_layers(self) -> list:
        """``(name, layer)`` for each distinct leaf layer, in first-call order."""
        names = self._names()
        return [(names[id(m)], m) for m in self._leaves()]

    # -- running ----------------------------------------------------------------------
    def plan(self, input_shape) -> list:
        """One :class:`Step` per leaf call, in execution order, from shapes alone.

        Raises a ValueError naming the first layer (dotted name and type) that cannot
        take the shape it gets.
        """
        return self._plan(input_shape)[0]

    def output_shape(self, input_shape) -> tuple:
        """The output shape for ``input_shape``; a ValueError naming the layer that fails."""
        return self._plan(input_shape)[1]

    def _plan(self, input_shape, names=None):
        shape = check_shape(input_shape, self.title)
        ex = Planner(self._names() if names is None else names, self.title)
        out = self.flow(shape, ex)
        return list(ex.steps), out

    def __call__(self, x, progress=None):
        """Run the model on ``x``; return ``(y, report)``.

        Parameters
        ----------
        x : ndarray of shape (N, ...), float32 or float64
            The model's input, batch axis first (e.g. (N, C, H, W) for images).
        progress : callable or None
            Called with each :class:`~nnref.counting.report.LayerRecord` right after its
            leaf call (e.g. to advance a tqdm bar of ``len(model.plan(x.shape))`` steps).

        Returns
        -------
        y : ndarray of x's dtype
        report : Report
        """
        first = self.first_layer()  # what it takes: float values, or indices (Embedding)
        x = check_array(x, self.title) if first is None else first.check_input(x, "x", self.title)
        if progress is not None and not callable(progress):
            raise TypeError(f"{self.title}: progress={progress!r} is invalid; expected a callable")
        names = self._names()  # one walk for the plan (which checks every layer on shapes
        self._plan(x.shape, names)  # before any arithmetic) and the run
        y = self.flow(x, ex := Runner(names, progress))
        return y, Report(model=self.title, input_shape=tuple(x.shape),
                         dtype=str(x.dtype if x.dtype.kind == "f" else y.dtype),
                         params=self.num_params, layers=tuple(ex.records))

    def first_layer(self):  # the leaf that takes the model's input (first called), or None
        return next((m for m in self._leaves() if m.operands), None)

    @property
    def title(self) -> str:
        """The name used in reports and messages."""
        return self.name or self.kind

    # -- parameters and state ---------------------------------------------------------
    def _named_arrays(self, which: str) -> dict:
        out = {}
        for name, layer in self.named_layers():
            attrs = (list(layer.parameters()) if which == "params"
                     else [b for b in getattr(layer, "buffer_names", ())
                           if getattr(layer, b, None) is not None])
            for attr in attrs:
                out[_key(name, layer, attr)] = (layer, attr)
        return out

    def parameters(self) -> dict:
        """Parameter arrays by dotted name (``"features.0.weight"``), each layer once."""
        return {k: getattr(l, a) for k, (l, a) in self._named_arrays("params").items()}

    def buffers(self) -> dict:
        """Buffers (BatchNorm's ``running_mean``, ``running_var``) by dotted name."""
        return {k: getattr(l, a) for k, (l, a) in self._named_arrays("buffers").items()}

    def state_dict(self) -> dict:
        """Parameters and buffers by dotted name, as torch's ``state_dict`` keys."""
        return {**self.parameters(), **self.buffers()}

    @property
    def num_params(self) -> int:
        """Number of parameters; a layer (or array) used twice counts once."""
        arrays = {id(p): p for m in self._leaves() for p in m.parameters().values()}
        return sum(int(np.asarray(p).size) for p in arrays.values())

    def load_state(self, state: Mapping, strict: bool = True) -> None:
        """Set parameters and buffers from arrays named as in :meth:`state_dict`.

        Each array must have the current shape; it is copied. With ``strict``, the keys
        must be exactly those of :meth:`state_dict`.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"{self.title}: state={state!r} is invalid; expected a dict of arrays")
        slots = {**self._named_arrays("params"), **self._named_arrays("buffers")}
        unknown = sorted(set(state) - set(slots))
        missing = sorted(set(slots) - set(state)) if strict else []
        if unknown or missing:
            raise ValueError(f"{self.title}: load_state got unknown keys {unknown} and is missing "
                             f"keys {missing}; expected the keys of state_dict()")
        checked = {key: np.array(check_param(np.asarray(v), key, self.title,
                                             np.shape(getattr(*slots[key]))))
                   for key, v in state.items()}  # all checked before any is set
        for key, value in checked.items():
            setattr(*slots[key], value)

    def __repr__(self):
        lines = [f"{self.kind}("]
        for key, child in self.named_children():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({key if key is not None else '*'}): {body}")
        return "\n".join(lines) + "\n)" if len(lines) > 1 else f"{self.kind}()"


class Sequential(Container):
    """Children called one after the other.

    ``Sequential(a, b, c)`` names them ``"0"``, ``"1"``, ``"2"``; ``Sequential(dict)``
    uses the keys; ``Sequential([(key, layer), ...])`` takes pairs, where a key may
    repeat for the same layer (one layer called several times) and a key of None
    inlines a container's children into this scope.
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], Mapping):
            items = list(layers[0].items())
        elif len(layers) == 1 and isinstance(layers[0], list):
            items = layers[0]
            for p in items:
                if not isinstance(p, tuple) or len(p) != 2:
                    raise TypeError(f"{self.kind}: item {p!r} is invalid; expected a (key, layer) pair")
        else:
            items = [(str(i), m) for i, m in enumerate(layers)]
        seen = {}
        for key, m in items:
            _check_child(m, _check_key(key, self.kind), self.kind)
            if key is not None and seen.setdefault(key, m) is not m:
                raise ValueError(f"{self.kind}: key {key!r} is used for two different children")
        self._items = [(k, m) for k, m in items]
        self._runs = chains([m for _, m in self._items])  # BatchNorm + ReLU in one pass
        self._assign_names()

    def named_children(self):
        return list(self._items)

    def __len__(self):
        return len(self._items)

    def __getitem__(self, key):
        """The child under ``key`` (a str), or at position ``key`` (an int, negative from the end).

        As for a list and a dict, a position out of range is an IndexError and an unknown
        key a KeyError (so ``for m in seq`` and ``key in seq`` work); any other key type is
        a TypeError.
        """
        n = len(self._items)
        if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
            if not -n <= key < n:
                raise IndexError(f"{self.kind}: index {key} is out of range; expected an int "
                                 f"in [{-n}, {n - 1}]")
            return self._items[key][1]
        if not isinstance(key, str):
            raise TypeError(f"{self.kind}: key={key!r} is invalid; expected a child name (str) "
                            "or a position (int)")
        for k, m in self._items:
            if k == key:
                return m
        raise KeyError(f"{self.kind} has no child {key!r}; keys: {[k for k, _ in self._items]}")

    def flow(self, x, ex):
        for run in self._runs:
            x = ex.call(run[0], x) if len(run) == 1 else ex.pair(*run, (x,))
        return x


class Residual(Container):
    """``y = body(x) + shortcut(x)``, the join done (and counted) by an :class:`Add` layer.

    Parameters
    ----------
    body : layer or container
    shortcut : layer, container or None
        None for the identity.
    body_name, shortcut_name, add_name : str or None
        Keys of the three children; None inlines a container (ResNet's blocks inline
        the body, so that its layers are ``layer1.0.conv1``, not ``layer1.0.body.conv1``).

    Notes
    -----
    The body runs first, then the shortcut, then the add: N additions for N outputs. The
    add is recorded as an operator call (``out + identity``, ``out += identity``), as
    torchvision's blocks make it.
    """

    def __init__(self, body, shortcut=None, *, body_name="body", shortcut_name="shortcut",
                 add_name="add"):
        super().__init__()
        self.body = _check_child(body, _check_key(body_name, self.kind), self.kind)
        self.shortcut = None if shortcut is None else _check_child(
            shortcut, _check_key(shortcut_name, self.kind), self.kind)
        self.add = Add()
        self._keys = (body_name, shortcut_name, _check_key(add_name, self.kind) or "add")
        self._assign_names()

    def named_children(self):
        kids = [(self._keys[0], self.body)]
        if self.shortcut is not None:
            kids.append((self._keys[1], self.shortcut))
        return kids + [(self._keys[2], self.add)]

    def flow(self, x, ex):
        y = ex.call(self.body, x)
        s = x if self.shortcut is None else ex.call(self.shortcut, x)
        return ex.call(self.add, y, s, call="operator", target="operator.add")


class Concat(Container):
    """Branches run on the same input, outputs joined along ``dim``: no arithmetic.

    ``branches`` is a list (keys ``"0"``, ``"1"``, ...) or a dict of key -> module.
    """

    def __init__(self, branches, dim: int = 1):
        super().__init__()
        if isinstance(branches, Mapping):
            items = list(branches.items())
        elif isinstance(branches, (list, tuple)):
            items = [(str(i), b) for i, b in enumerate(branches)]
        else:
            raise TypeError(f"Concat: branches={branches!r} is invalid; expected a list or dict")
        if not items:
            raise ValueError("Concat: branches=[] is invalid; expected at least one branch")
        for key, b in items:
            _check_child(b, _check_key(key, self.kind), self.kind)
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"Concat: dim={dim!r} is invalid; expected an int")
        self._items, self.dim = items, int(dim)
        self._assign_names()

    def named_children(self):
        return list(self._items)

    def flow(self, x, ex):
        return ex.concat(self, [ex.call(b, x) for _, b in self._items], self.dim)


class Model(Sequential):
    """A :class:`Sequential` with a model name, used in reports: ``Model(dict, name="alexnet")``.

    Placed inside another container, a Model is named by its key there, like any container.
    """

    def __init__(self, *layers, name: str = "model"):
        super().__init__(*layers)
        if not isinstance(name, str) or not name:
            raise TypeError(f"Model: name={name!r} is invalid; expected a non-empty str")
        self.name = name

    def __repr__(self):
        return super().__repr__().replace("Model(", f"Model[{self.name}](", 1)
