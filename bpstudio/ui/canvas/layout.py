"""Where the canvas puts things for a network of any shape: columns, neuron radius and
spacing, text sizes, and the room every lesson value gets. Plain geometry in scene units:
no Qt, no document.

Two layouts. A small network (at most SMALL_LAYER neurons a layer and PORT_EDGE_LIMIT
edges into one) gets the lesson layout, in which every value has a room of its own that
no edge crosses. Each neuron is a node, left to right:

    [one block per incoming edge]  ->  (circle)  [z, a, δ beside it]
                                       [bias block under it]

An edge runs from the right of its source's values into the left of its block, and a short
tail joins the block to the circle, so the block sits on its own edge; the block holds the
weight (then its update) and the gradient. Edges cross only between the columns, where
there is no text. A larger network gets the dense layout: neurons centre to centre, weight
labels on the edges while there are few, and the lesson shows its values on a card.
"""

from __future__ import annotations

from dataclasses import dataclass

COLUMN = 260.0  # dense layout: scene units between layer columns
EDGE_LABEL_LIMIT = 24  # dense layout: more edges than this: values by colour and width only
EDGE_LABEL_SPOTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.35, 0.65, 0.45, 0.55, 0.25, 0.75)
LARGE_RADIUS = 30.0  # up to SMALL_LAYER neurons in the tallest layer
SMALL_LAYER = 6
PORT_EDGE_LIMIT = 24  # more edges into one layer than this: the dense layout
MIN_RADIUS = 15.0
MIN_READABLE_PX = 6.0  # text smaller than this on screen is hidden (tooltips still tell)
VALUE_PX = 15.0  # the lesson's values and the canvas's weight and bias labels
PAD = 14.0  # between a circle and the values beside it (clear of the highlight ring)
GAP = 4.0  # between a line and the text it leads to
BLOCK_LINES = 2  # an edge's or a bias's block: its value (or update), its gradient
STACK_ROWS = 3  # z, a, δ beside a neuron; the first output adds the loss lines
LOSS_ROWS = 2  # the sample's share of the loss and the batch's loss


@dataclass(frozen=True)
class TextRoom:
    """The widths the lesson's lines need, measured by the scene for the current decimals:
    `stack` for a line beside a neuron (`δ = −0.0101`), `block` for a line of an edge's
    block (`∂L/∂w = −0.1152`, `0.1000 → 0.1010`), `bias` for a line of a bias's block
    (`b: 0.1000 → 0.1010`)."""

    stack: float = 6.0 * VALUE_PX
    block: float = 8.5 * VALUE_PX
    bias: float = 9.5 * VALUE_PX


@dataclass(frozen=True)
class Layout:
    """Positions and sizes for `sizes`. Neuron j of layer l sits at `center(l, j)`."""

    sizes: tuple[int, ...]
    radius: float
    xs: tuple[float, ...]  # each column's circle centres
    gaps: tuple[float, ...]  # centre to centre within each column
    symbol_px: float  # the neuron's symbol (a⁽²⁾₁), before shrinking to fit the circle
    bias_px: float
    value_px: float  # edge labels and the lesson's values
    header_px: float
    edge_labels: bool
    max_edge_width: float  # for the largest |w|; the smallest is 1
    lesson: bool = False  # the lesson layout (see the module's docstring)
    room: TextRoom = TextRoom()
    lefts: tuple[float, ...] = ()  # lesson layout: how far each column's nodes reach left
    rights: tuple[float, ...] = ()  # and right of the circle centres
    node_top: tuple[float, ...] = ()  # and above and below them
    node_bottom: tuple[float, ...] = ()

    def x(self, layer: int) -> float:
        return self.xs[layer]

    def y(self, layer: int, j: int) -> float:
        return (j - (self.sizes[layer] - 1) / 2) * self.gaps[layer]

    def center(self, layer: int, j: int) -> tuple[float, float]:
        return self.x(layer), self.y(layer, j)

    def ys(self, layer: int) -> list[float]:
        return [self.y(layer, j) for j in range(self.sizes[layer])]

    # the whole picture ------------------------------------------------------------------
    def _reach(self, layer: int) -> tuple[float, float]:
        """How far above and below its circle centres column `layer` reaches."""
        if self.lesson:
            return self.node_top[layer], self.node_bottom[layer]
        return self.radius, self.radius + 1.6 * self.bias_px

    @property
    def top(self) -> float:
        """The y of the top of the tallest column."""
        return min(self.y(layer, 0) - self._reach(layer)[0] for layer in range(len(self.sizes)))

    @property
    def bottom(self) -> float:
        """The y of the bottom of the tallest column (its last bias block)."""
        return max(
            self.y(layer, self.sizes[layer] - 1) + self._reach(layer)[1]
            for layer in range(len(self.sizes))
        )

    @property
    def header_y(self) -> float:
        """The middle of the row of layer headers, above the tallest column."""
        return self.top - 1.3 * self.header_px

    def column_span(self, layer: int) -> tuple[float, float]:
        """The left and right x of column `layer`'s nodes."""
        if self.lesson:
            return self.x(layer) - self.lefts[layer], self.x(layer) + self.rights[layer]
        half = max(self.radius + 22.0, 0.3 * COLUMN)
        return self.x(layer) - half, self.x(layer) + half

    def column_rect(self, layer: int) -> tuple[float, float, float, float]:
        """x, y, width, height of the band behind layer `layer`, its header included; all
        columns are as tall as the tallest."""
        left, right = self.column_span(layer)
        top = self.header_y - 0.9 * self.header_px
        return left - 6.0, top, right - left + 12.0, self.bottom + 4.0 - top

    @property
    def header_width(self) -> float:
        """The widest a layer's header may be, so neighbouring headers keep apart."""
        if len(self.xs) < 2:
            return 0.9 * COLUMN
        return 0.9 * min(b - a for a, b in zip(self.xs, self.xs[1:], strict=False))

    # the lesson's rooms -----------------------------------------------------------------
    @property
    def value_line(self) -> float:
        """The height of a line of the values the lesson writes."""
        # a QGraphicsTextItem line is 1.2 times its pixel size; the rest is a gap between the
        # lines of a stack, without which OCR (and a reader far away) runs them together
        return 1.5 * self.value_px

    def stack_rows(self, layer: int, j: int) -> int:
        """Lines of values beside neuron j: x for an input; z, a, δ; and at the first
        output, the sample's loss and the batch's."""
        if layer == 0:
            return 1
        return STACK_ROWS + (LOSS_ROWS if layer == len(self.sizes) - 1 and j == 0 else 0)

    def value_row(self, layer: int, j: int, row: int) -> tuple[float, float]:
        """The top left of line `row` of the values beside neuron j of `layer`."""
        x, y = self.center(layer, j)
        first = 0.5 if layer == 0 else STACK_ROWS / 2
        return x + self.radius + PAD, y + (row - first) * self.value_line

    def stack_right(self, layer: int) -> float:
        """The x where the values beside column `layer` end: its edges start there."""
        return self.x(layer) + self.rights[layer] + GAP

    def bias_row(self, layer: int, j: int, row: int) -> tuple[float, float]:
        """The top left of line `row` of the bias block under neuron j (lesson layout), or
        the point the bias label hangs from (dense layout)."""
        x, y = self.center(layer, j)
        if not self.lesson:
            return x, y + self.radius + 2.0 + row * self.value_line
        below = max(self.radius, (self.stack_rows(layer, j) - STACK_ROWS / 2) * self.value_line)
        return x - self.radius, y + below + PAD + row * self.value_line

    def port_height(self) -> float:
        return BLOCK_LINES * self.value_line

    def port_step(self) -> float:
        return self.port_height() + 0.4 * self.value_line

    def port_row(self, layer: int, j: int, k: int, row: int) -> tuple[float, float]:
        """The top left of line `row` of the block of the edge from neuron k of the layer
        before into neuron j of `layer` (lesson layout)."""
        x, y = self.center(layer, j)
        count = self.sizes[layer - 1]
        top = y - (count * self.port_step() - 0.4 * self.value_line) / 2 + k * self.port_step()
        return x - self.radius - self.connector - self.room.block, top + row * self.value_line

    @property
    def connector(self) -> float:
        """The length of the tails between the edge blocks and their neuron."""
        return 0.7 * self.radius

    def edge_end(self, layer: int, j: int, k: int) -> tuple[float, float]:
        """Where the edge into neuron j from neuron k ends: its block's left, halfway down."""
        x, y = self.port_row(layer, j, k, 0)
        return x - GAP, y + self.port_height() / 2

    def tail(self, layer: int, j: int, k: int) -> tuple[float, float, float, float]:
        """The line from the edge's block to the rim of its neuron."""
        x, y = self.edge_end(layer, j, k)
        x += self.room.block + 2 * GAP
        cx, cy = self.center(layer, j)
        dx, dy = x - cx, y - cy
        length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
        return x, y, cx + dx * self.radius / length, cy + dy * self.radius / length

    def edge_label_fraction(self, layer: int, j: int) -> float:
        """Dense layout: where along the edge into neuron j of `layer` its value label would
        best sit: edges into different neurons get different places, so labels of a fan
        don't pile up (the scene moves a label along its edge if it would still cover
        another)."""
        rows = self.sizes[layer]
        return 0.5 if rows == 1 else 0.3 + 0.4 * j / (rows - 1)

    def readable(self, text_px: float, zoom: float) -> bool:
        return text_px * zoom >= MIN_READABLE_PX


def is_dense(sizes: tuple[int, ...]) -> bool:
    """Whether a network is too large for every lesson value to have a room of its own."""
    edges = max((a * b for a, b in zip(sizes, sizes[1:], strict=False)), default=0)
    return max(sizes) > SMALL_LAYER or edges > PORT_EDGE_LIMIT


def layout_for(sizes: tuple[int, ...], room: TextRoom | None = None) -> Layout:
    """The layout of a network with `sizes` (input layer first); `room` is what the lesson's
    lines need (the lesson layout only)."""
    if not is_dense(sizes):
        return _lesson_layout(tuple(sizes), room or TextRoom())
    tallest = max(sizes)
    radius = max(MIN_RADIUS, LARGE_RADIUS * SMALL_LAYER / tallest)
    bias_px = 14.0 if radius >= 20 else 11.0
    gap = 2 * radius + 1.3 * bias_px + 10.0
    edges = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    return Layout(
        sizes=tuple(sizes),
        radius=radius,
        xs=tuple(layer * COLUMN for layer in range(len(sizes))),
        gaps=(gap,) * len(sizes),
        symbol_px=max(9.0, 0.75 * radius),
        bias_px=bias_px,
        value_px=VALUE_PX,
        header_px=max(15.0, tallest * gap / 90.0),  # readable when fitted
        edge_labels=edges <= EDGE_LABEL_LIMIT,
        max_edge_width=3.5,
    )


def _lesson_layout(sizes: tuple[int, ...], room: TextRoom) -> Layout:
    """Columns as wide and neurons as far apart as their values need (module docstring)."""
    base = Layout(
        sizes=sizes,
        radius=LARGE_RADIUS,
        xs=(0.0,) * len(sizes),
        gaps=(0.0,) * len(sizes),
        symbol_px=0.75 * LARGE_RADIUS,
        bias_px=VALUE_PX,
        value_px=VALUE_PX,
        header_px=VALUE_PX,
        edge_labels=True,
        max_edge_width=7.0,
        lesson=True,
        room=room,
    )
    r, line = base.radius, base.value_line
    tops, bottoms, gaps, lefts, rights = [], [], [], [], []
    for layer, size in enumerate(sizes):
        ports = 0.0 if layer == 0 else (sizes[layer - 1] * base.port_step() - 0.4 * line) / 2
        top = max(r, ports, 0.5 * line if layer == 0 else STACK_ROWS / 2 * line)
        bottom = max(r, ports)
        if layer > 0:
            rows = max(base.stack_rows(layer, j) for j in range(size))
            below = max(r, (rows - STACK_ROWS / 2) * line)
            bottom = max(bottom, below + PAD + BLOCK_LINES * line)
        tops.append(top)
        bottoms.append(bottom)
        gaps.append(top + bottom + 0.9 * line)
        lefts.append(r if layer == 0 else r + base.connector + room.block)
        rights.append(max(r + PAD + room.stack, -r + room.bias))
    heights = [
        (size - 1) * gap + t + b for size, gap, t, b in zip(sizes, gaps, tops, bottoms, strict=True)
    ]
    xs = [0.0]
    for layer in range(1, len(sizes)):
        between = max(2.0 * r, 0.12 * max(heights[layer - 1], heights[layer]))
        xs.append(xs[-1] + rights[layer - 1] + between + lefts[layer])
    return Layout(
        **{
            **base.__dict__,
            "xs": tuple(xs),
            "gaps": tuple(gaps),
            "lefts": tuple(lefts),
            "rights": tuple(rights),
            "node_top": tuple(tops),
            "node_bottom": tuple(bottoms),
        }
    )
