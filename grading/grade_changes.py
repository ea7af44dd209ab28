"""Manual grades trainers change in formgrader, journalled by the course service and
audited by the grading service.

Two accounts, two halves. The course service (nbgrader's formgrader, running as the
course's grader account) cannot write the audit log: it is root's, 0600. So
``grading.formgrader_audit`` appends one JSON line per manual grade change to the course's
own journal (``journal_file``: ``<course dir>/.audit/grade-changes.jsonl``, the folder 0700
and the file 0600 of the grader account, ``O_APPEND`` + fsync; hidden, so the course
service's own file API refuses it), and the grading service (root, `academy grade watch`)
copies each line into the audit log as a ``grade.change`` entry (``ingest_grade_changes``).

How far each journal was audited is kept beside the audit log
(``records/grade-change-offsets.json``: bytes, lines, the file's inode and the SHA-256 of
the last line audited; replaced atomically after every line), so a line is audited once,
across restarts too; a crash between an entry and its offset audits that line a second
time (same ``journal_line``), never not at all. A line that is not a grade change is
audited as ``grade.change.unreadable`` with its line number, never skipped; so is a
journal removed, cut, replaced or rewritten after lines of it were audited (it is then
read again from its first line), or one that is not a plain file (symbolic links are not
followed: the grading service is root, the folder is the grader account's).

What this cannot prevent: whoever runs code as the grader account (a kernel in the course
service) can write the gradebook directly, and the journal too; the journal records what
went through formgrader, and within seconds (the grading service's loop) it is in the
audit log, out of that account's reach.

A journal line::

    {"at": "2026-03-01T10:00:00+07:00", "user": "giang", "course": "digital-signatures",
     "assignment": "ds01-...", "student": "an", "notebook": "...", "cell": "q4",
     "old": {"manual_score": null, "extra_credit": null},
     "new": {"manual_score": 2.0, "extra_credit": 0.5}}
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from common.files import atomic_write
from grading.audit import AuditAction, append_entry
from installation.layout import DataLayout

#: the journal's folder in a course directory: hidden, so that jupyter_server's contents
#: API (and so the course service's file browser) refuses it (ContentsManager.allow_hidden)
JOURNAL_DIR = ".audit"
JOURNAL_NAME = "grade-changes.jsonl"
OFFSETS_NAME = "grade-change-offsets.json"
OFFSETS_FORMAT = 1
#: the ``via`` of a grade.change entry: the web page the grade was changed on
VIA_FORMGRADER = "formgrader"
#: the actor of an entry about a line or journal that does not say who wrote it
UNKNOWN_ACTOR = "unknown"
#: a longer line is not a grade change (and is not read into memory whole)
MAX_LINE_BYTES = 64 * 1024
#: how much of an unreadable line the audit entry quotes
EXCERPT_CHARS = 200
_CHUNK = 64 * 1024


class GradeChangeError(RuntimeError):
    """The offsets file cannot be read or written; the message names it."""


def journal_file(course_dir: Path) -> Path:
    """The grade-change journal of the nbgrader course directory ``course_dir``."""
    return course_dir / JOURNAL_DIR / JOURNAL_NAME


def offsets_file(layout: DataLayout) -> Path:
    """How far each course's journal was audited: beside the audit log, root's, 0600."""
    return layout.audit_log_file.parent / OFFSETS_NAME


@dataclass(frozen=True)
class GradeScores:
    """What formgrader's grade form sets (nbgrader's ``Grade``): a score or nothing each."""

    manual_score: float | None = None
    extra_credit: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {"manual_score": self.manual_score, "extra_credit": self.extra_credit}


@dataclass(frozen=True)
class GradeChange:
    """One manual grade changed in formgrader: who, when, which cell, from what to what."""

    at: datetime
    user: str
    course: str
    assignment: str
    student: str
    notebook: str
    cell: str
    old: GradeScores
    new: GradeScores

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "user": self.user, "course": self.course,
                "assignment": self.assignment, "student": self.student,
                "notebook": self.notebook, "cell": self.cell, "old": self.old.as_json(),
                "new": self.new.as_json()}


class UnreadableLine(ValueError):
    """A journal line that is not a grade change; the message says what is wrong."""


def parse_change(line: bytes) -> GradeChange:
    """The grade change of one journal line (without its newline), or UnreadableLine."""
    if not line.strip():
        raise UnreadableLine("an empty line")
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnreadableLine(f"not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise UnreadableLine("not a JSON object")
    texts = {}
    for key in ("user", "course", "assignment", "student", "notebook", "cell"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise UnreadableLine(f"{key!r} is missing or not a text")
        texts[key] = value
    try:
        at = datetime.fromisoformat(data["at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UnreadableLine("'at' is missing or not an ISO time") from exc
    return GradeChange(at=at, old=_scores(data, "old"), new=_scores(data, "new"), **texts)


def _scores(data: Mapping[str, Any], key: str) -> GradeScores:
    value = data.get(key)
    if not isinstance(value, dict) or set(value) != {"manual_score", "extra_credit"}:
        raise UnreadableLine(f"{key!r} is not {{manual_score, extra_credit}}")
    for name, score in value.items():
        # formgrader stores what the form sends: a number, nothing, or (a hand-made request)
        # a text; the audit records it as it is
        if score is not None and (isinstance(score, bool)
                                  or not isinstance(score, int | float | str)):
            raise UnreadableLine(f"{key}.{name} is not a score")
    return GradeScores(value["manual_score"], value["extra_credit"])


# --- the course service's half: append -----------------------------------------------------


def append_grade_change(course_dir: Path, change: GradeChange) -> Path:
    """Append ``change`` to the course's journal and fsync it (folder 0700, file 0600);
    the journal's path. An ``OSError`` or ``ValueError`` (a score JSON cannot hold) means
    nothing was recorded."""
    path = journal_file(course_dir)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    line = json.dumps(change.as_json(), ensure_ascii=False, sort_keys=True,
                      allow_nan=False).encode("utf-8") + b"\n"
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            # a line cut off by a crash: end it, so that it is audited as unreadable and
            # this one stays whole
            line = b"\n" + line
        written = 0
        while written < len(line):
            written += os.write(fd, line[written:])
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    return path


# --- the grading service's half: ingest into the audit log --------------------------------


@dataclass
class JournalPosition:
    """How far a journal was audited: bytes and lines; the file (inode) and the SHA-256 of
    the last line audited (from ``last_start``), to see that it is still the same journal;
    a journal-wide problem already audited (so that it is audited once, not at every look).
    """

    offset: int = 0
    line: int = 0
    inode: int | None = None
    last_start: int = 0
    last_sha256: str | None = None
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"offset": self.offset, "line": self.line, "inode": self.inode,
                "last_start": self.last_start, "last_sha256": self.last_sha256,
                "problem": self.problem}

    def same_journal(self, fd: int, info: os.stat_result) -> bool:
        """Whether the journal open as ``fd`` is the one read so far, grown only."""
        if self.inode is None:
            return True  # not read yet
        if self.inode != info.st_ino or info.st_size < self.offset:
            return False
        if self.last_sha256 is None:
            return True
        last = os.pread(fd, self.offset - self.last_start, self.last_start)
        return hashlib.sha256(last).hexdigest() == self.last_sha256


@dataclass
class IngestReport:
    """What one ingestion did: entries audited, and journals it could not read at all
    (not audited: said to the service's log)."""

    changes: int = 0
    unreadable: int = 0
    errors: list[str] = field(default_factory=list)
    #: (course, module, student) of the grade changes audited: whose feedback may follow
    submissions: set[tuple[str, str, str]] = field(default_factory=set)

    def summary(self) -> str:
        return (f"grade changes audited: {self.changes}, unreadable: {self.unreadable}"
                + "".join(f"; {error}" for error in self.errors))


def ingest_grade_changes(layout: DataLayout, max_lines: int = 1000) -> IngestReport:
    """Audit the journal lines of every course not audited yet (at most ``max_lines`` of
    them: the rest at the next call), as ``grade.change`` entries (the journal's user is
    the actor) or ``grade.change.unreadable``; then remember how far each journal was read.
    """
    report = IngestReport()
    if not layout.courses_dir.is_dir():
        return report
    with _locked(layout):
        positions = _load_positions(offsets_file(layout))
        courses = sorted(
            {entry.name for entry in os.scandir(layout.courses_dir)
             if entry.is_dir(follow_symlinks=False)} | set(positions))
        budget = max_lines
        for course in courses:
            position = positions.setdefault(course, JournalPosition())
            try:
                budget -= _ingest_journal(layout, course, position, positions, report, budget)
            except OSError as exc:
                report.errors.append(f"{course}: cannot read its grade-change journal "
                                     f"({exc.strerror or exc})")
            if budget <= 0:
                break
    return report


def _ingest_journal(layout: DataLayout, course: str, position: JournalPosition,
                    positions: dict[str, JournalPosition], report: IngestReport,
                    budget: int) -> int:
    """Audit one journal's new lines (at most ``budget``); how many lines were audited."""
    journal = journal_file(layout.course_dir(course))
    try:
        fd = _open_journal(layout.course_dir(course))
    except _JournalProblem as problem:
        _journal_problem(layout, journal, course, positions, report, str(problem))
        return 0
    if fd is None:
        if position.line or position.offset:
            _journal_problem(layout, journal, course, positions, report,
                             f"the journal was removed after {position.line} line(s) were "
                             "audited")
        del positions[course]  # a journal made later is read from its first line
        if position != JournalPosition():
            _save_positions(layout, positions)
        return 0
    try:
        info = os.fstat(fd)
        if not position.same_journal(fd, info):
            _journal_problem(
                layout, journal, course, positions, report,
                f"the journal was replaced, cut or rewritten after {position.line} line(s) "
                f"were audited (it had {position.offset} bytes, it has {info.st_size}): its "
                "lines are audited again from the first")
            position.offset, position.line = 0, 0
            position.last_start, position.last_sha256 = 0, None
        if (position.inode, position.problem) != (info.st_ino, None):
            position.inode, position.problem = info.st_ino, None
            _save_positions(layout, positions)
        done = 0
        for end, raw in _complete_lines(fd, position.offset, info.st_size):
            if done >= budget:
                break
            position.line += 1
            _audit_line(layout, course, journal, position.line, raw, report)
            # after the entry: a crash in between audits this line again at the next start
            # (its journal_line tells), never not at all
            position.last_start, position.offset = position.offset, end
            position.last_sha256 = hashlib.sha256(
                os.pread(fd, end - position.last_start, position.last_start)).hexdigest()
            _save_positions(layout, positions)
            done += 1
        return done
    finally:
        os.close(fd)


def _audit_line(layout: DataLayout, course: str, journal: Path, number: int, raw: bytes,
                report: IngestReport) -> None:
    try:
        if len(raw) > MAX_LINE_BYTES:
            raise UnreadableLine(f"longer than {MAX_LINE_BYTES} bytes")
        change = parse_change(raw)
        if change.course != course:
            raise UnreadableLine(f"names the course {change.course!r} but is in the journal of "
                                 f"{course!r}")
    except UnreadableLine as problem:
        append_entry(layout.audit_log_file, AuditAction.GRADE_CHANGE_UNREADABLE, UNKNOWN_ACTOR,
                     {"course": course, "journal": journal, "line": number,
                      "problem": str(problem),
                      "text": raw[:EXCERPT_CHARS * 4].decode("utf-8", "replace")[
                          :EXCERPT_CHARS]})
        report.unreadable += 1
        return
    append_entry(layout.audit_log_file, AuditAction.GRADE_CHANGE, change.user, {
        "course": course, "module": change.assignment, "student": change.student,
        "notebook": change.notebook, "cell": change.cell, "old": change.old.as_json(),
        "new": change.new.as_json(), "via": VIA_FORMGRADER, "at": change.at,
        "journal_line": number})
    report.changes += 1
    report.submissions.add((course, change.assignment, change.student))


def _journal_problem(layout: DataLayout, journal: Path, course: str,
                     positions: dict[str, JournalPosition], report: IngestReport,
                     problem: str) -> None:
    """Audit a problem of a whole journal, once while it lasts."""
    position = positions[course]
    if position.problem == problem:
        return
    append_entry(layout.audit_log_file, AuditAction.GRADE_CHANGE_UNREADABLE, UNKNOWN_ACTOR,
                 {"course": course, "journal": journal, "line": position.line,
                  "problem": problem})
    report.unreadable += 1
    position.problem = problem
    _save_positions(layout, positions)


class _JournalProblem(Exception):
    """The journal is there but is not a file the grading service reads."""


def _open_journal(course_dir: Path) -> int | None:
    """The journal opened for reading, following no symbolic link (the grader account owns
    the folders; the grading service is root), a regular file; None if there is none."""
    flags = os.O_RDONLY | os.O_NOFOLLOW
    fds: list[int] = []
    try:
        try:
            fds.append(os.open(course_dir, flags | os.O_DIRECTORY))
            fds.append(os.open(JOURNAL_DIR, flags | os.O_DIRECTORY, dir_fd=fds[-1]))
            fd = os.open(JOURNAL_NAME, flags | os.O_NONBLOCK, dir_fd=fds[-1])
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise _JournalProblem("the journal or its folder is not a plain file and "
                                      "folder (a symbolic link?): not read") from exc
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise _JournalProblem("the journal is not a regular file: not read")
        return fd
    finally:
        for opened in fds:
            os.close(opened)


def _complete_lines(fd: int, offset: int, size: int) -> Iterator[tuple[int, bytes]]:
    """(end offset, line without its newline) of each whole line between ``offset`` and
    ``size``; a last line without its newline (being written) is left for later. Of a line
    longer than MAX_LINE_BYTES only the first MAX_LINE_BYTES + 1 bytes are kept in memory
    (it is unreadable anyway)."""
    head, position = b"", offset
    while position < size:
        chunk = os.pread(fd, min(_CHUNK, size - position), position)
        if not chunk:
            return
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            piece = chunk[start:] if newline < 0 else chunk[start:newline]
            head += piece[:max(0, MAX_LINE_BYTES + 1 - len(head))]
            if newline < 0:
                break
            yield position + newline + 1, head
            head, start = b"", newline + 1
        position += len(chunk)


def _load_positions(path: Path) -> dict[str, JournalPosition]:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise GradeChangeError(f"cannot read {path} ({exc}): remove it to audit every grade "
                               "change journal again from its first line (the lines audited "
                               "before are then audited twice)") from exc
    try:
        if data["format"] != OFFSETS_FORMAT:
            raise ValueError(f"unknown format {data['format']!r}")
        return {course: JournalPosition(
                    offset=int(p["offset"]), line=int(p["line"]),
                    inode=None if p["inode"] is None else int(p["inode"]),
                    last_start=int(p["last_start"]), last_sha256=p["last_sha256"],
                    problem=p["problem"])
                for course, p in data["journals"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GradeChangeError(f"{path} is not a grade-change offsets file ({exc})") from exc


def _save_positions(layout: DataLayout, positions: Mapping[str, JournalPosition]) -> None:
    payload = {"format": OFFSETS_FORMAT,
               "journals": {c: p.as_json() for c, p in sorted(positions.items())}}
    atomic_write(offsets_file(layout), json.dumps(payload, indent=1) + "\n", mode=0o600)


@contextlib.contextmanager
def _locked(layout: DataLayout) -> Iterator[None]:
    """One ingestion at a time (the service, and an admin's `academy grade watch --once`)."""
    folder = offsets_file(layout).parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(folder / (OFFSETS_NAME + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
