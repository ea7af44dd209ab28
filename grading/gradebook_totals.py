"""Every learner's module scores of one course in one aggregate query (the HR records' read).

``grading.gradebook.read_gradebook`` selects nbgrader's column properties
(``SubmittedAssignment.score``, ``needs_manual_grade``): correlated subqueries, one per
submission, over a ``grade`` table nbgrader does not index by notebook. Fine for a class,
quadratic for a province: 60,000 submissions of one course took over ten minutes on
SQLite. This module reads the four tables once each and joins them in Python, with
nbgrader's own definitions spelled out (a test checks the two reads agree on real
SQLite and PostgreSQL gradebooks):

* a grade's score is its manual score when set, else its auto score, else 0, plus its
  extra credit when set (``nbgrader.api.Grade.score``);
* a submission's score is the sum of its grades' scores minus the late-submission penalty
  of its notebooks, never below 0 (as ``read_gradebook``);
* a submission is graded when none of its grades still needs a manual grade.

Read-only like ``grading.gradebook`` (SQLite ``mode=ro``, PostgreSQL READ ONLY).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from nbgrader.api import Assignment, SubmittedAssignment
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from grading.gradebook import _fail, _readonly_engine


class ModuleResult(NamedTuple):
    """One learner's (latest) submission of one module."""

    score: float  # penalty deducted, never below 0
    graded: bool
    submitted_at: datetime | None  # naive UTC, as nbgrader stores it


@dataclass(frozen=True)
class CourseTotals:
    """What one course's gradebook says about a set of modules, for every learner."""

    #: module id -> maximum score; only modules that exist in the gradebook
    max_scores: dict[str, float]
    #: learner -> module id -> result
    results: dict[str, dict[str, ModuleResult]]


def read_course_totals(db_url: str, module_ids: Iterable[str]) -> CourseTotals:
    """Max scores and every learner's result for the given modules.

    Four plain scans (assignments, submissions, submitted notebooks, grades) joined here by
    id: nbgrader's SQLite gradebooks have no index on the join columns, and a SQL join makes
    SQLite build temporary indexes on every read (0.6 s for 60,000 submissions, against
    0.1 s for the scans)."""
    modules = sorted(set(module_ids))
    engine = _readonly_engine(db_url)
    if engine is None or not modules:
        if engine is not None:
            engine.dispose()
        return CourseTotals({}, {})
    try:
        if not inspect(engine).has_table(SubmittedAssignment.__tablename__):
            return CourseTotals({}, {})
        with Session(engine) as session:
            max_rows = session.execute(
                select(Assignment.id, Assignment.name, Assignment.max_score)
                .where(Assignment.name.in_(modules))
            ).all()
        names = {aid: name for aid, name, _ in max_rows}
        subs = _scan(engine, names)
    except SQLAlchemyError as exc:
        raise _fail(db_url, exc) from exc
    finally:
        engine.dispose()
    results: dict[str, dict[str, ModuleResult]] = {}
    for student, module, stamp, points, waiting in subs.values():
        if isinstance(stamp, str):  # SQLite hands DATETIME columns over as text
            stamp = datetime.fromisoformat(stamp)
        results.setdefault(student, {})[module] = ModuleResult(
            max(0.0, points), not waiting, stamp)
    max_scores = {name: float(max_score or 0.0) for _, name, max_score in max_rows}
    return CourseTotals(max_scores, results)


# nbgrader's table and column names; plain SQL the same on SQLite and PostgreSQL, run on
# the DB-API cursor (the ORM's row objects cost more than the database here). A grade's
# score is computed by the database with nbgrader's own CASE (``nbgrader.api.Grade.score``):
# two columns less to turn into Python objects for every grade row, the scan's biggest cost.
_SUBMISSIONS = "SELECT id, student_id, assignment_id, timestamp FROM submitted_assignment"
_NOTEBOOKS = "SELECT id, assignment_id, late_submission_penalty FROM submitted_notebook"
_GRADES = ("SELECT notebook_id, CASE"
           " WHEN manual_score IS NOT NULL THEN manual_score + COALESCE(extra_credit, 0.0)"
           " WHEN auto_score IS NOT NULL THEN auto_score + COALESCE(extra_credit, 0.0)"
           " ELSE 0.0 END, needs_manual_grade FROM grade")


def _scan(engine: Engine, names: dict[str, str]) -> dict[str, list]:
    """submission id -> [student, module, timestamp, points, waiting for a manual grade]."""
    subs: dict[str, list] = {}
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(_SUBMISSIONS)
        for sid, student, aid, stamp in cursor:
            name = names.get(aid)
            if name is not None:
                subs[sid] = [student, name, stamp, 0.0, False]
        notebooks: dict[str, list] = {}
        cursor.execute(_NOTEBOOKS)
        for nid, sid, penalty in cursor:
            sub = subs.get(sid)
            if sub is not None:
                notebooks[nid] = sub
                if penalty:
                    sub[3] -= float(penalty)
        cursor.execute(_GRADES)
        get = notebooks.get
        for nid, points, needs in cursor:
            sub = get(nid)
            if sub is not None:
                sub[3] += points  # a float from the database's CASE
                if needs:
                    sub[4] = True
        cursor.close()
        connection.rollback()
    except Exception as exc:  # the DB-API's own errors, as SQLAlchemy's
        from sqlalchemy.exc import DBAPIError

        if isinstance(exc, SQLAlchemyError):
            raise
        raise DBAPIError(_GRADES, None, exc) from exc
    finally:
        connection.close()
    return subs
