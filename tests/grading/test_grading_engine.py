"""The grader on the real ds01 module: cheats score exactly what their answers are worth.

One course built with nbgrader's own `generate_assignment`; submissions are placed in
`submitted/` as `nbgrader collect` leaves them. Every cheat has an honest twin with the
same answers file; the cheat must get exactly the twin's grade, and nothing outside the
sandbox may change. Stock `nbgrader autograde` grades the honest submissions of a copy of
the course, and the academy's grades must equal its grades, cell by cell.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from grading.engine import AutogradeEngine, GradeStatus, GradingOutcome
from grading.kernel_sandbox import sandbox_account
from tests.grading.ds01_submissions import (
    CORRECT,
    COURSE_ID,
    HONEST,
    MODULE,
    NBGRADER,
    NOTEBOOK,
    PARTIAL,
    WRONG,
    make_course,
    nbgrader_env,
    submit,
)


class Listener:
    """A TCP server on 127.0.0.1 that records every connection (none may arrive)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


def cheats(root: Path, port: int) -> dict[str, tuple[dict[str, Any], Any]]:
    """learner -> (answers, how the notebook is tampered with)."""
    gradebook = root / "gradebook.db"
    source = root / "source" / MODULE / f"{NOTEBOOK}.ipynb"

    def add_cell(code: str, at: int = 2):  # noqa: ANN202
        def tamper(nb: nbformat.NotebookNode) -> None:
            nb.cells.insert(at, new_code_cell(code))
        return tamper

    def edit_tests(nb: nbformat.NotebookNode) -> None:
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                cell.source = "pass  # edited by the learner"
        nb.cells[1].source = "import course_kit  # setup edited"

    def delete_and_retype(nb: nbformat.NotebookNode) -> None:
        del nb.cells[7]  # a test cell
        del nb.cells[3]
        nb.cells[5].cell_type = "markdown"
        nb.cells[5].pop("outputs", None)
        nb.cells[5].pop("execution_count", None)

    return {
        "cheat-helpers": (WRONG, add_cell(
            "import course_kit.grading as g\n"
            "g.answer = lambda qid: None\n"
            "import IPython.core.ultratb as tb\n"
            "tb.AutoFormattedTB.structured_traceback = lambda *a, **k: []\n"
        )),
        "cheat-noop": (WRONG, add_cell(
            "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])"
        )),
        "cheat-reads": ({}, add_cell(
            f"print(open({str(source)!r}).read()[:100])\n"
            f"open({str(gradebook)!r}, 'ab').write(b'x')\n"
            f"open({str(root / 'planted.txt')!r}, 'w').write('x')\n"
            "import socket\n"
            f"socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        )),
        "cheat-edited": (PARTIAL, edit_tests),
        "cheat-deleted": (PARTIAL, delete_and_retype),
        "cheat-types": ({"q1": ["a list"], "q2": "not a list", "q3": 3, "zz": "unknown",
                         "q4": CORRECT["q4"]}, None),
        "cheat-big": ({"q1": CORRECT["q1"], "pad": "x" * (10 * 1024 * 1024)}, None),
        "cheat-notjson": (CORRECT, "this is not JSON {"),
    }


TWINS = {  # the honest submission whose answers each cheat really has
    "cheat-helpers": WRONG, "cheat-noop": WRONG, "cheat-reads": {}, "cheat-edited": PARTIAL,
    "cheat-deleted": PARTIAL, "cheat-types": {"q4": CORRECT["q4"]}, "cheat-big": {},
    "cheat-notjson": CORRECT,
}


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not str(p.relative_to(root)).startswith(("autograded", "gradebook"))
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("engine")
    root = base / "course"
    make_course(root)
    listener = Listener()
    for student, answers in HONEST.items():
        submit(root, student, answers, None)
    for student, (answers, tamper) in cheats(root, listener.port).items():
        submit(root, student, answers, tamper)
    for twin, answers in TWINS.items():
        submit(root, "twin-" + twin, answers, None)
    before = snapshot(root)
    engine = AutogradeEngine(root, COURSE_ID, f"sqlite:///{root}/gradebook.db", MODULE,
                             workers=2, account=sandbox_account())
    students = sorted(p.name for p in (root / "submitted").iterdir())
    outcomes = {o.student_id: o for o in engine.run(students)}
    listener.sock.close()
    return {"root": root, "outcomes": outcomes, "before": before, "after": snapshot(root),
            "listener": listener, "engine": engine, "base": base}


def cell_scores(root: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root}/gradebook.db", course_id=COURSE_ID) as gb:
        nb = gb.find_submission_notebook(NOTEBOOK, MODULE, student)
        return {g.name: g.auto_score for g in nb.grades if g.auto_score is not None}


def test_honest_submissions_graded(graded: dict[str, Any]) -> None:
    o: dict[str, GradingOutcome] = graded["outcomes"]
    assert {s: o[s].score for s in HONEST} == {
        "honest-right": 6.0, "honest-wrong": 0.0, "honest-partial": 2.0, "honest-blank": 0.0,
    }
    assert all(o[s].status is GradeStatus.GRADED and not o[s].problems for s in HONEST)


@pytest.mark.parametrize("cheat", sorted(TWINS))
def test_cheat_gets_exactly_the_grade_of_its_answers(graded: dict[str, Any], cheat: str) -> None:
    root, o = graded["root"], graded["outcomes"]
    assert o[cheat].status is GradeStatus.GRADED, o[cheat].reason
    assert cell_scores(root, cheat) == cell_scores(root, "twin-" + cheat)
    assert o[cheat].score == o["twin-" + cheat].score


def test_cheats_are_reported(graded: dict[str, Any]) -> None:
    o = graded["outcomes"]
    assert any("cells instead of" in p for p in o["cheat-helpers"].problems)
    assert any("differed from the module" in p for p in o["cheat-edited"].problems)
    types = " ".join(o["cheat-types"].problems)
    assert "answer q1: expected one choice, found list" in types
    assert "answer q2: expected a list of choices, found str" in types
    assert '"zz": this module has no such question' in types
    assert "over the 65,536-byte limit" in " ".join(o["cheat-big"].problems)
    assert "could not be read" in " ".join(o["cheat-notjson"].problems)


def test_nothing_outside_the_sandbox_changed(graded: dict[str, Any]) -> None:
    assert graded["before"] == graded["after"]
    assert not (graded["root"] / "planted.txt").exists()
    assert graded["listener"].connections == 0


def test_same_grades_as_stock_nbgrader(graded: dict[str, Any]) -> None:
    """Stock `nbgrader autograde`, as nbgrader ships it, on the honest submissions."""
    stock = graded["base"] / "stock"
    make_course(stock)
    for student, answers in HONEST.items():
        submit(stock, student, answers, None)
    result = subprocess.run([str(NBGRADER), "autograde", MODULE], cwd=stock,
                            env=nbgrader_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    for student in HONEST:
        ours, theirs = cell_scores(graded["root"], student), cell_scores(stock, student)
        assert ours == theirs and len(ours) == 6, student


def test_a_second_run_grades_nothing(graded: dict[str, Any]) -> None:
    engine: AutogradeEngine = graded["engine"]
    students = sorted(graded["outcomes"])
    todo, done = engine.pending(students)
    assert todo == [] and done == students
