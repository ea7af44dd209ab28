"""Read-only access to an nbgrader gradebook (SQLite or PostgreSQL).

Why SQLAlchemy 2 ``select()`` on nbgrader's own mapped classes instead of
``nbgrader.api.Gradebook``:

* ``Gradebook(db_url)`` writes on open: it runs ``create_all`` (creating an empty
  gradebook file when the SQLite path does not exist yet), inserts an ``alembic_version``
  row (shelling out to the ``alembic`` executable, which must then be on ``PATH``) and adds
  a ``course`` row when the course id is new. Validating a trainer's command line and
  exporting HR records must change nothing, and HR may only have read access.
* The HR export needs every learner's score for every module of a course. The Gradebook
  API answers that one submission at a time (N x M queries, each loading ORM objects);
  one ``select()`` per course returns the same numbers.

Reusing nbgrader's mapped classes (``nbgrader.api.Assignment``, ``SubmittedAssignment``)
keeps nbgrader's own definitions of "score", "max score" and "needs manual grade" (the
column properties the formgrader shows), so the numbers here match what trainers see.

SQLite gradebooks are opened with ``mode=ro`` (the file is never created nor written),
PostgreSQL ones in READ ONLY transactions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.request import pathname2url

from nbgrader.api import Assignment, SubmittedAssignment
from sqlalchemy import URL, Engine, create_engine, inspect, make_url, select
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session


class GradebookError(RuntimeError):
    """A gradebook could not be read; the message names the database (password hidden)."""


@dataclass(frozen=True)
class ModuleGrade:
    """One learner's graded submission of one module (an nbgrader assignment)."""

    student_id: str
    module_id: str
    #: nbgrader's score (manual score wins over auto score, plus extra credit) minus any
    #: late-submission penalty, never below 0.
    score: float
    #: True when no cell of the submission still waits for a (manual or auto) grade.
    graded: bool
    #: When the learner submitted, naive UTC as nbgrader stores it; None if unknown.
    submitted_at: datetime | None


@dataclass(frozen=True)
class GradebookSnapshot:
    """What one course gradebook says about a set of modules."""

    #: module id -> maximum score; only modules that exist in the gradebook.
    max_scores: Mapping[str, float] = field(default_factory=dict)
    #: (student id, module id) -> grade. nbgrader keeps one (the latest) submission per
    #: learner and assignment, so this is the learner's latest graded attempt.
    grades: Mapping[tuple[str, str], ModuleGrade] = field(default_factory=dict)


def describe_url(db_url: str) -> str:
    """The database URL with any password masked, for messages and logs."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def _readonly_engine(db_url: str) -> Engine | None:
    """An engine that cannot change the gradebook, or None if there is no gradebook yet."""
    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise GradebookError(f"invalid gradebook URL {db_url!r}: {exc}") from exc
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:"):
            return None
        if database.startswith("file:"):
            raise GradebookError(f"{db_url}: pass a plain SQLite path, not a file: URI")
        path = Path(database)
        if not path.exists():
            return None
        ro_url = URL.create(
            url.drivername,
            database="file:" + pathname2url(str(path.resolve())),
            query={"mode": "ro", "uri": "true"},
        )
        return create_engine(ro_url)
    engine = create_engine(url)
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("psycopg", "psycopg2"):
        # READ ONLY transactions: the server itself refuses any write
        engine = engine.execution_options(postgresql_readonly=True)
    return engine


def _fail(db_url: str, exc: SQLAlchemyError) -> GradebookError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return GradebookError(f"cannot read gradebook {describe_url(db_url)}: {reason}")


def assignment_names(db_url: str) -> list[str]:
    """Names of all assignments in the gradebook, sorted; [] when there is no gradebook."""
    engine = _readonly_engine(db_url)
    if engine is None:
        return []
    try:
        if not inspect(engine).has_table(Assignment.__tablename__):
            return []
        with Session(engine) as session:
            names = session.scalars(select(Assignment.name).order_by(Assignment.name)).all()
        return list(names)
    except SQLAlchemyError as exc:
        raise _fail(db_url, exc) from exc
    finally:
        engine.dispose()


def read_gradebook(db_url: str, module_ids: Iterable[str]) -> GradebookSnapshot:
    """Max scores and all learners' grades for the given modules, in two queries."""
    modules = sorted(set(module_ids))
    engine = _readonly_engine(db_url)
    if engine is None or not modules:
        if engine is not None:
            engine.dispose()
        return GradebookSnapshot()
    try:
        if not inspect(engine).has_table(SubmittedAssignment.__tablename__):
            return GradebookSnapshot()
        with Session(engine) as session:
            max_rows = session.execute(
                select(Assignment.name, Assignment.max_score).where(Assignment.name.in_(modules))
            ).all()
            grade_rows = session.execute(
                select(
                    SubmittedAssignment.student_id,
                    Assignment.name,
                    SubmittedAssignment.score,
                    SubmittedAssignment.late_submission_penalty,
                    SubmittedAssignment.needs_manual_grade,
                    SubmittedAssignment.timestamp,
                )
                .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                .where(Assignment.name.in_(modules))
            ).all()
    except SQLAlchemyError as exc:
        raise _fail(db_url, exc) from exc
    finally:
        engine.dispose()
    max_scores = {name: float(max_score or 0.0) for name, max_score in max_rows}
    grades = {}
    for student, module, score, penalty, needs_manual, timestamp in grade_rows:
        grades[(student, module)] = ModuleGrade(
            student_id=student,
            module_id=module,
            score=max(0.0, float(score or 0.0) - float(penalty or 0.0)),
            graded=not needs_manual,
            submitted_at=timestamp,
        )
    return GradebookSnapshot(max_scores=max_scores, grades=grades)
