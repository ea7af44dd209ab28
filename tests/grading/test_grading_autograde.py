"""Autograde orchestration against real nbgrader: a tiny course, three learners, real kernels.

One module-scoped run serves all assertions (collect, sandboxed autograde, practical tasks
from an evidence API on 127.0.0.1, generate and release feedback):
* "bao" answered right and did the task in the e-office -> 3/3;
* "chi" answered wrong; the e-office has evidence for chi -> 1/3 (the practical task cell
  is scored by the grader from the evidence API, outside any kernel);
* "an" answered right but submitted a corrupt notebook: the notebook counts for nothing
  (it is rebuilt from the trainer's), so an is graded from the answers file -> 2/3.
"""

from __future__ import annotations

import html
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grading.autograde import (
    AutogradeReport,
    CourseWorkspace,
    EvidenceAccess,
    GradingBusyError,
    GradingError,
    UnknownAssignmentError,
    autograde_assignment,
    list_assignments,
)
from grading.engine import GradeStatus
from grading.feedback import parse_feedback_score
from grading.gradebook import read_gradebook
from grading.records import completion_records
from hub_config import CONFIG_DIR
from tests.json_http import JsonHandler, serving

NBGRADER = Path(sys.executable).parent / "nbgrader"
COURSE_ID = "ky-so-101"
ASSIGNMENT = "m1"
EVIDENCE = {"bao": 2, "chi": 1, "an": 0}  # documents each learner registered in the e-office


def token_for(student: str) -> str:
    return f"tok-{student}-s3cr3t"


class EvidenceHandler(JsonHandler):
    """Stands in for the e-office evidence API: per-learner tokens, per-learner answers."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = self.path.strip("/").split("/")
        student = parts[2] if len(parts) == 3 and parts[:2] == ["api", "evidence"] else ""
        if self.headers.get("Authorization") != f"token {token_for(student)}":
            self.send_response(403)
            self.end_headers()
            return
        done = EVIDENCE.get(student, 0) >= 1
        task = {
            "done": done,
            "completed_at": None,
            "detail": f"{EVIDENCE.get(student, 0)} registered",
        }
        self.send_json(200, {"username": student, "tasks": {TASK: task}, "activity": []})


def _meta(grade_id: str, points: int = 0, grade: bool = False) -> dict:
    return {
        "nbgrader": {
            "grade": grade,
            "grade_id": grade_id,
            "locked": True,
            "points": points,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }
    }


QUESTION = 'question("who", "Who signs an outgoing document?", ["the leader", "the clerk"])'
EXPLANATION = "The leader signs; the clerk (văn thư) numbers & issues it."
SIGNATURE_TEST = f"""\
from course_kit.grading import answer, explain
### BEGIN HIDDEN TESTS
explain("who", {EXPLANATION!r})
assert answer("who") == "the leader", "not the leader"
### END HIDDEN TESTS
"""
#: an unknown answer key written by hand: the feedback must show it as text, never markup
INJECTED_KEY = "<img src=x onerror=alert(1)>"
ANSWERS = {"an": "the leader", "bao": "the leader", "chi": "the clerk"}

TASK = "register-incoming-from-so-tai-chinh"


def source_notebook() -> nbformat.NotebookNode:
    nb = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    nb.cells = [
        new_markdown_cell(
            "# Ký số văn bản đi\nKý văn bản bằng chứng thư của chính mình.", metadata=_meta("intro")
        ),
        new_code_cell("from course_kit.widgets import question", metadata=_meta("setup")),
        new_code_cell(QUESTION, metadata=_meta("who-q")),
        new_code_cell(SIGNATURE_TEST, metadata=_meta("signed-by-self", 2, grade=True)),
        new_markdown_cell(
            "Practical task: register the document (graded from the e-office).",
            metadata={"nbgrader": {**_meta(f"practical-{TASK}", 1)["nbgrader"], "task": True}},
        ),
    ]
    return nb


def nbgrader(*args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [str(NBGRADER), *args],
        cwd=cwd,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def snapshot(*roots: Path) -> dict[str, tuple]:
    state = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                path = Path(dirpath) / name
                st = path.lstat()
                content = path.read_bytes() if stat.S_ISREG(st.st_mode) else b""
                state[str(path)] = (st.st_mode, st.st_size, st.st_mtime_ns, content)
    return state


@dataclass
class GradedCourse:
    course: CourseWorkspace
    exchange: Path
    report: AutogradeReport


@pytest.fixture(scope="module")
def evidence_server() -> Iterator[str]:
    with serving(EvidenceHandler) as url:
        yield url


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory, evidence_server: str) -> GradedCourse:
    base = tmp_path_factory.mktemp("autograde")
    root = base / "courses" / COURSE_ID
    exchange = base / "exchange"
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    exchange.mkdir()
    exchange.chmod(0o777)
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        # like hub_config/nbgrader_config.py: the exchange comes from the environment, so
        # this also proves CourseWorkspace.exchange_dir reaches nbgrader
        'import os\nc.Exchange.root = os.environ["ACADEMY_EXCHANGE_ROOT"]\n'
        "c.Exchange.path_includes_course = True\n",
        encoding="utf-8",
    )
    nbformat.write(source_notebook(), root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    course_env = {"ACADEMY_EXCHANGE_ROOT": str(exchange)}
    for step in ("generate_assignment", "release_assignment"):
        nbgrader(step, ASSIGNMENT, cwd=root, env=dict(os.environ, **course_env))

    # each learner works on a copy of the released assignment and submits with nbgrader
    released = root / "release" / ASSIGNMENT
    submits = []
    for student, choice in ANSWERS.items():
        work = base / "work" / student / COURSE_ID / ASSIGNMENT
        work.mkdir(parents=True)
        notebook = (released / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")
        if student == "an":
            notebook = notebook[: len(notebook) // 2]  # a corrupt, truncated notebook
        (work / f"{ASSIGNMENT}.ipynb").write_text(notebook, encoding="utf-8")
        answers = {"who": {"value": choice}}
        if student == "an":
            answers[INJECTED_KEY] = {"value": "x"}
        (work / "responses.json").write_text(
            json.dumps({"version": 1, "answers": answers}), encoding="utf-8"
        )
        env = dict(os.environ, JUPYTER_DATA_DIR=str(base / "jupyter-data" / student))
        submits.append(
            subprocess.Popen(
                [
                    str(NBGRADER),
                    "submit",
                    ASSIGNMENT,
                    f"--student={student}",
                    f"--course={COURSE_ID}",
                    f"--Exchange.root={exchange}",
                    "--Exchange.path_includes_course=True",
                ],
                cwd=base / "work" / student,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    assert [p.wait() for p in submits] == [0, 0, 0]

    course = CourseWorkspace(  # with the platform's nbgrader configuration, as deployed
        course_id=COURSE_ID, root=root, db_url=db_url, exchange_dir=exchange,
        config_dir=CONFIG_DIR,
    )
    report = autograde_assignment(course, ASSIGNMENT, EvidenceAccess(evidence_server, token_for))
    return GradedCourse(course, exchange, report)


def test_each_learner_graded_with_own_identity(graded: GradedCourse) -> None:
    report = graded.report
    assert report.collect.ok
    assert report.ok, report.summary()
    assert {s.student_id: s.status for s in report.students} == {
        "an": GradeStatus.GRADED,
        "bao": GradeStatus.GRADED,
        "chi": GradeStatus.GRADED,
    }
    book = read_gradebook(graded.course.gradebook_url, [ASSIGNMENT])
    assert book.max_scores == {ASSIGNMENT: 3.0}
    assert book.grades[("bao", ASSIGNMENT)].score == 3.0
    assert book.grades[("chi", ASSIGNMENT)].score == 1.0
    assert {s.student_id: s.score for s in report.students} == {"an": 2.0, "bao": 3.0, "chi": 1.0}
    chi_nb = graded.course.root / "autograded" / "chi" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "not the leader" in chi_nb.read_text(encoding="utf-8")


def test_corrupt_notebook_is_graded_from_the_answers(graded: GradedCourse) -> None:
    report = graded.report
    assert report.ok and report.failed_students == []
    an = report.students[0]
    assert an.student_id == "an"
    assert any("could not be read" in p for p in an.problems)
    summary = report.summary()
    assert "an: graded 2/3" in summary and "bao: graded 3/3" in summary
    summary_json = report.as_json()
    assert summary_json["counts"]["graded"] == 3
    assert [s["score"] for s in summary_json["students"]] == [2.0, 3.0, 1.0]


def test_second_run_grades_nothing_again(graded: GradedCourse, evidence_server: str) -> None:
    before = read_gradebook(graded.course.gradebook_url, [ASSIGNMENT]).grades
    again = autograde_assignment(
        graded.course, ASSIGNMENT, EvidenceAccess(evidence_server, token_for)
    )
    assert {s.status for s in again.students} == {GradeStatus.UNCHANGED}
    after = read_gradebook(graded.course.gradebook_url, [ASSIGNMENT]).grades
    assert {k: v.score for k, v in after.items()} == {k: v.score for k, v in before.items()}


def test_feedback_released_to_exchange(graded: GradedCourse) -> None:
    report = graded.report
    assert report.generate_feedback is not None and report.generate_feedback.ok
    assert report.release_feedback is not None and report.release_feedback.ok
    for student in ("an", "bao", "chi"):
        assert (graded.course.root / "feedback" / student / ASSIGNMENT / "m1.html").is_file()
    released = list((graded.exchange / COURSE_ID / "feedback").glob("*.html"))
    assert len(released) == 3


def _language_blocks(page: str, language: str) -> str:
    """The texts the feedback marks as `language`'s (grading.feedback.LANGUAGE_ATTRIBUTE)."""
    from grading.feedback import LANGUAGE_ATTRIBUTE

    return "\n".join(re.findall(
        rf'<div {LANGUAGE_ATTRIBUTE}="{language}" lang="{language}">(.*?)</div></div>', page,
        re.DOTALL))


def _feedback(graded: GradedCourse, student: str) -> str:
    path = graded.course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("student", "verdict", "answer", "recorded", "score"),
    [
        ("bao", ("Đúng: 2 / 2 điểm", "Correct: 2 / 2 points"), "the leader", "2 registered",
         (3.0, 3.0)),
        ("chi", ("Chưa đúng: 0 / 2 điểm", "Not correct: 0 / 2 points"), "the clerk",
         "1 registered", (1.0, 3.0)),
        ("an", ("Đúng: 2 / 2 điểm", "Correct: 2 / 2 points"), "the leader", "0 registered",
         (2.0, 3.0)),
    ],
)
def test_feedback_shows_answers_points_and_explanations_but_no_code(
    graded: GradedCourse, student: str, verdict: tuple[str, str], answer: str, recorded: str,
    score: tuple[float, float],
) -> None:
    page = _feedback(graded, student)
    assert "Who signs an outgoing document?" in page
    # both languages, each marked as such (My learning shows the learner's: test_my_learning)
    vietnamese, english = _language_blocks(page, "vi"), _language_blocks(page, "en")
    assert f"Câu trả lời của bạn: {answer}" in vietnamese and verdict[0] in vietnamese
    assert f"Your answer: {answer}" in english and verdict[1] in english
    assert "Your answer" not in vietnamese and "Câu trả lời" not in english
    assert html.escape(EXPLANATION) in page
    assert "Hệ thống ghi nhận: Graded from the sandbox e-office's " in html.unescape(vietnamese)
    assert "The e-office recorded: Graded from the sandbox e-office's " in html.unescape(english)
    assert recorded in page
    for code in ("assert answer", "answer(", "explain(", "course_kit", "BEGIN HIDDEN",
                 "not the leader"):
        assert code not in page, f"{code!r} leaked into {student}'s feedback"
    # My learning reads the score from nbgrader's heading, which the feedback keeps
    points, max_points = score
    parsed = parse_feedback_score(page)
    assert parsed is not None and (parsed.points, parsed.max_points) == (points, max_points)


def test_feedback_says_what_could_not_be_read_as_text(graded: GradedCourse) -> None:
    page = _feedback(graded, "an")
    assert "could not be read" in page
    assert INJECTED_KEY not in page  # escaped: the learner's text never becomes markup
    assert html.escape(INJECTED_KEY, quote=False) in page


def test_explanations_stay_hidden_until_feedback(graded: GradedCourse) -> None:
    released = graded.course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "explain(" not in released.read_text(encoding="utf-8")
    assert EXPLANATION not in released.read_text(encoding="utf-8")


def test_log_has_every_step_but_no_secrets(graded: GradedCourse) -> None:
    log = graded.report.log_file
    assert log.parent == graded.course.root / "logs"
    text = log.read_text(encoding="utf-8")
    for step in (
        "collect --update m1",
        "generate_feedback m1",
        "release_feedback m1",
    ):
        assert f"$ nbgrader {step}" in text
    assert f"practical task {TASK} for bao: 1 points" in text
    assert f"practical task {TASK} for an: 0 points" in text
    assert "s3cr3t" not in text  # the grader's token never reaches the log
    assert "s3cr3t" not in repr(EvidenceAccess("http://x", "tok-s3cr3t"))


def test_records_from_the_autograded_gradebook(graded: GradedCourse) -> None:
    from course_kit.catalog import Course, Module
    from people.roster import Person

    catalog = {
        COURSE_ID: Course(
            COURSE_ID, "Signing", "Ký số", 70, (Module(ASSIGNMENT, "Ký số văn bản đi", "m1.ipynb"),)
        )
    }
    roster = [
        Person(s, s.title(), "learner", f"CB-{s}", "UBND", courses=(COURSE_ID,))
        for s in ("an", "bao", "chi")
    ]
    records = completion_records(roster, catalog, {COURSE_ID: graded.course.gradebook_url})
    assert [(r.username, r.score, r.max_score, r.passed) for r in records] == [
        ("an", 2.0, 3.0, False),
        ("bao", 3.0, 3.0, True),
        ("chi", 1.0, 3.0, False),
    ]
    assert records[1].completion_date is not None


def test_unknown_assignment_changes_nothing(graded: GradedCourse) -> None:
    before = snapshot(graded.course.root, graded.exchange)
    with pytest.raises(UnknownAssignmentError) as info:
        autograde_assignment(graded.course, "m9", EvidenceAccess("http://x", "t"))
    message = str(info.value)
    assert "'m9'" in message and "known assignments: m1" in message
    assert snapshot(graded.course.root, graded.exchange) == before
    assert list_assignments(graded.course) == ["m1"]


def test_course_without_gradebook(tmp_path: Path) -> None:
    course = CourseWorkspace(course_id="new-course", root=tmp_path)
    with pytest.raises(UnknownAssignmentError, match=r"known assignments: none yet"):
        autograde_assignment(course, "m1", EvidenceAccess("http://x", "t"))
    assert list(tmp_path.iterdir()) == []


def test_missing_config_is_a_clear_error(graded: GradedCourse, tmp_path: Path) -> None:
    course = CourseWorkspace(course_id=COURSE_ID, root=tmp_path, db_url=graded.course.gradebook_url)
    with pytest.raises(GradingError, match=r"nbgrader_config\.py is missing"):
        autograde_assignment(course, ASSIGNMENT, EvidenceAccess("http://x", "t"))


def test_concurrent_run_is_refused(graded: GradedCourse) -> None:
    import fcntl

    logs = graded.course.root / "logs"
    before = sorted(logs.iterdir())
    with open(logs / "autograde.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(GradingBusyError, match=r"another autograde run is in progress"):
            autograde_assignment(graded.course, ASSIGNMENT, EvidenceAccess("http://x", "t"))
    assert sorted(logs.iterdir()) == before


def test_feedback_follows_a_trainers_manual_grade(graded: GradedCourse) -> None:
    """bao's practical task waits for a manual grade: nothing is made again. Once the
    trainer has graded it (here: 0 of its 1 point), bao's feedback is made again from the
    gradebook and released (the total follows) for My learning to fetch; the other
    learners' released feedback is untouched. Put back as it was afterwards."""
    from nbgrader.api import Gradebook

    from grading.autograde import refresh_feedback
    from grading.completion import Score

    task = f"practical-{TASK}"
    released_dir = graded.exchange / COURSE_ID / "feedback"

    def released() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in released_dir.glob("*.html")}

    def set_task(**values: object) -> dict[str, object]:
        with Gradebook(graded.course.gradebook_url, COURSE_ID) as gradebook:
            grade = gradebook.find_grade(task, ASSIGNMENT, ASSIGNMENT, "bao")
            before = {name: getattr(grade, name) for name in values}
            for name, value in values.items():
                setattr(grade, name, value)
            gradebook.db.commit()
        return before

    assert parse_feedback_score(_feedback(graded, "bao")) == Score(3, 3)
    first = released()
    kept = set_task(needs_manual_grade=True, manual_score=None)
    try:
        waiting = refresh_feedback(graded.course, ASSIGNMENT, "bao")
        assert waiting.generate_feedback is None
        assert waiting.reason == "a grade still waits for the trainer"
        assert released() == first

        set_task(needs_manual_grade=False, manual_score=0.0)
        done = refresh_feedback(graded.course, ASSIGNMENT, "bao")
        assert done.ok and done.generate_feedback is not None and done.release_feedback
        assert parse_feedback_score(_feedback(graded, "bao")) == Score(2, 3)
        now = released()
        changed = [name for name in first if now[name] != first[name]]
        assert len(changed) == 1 and set(now) == set(first)  # bao's file only, made again
        assert "(Score: 2.0 / 3.0)" in now[changed[0]].decode("utf-8")
        assert refresh_feedback(graded.course, ASSIGNMENT, "nobody").reason == (
            "no submission in the gradebook")
    finally:
        set_task(**kept)
        refresh_feedback(graded.course, ASSIGNMENT, "bao")
    assert parse_feedback_score(_feedback(graded, "bao")) == Score(3, 3)
