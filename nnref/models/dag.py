"""The general container: :class:`Graph`, a DAG of calls whose inputs are named.

    g = Graph([
        Node("conv", Conv2d(3, 8, 3, padding=1)),               # input: the graph input "x"
        Node("relu", ReLU()),                                   # input: the node before
        Node("add", Add(), inputs=("relu", "x"), call="operator", target="operator.add"),
        Node("flatten", Flatten(), call="function", target="torch.flatten"),
    ], name="toy")
    y, report = g(x)

Each :class:`Node` names one call: its module (a leaf layer or any container), the nodes
(or the graph input) it reads, and how a torch model makes the call (``call``, one of
``"module"``, ``"function"``, ``"method"``, ``"operator"``; ``target``, the torch callable
such as ``"F.relu"``), which the tool conventions use: THOP's and ptflops' hooks see
module calls only. Nodes run in the order given, each reading only nodes before it, so
the graph is acyclic by construction; an array is freed after its last reader.

Names are torch's dotted names and may contain dots (``"layer1.0.conv1"``). A layer held
by several nodes (ResNet's ``relu``, called three times) is one module called several
times: its records all carry the name of the first node that holds it, and its
parameters count once. A container in a node names its children below the node's name.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from ..core.report import check_call
from ..core.validate import check_shape
from ..layers.base import Layer
from .graph import Container
from .run import fusable

__all__ = ["Graph", "Node"]


class Node(NamedTuple):
    """One call of a :class:`Graph`.

    Parameters
    ----------
    name : str
        Unique in the graph; a dotted torch name (``"layer1.0.add"``).
    module : Layer or container
    inputs : tuple of str or None
        Names of earlier nodes or of the graph input, one per operand; None reads the
        node before (the graph input for the first node). A layer of no operand (a
        :class:`~nnref.layers.Parameter`, a tensor the model holds) has ``inputs=()``,
        which None also means for it.
    call : {"module", "function", "method", "operator"}
        How a torch model makes the call; a container is always a module.
    target : str
        The torch callable, when known: ``"nn.ReLU"``, ``"F.relu"``, ``"Tensor.view"``, ...
    """

    name: str
    module: object
    inputs: tuple | None = None
    call: str = "module"
    target: str = ""


def _check_name(name, owner: str, what: str = "node name") -> str:
    if not isinstance(name, str) or not name or any(not part for part in name.split(".")):
        raise ValueError(f"{owner}: {what} {name!r} is invalid; expected a non-empty str of "
                         "dot-separated parts (a torch name such as 'layer1.0.conv1')")
    return name


class Graph(Container):
    """A DAG of calls with named inputs, run like every model: ``y, report = graph(x)``.

    Parameters
    ----------
    nodes : sequence of Node (or of tuples of Node's fields)
        In execution order; each reads the graph input or nodes before it.
    name : str
        The model name, used in reports.
    input : str
        The name of the graph's input (torch's ``forward`` argument).
    output : str or None
        The node whose result the graph returns; None: the last node.
    input_shape : tuple of int or None
        The one input shape the graph accepts, for a graph whose sizes were computed for
        it (``from_torch`` folds ``x.size(0)`` into the sizes of a ``view``); None: any
        shape its layers take. ``shape_note`` says why, in the error for another shape.

    Notes
    -----
    ``plan(shape)``, ``named_layers()``, ``parameters()``, ``state_dict()`` and
    ``load_state`` work as in every container. Records are one per leaf call, in node
    order, and sum to the report's total.
    """

    def __init__(self, nodes, *, name: str = "graph", input: str = "x", output=None,
                 input_shape=None, shape_note: str = ""):
        super().__init__()
        owner = "Graph"
        if not isinstance(name, str) or not name:
            raise TypeError(f"{owner}: name={name!r} is invalid; expected a non-empty str")
        self.input = _check_name(input, owner, "input")
        if isinstance(nodes, (str, bytes, Mapping)) or not isinstance(nodes, (list, tuple)):
            raise TypeError(f"{owner}: nodes={nodes!r} is invalid; expected a list of Node")
        if not nodes:
            raise ValueError(f"{owner}: nodes=[] is invalid; expected at least one node")
        self.nodes = tuple(self._checked(nodes, owner))
        out = self.nodes[-1].name if output is None else output
        if out not in {n.name for n in self.nodes} | {self.input}:
            raise ValueError(f"{owner}: output={output!r} names no node; expected one of "
                             f"{[n.name for n in self.nodes]}")
        self.output = out
        self.input_shape = None if input_shape is None else check_shape(input_shape, owner)
        self.shape_note = str(shape_note)
        last = {}
        for i, node in enumerate(self.nodes):
            for ref in node.inputs:
                last[ref] = i
        self._free = {}  # node index -> names no later node reads
        for ref, i in last.items():
            if ref != self.output:
                self._free.setdefault(i, []).append(ref)
        nodes = self.nodes  # i: node i + 1 alone reads node i, and they fuse (BatchNorm + ReLU)
        self._pairs = frozenset(i for i, (a, b) in enumerate(zip(nodes, nodes[1:]))
                                if b.inputs == (a.name,) and last[a.name] == i + 1
                                and a.name != self.output and fusable(a.module, b.module))
        self._assign_names()
        self.name = name

    def _checked(self, nodes, owner):
        seen, prev = {self.input}, self.input
        for i, node in enumerate(nodes):
            if not isinstance(node, Node):
                if not isinstance(node, tuple):
                    raise TypeError(f"{owner}: nodes[{i}]={node!r} is invalid; expected a Node")
                node = Node(*node)
            name = _check_name(node.name, owner)
            where = f"{owner}: node {name!r}"
            if name in seen:
                raise ValueError(f"{where} is defined twice (or is the input's name); expected "
                                 "unique names")
            if not isinstance(node.module, (Layer, Container)):
                raise TypeError(f"{where}: module={node.module!r} is invalid; expected an nnref "
                                "layer or container")
            call = check_call(node.call, where)
            if isinstance(node.module, Container) and call != "module":
                raise ValueError(f"{where}: call={call!r} is invalid for a container; "
                                 "expected 'module'")
            if not isinstance(node.target, str):
                raise TypeError(f"{where}: target={node.target!r} is invalid; expected a str")
            operands = getattr(node.module, "operands", 1)
            if node.inputs is None:  # the node before; none for a layer of no operand
                inputs = (prev,) if operands else ()
            else:
                inputs = node.inputs
            if isinstance(inputs, str) or not isinstance(inputs, (tuple, list)) or (
                    not inputs and operands):
                raise TypeError(f"{where}: inputs={node.inputs!r} is invalid; expected a tuple "
                                "of names of earlier nodes or of the input")
            unknown = [r for r in inputs if r not in seen]
            if unknown:
                raise ValueError(f"{where} reads {unknown}, which are not earlier nodes nor "
                                 f"the input {self.input!r}; expected a name among {sorted(seen)}")
            if len(inputs) != operands:
                raise ValueError(f"{where} has {len(inputs)} inputs {tuple(inputs)}; "
                                 f"{node.module.kind} takes {operands}")
            seen.add(name)
            prev = name
            yield Node(name, node.module, tuple(inputs), call, node.target)

    def named_children(self):
        return [(n.name, n.module) for n in self.nodes]

    def __getitem__(self, name: str):
        """The module of node ``name``; a KeyError lists the nodes."""
        for n in self.nodes:
            if n.name == name:
                return n.module
        raise KeyError(f"Graph has no node {name!r}; nodes: {[n.name for n in self.nodes]}")

    def __len__(self):
        return len(self.nodes)

    def flow(self, x, ex):
        env, nodes, paired = {self.input: x}, self.nodes, False
        for i, node in enumerate(nodes):
            xs = () if paired else tuple(env[r] for r in node.inputs)
            if paired:  # node i - 1 ran this one: its output is env[node.name] already
                paired = False
            elif i in self._pairs:
                b = nodes[i + 1]
                env[b.name] = ex.pair(node.module, b.module, xs, how=(
                    (node.call, node.target), (b.call, b.target)))
                paired = True
            else:
                env[node.name] = ex.call(node.module, *xs, call=node.call, target=node.target)
            for ref in self._free.get(i, ()):
                env.pop(ref, None)  # a paired node's output was never kept
        return env[self.output]

    def _plan(self, input_shape, names=None):
        if self.input_shape is not None:
            shape = check_shape(input_shape, self.title)
            if shape != self.input_shape:
                raise ValueError(f"{self.title}: input_shape={shape} is invalid; expected "
                                 f"{self.input_shape}, the only shape this graph takes"
                                 + (f" ({self.shape_note})" if self.shape_note else ""))
        return super()._plan(input_shape, names)

    def __repr__(self):
        lines = [f"Graph[{self.name}]({self.input}) -> {self.output}"]
        for n in self.nodes:
            how = "" if n.call == "module" else f" [{n.target or n.call}]"
            body = repr(n.module).replace("\n", "\n    ")
            lines.append(f"  {n.name}({', '.join(n.inputs)}){how}: {body}")
        return "\n".join(lines)
