"""The completion rule: when a score passes, and when a course is completed.

One rule for every place that shows or records completion: a learner's "My learning"
page (``my_learning.progress``, from the feedback nbgrader releases to them) and the HR
records (``grading.records``, from the gradebook).

* A score passes when ``points / max_points * 100`` reaches the course's pass mark
  (``pass_percent`` in ``course.toml``); a score out of 0 neither passes nor fails.
* A course is completed when every module of the course is graded and the course's total
  score passes. Its completion date is the Vietnam-time calendar date of the latest
  submission among its modules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from common.clock import to_vietnam

_EPSILON = 1e-9


@dataclass(frozen=True)
class Score:
    points: float
    max_points: float

    @property
    def percent(self) -> float | None:
        if self.max_points <= 0:
            return None
        return 100.0 * self.points / self.max_points

    def __add__(self, other: Score) -> Score:
        return Score(self.points + other.points, self.max_points + other.max_points)

    def __str__(self) -> str:
        return f"{format_points(self.points)} / {format_points(self.max_points)}"


def meets_pass_mark(score: Score, pass_percent: float) -> bool | None:
    """True when ``score`` reaches ``pass_percent``; None when it is out of 0 points."""
    if score.max_points <= 0:
        return None
    return score.points * 100 >= pass_percent * score.max_points - _EPSILON


def course_completed(score: Score, all_modules_graded: bool, pass_percent: float) -> bool:
    """Every module graded and the course's total passes."""
    return all_modules_graded and bool(meets_pass_mark(score, pass_percent))


def completion_date(submitted_at: Iterable[datetime | None]) -> date | None:
    """The Vietnam-time date of the latest submission (naive times are UTC, as nbgrader's)."""
    stamps = [to_vietnam(s) for s in submitted_at if s is not None]
    return max(stamps).date() if stamps else None


def format_points(value: float) -> str:
    """7 -> '7', 7.5 -> '7.5', 7.333 -> '7.33'."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:g}"
