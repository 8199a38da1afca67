"""Quiz mode's arithmetic: reads a student's typed number, judges it against a step's value
at the precision on screen, and keeps the session's score. Pure Python; must not import Qt.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

RELATIVE_TOLERANCE = 0.01  # 1 %: an answer carried through with rounded intermediates
# The display rounds exactly-half values either way (binary floats, round-half-even), so an
# answer exactly half a unit away must pass; this slack covers the float error of |a - v|.
_HALF_UNIT_SLACK = 1e-9

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-"})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


class Verdict(StrEnum):
    RIGHT = "right"
    WRONG = "wrong"
    NOT_A_NUMBER = "not a number"  # neither right nor wrong: the student is asked again


def parse_number(text: str) -> float | None:
    """The number in `text`, or None. Accepts surrounding spaces, a Unicode minus, a leading
    dot (".5"), exponents ("1e-3") and a decimal comma ("0,25")."""
    text = _SPACES.sub("", text.translate(_MINUS_SIGNS))
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def agrees(answer: float, value: float, decimals: int | None) -> bool:
    """True when `answer` matches `value` as shown with `decimals` (within half a unit of the
    last decimal), or within 1 % of it, or exactly (full precision has only the last two)."""
    error = abs(answer - value)
    if math.isclose(answer, value, rel_tol=1e-12, abs_tol=1e-15):
        return True
    if error <= RELATIVE_TOLERANCE * abs(value):
        return True
    if decimals is None:
        return False
    half_unit = 0.5 * 10.0**-decimals
    return error <= half_unit * (1 + _HALF_UNIT_SLACK) + 1e-15 * abs(value)


def check_answer(text: str, value: float, decimals: int | None) -> Verdict:
    """The verdict on the student's `text` for a step whose exact result is `value`, shown
    with `decimals` decimals (None: full precision)."""
    answer = parse_number(text)
    if answer is None:
        return Verdict.NOT_A_NUMBER
    return Verdict.RIGHT if agrees(answer, value, decimals) else Verdict.WRONG


@dataclass
class Score:
    """The session's tally: questions put, answers right and wrong (every attempt counts),
    and results revealed without a right answer."""

    asked: int = 0
    right: int = 0
    wrong: int = 0
    revealed: int = 0

    def ask(self) -> None:
        self.asked += 1

    def record(self, verdict: Verdict) -> Verdict:
        """Counts a checked answer; text that is not a number counts for nothing."""
        if verdict is Verdict.RIGHT:
            self.right += 1
        elif verdict is Verdict.WRONG:
            self.wrong += 1
        return verdict

    def reveal(self) -> None:
        self.revealed += 1

    def reset(self) -> None:
        self.asked = self.right = self.wrong = self.revealed = 0

    def text(self) -> str:
        """For example "Score: 3 right, 1 wrong" (and ", 2 revealed" once any were)."""
        text = f"Score: {self.right} right, {self.wrong} wrong"
        return text + (f", {self.revealed} revealed" if self.revealed else "")
