"""Autograde many submissions in parallel, in the sandbox, through nbgrader's own pieces.

What runs for each submission (nbgrader's autograde, with the academy's two changes):

1. **Answers as data.** ``responses.json`` is read (size-capped) and checked against the
   questions of the trainer's notebook (``grading.answers``); only the checked answers go on.
2. **Sanitize**, with nbgrader's sanitize preprocessors behind ``RebuildFromRelease``: the
   notebook is the trainer's released one, and ``OverwriteCells`` restores the hidden tests
   from the gradebook. Nothing of the learner's notebook reaches the kernel.
3. **Execute** in a sandboxed kernel (``grading.kernel_sandbox``): a fresh fork of a warm
   zygote running the cells in IPython, its own empty folder holding only the checked
   answers, no network, limits. As nbgrader's ``Execute`` does, every code cell runs and an
   error is recorded as the cell's output; the outputs are nbformat outputs.
4. **Save**, with nbgrader's grade preprocessors (``SaveAutoGrades`` ... through the
   Gradebook API), then the autograded notebook and, last, ``timestamp.txt``.

``workers`` submissions run at once, each worker with its own zygote (its kernels run in
a thread while this event loop saves the other worker's results). Gradebook writes
happen in this one thread, one at a time (safe on SQLite and PostgreSQL). A submission
whose ``autograded/`` copy has the submitted timestamp (written only after its grades were
committed) is not graded again, so a run killed at any point is resumed by running it
again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import (
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    OverwriteKernelspec,
)

from common.event_loop import run_coroutine
from common.files import atomic_write
from grading.answers import (
    ANSWERS_FILE,
    MAX_ANSWERS_BYTES,
    CheckedAnswers,
    Question,
    check_answers,
    questions_in,
)
from grading.feedback import NOTES_FILE
from grading.kernel_sandbox import (
    SandboxAccount,
    SandboxLimits,
    Zygote,
    kernel_environment,
)
from grading.nbgrader_steps import (
    CheckCellMetadataOnce,
    RunAssignLatePenalties,
    RunOverwriteCells,
    RunSaveAutoGrades,
)
from grading.rebuild import RebuildFromRelease, read_trainer_notebook

TIMESTAMP_FILE = "timestamp.txt"
SECRET_FILE = "submission_secret.txt"  # noqa: S105 - a file name, not a secret
STUDENT_ENV = "ACADEMY_STUDENT_ID"


class GradeStatus(StrEnum):
    GRADED = "graded"
    UNCHANGED = "unchanged"  # already graded from this very submission
    NOT_GRADED = "could not be graded"


@dataclass(frozen=True)
class Owner:
    """Who the files written under the course folder belong to (the grader account)."""

    uid: int
    gid: int


@dataclass
class GradingOutcome:
    student_id: str
    status: GradeStatus
    score: float | None = None
    max_score: float | None = None
    problems: list[str] = field(default_factory=list)  # answers dropped, notebook edits
    reason: str | None = None  # why it could not be graded
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "student": self.student_id,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "problems": self.problems,
            "reason": self.reason,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    seconds_left: float | None
    last: GradingOutcome


class NotGradable(Exception):
    """This submission cannot be graded; the message says why (shown to learner/trainer)."""


@contextlib.contextmanager
def _nbgrader_session_warnings() -> Iterator[None]:
    """nbgrader's Gradebook.update_or_create_submission warns about its own autoflush
    ("Object of type <SubmittedAssignment> not in session"); stock autograde ignores it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")
        yield


def _read_capped(path: Path) -> bytes | None:
    """The file's bytes, at most one past the cap (enough for the size check to refuse it)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_ANSWERS_BYTES + 1)
    except FileNotFoundError:
        return None


def submitted_timestamp(folder: Path) -> str | None:
    try:
        return (folder / TIMESTAMP_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


class AutogradeEngine:
    """Grades one assignment's submissions (see the module docstring)."""

    def __init__(
        self,
        course_root: Path,
        course_id: str,
        db_url: str,
        assignment: str,
        *,
        workers: int = 2,
        limits: SandboxLimits = SandboxLimits(),  # noqa: B008 - frozen dataclass
        account: SandboxAccount | None = None,
        owner: Owner | None = None,
        progress: Callable[[Progress], None] | None = None,
        log: Callable[[str], None] = lambda _line: None,
    ):
        self.root = Path(course_root)
        self.course_id = course_id
        self.db_url = db_url
        self.assignment = assignment
        self.workers = max(1, workers)
        self.limits = limits
        self.account = account
        self.owner = owner
        self.progress = progress
        self.log = log
        self._run_gradebook: Gradebook | None = None  # open while grading (see _gradebook)
        with Gradebook(db_url, course_id=course_id) as gb:
            self.notebook_ids = sorted(n.name for n in gb.find_assignment(assignment).notebooks)
        self.trainer = {
            nb_id: read_trainer_notebook(self.root, assignment, nb_id)
            for nb_id in self.notebook_ids
        }
        # every question of the module, by id (answers files are per module, not notebook)
        self.questions: dict[str, Question] = {}
        for nb in self.trainer.values():
            self.questions.update(questions_in(nb))

    # -- paths -------------------------------------------------------------------------
    def submitted_dir(self, student: str) -> Path:
        return self.root / "submitted" / student / self.assignment

    def autograded_dir(self, student: str) -> Path:
        return self.root / "autograded" / student / self.assignment

    def pending(self, students: Sequence[str], force: bool = False) -> tuple[list[str], list[str]]:
        """(to grade, already graded from their current submission)."""
        todo, done = [], []
        for student in students:
            stamp = submitted_timestamp(self.submitted_dir(student))
            graded = submitted_timestamp(self.autograded_dir(student))
            if not force and stamp is not None and graded == stamp:
                done.append(student)
            else:
                todo.append(student)
        return todo, done

    # -- running -----------------------------------------------------------------------
    def run(self, students: Sequence[str], force: bool = False) -> list[GradingOutcome]:
        todo, done = self.pending(students, force)
        outcomes = [self._unchanged(s) for s in done]
        if todo:
            outcomes += run_coroutine(self._grade_all(todo))
        return sorted(outcomes, key=lambda o: o.student_id)

    def _unchanged(self, student: str) -> GradingOutcome:
        score, max_score = self.score_of(student)
        notes = self._read_notes(student)
        return GradingOutcome(student, GradeStatus.UNCHANGED, score, max_score, notes)

    async def _grade_all(self, students: list[str]) -> list[GradingOutcome]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        for s in students:
            queue.put_nowait(s)
        outcomes: list[GradingOutcome] = []
        durations: list[float] = []
        started = time.monotonic()
        scratch_root = Path(tempfile.mkdtemp(prefix="academy-grading-"))
        os.chmod(scratch_root, 0o711)  # noqa: S103 - the sandbox account must traverse it
        workers = min(self.workers, len(students))

        def report(outcome: GradingOutcome) -> None:
            outcomes.append(outcome)
            durations.append(outcome.seconds)
            if self.progress is not None:
                left = len(students) - len(outcomes)
                rate = (time.monotonic() - started) / len(outcomes)
                self.progress(Progress(len(outcomes), len(students), left * rate, outcome))

        try:
            with Gradebook(self.db_url, course_id=self.course_id) as gradebook:
                self._run_gradebook = gradebook  # one for the run (grading.nbgrader_steps)
                await asyncio.gather(
                    *(self._worker(i, queue, scratch_root, report) for i in range(workers))
                )
        finally:
            self._run_gradebook = None
            shutil.rmtree(scratch_root, ignore_errors=True)
        if durations:
            self.log(f"median {statistics.median(durations):.2f} s per submission")
        return outcomes

    async def _worker(
        self,
        index: int,
        queue: asyncio.Queue[str],
        scratch_root: Path,
        report: Callable[[GradingOutcome], None],
    ) -> None:
        # the grader's folder: the sandbox account enters it but cannot write it, only its
        # own job folder inside (Zygote.new_job_dir)
        scratch = scratch_root / f"worker-{index}"
        scratch.mkdir(mode=0o711)
        zygote = await asyncio.to_thread(Zygote, scratch, self.account, self.limits)
        try:
            while not queue.empty():
                if not zygote.alive:  # it ended with a learner's notebook: a new one for the rest
                    await asyncio.to_thread(zygote.close)
                    zygote = await asyncio.to_thread(Zygote, scratch, self.account, self.limits)
                report(await self._grade_one(queue.get_nowait(), zygote))
        finally:
            await asyncio.to_thread(zygote.close)

    # -- one submission ----------------------------------------------------------------
    async def _grade_one(self, student: str, zygote: Zygote) -> GradingOutcome:
        t0 = time.monotonic()
        problems: list[str] = []
        try:
            checked = self._check_answers(student)
            problems += checked.problems
            timestamp = submitted_timestamp(self.submitted_dir(student))
            self._clear_done_marker(student)
            self._init_submission(student, timestamp)
            # one notebook per module in this academy; several are graded in turn, each in
            # a fresh kernel
            for notebook_id in self.notebook_ids:
                nb, resources = self._sanitize(student, notebook_id)
                problems += resources.get("academy", {}).get("rebuild_notes", [])
                job = zygote.new_job_dir()
                try:
                    self._give_answers(job, checked, student)
                    nb = await self._execute(nb, zygote, job, student)
                finally:
                    shutil.rmtree(job, ignore_errors=True)
                self._save(student, notebook_id, nb, resources)
            self._finish(student, checked, problems, timestamp)
            score, max_score = self.score_of(student)
            return GradingOutcome(
                student, GradeStatus.GRADED, score, max_score, problems,
                seconds=time.monotonic() - t0,
            )
        except Exception as exc:  # noqa: BLE001 - this learner only; the run goes on
            if self._run_gradebook is not None:  # leave the run's session usable
                with contextlib.suppress(Exception):
                    self._run_gradebook.db.rollback()
            reason = str(exc) if isinstance(exc, NotGradable) else (
                f"the grader failed on this submission: {type(exc).__name__}: {exc}"
            )
            with contextlib.suppress(OSError):
                self._write_notes(student, problems, reason)
            return GradingOutcome(
                student, GradeStatus.NOT_GRADED, problems=problems, reason=reason,
                seconds=time.monotonic() - t0,
            )

    def _check_answers(self, student: str) -> CheckedAnswers:
        raw = _read_capped(self.submitted_dir(student) / ANSWERS_FILE)
        return check_answers(raw, self.questions)

    def _clear_done_marker(self, student: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.autograded_dir(student) / TIMESTAMP_FILE).unlink()

    def _init_submission(self, student: str, timestamp: str | None) -> None:
        with _nbgrader_session_warnings(), self._gradebook() as gb:
            gb.update_or_create_student(student)
            if timestamp:
                gb.update_or_create_submission(self.assignment, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(self.assignment, student)

    def _resources(self, student: str, notebook_id: str) -> dict[str, Any]:
        return {
            "unique_key": notebook_id,
            "output_files_dir": None,
            "metadata": {"path": str(self.autograded_dir(student)), "name": notebook_id},
            "nbgrader": {
                "student": student,
                "assignment": self.assignment,
                "notebook": notebook_id,
                "db_url": self.db_url,
            },
        }

    def _rebuild(self) -> RebuildFromRelease:
        rebuild = RebuildFromRelease(course_root=str(self.root))
        rebuild.trainer_notebooks = self.trainer  # read once, in __init__
        return rebuild

    def _sanitize(self, student: str, notebook_id: str) -> tuple[NotebookNode, dict[str, Any]]:
        path = self.submitted_dir(student) / f"{notebook_id}.ipynb"
        try:
            submitted = nbformat.read(path, as_version=4)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            submitted = None  # not JSON, not a notebook, or missing: graded from the answers
        resources = self._resources(student, notebook_id)
        nb: Any = submitted
        for pp in (
            self._rebuild(),
            ClearOutput(),
            DeduplicateIds(),
            OverwriteKernelspec(),
            self._with_run_gradebook(RunOverwriteCells()),
            CheckCellMetadataOnce(),
        ):
            nb, resources = pp(nb, resources)  # as nbconvert does: honours `enabled`
        return nb, resources

    def _give_answers(self, job: Path, checked: CheckedAnswers, student: str) -> None:
        """The checked answers into the kernel's folder (through the zygote, which owns it)."""
        # the folder belongs to the sandbox account; root writes the file and hands it over
        path = job / ANSWERS_FILE
        atomic_write(path, checked.responses_json(), mode=0o600)
        if self.account is not None:
            os.chown(path, self.account.uid, self.account.gid)

    async def _execute(
        self, nb: NotebookNode, zygote: Zygote, job: Path, student: str
    ) -> NotebookNode:
        """Run the notebook's code cells in a fresh sandboxed kernel and put their outputs
        in, as nbgrader's ``Execute`` would (errors are outputs; every cell runs). The
        kernel is told whose submission it grades (``STUDENT_ENV``): question banks draw
        by it (``course_kit.questions.draws.graded_student_id``); its folder is named after
        nothing, and the answers file is the learner's, so neither may say it."""
        cells = [c.source if c.cell_type == "code" else None for c in nb.cells]
        try:
            result = await asyncio.to_thread(
                zygote.run_notebook, job, cells, kernel_environment({STUDENT_ENV: student})
            )
        except ValueError as exc:
            raise NotGradable(f"the grading kernel wrote broken results: {exc}") from exc
        if result.timed_out_cell is not None:
            cell = nb.cells[result.timed_out_cell]
            cell_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
            raise NotGradable(
                f"cell {cell_id} ran past the {self.limits.cell_timeout} s time limit "
                f"(or the notebook past {self.limits.notebook_timeout} s)"
            )
        if not result.completed or len(result.cells) != len(nb.cells):
            raise NotGradable(
                f"the grading kernel stopped (exit status {result.status}: a CPU, memory or "
                "process limit, or a crash)"
            )
        for cell, ran in zip(nb.cells, result.cells, strict=True):
            if cell.cell_type != "code":
                continue
            cell.execution_count = ran.execution_count
            cell.outputs = [nbformat.from_dict(o) for o in ran.outputs]
        return nb

    def _save(
        self, student: str, notebook_id: str, nb: NotebookNode, resources: dict[str, Any]
    ) -> None:
        for pp in (
            IgnorePattern(),
            ClearMetadataPreprocessor(),
            LimitOutput(),
            self._with_run_gradebook(RunSaveAutoGrades()),
            self._with_run_gradebook(RunAssignLatePenalties()),
            CheckCellMetadataOnce(),
        ):
            with _nbgrader_session_warnings():
                nb, resources = pp(nb, resources)  # as nbconvert does: honours `enabled`
        folder = self._ensure_dir(self.autograded_dir(student))
        self._write(folder / f"{notebook_id}.ipynb", nbformat.writes(nb))

    def _finish(
        self, student: str, checked: CheckedAnswers, problems: list[str], timestamp: str | None
    ) -> None:
        folder = self._ensure_dir(self.autograded_dir(student))
        self._write(folder / ANSWERS_FILE, checked.responses_json())
        # nbgrader's exchange pairs feedback with the submission through this file
        secret = self.submitted_dir(student) / SECRET_FILE
        if secret.is_file():
            self._write(folder / SECRET_FILE, secret.read_text(encoding="utf-8")[:1024])
        self._write_notes(student, problems, None)
        # last: marks this submission as graded (see `pending`)
        self._write(folder / TIMESTAMP_FILE, (timestamp or "") + "\n")

    def _write_notes(self, student: str, problems: list[str], reason: str | None) -> None:
        folder = self._ensure_dir(self.autograded_dir(student))
        notes = {"problems": problems, "not_graded_reason": reason}
        self._write(folder / NOTES_FILE, json.dumps(notes, ensure_ascii=False, indent=1))

    def _read_notes(self, student: str) -> list[str]:
        try:
            data = json.loads((self.autograded_dir(student) / NOTES_FILE).read_text("utf-8"))
            return list(data.get("problems", []))
        except (OSError, ValueError, AttributeError):
            return []

    def _ensure_dir(self, folder: Path) -> Path:
        missing = []
        p = folder
        while not p.exists():
            missing.append(p)
            p = p.parent
        for d in reversed(missing):
            d.mkdir(mode=0o755)
            if self.owner is not None:
                os.chown(d, self.owner.uid, self.owner.gid)
        return folder

    def _write(self, path: Path, text: str) -> None:
        atomic_write(path, text, mode=0o644)
        if self.owner is not None:
            os.chown(path, self.owner.uid, self.owner.gid)

    @contextlib.contextmanager
    def _gradebook(self) -> Iterator[Gradebook]:
        """The run's gradebook while grading, else one opened for this call."""
        if self._run_gradebook is not None:
            yield self._run_gradebook
        else:
            with Gradebook(self.db_url, course_id=self.course_id) as gb:
                yield gb

    def _with_run_gradebook(self, pp: Any) -> Any:
        pp.run_gradebook = self._run_gradebook
        return pp

    def score_of(self, student: str) -> tuple[float | None, float | None]:
        with self._gradebook() as gb:
            try:
                sub = gb.find_submission(self.assignment, student)
            except MissingEntry:
                return None, None
            return float(sub.score), float(sub.max_score)

