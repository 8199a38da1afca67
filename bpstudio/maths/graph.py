"""The computational graph of one sample, micrograd's picture of backpropagation: a node per
operation (each `w·a` product, the sum giving z, the activation, each output's loss term and
the loss) with weights, biases and inputs as leaves, every node's forward value and gradient
∂L/∂node, every edge's local derivative, and which micro-step of the step sequence computes
each of them. Pure Python and NumPy; no Qt.

Every number comes from the training step the step sequence presents (`StepResult`), so the
graph agrees with `trace` and with the lesson. With several samples it is sample p's graph:
its root is p's share of the loss, L^[p], and the leaves carry p's shares of the gradients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpstudio.engine import losses
from bpstudio.maths.formula import Sym
from bpstudio.maths.notation import Notation
from bpstudio.maths.steps import StepSequence

LEAVES = ("x", "w", "b")
WHOLE_UP_TO = 30  # parameters: a larger network shows the active neuron's subgraph

Key = tuple  # a step's key, `Step.key`


@dataclass(frozen=True, kw_only=True)
class Node:
    """One value of the graph. `value_step` and `grad_step` are the keys of the steps that
    compute the value and the gradient (None: given, or never computed); a parameter leaf
    also has the steps that sum the samples' shares of its gradient and that update it."""

    id: str
    kind: str  # x, w, b (leaves), mul, sum, act, term (one output's loss), loss
    layer: int  # document layer; the output layer's for term and loss
    neuron: int | None
    source: int | None = None  # w and mul: the neuron of the layer before
    symbol: str  # HTML, e.g. "z<sup>(2)</sup><sub>1</sub>"
    name: str  # the same as plain text, e.g. "z⁽²⁾₁"
    op: str  # the operation, e.g. "×", "+", "σ"
    value: float
    grad: float | None = None
    value_step: Key | None = None
    grad_step: Key | None = None
    total: float | None = None  # the combined gradient, over every sample
    total_step: Key | None = None
    new: float | None = None  # the value after the update
    new_step: Key | None = None

    @property
    def steps(self) -> tuple[Key, ...]:
        keys = (self.value_step, self.grad_step, self.total_step, self.new_step)
        return tuple(k for k in keys if k is not None)


@dataclass(frozen=True)
class Edge:
    """`source` feeds `target`; `local` is ∂target/∂source, shown once the backward pass
    uses it, at the step computing the source's gradient (`step`)."""

    source: str
    target: str
    local: float
    step: Key | None


class Graph:
    """The nodes in a deterministic order, the edges, and each node's column (left to right:
    leaves first, the loss last; every edge goes from one column to the next) and row."""

    def __init__(self, nodes: list[Node], edges: list[Edge]) -> None:
        self.nodes = {n.id: n for n in nodes}
        self.edges = edges
        self.inputs: dict[str, list[Edge]] = {n: [] for n in self.nodes}
        self.consumers: dict[str, list[str]] = {n: [] for n in self.nodes}
        for e in edges:
            self.inputs[e.target].append(e)
            self.consumers[e.source].append(e.target)
        self.columns = self._columns()
        self.rows = self._rows()

    def computed_by(self, key: Key) -> list[str]:
        """The nodes the step with `key` computes a value, a gradient or an update of."""
        return [n.id for n in self.nodes.values() if key in n.steps]

    def _columns(self) -> dict[str, int]:
        """Longest path from the sources, then each source moved right next to its first
        consumer (a bias sits beside the products, not beside the input)."""
        columns: dict[str, int] = {}
        for node in self.nodes:  # built in order: every input comes before its consumers
            sources = [columns[e.source] for e in self.inputs[node]]
            columns[node] = 1 + max(sources) if sources else 0
        for node, consumers in self.consumers.items():
            if not self.inputs[node] and consumers:
                columns[node] = min(columns[c] for c in consumers) - 1
        low = min(columns.values(), default=0)
        return {n: c - low for n, c in columns.items()}

    def _rows(self) -> dict[str, int]:
        """Each column ordered by the mean row of the nodes it feeds (the last column in
        build order), so that edges cross as little as a simple rule allows."""
        rows: dict[str, int] = {}
        last = max(self.columns.values(), default=0)
        for column in range(last, -1, -1):
            members = [n for n in self.nodes if self.columns[n] == column]

            keys = []
            for order, node in enumerate(members):
                fed = [rows[c] for c in self.consumers[node] if c in rows]
                keys.append((float(np.mean(fed)) if fed else float(order), order))
            ranked = sorted(range(len(members)), key=keys.__getitem__)
            rows.update({members[i]: r for r, i in enumerate(ranked)})
        return rows


def build(
    sequence: StepSequence, loss: str, sample: int, focus: tuple[int, int] | None = None
) -> Graph:
    """The graph of `sample` (an index into the batch) in the training step `sequence`
    presents, under the loss named `loss`; with `focus` (layer, neuron), only that neuron's
    subgraph: the activations feeding it (or the inputs) as its sources, its weights, bias,
    products, sum and activation, and for an output neuron its loss term and the loss."""
    return _Builder(sequence, loss, sample, focus).graph()


def graph_for(sequence: StepSequence, loss: str, sample: int, step_index: int) -> Graph:
    """What the graph view draws at step `step_index`: the whole graph of `sample`, or for a
    network of more than WHOLE_UP_TO parameters the subgraph of `focus_for` it."""
    return build(sequence, loss, sample, focus_for(sequence, step_index))


def focus_for(sequence: StepSequence, step_index: int) -> tuple[int, int] | None:
    """The neuron whose subgraph the graph view draws at step `step_index`, as (layer,
    neuron): None (the whole graph) up to WHOLE_UP_TO parameters, else the step's neuron
    (the first output neuron's at a loss step and after the last step)."""
    net = sequence.result.before
    if sum(w.size + b.size for w, b in zip(net.w, net.b, strict=True)) <= WHOLE_UP_TO:
        return None
    step = sequence[step_index] if step_index < len(sequence) else None
    if step is None or step.layer is None:
        return (net.depth, 0)
    return (step.layer, step.neuron)


class _Builder:
    def __init__(
        self, sequence: StepSequence, loss: str, sample: int, focus: tuple[int, int] | None
    ) -> None:
        r = sequence.result
        self.focus = focus
        self.r, self.loss, self.p = r, loss, sample
        self.net = r.before
        self.note = Notation(self.net.sizes)
        self.n = len(r.x)
        self.tag = sample if self.n > 1 else None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self.loss_grad = losses.get(loss).gradient(r.fwd.output, r.y)[sample]
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []

    def graph(self) -> Graph:
        depth, focus = self.net.depth, self.focus
        if focus is None or focus[0] == 1:
            for k, x in enumerate(self.r.x[self.p]):
                self._node("x", 0, k, **_names(self.note.a(0, k)), op="input", value=x)
        for layer in range(1, depth + 1):
            every = range(self.net.sizes[layer])
            if focus is None:
                self._layer(layer, every)
            elif layer == focus[0] - 1:  # the activations feeding the neuron, as sources
                self._activations(layer, {}, every)
            elif layer == focus[0]:
                self._layer(layer, [focus[1]])
        if focus is None or focus[0] == depth:
            self._loss()
        return Graph(self.nodes, self.edges)

    def _key(self, kind: str, layer=None, neuron=None, source=None) -> Key:
        """The key of this sample's step computing `kind` (see `Step.key`)."""
        return (kind, layer, neuron, source, self.tag)

    def _node(self, kind: str, layer: int, neuron: int | None, **fields) -> Node:
        source = fields.get("source")
        parts = [str(p) for p in (layer, neuron, source) if p is not None]
        node = Node(id=f"{kind}{'.'.join(parts)}", kind=kind, layer=layer, neuron=neuron, **fields)
        self.nodes.append(node)
        return node

    def _edge(self, source: Node, target: Node, local: float) -> None:
        self.edges.append(Edge(source.id, target.id, float(local), source.grad_step))

    def _layer(self, layer: int, neurons) -> None:
        i, p, net = layer - 1, self.p, self.net
        delta = self.r.deltas[i][p]
        a_in = self.r.fwd.a[i - 1][p] if layer > 1 else self.r.x[p]
        feeds = [n for n in self.nodes if n.layer == layer - 1 and n.kind in ("x", "act")]
        sums = {}
        for j in neurons:
            z_key, d_key = self._key("z", layer, j), self._key("delta", layer, j)
            products = []
            for k, feed in enumerate(feeds):
                w = self._parameter("w", layer, j, k, net.w[i][j, k], delta[j] * a_in[k])
                product = self._node(
                    "mul",
                    layer,
                    j,
                    source=k,
                    symbol=f"{w.symbol}·{feed.symbol}",
                    name=f"{w.name}·{feed.name}",
                    op="×",
                    value=net.w[i][j, k] * a_in[k],
                    grad=delta[j],
                    value_step=z_key,
                    grad_step=d_key,
                )
                self._edge(w, product, a_in[k])
                self._edge(feed, product, net.w[i][j, k])
                products.append(product)
            b = self._parameter("b", layer, j, None, net.b[i][j], delta[j])
            z = self._node(
                "sum",
                layer,
                j,
                **_names(self.note.z(layer, j)),
                op="+",
                value=self.r.fwd.z[i][p, j],
                grad=delta[j],
                value_step=z_key,
                grad_step=d_key,
            )
            for node in (*products, b):
                self._edge(node, z, 1.0)
            sums[j] = z
        self._activations(layer, sums, neurons)

    def _parameter(self, kind: str, layer: int, j: int, k: int | None, value, grad) -> Node:
        """A weight (k: its source) or bias leaf, with sample p's share of its gradient, the
        combined gradient (several samples) and the update, if trained."""
        i, fields = layer - 1, {}
        if kind == "w":
            sym, total, new = (
                self.note.w(layer, j, k),
                self.r.grad_w[i][j, k],
                self.r.after.w[i][j, k],
            )
        else:
            sym, total = self.note.b(layer, j), self.r.grad_b[i][j]
            new = self.r.after.b[i][j] if self.net.train_biases[i] else None
        if self.n > 1:
            fields.update(total=total, total_step=(f"grad_{kind}", layer, j, k, None))
        if new is not None:
            fields.update(new=new, new_step=(f"update_{kind}", layer, j, k, None))
        grad_step = self._key(f"grad_{kind}", layer, j, k)
        return self._node(
            kind, layer, j, source=k, **_names(sym), op="", value=value, grad=grad,
            grad_step=grad_step, **fields,
        )  # fmt: skip

    def _activations(self, layer: int, sums: dict[int, Node], neurons) -> None:
        """The activation nodes of `neurons`, each fed by the sums in `sums` it depends on."""
        i, p = layer - 1, self.p
        act = self.net.activations[i]
        z, a = self.r.fwd.z[i][p], self.r.fwd.a[i][p]
        grad_a = self._grad_a(layer)
        with np.errstate(over="ignore", invalid="ignore"):
            slope = act.derivative(z, a)
        for j in neurons:
            node = self._node(
                "act",
                layer,
                j,
                **_names(self.note.a(layer, j)),
                op=_operation(act.symbol),
                value=a[j],
                grad=grad_a[j],
                value_step=self._key("a", layer, j),
                grad_step=self._key("delta", layer, j),
            )
            if act.elementwise and j in sums:
                self._edge(sums[j], node, slope[j])
            elif not act.elementwise:  # softmax: ∂a_j/∂z_m = a_j (δ_jm - a_m) for every m
                for m, source in sums.items():
                    self._edge(source, node, a[j] * ((1.0 if m == j else 0.0) - a[m]))

    def _grad_a(self, layer: int) -> np.ndarray:
        """∂L/∂a of each neuron of `layer`: the loss's slope at the output, else the sum of
        the outgoing weights times the deltas they lead to."""
        if layer == self.net.depth:
            return self.loss_grad
        return self.r.deltas[layer][self.p] @ self.net.w[layer]

    def _loss(self) -> None:
        """Each output's term of the sample's loss and their sum (only the terms of the
        outputs built; the sum is the whole loss)."""
        depth, p = self.net.depth, self.p
        y_hat, y = self.r.fwd.output[p], self.r.y[p]
        count = self.net.sizes[-1]
        scale = {"sse": 1.0, "cross_entropy": 1.0 / self.n}.get(self.loss, 1.0 / (self.n * count))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            values = [
                scale * losses.get(self.loss).value(y_hat[None, k : k + 1], y[None, k : k + 1])
                for k in range(count)
            ]
        outputs = [n for n in self.nodes if n.kind == "act" and n.layer == depth]
        loss_key = self._key("loss")
        terms = []
        for out in outputs:
            k = out.neuron
            term = self._node(
                "term", depth, k, symbol=f"ℓ<sub>{k + 1}</sub>", name=f"ℓ{k + 1}",
                op=_LOSS_OPS[self.loss], value=values[k], grad=1.0, value_step=loss_key,
                grad_step=self._key("delta", depth, k),
            )  # fmt: skip
            self._edge(out, term, self.loss_grad[k])
            terms.append(term)
        total = self._node(
            "loss", depth, None, **_names(self.note.loss(self.tag)), op="+",
            value=sum(values), grad=1.0, value_step=loss_key,
            grad_step=self._key("delta", depth, 0),
        )  # fmt: skip
        for term in terms:
            self._edge(term, total, 1.0)


def _names(symbol: Sym) -> dict[str, str]:
    return {"symbol": symbol.html(), "name": symbol.text()}


_LOSS_OPS = {
    "sse": "½(y−ŷ)²",
    "mse": "(y−ŷ)²/NK",
    "bce": "−(y log ŷ + (1−y) log(1−ŷ))/NK",
    "cross_entropy": "−y log ŷ / N",
}


def _operation(latex: str) -> str:
    """The activation's name as a reader sees it: σ, tanh, relu, …"""
    return {r"\sigma": "σ"}.get(latex, latex.removeprefix("\\operatorname{").strip("\\}"))
