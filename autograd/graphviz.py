"""Graph export: the recorded graph behind a Tensor as Graphviz DOT text, and rendering it.

``to_dot`` needs nothing beyond tapegrad; ``render`` uses the optional ``graphviz`` package (and
the Graphviz ``dot`` program) to turn the text into an image.

The picture reads from inputs to output: a box per leaf (shape, ``requires_grad``, and its
``.grad`` when present), an ellipse per recorded operation (``node.name()`` and its output
shape(s)), a box for each Tensor you pass, and edges ``input -> op -> output``.  A subexpression
used several times is one node with several outgoing edges; an operation that uses the same input
twice (``x * x``) has two edges from it.  Constants (inputs that need no gradient) are not drawn.

The graph is read from the records' inputs, which ``backward`` releases: draw before
``backward``, or call it with ``retain_graph=True`` if the picture should show the gradients.

>>> import autograd as ag
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> y = (x * x).sum()
>>> print(ag.to_dot(y, names={"x": x}), end="")
digraph tapegrad {
  node [fontname="Helvetica" fontsize=10];
  t0 [label="output\\nshape ()" shape=box style=filled fillcolor="#cde8c0"];
  t1 [label="x\\nshape (2,)\\nrequires_grad=True" shape=box style=filled fillcolor="#c6dbef"];
  n0 [label="SumBackward\\n()" shape=ellipse];
  n1 [label="MulBackward\\n(2,)" shape=ellipse];
  n0 -> t0;
  n1 -> n0;
  t1 -> n1;
  t1 -> n1;
}
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ._files import atomic_write
from .backend import to_numpy
from .tape import Node, as_recorded
from .tensor import Tensor

__all__ = ["to_dot", "render"]

_LEAF_COLOR = "#c6dbef"
_OUT_COLOR = "#cde8c0"


def _quote(text: str) -> str:
    """A DOT double-quoted string; ``\\n`` in ``text`` becomes a line break in the label."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(shape: tuple[int, ...] | None) -> str:
    return "?" if shape is None else str(tuple(int(n) for n in shape))


def _values(t: Tensor, max_values: int) -> str | None:
    """Small tensors' values on one line, else None."""
    if t.numel() > max_values:
        return None
    arr = np.asarray(to_numpy(t._array)).ravel()
    return np.array2string(arr, precision=4, separator=", ", max_line_width=10_000)


def _tensor_label(
    t: Tensor, title: str, show_grad: bool, max_values: int
) -> list[str]:
    lines = [title, f"shape {_shape(tuple(t.shape))}"]
    if t.dtype != np.float64:
        lines.append(f"dtype {t.dtype}")
    if t.is_leaf:
        lines.append(f"requires_grad={t.requires_grad}")
    g = t.grad
    if show_grad and g is not None:
        vals = _values(g, max_values)
        lines.append(f"grad {vals}" if vals is not None else f"grad shape {_shape(g.shape)}")
    return lines


def _as_roots(tensor: Any) -> list[Tensor]:
    roots = [tensor] if isinstance(tensor, Tensor) else (
        list(tensor) if isinstance(tensor, (list, tuple)) else None
    )
    if not roots or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError(
            f"to_dot: expected a Tensor (or a list of Tensors), got {type(tensor).__name__}"
        )
    return roots


def to_dot(
    tensor: Tensor | Iterable[Tensor],
    show_grad: bool = True,
    *,
    names: Mapping[str, Tensor] | None = None,
    max_values: int = 6,
) -> str:
    """Graphviz DOT text of the graph recorded from ``tensor`` (or several) back to its leaves.

    ``show_grad``: label leaves (and the given tensors) with their ``.grad``: the values when at
    most ``max_values`` elements, else the shape.  ``names``: labels for tensors, e.g.
    ``dict(model.named_parameters())``.  Traversal is iterative, so deep graphs are fine.
    """
    roots = _as_roots(tensor)
    if names is not None and not all(isinstance(t, Tensor) for t in names.values()):
        raise TypeError("to_dot: names must map strings to Tensors")
    label_of = {id(t): name for name, t in (names or {}).items()}

    tensors: dict[int, tuple[str, Tensor, str, str]] = {}  # id -> (dot id, tensor, title, color)
    ops: dict[int, tuple[str, Node]] = {}
    out_shapes: dict[int, dict[int, tuple[int, ...]]] = {}
    edges: list[tuple[str, str, str | None]] = []

    def tensor_id(t: Tensor, title: str, color: str) -> str:
        entry = tensors.get(id(t))
        if entry is None:
            entry = tensors[id(t)] = (f"t{len(tensors)}", t, title, color)
        return entry[0]

    stack: list[Node] = []

    def op_id(node: Node, idx: int, shape: tuple[int, ...]) -> str:
        """The record's DOT id, noting the shape of its output ``idx`` (seen from a consumer)."""
        out_shapes.setdefault(id(node), {})[idx] = shape
        entry = ops.get(id(node))
        if entry is None:
            entry = ops[id(node)] = (f"n{len(ops)}", node)
            stack.append(node)
        return entry[0]

    def port(node: Node, idx: int) -> str | None:
        return f"out {idx}" if node.n_out > 1 else None

    for r in roots:
        tid = tensor_id(r, "output", _OUT_COLOR)
        if r._node is not None:
            edges.append((op_id(r._node, r._idx, tuple(r.shape)), tid, port(r._node, r._idx)))
    while stack:  # iterative depth-first walk over the records' inputs
        node = stack.pop()
        oid = ops[id(node)][0]
        for t in node.inputs or ():
            if t is None:  # an input that needs no gradient
                continue
            t = as_recorded(t, node.seq)  # the version this record used (in-place changes)
            if t._node is None:
                edges.append((tensor_id(t, "leaf", _LEAF_COLOR), oid, None))
            else:
                edges.append((op_id(t._node, t._idx, tuple(t.shape)), oid,
                              port(t._node, t._idx)))

    lines = ["digraph tapegrad {", '  node [fontname="Helvetica" fontsize=10];']
    for tid, t, title, color in tensors.values():
        text = "\n".join(_tensor_label(t, label_of.get(id(t), title), show_grad, max_values))
        lines.append(f"  {tid} [label={_quote(text)} shape=box style=filled "
                     f"fillcolor={_quote(color)}];")
    for oid, node in ops.values():
        text = _op_label(node, out_shapes.get(id(node), {}))
        lines.append(f"  {oid} [label={_quote(text)} shape=ellipse];")
    for a, b, lab in edges:
        lines.append(f"  {a} -> {b};" if lab is None else f"  {a} -> {b} [label={_quote(lab)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _op_label(node: Node, shapes: dict[int, tuple[int, ...]]) -> str:
    lines = [node.name()]
    if node.n_out > 1:
        lines.append(", ".join(_shape(shapes.get(i)) for i in range(node.n_out)))
    else:
        lines.append(_shape(shapes.get(0)))
    if node.inputs is None:
        lines.append("(inputs released by backward;\nuse retain_graph=True)")
    return "\n".join(lines)


def render(
    tensor_or_dot: Tensor | str | Iterable[Tensor],
    path: str | os.PathLike[str],
    format: str = "png",
    **to_dot_kwargs: Any,
) -> str:
    """Draw the graph (a Tensor, or DOT text from :func:`to_dot`) into the file ``path``.

    Uses the optional ``graphviz`` package and the Graphviz ``dot`` program; ``format`` is any
    format they support (``png``, ``svg``, ``pdf`` ...).  Returns the path written.
    """
    try:
        import graphviz  # type: ignore[import-not-found]
    except ImportError as e:
        raise ImportError(
            "render: needs the optional 'graphviz' Python package (pip install graphviz) and the "
            "Graphviz 'dot' program (e.g. apt-get install graphviz); to_dot() returns the DOT "
            "text without them"
        ) from e
    dot = tensor_or_dot if isinstance(tensor_or_dot, str) else to_dot(
        tensor_or_dot, **to_dot_kwargs  # type: ignore[arg-type]
    )
    try:
        data = graphviz.Source(dot).pipe(format=format)
    except graphviz.ExecutableNotFound as e:
        raise RuntimeError(
            "render: the Graphviz 'dot' program was not found on PATH; install Graphviz "
            "(e.g. apt-get install graphviz) or use to_dot() and render the text elsewhere"
        ) from e
    out = os.fspath(path)
    atomic_write(out, lambda fh: fh.write(data))  # never a truncated image under the name
    return out
