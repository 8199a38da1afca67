"""The article's notation for a network of any shape, as formula symbols. Pure Python; no Qt.

Document layer l (1-based, the first non-input layer is 1) holds z^(l+1), a^(l+1) and
delta^(l+1); its weights and biases are w^(l) and b^(l); the input is a^(1) = x. Neurons
are numbered from 1 in formulas. A weight w^(l)_jk goes from neuron k of the layer before
into neuron j; where one of the two layers has a single neuron its index is left out, as
the article writes w^(2)_1, w^(2)_2 for the two weights into a single output neuron.
"""

from __future__ import annotations

from bpstudio.maths.formula import Sym

HAT_Y = r"\hat{y}"


class Notation:
    def __init__(self, sizes: tuple[int, ...]) -> None:
        self.sizes = sizes
        self.depth = len(sizes) - 1

    def z(self, layer: int, j: int) -> Sym:
        return Sym("z", f"({layer + 1})", str(j + 1))

    def a(self, layer: int, j: int) -> Sym:
        """Activation of neuron j of document layer `layer`; layer 0 is the input x and the
        last layer is the output ŷ."""
        if layer == 0:
            return Sym("x", None, None if self.sizes[0] == 1 else str(j + 1))
        if layer == self.depth:
            return self.y_hat(j)
        return Sym("a", f"({layer + 1})", str(j + 1))

    def y_hat(self, j: int) -> Sym:
        return Sym(HAT_Y, None, None if self.sizes[-1] == 1 else str(j + 1))

    def y(self, j: int) -> Sym:
        return Sym("y", None, None if self.sizes[-1] == 1 else str(j + 1))

    def w(self, layer: int, j: int, k: int, mark: str | None = None) -> Sym:
        rows, cols = self.sizes[layer], self.sizes[layer - 1]
        if cols == 1:
            sub = str(j + 1)
        elif rows == 1:
            sub = str(k + 1)
        else:
            sep = "," if max(rows, cols) > 9 else ""
            sub = f"{j + 1}{sep}{k + 1}"
        return Sym("w", f"({layer})", sub if mark is None else f"{sub},{mark}")

    def b(self, layer: int, j: int, mark: str | None = None) -> Sym:
        return Sym("b", f"({layer})", str(j + 1) if mark is None else f"{j + 1},{mark}")

    def delta(self, layer: int, j: int) -> Sym:
        return Sym(r"\delta", f"({layer + 1})", str(j + 1))

    @staticmethod
    def velocity(param: Sym) -> Sym:
        """The momentum velocity of a parameter: v with the parameter's indices."""
        return Sym("v", param.sup, param.sub)

    @staticmethod
    def loss(sample: int | None = None) -> Sym:
        """L, or sample p's share of it, L^[p] (p from 1)."""
        return Sym("L", None if sample is None else f"[{sample + 1}]")
