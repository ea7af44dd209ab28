"""The grading service puts the manual grade changes journalled by the courses' formgraders
into the audit log (``grading.grade_changes``, `academy grade watch`):

* each journal line becomes one ``grade.change`` entry (the trainer is the actor), once:
  `grade watch --once` again, or the service stopped and started again, audit nothing twice;
* a line that is not a grade change is audited as ``grade.change.unreadable`` with its
  line number, and so is a journal removed, cut, replaced or not a plain file;
* a line still being written waits; a line cut by a crash does not swallow the next;
* the chain of the audit log verifies after all of it.

The journals are written by the course service's own writer (``append_grade_change``).
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from academy.cli import main
from academy.cli.grade import audit_grade_changes, serve
from common.clock import VIETNAM_TZ
from grading.audit import AuditEntry, read_entries, verify_chain
from grading.grade_changes import (
    MAX_LINE_BYTES,
    GradeChange,
    GradeChangeError,
    GradeScores,
    append_grade_change,
    ingest_grade_changes,
    journal_file,
    offsets_file,
)
from grading.grading_jobs import JobRunner, JobSpool
from grading.on_submit import SubmissionWatcher
from installation.layout import DataLayout
from installation.settings import InstallSettings, Mode

REPO = Path(__file__).resolve().parents[2]
ACADEMY = Path(sys.executable).parent / "academy"
DS = "digital-signatures"
CYBER = "cybersecurity"
AT = datetime(2026, 3, 2, 9, 30, tzinfo=VIETNAM_TZ)


def change(user: str = "giang", course: str = DS, student: str = "an", cell: str = "q4",
           old: float | None = None, new: float | None = 2.0) -> GradeChange:
    return GradeChange(at=AT, user=user, course=course, assignment="ds01", student=student,
                       notebook="what-a-signature-proves", cell=cell,
                       old=GradeScores(old, None), new=GradeScores(new, 0.5))


@pytest.fixture
def layout(tmp_path: Path) -> DataLayout:
    layout = DataLayout.at(tmp_path / "academy")
    layout.root.mkdir()
    InstallSettings(Mode.SHARED, 1, [DS, CYBER]).save(layout)
    for course in (DS, CYBER):
        layout.course_dir(course).mkdir(parents=True)
    return layout


def journal(layout: DataLayout, course: str = DS) -> Path:
    return journal_file(layout.course_dir(course))


def entries(layout: DataLayout) -> list[AuditEntry]:
    return list(read_entries(layout.audit_log_file, action="grade.change"))


def details(entry: AuditEntry) -> dict[str, object]:
    found = dict(entry.details)
    assert found.pop("os_user")  # what ran the grading service
    return found


def watch_once(layout: DataLayout) -> Result:
    result = CliRunner().invoke(main, ["--data-dir", str(layout.root), "grade", "watch",
                                       "--once"])
    assert result.exit_code == 0, result.output
    return result


def test_watch_once_audits_each_change_once(layout: DataLayout) -> None:
    append_grade_change(layout.course_dir(DS), change())
    append_grade_change(layout.course_dir(DS), change(student="binh", old=1.0, new=0.0))
    append_grade_change(layout.course_dir(CYBER), change(user="khoa", course=CYBER))
    result = watch_once(layout)
    assert "grade changes audited: 3, unreadable: 0" in result.output
    found = entries(layout)
    assert [(e.action, e.actor) for e in found] == [
        ("grade.change", "khoa"), ("grade.change", "giang"), ("grade.change", "giang")]
    assert details(found[1]) == {
        "course": DS, "module": "ds01", "student": "an", "notebook": "what-a-signature-proves",
        "cell": "q4", "old": {"manual_score": None, "extra_credit": None},
        "new": {"manual_score": 2.0, "extra_credit": 0.5}, "via": "formgrader",
        "at": "2026-03-02T09:30:00+07:00", "journal_line": 1}
    assert details(found[2])["student"] == "binh" and details(found[2])["journal_line"] == 2
    assert details(found[2])["old"] == {"manual_score": 1.0, "extra_credit": None}
    assert details(found[0])["course"] == CYBER
    assert stat.S_IMODE(offsets_file(layout).stat().st_mode) == 0o600
    # again: nothing new, nothing twice
    assert "grade changes" not in watch_once(layout).output
    assert len(entries(layout)) == 3
    append_grade_change(layout.course_dir(DS), change(student="chi"))
    watch_once(layout)
    *_, last = entries(layout)
    assert len(entries(layout)) == 4
    assert details(last)["student"] == "chi" and details(last)["journal_line"] == 3
    report = verify_chain(layout.audit_log_file)
    assert report.ok and report.entries == 4


def test_after_a_change_the_learners_feedback_is_looked_at_once_and_nothing_is_made(
        layout: DataLayout) -> None:
    """Each changed submission's feedback follows its manual grades (the gradebook decides,
    grading.autograde.refresh_feedback, tested in tests/grading/test_grading_autograde.py);
    here there is no gradebook: it says so and creates none (nbgrader's Gradebook would)."""
    append_grade_change(layout.course_dir(DS), change())
    append_grade_change(layout.course_dir(DS), change(cell="q5"))  # the same submission
    append_grade_change(layout.course_dir(DS), change(course="unknown-course"))
    journal_file(layout.course_dir("unknown-course")).parent.mkdir(parents=True, exist_ok=True)
    append_grade_change(layout.course_dir("unknown-course"), change(course="unknown-course"))
    output = watch_once(layout).output
    assert output.count(f"feedback of an in {DS}/ds01 not made again: no submission in the "
                       "gradebook") == 1
    assert "feedback of an in unknown-course/ds01: not a course of this installation" in output
    assert not any(layout.course_dir(DS).glob("*.db"))

def test_a_malformed_line_is_audited_as_unreadable_with_its_line_number(
        layout: DataLayout) -> None:
    path = journal(layout)
    append_grade_change(layout.course_dir(DS), change())
    good = json.dumps(change(student="binh").as_json()).encode()
    wrong_course = json.dumps(change(course=CYBER).as_json()).encode()
    missing_user = json.dumps({k: v for k, v in change().as_json().items() if k != "user"})
    with path.open("ab") as fh:
        fh.write(b"{not json\n" + missing_user.encode() + b"\n" + good + b"\n"
                 + wrong_course + b"\n\n")
    report = ingest_grade_changes(layout)
    assert (report.changes, report.unreadable) == (2, 4)
    found = [(e.action, details(e).get("journal_line", details(e).get("line")))
             for e in entries(layout)]
    assert found == [("grade.change", 1), ("grade.change.unreadable", 2),
                     ("grade.change.unreadable", 3), ("grade.change", 4),
                     ("grade.change.unreadable", 5), ("grade.change.unreadable", 6)]
    unreadable = [details(e) for e in entries(layout) if e.action.endswith("unreadable")]
    assert unreadable[0]["text"] == "{not json" and "not JSON" in unreadable[0]["problem"]
    assert "'user'" in unreadable[1]["problem"]
    assert "names the course 'cybersecurity'" in unreadable[2]["problem"]
    assert unreadable[3]["problem"] == "an empty line"
    assert all(d["course"] == DS and d["journal"] == str(path) for d in unreadable)
    assert all(e.actor == "unknown" for e in entries(layout) if e.action.endswith("unreadable"))
    assert ingest_grade_changes(layout).unreadable == 0  # audited once
    assert verify_chain(layout.audit_log_file).ok


def test_a_line_being_written_waits_and_a_cut_line_does_not_swallow_the_next(
        layout: DataLayout) -> None:
    path = journal(layout)
    path.parent.mkdir()
    whole = json.dumps(change().as_json()).encode()
    path.write_bytes(whole[:40])  # the writer is mid-line (or crashed there)
    assert ingest_grade_changes(layout).changes == 0
    assert entries(layout) == []
    append_grade_change(layout.course_dir(DS), change(student="binh"))
    ingest_grade_changes(layout)
    assert [(e.action, details(e).get("journal_line", details(e).get("line")))
            for e in entries(layout)] == [("grade.change.unreadable", 1), ("grade.change", 2)]
    assert details(entries(layout)[1])["student"] == "binh"


def test_the_service_audits_while_it_runs_and_nothing_twice_after_a_restart(
        layout: DataLayout) -> None:
    """`academy grade watch` as `academy up` runs it, stopped the way the hub stops it."""
    append_grade_change(layout.course_dir(DS), change())
    first = _service(layout)
    try:
        _wait_for(lambda: len(entries(layout)) == 1, first)
        append_grade_change(layout.course_dir(DS), change(student="binh"))
        _wait_for(lambda: len(entries(layout)) == 2, first)  # within seconds, not interval
    finally:
        _stop(first)
    append_grade_change(layout.course_dir(CYBER), change(user="khoa", course=CYBER))
    second = _service(layout)
    try:
        _wait_for(lambda: len(entries(layout)) >= 3, second)
        # one more, audited by a later look: anything audited twice would be there by now
        append_grade_change(layout.course_dir(DS), change(student="chi"))
        _wait_for(lambda: details(entries(layout)[-1])["student"] == "chi", second)
    finally:
        _stop(second)
    assert [(e.actor, details(e)["student"]) for e in entries(layout)] == [
        ("giang", "an"), ("giang", "binh"), ("khoa", "an"), ("giang", "chi")]
    assert verify_chain(layout.audit_log_file).ok


def _service(layout: DataLayout) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACADEMY_")}
    env["PYTHONPATH"] = str(REPO)
    with (layout.root / "grading-service.log").open("ab") as log:
        return subprocess.Popen(
            [str(ACADEMY), "--data-dir", str(layout.root), "grade", "watch",
             "--interval", "600"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if proc.poll() is not None:
            pytest.fail("the grading service exited: "
                        + (Path(str(proc.args[2])) / "grading-service.log").read_text())
        if time.monotonic() > deadline:
            pytest.fail("the grading service did not audit the journal in 60 s")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_crash_between_the_entry_and_the_offset_audits_the_line_again_visibly(
        layout: DataLayout) -> None:
    """The entry is written before the offset: a crash in between repeats a line (its
    journal_line says so), never loses one."""
    append_grade_change(layout.course_dir(DS), change())
    ingest_grade_changes(layout)
    saved = offsets_file(layout).read_bytes()
    append_grade_change(layout.course_dir(DS), change(student="binh"))
    ingest_grade_changes(layout)
    offsets_file(layout).write_bytes(saved)  # as if it stopped before saving the offset
    ingest_grade_changes(layout)
    assert [details(e)["journal_line"] for e in entries(layout)] == [1, 2, 2]


def test_a_replaced_or_cut_journal_is_audited_and_read_again_from_the_start(
        layout: DataLayout) -> None:
    append_grade_change(layout.course_dir(DS), change())
    append_grade_change(layout.course_dir(DS), change(student="binh"))
    ingest_grade_changes(layout)
    path = journal(layout)
    path.unlink()
    append_grade_change(layout.course_dir(DS), change(student="chi"))  # a new, shorter file
    report = ingest_grade_changes(layout)
    assert (report.changes, report.unreadable) == (1, 1)
    *_, problem, again = entries(layout)
    assert problem.action == "grade.change.unreadable"
    assert "replaced, cut or rewritten after 2 line(s)" in str(problem.details["problem"])
    assert details(again)["student"] == "chi" and details(again)["journal_line"] == 1
    before = len(entries(layout))
    assert ingest_grade_changes(layout).unreadable == 0  # once, not at every look
    assert len(entries(layout)) == before


def test_a_journal_rewritten_in_place_is_audited_and_read_again(layout: DataLayout) -> None:
    """The same file, cut and written again longer: the line audited last is not where it
    was, so nothing written before the offset goes unaudited."""
    append_grade_change(layout.course_dir(DS), change())
    ingest_grade_changes(layout)
    path = journal(layout)
    with path.open("r+b") as fh:  # same inode
        fh.truncate(0)
    for student in ("binh", "chi"):
        append_grade_change(layout.course_dir(DS), change(student=student))
    report = ingest_grade_changes(layout)
    assert (report.changes, report.unreadable) == (2, 1)
    assert [details(e).get("student") for e in entries(layout)] == ["an", None, "binh", "chi"]


def test_a_removed_journal_is_audited_once(layout: DataLayout) -> None:
    append_grade_change(layout.course_dir(DS), change())
    ingest_grade_changes(layout)
    journal(layout).unlink()
    assert ingest_grade_changes(layout).unreadable == 1
    assert ingest_grade_changes(layout).unreadable == 0
    *_, removed = entries(layout)
    assert removed.details["problem"] == "the journal was removed after 1 line(s) were audited"
    append_grade_change(layout.course_dir(DS), change(student="binh"))  # a new journal
    ingest_grade_changes(layout)
    *_, new = entries(layout)
    assert details(new)["student"] == "binh" and details(new)["journal_line"] == 1


def test_a_symbolic_link_is_not_followed(layout: DataLayout, tmp_path: Path) -> None:
    """The grader account owns the folder, the grading service is root: a link to another
    file must not bring that file into the audit log."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root's secret\n")
    path = journal(layout)
    path.parent.mkdir()
    path.symlink_to(secret)
    assert ingest_grade_changes(layout).unreadable == 1
    assert ingest_grade_changes(layout).unreadable == 0
    assert "root's secret" not in layout.audit_log_file.read_text()
    [entry] = entries(layout)
    assert "symbolic link" in str(entry.details["problem"])
    path.unlink()
    append_grade_change(layout.course_dir(DS), change())
    assert ingest_grade_changes(layout).changes == 1


def test_a_long_line_is_unreadable_and_quoted_briefly(layout: DataLayout) -> None:
    path = journal(layout)
    path.parent.mkdir()
    path.write_bytes(b"x" * (3 * MAX_LINE_BYTES) + b"\n")
    append_grade_change(layout.course_dir(DS), change())
    report = ingest_grade_changes(layout)
    assert (report.changes, report.unreadable) == (1, 1)
    unreadable, good = entries(layout)
    assert "longer than" in str(unreadable.details["problem"])
    assert unreadable.details["text"] == "x" * 200
    assert details(good)["journal_line"] == 2


def test_a_long_backlog_is_audited_over_several_looks(layout: DataLayout) -> None:
    for student in ("an", "binh", "chi"):
        append_grade_change(layout.course_dir(DS), change(student=student))
    assert ingest_grade_changes(layout, max_lines=2).changes == 2
    assert ingest_grade_changes(layout, max_lines=2).changes == 1
    assert [details(e)["student"] for e in entries(layout)] == ["an", "binh", "chi"]


def test_an_unreadable_offsets_file_stops_the_ingestion_loudly(layout: DataLayout) -> None:
    append_grade_change(layout.course_dir(DS), change())
    offsets_file(layout).parent.mkdir(parents=True, exist_ok=True)
    offsets_file(layout).write_text("{broken")
    with pytest.raises(GradeChangeError, match="grade-change-offsets.json"):
        ingest_grade_changes(layout)
    assert entries(layout) == []
    # the service says so in its log at each look and goes on with its other work
    stop = threading.Event()
    lines: list[str] = []
    looks: list[str] = []

    class Jobs(JobRunner):
        def run_queued(self) -> list:  # type: ignore[override]
            looks.append("jobs")
            if len(looks) == 2:
                stop.set()
            return []

    serve(stop, SubmissionWatcher(lambda: []), Jobs(JobSpool(layout.root / "spool"),
                                                    lines.append),
          interval=600, job_poll=0.01,
          every_poll=(lambda: audit_grade_changes(layout, log=lines.append),))
    assert len(lines) == 2 and all("GradeChangeError" in line for line in lines)
    assert looks == ["jobs", "jobs"]
