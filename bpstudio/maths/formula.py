"""Structured formulas: a tiny expression tree that renders to LaTeX, HTML and plain text,
and evaluates numerically when it holds only numbers. Pure Python; no Qt.

Step records carry these trees, so the GUI, the Markdown answer key and the JSON output
all show the same formula, and a test can check that the substituted numbers really
give the step's value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SUPERSCRIPT = str.maketrans("0123456789()+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻")
_SUBSCRIPT = str.maketrans("0123456789()+-,", "₀₁₂₃₄₅₆₇₈₉₍₎₊₋,")
_SUPERSCRIPTABLE = set("0123456789()+-")
_WORD = re.compile(r"[A-Za-z]{3,}")  # upright in LaTeX: "new"; not indices such as "jk"
_GREEK = {
    r"\sigma": "σ",
    r"\delta": "δ",
    r"\eta": "η",
    r"\mu": "μ",
    r"\tanh": "tanh",
    r"\partial": "∂",
    r"\hat{y}": "ŷ",
    r"\operatorname{relu}": "relu",
    r"\operatorname{lrelu}": "lrelu",
    r"\operatorname{id}": "id",
    r"\operatorname{softmax}": "softmax",
    r"\log": "log",
    r"\exp": "exp",
}


def format_number(value: float, decimals: int | None = None, typographic: bool = False) -> str:
    """bpstudio's one number formatter. `decimals=None` gives the shortest text that
    round-trips, without a trailing ".0"; otherwise fixed decimals, falling back to
    significant digits for values too small to show at that precision. `typographic`
    writes the minus signs as "−" (U+2212), for text a reader sees rather than types."""
    value = float(value) + 0.0  # -0.0 shows as 0
    if decimals is None:
        text = repr(value)
        text = text[:-2] if text.endswith(".0") else text
    else:
        text = f"{value:.{decimals}f}"
        if value != 0 and float(text) == 0:
            text = f"{value:.{max(decimals - 1, 1)}e}"
    return text.replace("-", "−") if typographic else text


class Expr:
    """Base of the tree. `render(style)` returns text in `style`; `evaluate()` a float."""

    precedence = 9  # atoms bind tightest

    def render(self, style: Style) -> str:
        raise NotImplementedError

    def evaluate(self) -> float:
        raise TypeError(f"{type(self).__name__} has no numeric value")

    def latex(self, decimals: int | None = None) -> str:
        return self.render(Style("latex", decimals))

    def html(self, decimals: int | None = None) -> str:
        return self.render(Style("html", decimals))

    def text(self, decimals: int | None = None) -> str:
        return self.render(Style("text", decimals))


@dataclass(frozen=True)
class Style:
    kind: str  # "latex", "html" or "text"
    decimals: int | None = None

    def name(self, latex_name: str) -> str:
        if self.kind == "latex":
            return latex_name
        stem = latex_name.rstrip("'")
        return _GREEK.get(stem, stem) + latex_name[len(stem) :]

    def scripts(self, base: str, sup: str | None, sub: str | None) -> str:
        if self.kind == "latex":
            sub = _WORD.sub(r"\\mathrm{\g<0>}", sub) if sub else sub
            return base + (f"^{{{sup}}}" if sup else "") + (f"_{{{sub}}}" if sub else "")
        if self.kind == "html":
            sup_h = f"<sup>{sup}</sup>" if sup else ""
            return base + sup_h + (f"<sub>{sub}</sub>" if sub else "")
        sup_t = (
            ""
            if not sup
            else (sup.translate(_SUPERSCRIPT) if set(sup) <= _SUPERSCRIPTABLE else f"^{sup}")
        )
        return base + sup_t + (sub.translate(_SUBSCRIPT) if sub else "")

    @property
    def times(self) -> str:
        return r" \cdot " if self.kind == "latex" else " · "

    @property
    def minus(self) -> str:
        return " - " if self.kind == "latex" else " − "


@dataclass(frozen=True)
class Sym(Expr):
    """A symbol such as z^(2)_1; `base` is LaTeX (`z`, `\\delta`, `\\hat{y}`)."""

    base: str
    sup: str | None = None
    sub: str | None = None

    def render(self, style: Style) -> str:
        return style.scripts(style.name(self.base), self.sup, self.sub)


@dataclass(frozen=True)
class Num(Expr):
    value: float

    def render(self, style: Style) -> str:
        return format_number(self.value, style.decimals, typographic=style.kind != "latex")

    def evaluate(self) -> float:
        return float(self.value)

    @property
    def negative(self) -> bool:
        return self.value < 0


@dataclass(frozen=True)
class Const(Num):
    """An exact constant of a formula (the 1/2 of SSE, the 1 of ∂z/∂b): never rounded."""

    def render(self, style: Style) -> str:
        return format_number(self.value)


def _operand(expr: Expr, style: Style, min_precedence: int) -> str:
    text = expr.render(style)
    if expr.precedence < min_precedence or (isinstance(expr, Num) and expr.negative):
        return _wrap(text)
    return text


def _wrap(text: str) -> str:
    return f"({text})"


@dataclass(frozen=True)
class Paren(Expr):
    inner: Expr

    def render(self, style: Style) -> str:
        return _wrap(self.inner.render(style))

    def evaluate(self) -> float:
        return self.inner.evaluate()


@dataclass(frozen=True)
class Add(Expr):
    """terms[0] + terms[1] + ...; a `Neg` term is written with a minus sign."""

    terms: tuple[Expr, ...]
    precedence = 1

    def render(self, style: Style) -> str:
        out = (
            _operand(self.terms[0], style, 1)
            if not isinstance(self.terms[0], Num)
            else self.terms[0].render(style)
        )
        for term in self.terms[1:]:
            if isinstance(term, Neg):
                out += style.minus + _operand(term.inner, style, 2)
            else:
                out += " + " + _operand(term, style, 2)
        return out

    def evaluate(self) -> float:
        return sum(t.evaluate() for t in self.terms)


@dataclass(frozen=True)
class Neg(Expr):
    """Subtraction inside an `Add`; on its own, a leading minus."""

    inner: Expr
    precedence = 2

    def render(self, style: Style) -> str:
        return (
            "-" + _operand(self.inner, style, 3)
            if style.kind == "latex"
            else "−" + _operand(self.inner, style, 3)
        )

    def evaluate(self) -> float:
        return -self.inner.evaluate()


@dataclass(frozen=True)
class Mul(Expr):
    factors: tuple[Expr, ...]
    juxtapose: bool = False  # write "w x" instead of "w · x" (symbols only)
    precedence = 3

    def render(self, style: Style) -> str:
        sep = " " if self.juxtapose else style.times
        return sep.join(_operand(f, style, 3) for f in self.factors)

    def evaluate(self) -> float:
        return math.prod(f.evaluate() for f in self.factors)


@dataclass(frozen=True)
class Frac(Expr):
    num: Expr
    den: Expr

    def render(self, style: Style) -> str:
        if style.kind == "latex":
            return rf"\frac{{{self.num.render(style)}}}{{{self.den.render(style)}}}"
        return f"{_operand(self.num, style, 4)}/{_operand(self.den, style, 4)}"

    def evaluate(self) -> float:
        return self.num.evaluate() / self.den.evaluate()

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return 9 if self.num.precedence >= 4 and self.den.precedence >= 4 else 3


@dataclass(frozen=True)
class Partial(Expr):
    """∂of/∂wrt."""

    of: Expr
    wrt: Expr

    def render(self, style: Style) -> str:
        d = style.name(r"\partial")
        if style.kind == "latex":
            return rf"\frac{{{d} {self.of.render(style)}}}{{{d} {self.wrt.render(style)}}}"
        return f"{d}{self.of.render(style)}/{d}{self.wrt.render(style)}"


@dataclass(frozen=True)
class Pow(Expr):
    base: Expr
    exponent: Expr
    precedence = 5

    def render(self, style: Style) -> str:
        base = _operand(self.base, style, 6)
        exp = self.exponent.render(style)
        if style.kind == "latex":
            return f"{base}^{{{exp}}}"
        if style.kind == "html":
            return f"{base}<sup>{exp}</sup>"
        return base + (exp.translate(_SUPERSCRIPT) if exp.isdigit() else f"^{exp}")

    def evaluate(self) -> float:
        return self.base.evaluate() ** self.exponent.evaluate()


@dataclass(frozen=True)
class Call(Expr):
    """A named function applied to an argument: σ(z), f'(z), log(ŷ), e^z as `\\exp`."""

    name: str  # LaTeX: r"\sigma", r"\log", "f'"
    arg: Expr
    function: object = None  # callable float -> float, for `evaluate`

    def render(self, style: Style) -> str:
        return style.name(self.name) + _wrap(self.arg.render(style))

    def evaluate(self) -> float:
        if self.function is None:
            raise TypeError(f"{self.name} has no numeric value")
        return float(self.function(self.arg.evaluate()))  # type: ignore[operator]


@dataclass(frozen=True)
class Sum(Expr):
    """Σ_index body, written symbolically (no numeric value)."""

    index: str
    body: Expr
    precedence = 2

    def render(self, style: Style) -> str:
        if style.kind == "latex":
            return rf"\sum_{{{self.index}}} {self.body.render(style)}"
        sub = self.index if style.kind == "html" else self.index.translate(_SUBSCRIPT)
        return (
            "Σ"
            + (f"<sub>{sub}</sub>" if style.kind == "html" else sub)
            + " "
            + _operand(self.body, style, 3)
        )


@dataclass(frozen=True)
class Ellipsis_(Expr):
    """Stands for terms left out of a long substituted sum; `hidden` keeps their total so
    the expression still evaluates to the step's value."""

    hidden: float = 0.0

    def render(self, style: Style) -> str:
        return r"\dots" if style.kind == "latex" else "…"

    def evaluate(self) -> float:
        return self.hidden


@dataclass(frozen=True)
class Eq(Expr):
    """lhs = rhs_1 = rhs_2 ...; a chain of equal expressions."""

    sides: tuple[Expr, ...]
    precedence = 0

    def render(self, style: Style) -> str:
        return " = ".join(s.render(style) for s in self.sides)

    @property
    def rhs(self) -> Expr:
        return self.sides[-1]

    def evaluate(self) -> float:
        return self.sides[-1].evaluate()


def add(*terms: Expr) -> Expr:
    """The sum of `terms`; a single term stands for itself."""
    return terms[0] if len(terms) == 1 else Add(tuple(terms))


def mul(*factors: Expr, juxtapose: bool = False) -> Expr:
    """The product of `factors`; a single factor stands for itself."""
    return factors[0] if len(factors) == 1 else Mul(tuple(factors), juxtapose)


def eq(*sides: Expr) -> Eq:
    return Eq(tuple(sides))
