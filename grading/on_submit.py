"""Grade on submit (nbgrader issue 988): the grading service drains the submissions queue.

The queue is nbgrader's own exchange. ``nbgrader submit`` drops a learner's work in
``<exchange>/<course>/inbound/<student>+<module>+<timestamp>+<random>``; a submission is
*waiting* until the learner's feedback for it exists: ``feedback/<student>/<module>/
timestamp.txt`` holds its timestamp (nbgrader's ``generate_feedback`` copies it there,
and so does the page of a submission that could not be graded). A run that stopped after
grading but before the feedback (the e-office did not answer for the practical task, say)
is therefore finished by the next tick, which grades nothing again. Nothing else keeps
state, so the queue survives restarts, and a trainer's own `academy grade autograde` run
takes from the same queue.

``SubmissionWatcher.tick`` grades every waiting submission of the courses that have
``grade_on_submit = true``, with the same ``autograde_assignment`` as the CLI (collect,
sandboxed grading, practical tasks, feedback released to the learner). A course whose
trainer is grading at that moment (the course lock is held) is left for the next tick, and
so is one whose run failed. A submission that could not be graded has its feedback (why),
so it is not taken again; the trainer can grade it again with ``--regrade``. A module the
gradebook does not know is not tried again until the service restarts.
``academy grade watch`` runs ``tick`` every few seconds as a hub-managed service.

Only root and the course's grader may list a course's ``inbound`` folder (nbgrader's 2733),
and the submissions in it are writable by whoever finds them (nbgrader makes them 0777):
the dashboards service, which shows trainers what waits for grading, runs as its own
account and must not list it. The grading service publishes what waits instead,
``publish_waiting`` (``records/waiting-submissions.json``, 0640: the dashboards' group reads
it), on every tick, for every course; ``published_waiting`` reads it back.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbgrader.utils import parse_utc

from common.files import SHARED_READ_MODE, atomic_write
from grading.autograde import (
    AutogradeReport,
    EvidenceAccess,
    GradingBusyError,
    GradingError,
    UnknownAssignmentError,
    autograde_assignment,
)
from grading.engine import TIMESTAMP_FILE
from grading.kernel_sandbox import SandboxLimits
from grading.nbgrader_runner import CourseWorkspace
from installation.layout import DataLayout

#: how often the grading service looks for new submissions (a minute is the promise)
DEFAULT_INTERVAL_SECONDS = 10.0
#: what waits for grading in every course, published by the grading service (0640)
WAITING_INDEX = "waiting-submissions.json"

Waiting = dict[str, dict[str, datetime]]


@dataclass(frozen=True)
class GradingTarget:
    """A course whose submissions are graded on submit, and how to grade them."""

    course: CourseWorkspace
    evidence: EvidenceAccess
    run_as: str | None = None


def _timestamp(text: str) -> datetime | None:
    try:
        return parse_utc(text.strip())
    except (ValueError, TypeError, OverflowError):
        return None


def waiting_index_file(layout: DataLayout) -> Path:
    return layout.records_dir / WAITING_INDEX


def publish_waiting(layout: DataLayout, courses: Iterable[CourseWorkspace]) -> None:
    """Write what waits for grading in each course (``waiting_submissions``) to the index,
    in one step, for a reader that may not list the exchange (the dashboards)."""
    index = {course.course_id: {module: {learner: when.isoformat()
                                         for learner, when in learners.items()}
                                for module, learners in waiting_submissions(course).items()}
             for course in courses}
    layout.records_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    atomic_write(waiting_index_file(layout),
                 json.dumps({"courses": index}, sort_keys=True, indent=1) + "\n",
                 mode=SHARED_READ_MODE)


def published_waiting(layout: DataLayout, course_id: str) -> Waiting | None:
    """What the grading service last published as waiting in the course; None when it has
    published nothing yet (it is not running) or the index cannot be read."""
    try:
        index = json.loads(waiting_index_file(layout).read_text(encoding="utf-8"))
        modules = index["courses"][course_id]
        return {module: {learner: datetime.fromisoformat(when)
                         for learner, when in learners.items()}
                for module, learners in modules.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def waiting_submissions(course: CourseWorkspace) -> dict[str, dict[str, datetime]]:
    """{module: {learner: newest submission time}} for every submission in the exchange
    that has no feedback yet. Reads only."""
    if course.exchange_dir is None:
        return {}
    inbound = Path(course.exchange_dir) / course.course_id / "inbound"
    newest: dict[tuple[str, str], datetime] = {}
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(inbound):
            parts = entry.name.split("+")
            if len(parts) < 3 or not entry.is_dir(follow_symlinks=False):
                continue
            student, module, when = parts[0], parts[1], _timestamp(parts[2])
            if when is None:
                continue
            key = (student, module)
            if key not in newest or when > newest[key]:
                newest[key] = when
    waiting: dict[str, dict[str, datetime]] = {}
    for (student, module), when in sorted(newest.items()):
        marker = Path(course.root) / "feedback" / student / module / TIMESTAMP_FILE
        try:
            graded = _timestamp(marker.read_text(encoding="utf-8"))
        except OSError:
            graded = None
        if graded is None or graded < when:
            waiting.setdefault(module, {})[student] = when
    return waiting


@dataclass
class SubmissionWatcher:
    targets: Callable[[], Iterable[GradingTarget]]
    workers: int = 2
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    log: Callable[[str], None] = print
    #: (course, module, learner, submission time) of a module the gradebook does not know
    given_up: set[tuple[str, str, str, datetime]] = field(default_factory=set)

    def tick(self) -> list[AutogradeReport]:
        """Grade every waiting submission once; returns the runs made."""
        reports = []
        for target in self.targets():
            course = target.course
            for module, students in waiting_submissions(course).items():
                todo = sorted(
                    s for s, when in students.items()
                    if (course.course_id, module, s, when) not in self.given_up
                )
                if not todo:
                    continue
                try:
                    report = autograde_assignment(
                        course, module, target.evidence, target.run_as,
                        workers=self.workers, students=todo, limits=self.limits,
                    )
                except GradingBusyError:
                    self.log(f"{course.course_id}: a trainer is grading; next time")
                    break
                except UnknownAssignmentError as exc:
                    self.log(f"{course.course_id}/{module}: not graded: {exc}")
                    self.given_up.update(
                        (course.course_id, module, s, students[s]) for s in todo
                    )
                    continue
                except (GradingError, OSError, RuntimeError) as exc:  # next tick tries again
                    self.log(f"{course.course_id}/{module}: not graded yet: {exc}")
                    continue
                self.log(report.summary())
                reports.append(report)
        return reports

    def run(self, stop: threading.Event, interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
        """``tick`` every ``interval`` seconds until ``stop`` is set."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - the service keeps serving the others
                self.log(f"grading service: {type(exc).__name__}: {exc}")
            stop.wait(interval)
