"""The formula trees: LaTeX, HTML and text rendering of hand-built expressions, number
formatting, and numeric evaluation. Headless: no Qt."""

import math

import numpy as np
import pytest

from bpstudio.maths.formula import (
    Call,
    Const,
    Ellipsis_,
    Frac,
    Neg,
    Num,
    Paren,
    Partial,
    Pow,
    Sum,
    Sym,
    add,
    eq,
    format_number,
    mul,
)

Z2 = Sym("z", "(2)", "1")
W2 = Sym("w", "(2)", "1")
Y, Y_HAT = Sym("y"), Sym(r"\hat{y}")


def renders(expr, latex, html, text, decimals=None):
    assert expr.latex(decimals) == latex
    assert expr.html(decimals) == html
    assert expr.text(decimals) == text


def test_symbols_with_superscript_and_subscript():
    renders(Z2, "z^{(2)}_{1}", "z<sup>(2)</sup><sub>1</sub>", "z⁽²⁾₁")
    renders(Sym(r"\delta", "(3)", "2"), r"\delta^{(3)}_{2}", "δ<sup>(3)</sup><sub>2</sub>", "δ⁽³⁾₂")
    renders(Sym(r"\hat{y}"), r"\hat{y}", "ŷ", "ŷ")
    renders(Sym("x", None, "2"), "x_{2}", "x<sub>2</sub>", "x₂")


def test_a_word_in_a_subscript_is_upright_in_latex():
    renders(
        Sym("w", "(1)", "1,new"),
        r"w^{(1)}_{1,\mathrm{new}}",
        "w<sup>(1)</sup><sub>1,new</sub>",
        "w⁽¹⁾₁,new",
    )


def test_two_index_letters_in_a_subscript_stay_italic_in_latex():
    renders(Sym("w", "(l)", "jk"), "w^{(l)}_{jk}", "w<sup>(l)</sup><sub>jk</sub>", "w^(l)jk")


def test_a_superscript_without_unicode_digits_falls_back_to_a_caret_in_text():
    renders(Sym("L", "[2]"), "L^{[2]}", "L<sup>[2]</sup>", "L^[2]")


def test_negative_numbers_are_parenthesised_inside_products():
    renders(mul(Num(0.3), Num(-0.5)), r"0.3 \cdot (-0.5)", "0.3 · (−0.5)", "0.3 · (−0.5)")
    renders(mul(Num(-0.3), Num(0.5)), r"(-0.3) \cdot 0.5", "(−0.3) · 0.5", "(−0.3) · 0.5")
    renders(
        mul(W2, Sym("x"), juxtapose=True),
        "w^{(2)}_{1} x",
        "w<sup>(2)</sup><sub>1</sub> x",
        "w⁽²⁾₁ x",
    )


def test_a_sum_inside_a_product_is_parenthesised():
    renders(
        mul(Num(2.0), add(Y, Neg(Y_HAT))), r"2 \cdot (y - \hat{y})", "2 · (y − ŷ)", "2 · (y − ŷ)"
    )


def test_neg_inside_add_is_written_as_a_minus():
    renders(add(Num(1.5), Neg(Num(0.625))), "1.5 - 0.625", "1.5 − 0.625", "1.5 − 0.625")
    # subtracting a negative number keeps the number's own sign in parentheses
    renders(add(Num(1.0), Neg(Num(-0.2))), "1 - (-0.2)", "1 − (−0.2)", "1 − (−0.2)")
    # a negative number added without Neg is written "+ (-x)"
    renders(
        add(mul(Num(0.3), Num(0.5)), Num(-0.1)),
        r"0.3 \cdot 0.5 + (-0.1)",
        "0.3 · 0.5 + (−0.1)",
        "0.3 · 0.5 + (−0.1)",
    )
    # a leading negative number needs no parentheses
    renders(add(Num(-0.3), Num(0.1)), "-0.3 + 0.1", "−0.3 + 0.1", "−0.3 + 0.1")


def test_neg_on_its_own_is_a_leading_minus():
    renders(Neg(Sym("y")), "-y", "−y", "−y")
    renders(Neg(mul(Sym(r"\eta"), Sym("g"), juxtapose=True)), r"-\eta g", "−η g", "−η g")


def test_numbers_are_rounded_to_the_chosen_decimals_but_const_never():
    renders(Num(-0.8746228081), "-0.8746", "−0.8746", "−0.8746", decimals=4)
    renders(Num(1 / 3), "0.33", "0.33", "0.33", decimals=2)
    renders(
        Const(1 / 3), "0.3333333333333333", "0.3333333333333333", "0.3333333333333333", decimals=2
    )
    renders(Const(2.0), "2", "2", "2", decimals=4)
    renders(Frac(Const(1), Const(2)), r"\frac{1}{2}", "1/2", "1/2", decimals=4)


def test_powers_partials_calls_sums_and_equation_chains_render_in_all_three_styles():
    renders(
        Pow(Paren(add(Y, Neg(Y_HAT))), Const(2)),
        r"(y - \hat{y})^{2}",
        "(y − ŷ)<sup>2</sup>",
        "(y − ŷ)²",
    )
    renders(
        Partial(Sym("L"), W2),
        r"\frac{\partial L}{\partial w^{(2)}_{1}}",
        "∂L/∂w<sup>(2)</sup><sub>1</sub>",
        "∂L/∂w⁽²⁾₁",
    )
    renders(
        Call(r"\sigma", Z2), r"\sigma(z^{(2)}_{1})", "σ(z<sup>(2)</sup><sub>1</sub>)", "σ(z⁽²⁾₁)"
    )
    renders(
        Sum("k", Sym("y", None, "k")), r"\sum_{k} y_{k}", "Σ<sub>k</sub> y<sub>k</sub>", "Σk yk"
    )
    renders(
        eq(Z2, mul(W2, Sym("x"), juxtapose=True)),
        "z^{(2)}_{1} = w^{(2)}_{1} x",
        "z<sup>(2)</sup><sub>1</sub> = w<sup>(2)</sup><sub>1</sub> x",
        "z⁽²⁾₁ = w⁽²⁾₁ x",
    )
    assert add(Num(1.0), Ellipsis_(5.0)).latex() == r"1 + \dots"
    assert add(Num(1.0), Ellipsis_(5.0)).text() == "1 + …"


def test_format_number_shortest_round_trip_without_decimals():
    assert format_number(1.0) == "1"
    assert format_number(-2.0) == "-2"
    assert format_number(0.25) == "0.25"
    assert format_number(0.1 + 0.2) == "0.30000000000000004"
    assert format_number(1e-7) == "1e-07"
    for value in np.random.default_rng(0).normal(0, 10, size=200):
        assert float(format_number(value)) == value


def test_format_number_writes_a_typographic_minus_on_request():
    assert format_number(-0.8746228081, 4, typographic=True) == "−0.8746"
    assert format_number(-2.0, typographic=True) == "−2"
    assert format_number(1e-7, typographic=True) == "1e−07"
    assert format_number(0.25, 2, typographic=True) == "0.25"


def test_format_number_fixed_decimals():
    assert format_number(2.5, 2) == "2.50"
    assert format_number(0.0, 2) == "0.00"
    assert format_number(-0.8746228081, 4) == "-0.8746"
    assert format_number(0.123456, 4) == "0.1235"
    assert format_number(12.0, 4) == "12.0000"


@pytest.mark.parametrize(("value", "decimals"), [(1e-7, 4), (-4e-3, 2), (3.2e-12, 4)])
def test_format_number_falls_back_to_scientific_for_values_too_small_to_show(value, decimals):
    """A nonzero value is never shown as 0.00: it switches to significant digits."""
    text = format_number(value, decimals)
    assert "e" in text
    assert float(text) == pytest.approx(value, rel=0.05)


def test_evaluate_follows_the_tree():
    z = eq(Z2, add(mul(Num(0.3), Num(0.5)), Num(0.1)))
    assert z.evaluate() == 0.3 * 0.5 + 0.1
    assert add(Num(1.5), Neg(Num(0.625))).evaluate() == 0.875
    assert Frac(Num(1.0), Const(4)).evaluate() == 0.25
    assert Pow(Paren(add(Num(1.5), Neg(Num(0.5)))), Const(2)).evaluate() == 1.0
    sigma = Call(r"\sigma", Num(0.25), lambda v: 1 / (1 + math.exp(-v)))
    assert sigma.evaluate() == pytest.approx(0.5621765009, abs=1e-10)  # seed table, a(2)
    # an ellipsis stands for the terms it hides
    assert add(Num(1.0), Ellipsis_(2.5), Num(0.5)).evaluate() == 4.0
    assert mul(Num(-2.0), Num(3.0), Num(0.5)).evaluate() == -3.0


@pytest.mark.parametrize(
    "expr", [Sym("z"), Call(r"\sigma", Num(0.25)), Sum("k", Num(1.0)), Partial(Sym("L"), W2)]
)
def test_symbolic_expressions_have_no_numeric_value(expr):
    with pytest.raises(TypeError):
        expr.evaluate()
