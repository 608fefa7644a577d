"""Graph export: to_dot's DOT text checked structurally (parsed nodes and edges), and render."""

import re
import shutil
import sys
import types
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Function, Tensor
from autograd import graphviz as agviz
from autograd.graphviz import render, to_dot

NODE = re.compile(r'^  (\w+) \[label="((?:[^"\\]|\\.)*)" (.*)\];$')
EDGE = re.compile(r'^  (\w+) -> (\w+)(?: \[label="((?:[^"\\]|\\.)*)"\])?;$')


def parse(dot):
    """{id: label lines}, [(src, dst, label)]; every line must be a node, an edge or framing."""
    lines = dot.splitlines()
    assert lines[0] == "digraph tapegrad {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[2:-1]:
        m = NODE.match(line)
        if m:
            assert m.group(1) not in nodes, "a node is declared twice"
            label = re.sub(r"\\(.)", lambda k: "\n" if k.group(1) == "n" else k.group(1),
                           m.group(2))
            nodes[m.group(1)] = label.split("\n")
            continue
        m = EDGE.match(line)
        assert m, f"unparsable DOT line: {line!r}"
        edges.append((m.group(1), m.group(2), m.group(3)))
    for a, b, _ in edges:
        assert a in nodes and b in nodes, "edge to an undeclared node"
    return nodes, edges


def ops(nodes):
    return {k: v for k, v in nodes.items() if k.startswith("n")}


def tensors(nodes):
    return {k: v for k, v in nodes.items() if k.startswith("t")}


def by_title(nodes, title):
    found = [k for k, v in nodes.items() if v[0] == title]
    assert len(found) == 1, (title, nodes)
    return found[0]


def test_square_sum_counts_and_double_edge():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    nodes, edges = parse(to_dot((x * x).sum(), names={"x": x}))
    assert len(ops(nodes)) == 2 and len(tensors(nodes)) == 2 and len(edges) == 4
    mul, s, leaf, out = (by_title(nodes, t) for t in ("MulBackward", "SumBackward", "x", "output"))
    assert Counter((a, b) for a, b, _ in edges) == {(leaf, mul): 2, (mul, s): 1, (s, out): 1}
    assert nodes[mul][1] == "(2,)" and nodes[s][1] == "()"
    assert nodes[leaf] == ["x", "shape (2,)", "requires_grad=True"]
    assert nodes[out] == ["output", "shape ()"]


def test_layer_graph_skips_constants_and_shows_shapes():
    W = Tensor(np.ones((3, 4)), requires_grad=True)
    b = Tensor(np.zeros(4), requires_grad=True)
    x = Tensor(np.ones((2, 3)))  # a constant: not drawn
    y = (x @ W + b).tanh().sum()
    nodes, edges = parse(to_dot(y, names={"W": W, "b": b}))
    assert len(ops(nodes)) == 4 and len(tensors(nodes)) == 3 and len(edges) == 6
    mm, add, th, sm = (by_title(nodes, t) for t in
                       ("MatmulBackward", "AddBackward", "TanhBackward", "SumBackward"))
    w, bb, out = (by_title(nodes, t) for t in ("W", "b", "output"))
    assert set((a, b_) for a, b_, _ in edges) == {
        (w, mm), (mm, add), (bb, add), (add, th), (th, sm), (sm, out)
    }
    assert nodes[mm][1] == "(2, 4)" and nodes[add][1] == "(2, 4)"
    assert "shape (3, 4)" in nodes[w]


def test_shared_subexpression_appears_once():
    x = Tensor(np.array([0.5, 1.0, 1.5]), requires_grad=True)
    h = x.exp()
    y = (h * h + h.sin()).sum()
    nodes, edges = parse(to_dot(y))
    labels = Counter(v[0] for v in nodes.values())
    assert labels["ExpBackward"] == 1 and labels["leaf"] == 1
    exp = by_title(nodes, "ExpBackward")
    assert Counter(b for a, b, _ in edges if a == exp) == {
        by_title(nodes, "MulBackward"): 2, by_title(nodes, "SinBackward"): 1
    }
    assert len(ops(nodes)) == 5 and len(edges) == 1 + 3 + 2 + 1 + 1  # leaf, exp, mul/sin, add, sum


def test_gradients_are_shown_when_present():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    big = Tensor(np.ones((3, 4)), requires_grad=True)
    y = (x * x).sum() + big.sum()
    y.backward(retain_graph=True)
    nodes, _ = parse(to_dot(y, names={"x": x, "big": big}))
    assert nodes[by_title(nodes, "x")][-1] == "grad [2., 4.]"
    assert nodes[by_title(nodes, "big")][-1] == "grad shape (3, 4)"
    nodes, _ = parse(to_dot(y, show_grad=False, names={"x": x, "big": big}))
    assert not any(line.startswith("grad") for v in nodes.values() for line in v)


def test_float32_leaves_name_their_dtype_and_labels_are_escaped():
    x = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    nodes, _ = parse(to_dot(x * 2, names={'my "x"\\': x}))
    assert nodes["t1"][:3] == ['my "x"\\', "shape (2,)", "dtype float32"]


def test_released_graph_is_marked():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    nodes, edges = parse(to_dot(y))
    assert len(ops(nodes)) == 1 and len(edges) == 1
    assert any("retain_graph=True" in line for line in nodes[by_title(nodes, "SumBackward")])


def test_leaf_and_several_roots():
    x = Tensor(np.ones(3), requires_grad=True)
    nodes, edges = parse(to_dot(x))
    assert list(nodes) == ["t0"] and edges == []
    assert nodes["t0"] == ["output", "shape (3,)", "requires_grad=True"]
    a = x.exp()
    nodes, edges = parse(to_dot([a.sum(), (a * 2).sum()]))
    assert Counter(v[0] for v in nodes.values()) == {
        "output": 2, "SumBackward": 2, "ExpBackward": 1, "MulBackward": 1, "leaf": 1
    }
    assert len(edges) == 6


def test_multi_output_record_labels_its_outputs():
    class SinCos(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos().sum()

        @staticmethod
        def backward(ctx, gs, gc):
            (x,) = ctx.saved_tensors
            return gs * x.cos() - gc * x.sin()

    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    s, c = SinCos.apply(x)
    nodes, edges = parse(to_dot(s.sum() * c))
    sc = by_title(nodes, "SinCosBackward")
    assert nodes[sc][1] == "(2,), ()"
    assert sorted(lab for a, _, lab in edges if a == sc) == ["out 0", "out 1"]
    nodes, _ = parse(to_dot(c))
    assert nodes[by_title(nodes, "SinCosBackward")][1] == "?, ()"  # output 0 not seen


def test_deep_chain_is_walked_iteratively():
    x = Tensor(np.array([0.1]), requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0001
    nodes, edges = parse(to_dot(y))
    assert len(ops(nodes)) == 3000 and len(edges) == 3001


@given(st.lists(st.tuples(st.sampled_from(["exp", "sin", "tanh", "mul", "add"]),
                          st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=12))
def test_random_programs_have_the_expected_structure(program):
    """Build a random DAG; count what the root can reach independently of the tape."""
    vals = [Tensor(np.array([0.3, 0.6]), requires_grad=True),
            Tensor(np.array([0.2, -0.1]), requires_grad=True)]
    deps = [("leaf", ()), ("leaf", ())]
    for op, i, j in program:
        a, b = i % len(vals), j % len(vals)
        if op in ("mul", "add"):
            vals.append(getattr(vals[a], "__" + op + "__")(vals[b]))
            deps.append((op, (a, b)))
        else:
            vals.append(getattr(vals[a], op)())
            deps.append((op, (a,)))
    root = vals[-1].sum()
    seen, stack = set(), [len(vals) - 1]
    while stack:
        k = stack.pop()
        if k not in seen:
            seen.add(k)
            stack.extend(deps[k][1])
    steps = [k for k in seen if deps[k][0] != "leaf"]
    leaves = [k for k in seen if deps[k][0] == "leaf"]
    nodes, edges = parse(to_dot(root))
    assert len(ops(nodes)) == len(steps) + 1
    assert len(tensors(nodes)) == len(leaves) + 1
    assert len(edges) == sum(len(deps[k][1]) for k in steps) + 2
    expected = Counter(deps[k][0].title() + "Backward" for k in steps) + Counter(["SumBackward"])
    assert Counter(v[0] for v in ops(nodes).values()) == expected


def test_to_dot_type_errors():
    with pytest.raises(TypeError, match="to_dot: expected a Tensor"):
        to_dot(np.ones(2))
    with pytest.raises(TypeError, match="to_dot: expected a Tensor"):
        to_dot([])
    with pytest.raises(TypeError, match="names must map strings to Tensors"):
        to_dot(Tensor(1.0), names={"a": np.ones(1)})
    assert ag.to_dot is to_dot


# ------------------------------------------------------------------------------------ render
def test_render_without_the_graphviz_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    with pytest.raises(ImportError, match=r"needs the optional 'graphviz' Python package.*"
                                          r"to_dot\(\) returns the DOT text"):
        render(Tensor(1.0), "unused.png")


def _fake_graphviz(monkeypatch, fail=False):
    calls = []

    class ExecutableNotFound(RuntimeError):
        pass

    class Source:
        def __init__(self, text):
            calls.append(text)

        def pipe(self, format):
            if fail:
                raise ExecutableNotFound("dot")
            return f"<{format}>".encode()

    mod = types.SimpleNamespace(Source=Source, ExecutableNotFound=ExecutableNotFound)
    monkeypatch.setitem(sys.modules, "graphviz", mod)
    return calls


def test_render_passes_the_dot_text_and_writes_the_file(monkeypatch, tmp_path):
    calls = _fake_graphviz(monkeypatch)
    x = Tensor(np.ones(2), requires_grad=True)
    y = (x * 3).sum()
    path = render(y, tmp_path / "g.svg", format="svg", names={"x": x})
    assert calls == [to_dot(y, names={"x": x})]
    assert open(path, "rb").read() == b"<svg>"
    render("digraph { a -> b; }", tmp_path / "h.png")
    assert calls[-1] == "digraph { a -> b; }"


def test_render_without_the_dot_program(monkeypatch, tmp_path):
    _fake_graphviz(monkeypatch, fail=True)
    with pytest.raises(RuntimeError, match="Graphviz 'dot' program was not found"):
        render(Tensor(1.0), tmp_path / "g.png")


def test_render_with_real_graphviz(tmp_path):
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("the Graphviz 'dot' program is not installed")
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    path = render(y, tmp_path / "graph.svg", format="svg")
    svg = open(path).read()
    assert "<svg" in svg and "ExpBackward" in svg and "MulBackward" in svg
    assert agviz.to_dot(y).count("->") == 5
