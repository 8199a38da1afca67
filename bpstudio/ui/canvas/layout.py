"""Where the canvas puts things for a network of any shape: columns, neuron radius and
spacing, text sizes, which labels are drawn. Plain geometry in scene units: no Qt, no
document."""

from __future__ import annotations

from dataclasses import dataclass

COLUMN = 260.0  # scene units between layer columns
EDGE_LABEL_LIMIT = 24  # more edges than this: values by colour and width only
EDGE_LABEL_SPOTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.35, 0.65, 0.45, 0.55, 0.25, 0.75)
LARGE_RADIUS = 30.0  # up to SMALL_LAYER neurons in the tallest layer
SMALL_LAYER = 6
MIN_RADIUS = 15.0
MIN_READABLE_PX = 6.0  # text smaller than this on screen is hidden (tooltips still tell)
VALUE_ROWS = 5  # lines of lesson values beside a neuron: z, a, δ, and at the first output
# the sample's loss and the batch's
VALUE_WIDTH = 6.5  # their room's width in value_px: "δ = −0.0101" at 4 decimals


@dataclass(frozen=True)
class Layout:
    """Positions and sizes for `sizes`. Neuron j of layer l sits at `center(l, j)`; its bias
    label goes under it, `bias_px` high, and the spacing leaves room for it, so nothing
    overlaps at any layer size."""

    sizes: tuple[int, ...]
    radius: float
    gap: float  # centre to centre, within a column
    symbol_px: float  # the neuron's symbol (a⁽²⁾₁), before shrinking to fit the circle
    bias_px: float
    value_px: float  # edge labels
    header_px: float
    edge_labels: bool
    max_edge_width: float  # for the largest |w|; the smallest is 1

    def x(self, layer: int) -> float:
        return layer * COLUMN

    def y(self, layer: int, j: int) -> float:
        return (j - (self.sizes[layer] - 1) / 2) * self.gap

    def center(self, layer: int, j: int) -> tuple[float, float]:
        return self.x(layer), self.y(layer, j)

    def ys(self, layer: int) -> list[float]:
        return [self.y(layer, j) for j in range(self.sizes[layer])]

    @property
    def top(self) -> float:
        """The y of the top of the tallest column's first neuron."""
        return -(max(self.sizes) - 1) / 2 * self.gap - self.radius

    @property
    def bottom(self) -> float:
        """The y below the tallest column's last bias label."""
        return (max(self.sizes) - 1) / 2 * self.gap + self.radius + 1.6 * self.bias_px

    @property
    def header_y(self) -> float:
        """The middle of the row of layer headers, above the tallest column."""
        return self.top - 1.3 * self.header_px

    def column_rect(self, layer: int) -> tuple[float, float, float, float]:
        """x, y, width, height of the band behind layer `layer`, its header included; all
        columns are as tall as the tallest."""
        half = max(self.radius + 22.0, 0.3 * COLUMN)
        top = self.header_y - 0.9 * self.header_px
        return self.x(layer) - half, top, 2 * half, self.bottom + 4.0 - top

    @property
    def value_line(self) -> float:
        """The height of a line of the values the lesson writes beside a neuron."""
        return 17.0 / 15.0 * self.value_px

    def value_row(self, layer: int, j: int, row: int) -> tuple[float, float]:
        """The top left of line `row` of the lesson's values beside neuron j of `layer`."""
        x, y = self.center(layer, j)
        return x + self.radius + 3.0, y - self.radius + row * self.value_line

    def value_room(self, layer: int, j: int) -> tuple[float, float, float, float]:
        """x, y, width, height of the room beside neuron j of `layer` that the lesson's
        values take: edge labels keep out of it, so no value ever covers a weight."""
        x, y = self.value_row(layer, j, 0)
        return x, y, VALUE_WIDTH * self.value_px, VALUE_ROWS * self.value_line

    def edge_label_fraction(self, layer: int, j: int) -> float:
        """Where along the edge into neuron j of `layer` its value label would best sit:
        edges into different neurons get different places, so labels of a fan don't pile
        up (the scene moves a label along its edge if it would still cover another)."""
        rows = self.sizes[layer]
        return 0.5 if rows == 1 else 0.3 + 0.4 * j / (rows - 1)

    def readable(self, text_px: float, zoom: float) -> bool:
        return text_px * zoom >= MIN_READABLE_PX


def layout_for(sizes: tuple[int, ...], text_scale: float = 1.0) -> Layout:
    """The layout of a network with `sizes` (input layer first); `text_scale` enlarges the
    text (presentation mode), and the spacing grows with it."""
    tallest = max(sizes)
    if tallest <= SMALL_LAYER:
        radius, bias_px = LARGE_RADIUS, 15.0 * text_scale
        gap = max(3.2 * radius, 2 * radius + 1.3 * bias_px + 10.0)
    else:
        radius = max(MIN_RADIUS, LARGE_RADIUS * SMALL_LAYER / tallest)
        bias_px = (14.0 if radius >= 20 else 11.0) * text_scale
        gap = 2 * radius + 1.3 * bias_px + 10.0
    edges = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    return Layout(
        sizes=tuple(sizes),
        radius=radius,
        gap=gap,
        symbol_px=max(9.0, 0.75 * radius) * text_scale,
        bias_px=bias_px,
        value_px=15.0 * text_scale,
        header_px=max(15.0 * text_scale, tallest * gap / 90.0),  # readable when fitted
        edge_labels=edges <= EDGE_LABEL_LIMIT,
        max_edge_width=7.0 if tallest <= 8 else 3.5,
    )
