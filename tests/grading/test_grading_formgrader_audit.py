"""Manual grade changes in formgrader are journalled (``grading.formgrader_audit``): a real
jupyter server configured as a course service (hub_config's config files, the course role),
nbgrader's formgrader and a real nbgrader gradebook; nothing of nbgrader is replaced.

* a trainer's PUT of a grade changes it and appends one journal line naming the user;
* saving it again unchanged adds nothing; a change of a change records the old values;
* the journal is out of reach of the course service's own file API (hidden folder);
* when the journal cannot be written, the grade is not changed;
* the audited handler wins on formgrader's URL because it is added first (tornado);
* the extension is enabled for the course role and not for learners.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from nbgrader.api import Gradebook
from nbgrader.server_extensions.formgrader import apihandlers
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
from tornado.web import Application
from traitlets.config.loader import PyFileConfigLoader

from academy.supervisor import free_port
from grading.formgrader_audit import AuditedGradeHandler, add_audited_handlers
from grading.grade_changes import GradeScores, journal_file, parse_change
from installation.settings import EXCHANGE_ROOT_ENV, SERVER_ROLE_ENV, ServerRole

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN = "course-service-test-token"
COURSE = "digital-signatures"
MODULE = "ds01-what-a-signature-proves"
NOTEBOOK = "what-a-signature-proves"
CELL = "q4-explain"
EXTENSION = "grading.formgrader_audit"


@dataclass
class CourseService:
    """The running service and one trainer's session with it (the token, then the login
    cookie: the same user from one request to the next, as in a browser)."""

    url: str
    course_dir: Path
    grade_id: str
    log_path: Path
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.headers["Authorization"] = f"token {TOKEN}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def put_grade(self, grade_id: str, body: dict[str, object]) -> requests.Response:
        return self.session.put(f"{self.url}formgrader/api/grade/{grade_id}", json=body,
                                timeout=30)

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.url + path, timeout=30)

    def scores(self) -> GradeScores:
        with Gradebook(f"sqlite:///{self.course_dir / 'gradebook.db'}", COURSE) as gb:
            grade = gb.find_grade_by_id(self.grade_id)
            return GradeScores(grade.manual_score, grade.extra_credit)

    def journal(self) -> list[bytes]:
        path = journal_file(self.course_dir)
        return path.read_bytes().splitlines() if path.exists() else []


def _make_gradebook(course_dir: Path) -> str:
    """A gradebook as nbgrader keeps it: one module, one notebook with a manually graded
    cell, An's submission (nbgrader creates its grades); the id of An's grade of that cell."""
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", COURSE) as gb:
        gb.add_assignment(MODULE)
        gb.add_notebook(NOTEBOOK, MODULE)
        gb.add_grade_cell(CELL, NOTEBOOK, MODULE, max_score=3, cell_type="markdown")
        gb.add_solution_cell(CELL, NOTEBOOK, MODULE)
        gb.add_student("an", first_name="An", last_name="Nguyễn")
        with gb.db.no_autoflush:  # SQLAlchemy 2.1 warns about nbgrader's autoflush here
            gb.add_submission(MODULE, "an")
        return str(gb.find_grade(CELL, NOTEBOOK, MODULE, "an").id)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CourseService]:
    """A course service as `academy up` starts it (jupyterhub-singleuser is jupyter_server
    with the hub's login; here a token): JUPYTER_CONFIG_PATH is hub_config, the role is
    "course", the working directory and root are the course directory."""
    root = tmp_path_factory.mktemp("course-service")
    course_dir = root / "courses" / COURSE
    course_dir.mkdir(parents=True)
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course_dir)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course_dir}/gradebook.db'\n",
        encoding="utf-8")
    grade_id = _make_gradebook(course_dir)
    (root / "exchange").mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "ACADEMY_", "PYTEST_"))}
    env.update({
        "JUPYTER_CONFIG_PATH": str(REPO / "hub_config"),
        "JUPYTER_CONFIG_DIR": str(root / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(root / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "HOME": str(root),
        SERVER_ROLE_ENV: ServerRole.COURSE.value,
        EXCHANGE_ROOT_ENV: str(root / "exchange"),
        "PYTHONPATH": str(REPO),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    port = free_port()
    args = [str(BIN / "jupyter-server"), "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            "--ServerApp.port_retries=0", f"--ServerApp.root_dir={course_dir}",
            f"--IdentityProvider.token={TOKEN}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log_path = root / "server.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(args, cwd=course_dir, env=env, stdout=log_file,
                                stderr=subprocess.STDOUT)
    served = CourseService(f"http://127.0.0.1:{port}/", course_dir, grade_id, log_path)
    try:
        deadline = time.monotonic() + 90
        while True:  # the formgrader answering is the state waited for
            if proc.poll() is not None:
                pytest.fail(f"the course service exited:\n{served.log()}")
            try:
                if served.get("formgrader/api/status").ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the course service did not start:\n{served.log()}")
            time.sleep(0.2)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def test_a_manual_grade_change_is_journalled_with_the_user(service: CourseService) -> None:
    me = service.get("api/me").json()["identity"]["username"]
    assert "grading.formgrader_audit" in service.log()  # the academy's extension loaded it
    # from a known grade, whatever the module's other tests did before
    service.put_grade(service.grade_id, {"manual_score": 1.25, "extra_credit": None})
    before = service.journal()
    old = service.scores()
    response = service.put_grade(service.grade_id, {"manual_score": 2, "extra_credit": 0.5})
    assert response.status_code == 200, response.text
    assert response.json()["manual_score"] == 2.0  # formgrader's own answer
    assert service.scores() == GradeScores(2.0, 0.5)  # and the gradebook has it
    [line] = service.journal()[len(before):]
    change = parse_change(line)
    assert change.user == me and change.course == COURSE
    assert (change.assignment, change.student, change.notebook, change.cell) == (
        MODULE, "an", NOTEBOOK, CELL)
    assert change.old == old and change.new == GradeScores(2.0, 0.5)
    assert abs(time.time() - change.at.timestamp()) < 60 and change.at.utcoffset()
    journal = journal_file(service.course_dir)
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.parent.stat().st_mode) == 0o700
    # formgrader's other grade route is nbgrader's, as before
    assert service.get(f"formgrader/api/grade/{service.grade_id}").json()["extra_credit"] == 0.5


def test_saved_unchanged_adds_nothing_and_a_new_change_records_the_old(
        service: CourseService) -> None:
    # on its own (the module's tests share the service, in whatever order they run)
    assert service.put_grade(service.grade_id,
                             {"manual_score": 2.0, "extra_credit": 0.5}).status_code == 200
    before = service.journal()
    assert service.put_grade(service.grade_id,
                             {"manual_score": 2.0, "extra_credit": 0.5}).status_code == 200
    assert service.journal() == before
    # formgrader's form sends both; one left out is cleared (nbgrader's handler)
    assert service.put_grade(service.grade_id, {"manual_score": 3}).status_code == 200
    assert service.scores() == GradeScores(3.0, None)
    lines = service.journal()
    assert lines[:-1] == before
    change = parse_change(lines[-1])
    assert change.old == GradeScores(2.0, 0.5) and change.new == GradeScores(3.0, None)


def test_an_unknown_grade_is_not_found_and_not_journalled(service: CourseService) -> None:
    before = service.journal()
    assert service.put_grade("no-such-grade", {"manual_score": 1}).status_code == 404
    assert service.journal() == before


def test_the_course_service_s_file_api_cannot_reach_the_journal(
        service: CourseService) -> None:
    """Trainers use the course service: its contents API (file browser, downloads,
    uploads) refuses hidden paths, and the journal's folder is hidden."""
    assert service.put_grade(service.grade_id, {"manual_score": 1.5}).status_code == 200
    before = service.journal()
    assert before
    path = "api/contents/.audit/grade-changes.jsonl"
    assert service.get(path).status_code == 404
    assert service.get("api/contents/.audit").status_code == 404
    listing = service.get("api/contents").json()["content"]
    assert ".audit" not in [item["name"] for item in listing]
    overwrite = service.session.put(service.url + path, timeout=30,
                                    json={"type": "file", "format": "text", "content": ""})
    assert overwrite.status_code >= 400
    deleted = service.session.delete(service.url + path, timeout=30)
    assert deleted.status_code >= 400
    assert service.journal() == before


def test_a_change_that_cannot_be_journalled_is_undone(service: CourseService) -> None:
    assert service.put_grade(service.grade_id,
                             {"manual_score": 2.5, "extra_credit": None}).status_code == 200
    folder = journal_file(service.course_dir).parent
    aside = folder.with_name(".audit-aside")
    before = service.scores()
    folder.rename(aside)
    folder.write_text("not a folder")  # the journal cannot be created
    try:
        response = service.put_grade(service.grade_id, {"manual_score": 0, "extra_credit": 0})
        assert response.status_code == 500
        assert service.scores() == before
        assert "cannot be written" in service.log()
    finally:
        folder.unlink()
        aside.rename(folder)
    assert service.put_grade(service.grade_id, {"manual_score": 1}).status_code == 200
    assert parse_change(service.journal()[-1]).old == before


# --- the order of the handlers --------------------------------------------------------------


def _handler_for(app: Application, method: str, path: str) -> type:
    request = HTTPServerRequest(start_line=RequestStartLine(method, path, "HTTP/1.1"),
                                headers=HTTPHeaders({"Host": "127.0.0.1"}))
    return app.find_handler(request).handler_class


def test_the_audited_handler_wins_because_it_is_added_before_formgrader_s() -> None:
    """tornado matches the rules of the add_handlers calls in the order they were made:
    added first (as the extension does), the audited handler takes formgrader's URL; added
    after formgrader's, it would never be reached."""
    grade = "/formgrader/api/grade/abc"
    first = Application()
    add_audited_handlers(first)
    first.add_handlers(".*$", apihandlers.default_handlers)
    assert _handler_for(first, "PUT", grade) is AuditedGradeHandler
    assert _handler_for(first, "PUT", "/formgrader/api/comment/abc") is (
        apihandlers.CommentHandler)  # the rest is formgrader's
    after = Application()
    after.add_handlers(".*$", apihandlers.default_handlers)
    add_audited_handlers(after)
    assert _handler_for(after, "PUT", grade) is apihandlers.GradeHandler


# --- the configuration --------------------------------------------------------------------


def _extensions(monkeypatch: pytest.MonkeyPatch, role: ServerRole) -> dict[str, bool]:
    monkeypatch.setenv(SERVER_ROLE_ENV, role.value)
    monkeypatch.delenv("JUPYTER_PATH", raising=False)  # the learner branch sets it
    config = PyFileConfigLoader("jupyter_server_config.py",
                                path=str(REPO / "hub_config")).load_config()
    return dict(config.ServerApp.jpserver_extensions)


def test_the_extension_is_the_course_role_s_formgrader_and_not_the_learners(
        monkeypatch: pytest.MonkeyPatch) -> None:
    course = _extensions(monkeypatch, ServerRole.COURSE)
    assert course[EXTENSION] is True
    # nbgrader's own entry off: formgrader comes only with the audit (and only once)
    assert course["nbgrader.server_extensions.formgrader"] is False
    learner = _extensions(monkeypatch, ServerRole.LEARNER)
    assert not learner.get(EXTENSION)
    assert learner["nbgrader.server_extensions.formgrader"] is False
    # nbgrader's packaged config enables formgrader only under its own name, which the
    # course role turns off; nothing enables it under another
    for enabled in json.loads(
            (BIN.parent / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json")
            .read_text())["ServerApp"]["jpserver_extensions"]:
        assert enabled.startswith("nbgrader.server_extensions.")
