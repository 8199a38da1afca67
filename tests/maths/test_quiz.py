"""Quiz answers are read leniently and judged at the precision on screen or to 1 %, with the
article's own slips rejected; the score counts every checked answer. Headless: no Qt."""

import pytest

from bpstudio.maths.quiz import Score, Verdict, check_answer, parse_number

A2 = 0.5621765009  # a(2) of Example 2 (seed table)
GRAD_W2 = -0.1151939683  # ∂L/∂w(2) of Example 2
B2_AFTER = 0.4204907121  # b(2) after the step, Example 2


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0.25", 0.25),
        ("-0.1152", -0.1152),
        (".5", 0.5),
        ("\u22120.5", -0.5),  # Unicode minus, as the panel itself writes it
        ("1e-3", 0.001),
        ("  0.25 ", 0.25),
        ("0,25", 0.25),
        ("+2", 2.0),
        ("5.", 5.0),
        ("- 0.5", -0.5),
    ],
)
def test_parse_number_accepts_the_ways_students_type_numbers(text, number):
    assert parse_number(text) == pytest.approx(number, abs=1e-15)


@pytest.mark.parametrize("text", ["", "  ", "abc", "nan", "inf", "1.2.3", "1,000.5", "0.5x"])
def test_parse_number_rejects_what_is_not_a_plain_number(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "value", "decimals", "verdict"),
    [
        ("0.5622", A2, 4, Verdict.RIGHT),
        ("0.56", A2, 2, Verdict.RIGHT),
        # |0.57 - 0.5622| = 0.0078: more than half a unit (0.005) and more than 1 % (0.0056)
        ("0.57", A2, 2, Verdict.WRONG),
        ("-0.103", GRAD_W2, 2, Verdict.WRONG),  # the article multiplied by x, not a(2)
        ("-0.103", GRAD_W2, 3, Verdict.WRONG),
        ("-0.115", GRAD_W2, 3, Verdict.RIGHT),
        ("\u22120.115", GRAD_W2, 2, Verdict.RIGHT),
        ("0.3795", B2_AFTER, 4, Verdict.WRONG),  # the article's sign error
        ("0.3795", B2_AFTER, 2, Verdict.WRONG),
        ("0.4205", B2_AFTER, 4, Verdict.RIGHT),
        ("100.4", 100.0, 0, Verdict.RIGHT),  # within half a unit
        ("101", 100.0, 0, Verdict.RIGHT),  # within 1 %
        ("102", 100.0, 0, Verdict.WRONG),
        ("0.25", 0.25, None, Verdict.RIGHT),  # full precision: exact ...
        ("0.5600", A2, None, Verdict.RIGHT),  # ... or within 1 %
        ("0.55", A2, None, Verdict.WRONG),
        ("0", 0.0, None, Verdict.RIGHT),
        ("0.001", 0.0, None, Verdict.WRONG),  # no 1 % of zero to hide behind
        ("0.001", 0.0, 2, Verdict.RIGHT),  # but "0.00" on screen
        ("zero", 0.0, 2, Verdict.NOT_A_NUMBER),
    ],
)
def test_check_answer(text, value, decimals, verdict):
    assert check_answer(text, value, decimals) is verdict


def test_an_exactly_half_value_is_accepted_rounded_either_way():
    """0.125 is shown as 0.12 (round half to even); a student who rounds half up writes
    0.13. Both lie exactly half a unit away and pass despite the float error of |a - v|."""
    assert check_answer("0.12", 0.125, 2) is Verdict.RIGHT
    assert check_answer("0.13", 0.125, 2) is Verdict.RIGHT
    assert check_answer("0.14", 0.125, 2) is Verdict.WRONG


def test_score_counts_right_wrong_and_revealed_but_not_non_numbers():
    score = Score()
    score.ask()
    for text in ("0.57", "oops", "0.56"):
        score.record(check_answer(text, A2, 2))
    score.ask()
    score.record(check_answer("-0.103", GRAD_W2, 2))
    score.reveal()
    assert (score.asked, score.right, score.wrong, score.revealed) == (2, 1, 2, 1)
    assert score.text() == "Score: 1 right, 2 wrong, 1 revealed"
    score.reset()
    assert score.text() == "Score: 0 right, 0 wrong"
