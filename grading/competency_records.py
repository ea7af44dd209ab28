"""Competency records: per learner and competency, the evidence, the score, the level
reached and the date, computed from the gradebooks (docs/competencies.md).

The rule (modules declare ``competencies = { "sign.use" = 3 }`` in course.toml):

* evidence = the learner's graded modules tagged with the competency, in every course;
  practical tasks are in it, as nbgrader stores them: the e-office's evidence is written
  as the task cell's manual score (``grading.practical_tasks``), so it is in the module's
  score;
* score = sum of points / sum of max points over the evidence;
* within one course, the learner reaches a declared level L when every module of that
  course tagged with the competency at level L or above is graded and their total score
  reaches the course's pass mark (``grading.completion.meets_pass_mark``);
* level reached = the highest level reached in any course (0: none yet);
* date = the Vietnam date of the latest submission among the evidence.

Completion overrides change a course's completion, not the competencies: an override
says nothing about what a learner can do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from grading.competencies import load_framework
from grading.completion import Score, completion_date, meets_pass_mark
from grading.gradebook_totals import ModuleResult

if TYPE_CHECKING:
    from course_kit.catalog import Course


@dataclass(frozen=True)
class CompetencyEvidence:
    """One graded module that evidences a competency."""

    course_id: str
    module_id: str
    level: int  # the level the module trains the competency to
    points: float
    max_points: float
    submitted_at: datetime | None


@dataclass(frozen=True)
class CompetencyRecord:
    code: str
    level: int  # highest level reached; 0 when none yet
    score: Score
    evidence: tuple[CompetencyEvidence, ...]
    date: date | None


def load_checked_catalog(directory: Path) -> dict[str, Course]:
    """``course_kit.catalog.load_catalog`` with module tags checked against the framework."""
    from course_kit.catalog import load_catalog

    return load_catalog(directory, competencies=load_framework().platform)


def _is_graded(module_id: str, result: ModuleResult | None,
               max_scores: Mapping[str, float]) -> bool:
    return result is not None and result.graded and module_id in max_scores


@dataclass(frozen=True)
class CompetencyPlan:
    """The level rule of one course, worked out once for all its learners: per code, each
    declared level (highest first) with the modules tagged at that level or above and
    their max points."""

    pass_percent: float
    max_scores: Mapping[str, float]
    levels: tuple[tuple[str, tuple[tuple[int, tuple[str, ...], float], ...]], ...]

    @classmethod
    def of(cls, course: Course, max_scores: Mapping[str, float]) -> CompetencyPlan:
        tagged: dict[str, list[tuple[str, int]]] = {}
        for module in course.modules:
            for code, level in module.competencies:
                tagged.setdefault(code, []).append((module.id, level))
        levels = []
        for code, modules in tagged.items():
            options = []
            for level in sorted({lvl for _, lvl in modules}, reverse=True):
                needed = tuple(m for m, lvl in modules if lvl >= level)
                options.append((level, needed, sum(max_scores.get(m, 0.0) for m in needed)))
            levels.append((code, tuple(options)))
        return cls(course.pass_percent, max_scores, tuple(levels))

    def reached(self, results: Mapping[str, ModuleResult]) -> tuple[tuple[str, int], ...]:
        """(code, highest level reached) for the codes with a level reached, in course order."""
        out = []
        for code, options in self.levels:
            for level, needed, max_points in options:
                points = 0.0
                for m in needed:
                    r = results.get(m)
                    if r is None or not r.graded or m not in self.max_scores:
                        break
                    points += r.score
                else:
                    if meets_pass_mark(Score(points, max_points), self.pass_percent):
                        out.append((code, level))
                        break
        return tuple(out)


def course_levels(
    course: Course, results: Mapping[str, ModuleResult], max_scores: Mapping[str, float]
) -> dict[str, int]:
    """Competency code -> highest level the learner reached through this course (only
    codes with a level reached), in the order the course declares them."""
    return dict(CompetencyPlan.of(course, max_scores).reached(results))


def learner_competencies(
    courses: Iterable[tuple[Course, Mapping[str, ModuleResult], Mapping[str, float]]],
) -> dict[str, CompetencyRecord]:
    """One learner's records, from (course, the learner's results, the course's max
    scores) for every course they are enrolled in; codes in order of first appearance."""
    evidence: dict[str, list[CompetencyEvidence]] = {}
    levels: dict[str, int] = {}
    for course, results, max_scores in courses:
        for module in course.modules:
            result = results.get(module.id)
            for code, level in module.competencies:
                evidence.setdefault(code, [])
                if result is not None and _is_graded(module.id, result, max_scores):
                    evidence[code].append(CompetencyEvidence(
                        course.id, module.id, level, result.score, max_scores[module.id],
                        result.submitted_at))
        for code, level in course_levels(course, results, max_scores).items():
            levels[code] = max(level, levels.get(code, 0))
    return {
        code: CompetencyRecord(
            code=code,
            level=levels.get(code, 0),
            score=Score(sum(e.points for e in items), sum(e.max_points for e in items)),
            evidence=tuple(items),
            date=completion_date(e.submitted_at for e in items),
        )
        for code, items in evidence.items()
    }


def format_levels(levels: Mapping[str, int]) -> str:
    """{"sign.use": 3, "sign.incidents": 2} -> "sign.use:3; sign.incidents:2"."""
    return "; ".join(f"{code}:{level}" for code, level in levels.items())
