"""The computational graph (maths/graph.py): its values and gradients against `bpstudio
trace` node by node, the chain rule along its edges, and which nodes each micro-step of
Example 3 computes. Headless: no Qt."""

import io
import json
from argparse import Namespace

import numpy as np
import pytest
from seed_tables import EXAMPLE_3_GRAPH_STEPS

from bpstudio.cli_trace import cmd_trace
from bpstudio.document.format import load
from bpstudio.maths import graph, steps
from bpstudio.resources import examples_dir
from bpstudio.runs import first_step

EXAMPLES = ["seed-1-one-neuron", "seed-2-two-neurons", "seed-3-hidden-layer", "xor"]
EXAMPLES += ["three-classes", "circle"]


def _trace(path) -> dict:
    out = io.StringIO()
    cmd_trace(Namespace(file=str(path)), out)
    return json.loads(out.getvalue())


def _graphs(name: str):
    path = examples_dir() / f"{name}.bpnet"
    doc = load(path)
    result, config = first_step(doc)
    sequence = steps.build(result, config)
    graphs = [graph.build(sequence, config.loss, p) for p in range(len(result.x))]
    return doc, result.x, graphs, _trace(path)


@pytest.mark.parametrize("name", EXAMPLES)
def test_values_and_gradients_equal_trace_node_by_node(name):
    doc, x, graphs, trace = _graphs(name)
    layers, after = trace["layers"], trace["network"]["layers"]
    net = doc.build_network()  # the parameters the file gives, or its seeded start
    for p, g in enumerate(graphs):
        nodes = g.nodes
        for k, value in enumerate(x[p]):
            assert nodes[f"x0.{k}"].value == value and nodes[f"x0.{k}"].grad is None
        for layer in range(1, len(doc.layers)):
            t, w = layers[layer - 1], net.w[layer - 1]
            a_in = x[p] if layer == 1 else layers[layer - 2]["a"][p]
            for j in range(doc.layers[layer].size):
                delta = t["delta"][p][j]
                assert nodes[f"sum{layer}.{j}"].value == pytest.approx(t["z"][p][j], abs=1e-12)
                assert nodes[f"sum{layer}.{j}"].grad == pytest.approx(delta, abs=1e-12)
                assert nodes[f"act{layer}.{j}"].value == pytest.approx(t["a"][p][j], abs=1e-12)
                assert nodes[f"b{layer}.{j}"].value == net.b[layer - 1][j]
                assert nodes[f"b{layer}.{j}"].grad == pytest.approx(delta, abs=1e-12)
                for k, a_k in enumerate(a_in):
                    mul, leaf = nodes[f"mul{layer}.{j}.{k}"], nodes[f"w{layer}.{j}.{k}"]
                    assert mul.value == pytest.approx(w[j][k] * a_k, abs=1e-12)
                    assert mul.grad == pytest.approx(delta, abs=1e-12)
                    assert leaf.value == w[j][k]
                    assert leaf.grad == pytest.approx(delta * a_k, abs=1e-12)
                    assert leaf.new == pytest.approx(after[layer]["weights"][j][k], abs=1e-12)
    for layer in range(1, len(doc.layers)):
        t = layers[layer - 1]
        shares_w = sum(
            np.array(
                [
                    [g.nodes[f"w{layer}.{j}.{k}"].grad for k in range(len(row))]
                    for j, row in enumerate(t["grad_weights"])
                ]
            )
            for g in graphs
        )
        shares_b = sum(
            np.array([g.nodes[f"b{layer}.{j}"].grad for j in range(len(t["grad_biases"]))])
            for g in graphs
        )
        np.testing.assert_allclose(shares_w, t["grad_weights"], atol=1e-12)
        np.testing.assert_allclose(shares_b, t["grad_biases"], atol=1e-12)
    loss = sum(g.nodes[f"loss{len(doc.layers) - 1}"].value for g in graphs)
    assert loss == pytest.approx(trace["loss"], rel=1e-12)


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_gradient_is_the_chain_rule_along_the_edges(name):
    """∂L/∂node = Σ over the edges out of it: local derivative × the consumer's gradient."""
    *_, graphs, _ = _graphs(name)
    for g in graphs:
        for node in g.nodes.values():
            out = [e for e in g.edges if e.source == node.id]
            if out and node.grad is not None:
                chained = sum(e.local * g.nodes[e.target].grad for e in out)
                assert node.grad == pytest.approx(chained, rel=1e-9, abs=1e-12), node.id


def test_seed_3_hand_values():
    """The description's numbers: ŷ = 0.6806, L = 0.3357, and δ of the output by hand."""
    *_, (g,), _ = _graphs("seed-3-hidden-layer")
    y_hat = g.nodes["act2.0"].value
    assert round(y_hat, 4) == 0.6806 and round(g.nodes["loss2"].value, 4) == 0.3357
    assert g.nodes["sum2.0"].grad == pytest.approx((y_hat - 1.5) * y_hat * (1 - y_hat))


def test_each_step_of_example_3_computes_its_nodes():
    doc = load(examples_dir() / "seed-3-hidden-layer.bpnet")
    result, config = first_step(doc)
    sequence = steps.build(result, config)
    g = graph.build(sequence, config.loss, 0)
    assert [s.kind for s in sequence] == [kind for kind, _ in EXAMPLE_3_GRAPH_STEPS]
    for step, (_, nodes) in zip(sequence, EXAMPLE_3_GRAPH_STEPS, strict=True):
        assert set(g.computed_by(step.key)) == nodes, step.key


def test_every_value_of_a_sample_graph_is_computed_by_a_step_of_the_lesson():
    """XOR walks four samples: each sample's graph is revealed by its own steps, its
    leaves' combined gradients and updates by the steps after the samples."""
    doc = load(examples_dir() / "xor.bpnet")
    result, config = first_step(doc)
    sequence = steps.build(result, config)
    keys = {s.key for s in sequence}
    for p in range(len(result.x)):
        g = graph.build(sequence, config.loss, p)
        for node in g.nodes.values():
            assert set(node.steps) <= keys, node.id
            if node.kind not in ("x", "w", "b"):
                assert {k[4] for k in node.steps} == {p}, node.id
        assert g.nodes["w1.0.0"].total_step == ("grad_w", 1, 0, 0, None)


def test_columns_run_left_to_right_one_column_per_edge():
    *_, (g,), _ = _graphs("seed-3-hidden-layer")
    assert all(g.columns[e.target] == g.columns[e.source] + 1 for e in g.edges)
    expected = {"x0.0": 0, "w1.0.0": 0, "b1.0": 1, "mul1.0.0": 1, "sum1.0": 2, "act1.0": 3}
    expected |= {"w2.0.0": 3, "b2.0": 4, "sum2.0": 5, "act2.0": 6, "term2.0": 7, "loss2": 8}
    assert {n: g.columns[n] for n in expected} == expected
    rows = {}
    for node, column in g.columns.items():
        rows.setdefault(column, []).append(g.rows[node])
    assert all(sorted(r) == list(range(len(r))) for r in rows.values())


def test_a_large_network_shows_the_active_neurons_subgraph():
    doc = load(examples_dir() / "spiral.bpnet")
    result, config = first_step(doc)
    sequence = steps.build(result, config, [0])
    net = result.before
    assert sum(w.size + b.size for w, b in zip(net.w, net.b, strict=True)) > graph.WHOLE_UP_TO
    step = next(s for s in sequence if s.kind == "a" and s.layer == 1 and s.neuron == 2)
    sub = graph.graph_for(sequence, config.loss, 0, step.index)
    assert {n.kind for n in sub.nodes.values()} == {"x", "w", "b", "mul", "sum", "act"}
    assert sum(n.kind == "w" for n in sub.nodes.values()) == doc.layers[0].size
    assert {(n.layer, n.neuron) for n in sub.nodes.values() if n.kind != "x"} == {(1, 2)}
    out = next(s for s in sequence if s.kind == "delta" and s.layer == 3)
    sub = graph.graph_for(sequence, config.loss, 0, out.index)
    assert {"term3.0", "loss3", "act2.7", "sum3.0", "w3.0.7"} <= set(sub.nodes)
    assert "act1.0" not in sub.nodes and len(sub.computed_by(out.key)) == 8 + 1 + 3


@pytest.mark.parametrize("name", ["xor", "three-classes", "seed-3-hidden-layer"])
def test_a_neurons_subgraph_is_part_of_the_whole_graph(name):
    """Built on its own, each neuron's subgraph has the whole graph's nodes, values and
    edges: its own nodes, the activations feeding it, and for an output its loss term and L."""
    doc = load(examples_dir() / f"{name}.bpnet")
    result, config = first_step(doc)
    sequence = steps.build(result, config)
    whole = graph.build(sequence, config.loss, 0)
    for layer in range(1, len(doc.sizes)):
        for j in range(doc.sizes[layer]):
            sub = graph.build(sequence, config.loss, 0, (layer, j))
            assert all(whole.nodes[n] == node for n, node in sub.nodes.items())
            assert set(sub.edges) <= set(whole.edges)
            own = {n for n, node in sub.nodes.items() if (node.layer, node.neuron) == (layer, j)}
            assert own == {
                n for n, node in whole.nodes.items() if (node.layer, node.neuron) == (layer, j)
            }
            edges_in = {e for e in whole.edges if e.target in own and e.source in sub.nodes}
            assert edges_in <= set(sub.edges)
