"""Helpers of the my_learning tests: a real nbgrader course in a temporary directory.

No mocks: nbgrader's CLI (from the same environment as the test interpreter) generates,
releases, collects, autogrades and returns feedback; the learner side goes through the
exchange and the submission cache exactly as on the platform.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import requests

from common.i18n import LANGUAGE_COOKIE, Language
from my_learning.handlers import FULL_NAME_ENV
from my_learning.nbgrader_client import NbgraderClient

REPO = Path(__file__).resolve().parents[2]

BIN = Path(sys.executable).parent
COURSE_ID = "digital-signatures"
COURSE_TITLE = "Digital signatures in public service"
NOTEBOOK = "lesson.ipynb"
# Graded once for all tests (by nbgrader's CLI, in the session template).
GRADED_ID = "ds01-intro"
GRADED_TITLE = "What a digital signature proves"
# Released and untouched: each test starts and submits it through my_learning.
FRESH_ID = "ds02-practice"
FRESH_TITLE = "Practice: signing an outgoing document"
# In the catalog, never released.
UNRELEASED_ID = "ds03-verify"
UNRELEASED_TITLE = "Verifying a signed document"
TOKEN = "test-token-for-my-learning"
# What the hub's spawner passes from the roster (hub_config.spawner.FullNameFromRoster)
FULL_NAME = "Nguyễn Thị Thu Hà"

CATALOG_TOML = """\
id = "{course_id}"
title = {title}
title_vi = "Chữ ký số trong hoạt động công vụ"
pass_percent = 70
grade_on_submit = {grade_on_submit}

[[modules]]
id = "{graded_id}"
title = "{graded_title}"
notebook = "{notebook}"

[[modules]]
id = "{fresh_id}"
title = "{fresh_title}"
notebook = "{notebook}"

[[modules]]
id = "{unreleased_id}"
title = "{unreleased_title}"
"""


def catalog_toml(title: str = COURSE_TITLE, grade_on_submit: bool = False) -> str:
    return CATALOG_TOML.format(
        course_id=COURSE_ID,
        grade_on_submit=json.dumps(grade_on_submit),
        title=json.dumps(title),
        graded_id=GRADED_ID,
        graded_title=GRADED_TITLE,
        fresh_id=FRESH_ID,
        fresh_title=FRESH_TITLE,
        notebook=NOTEBOOK,
        unreleased_id=UNRELEASED_ID,
        unreleased_title=UNRELEASED_TITLE,
    )


def source_notebook() -> nbformat.NotebookNode:
    """One answer cell and two autograded tests: 7 points and 3 points."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python"
    }

    def meta(grade_id: str, **kw: object) -> dict[str, object]:
        base = {"grade": False, "solution": False, "locked": False, "task": False}
        return {"nbgrader": {**base, **kw, "grade_id": grade_id, "schema_version": 3}}

    answer = nbformat.v4.new_code_cell(
        "### BEGIN SOLUTION\nanswer = 42\nbonus = 'yes'\n### END SOLUTION",
        metadata=meta("answer", solution=True),
    )
    test_a = nbformat.v4.new_code_cell(
        "assert answer == 42", metadata=meta("test_answer", grade=True, locked=True, points=7)
    )
    test_b = nbformat.v4.new_code_cell(
        "assert bonus == 'yes'", metadata=meta("test_bonus", grade=True, locked=True, points=3)
    )
    intro = nbformat.v4.new_markdown_cell("# What a digital signature proves")
    nb.cells = [intro, answer, test_a, test_b]
    return nb


def with_venv_path(env: dict[str, str]) -> dict[str, str]:
    """nbgrader runs `alembic` from PATH: put this environment's bin first."""
    return {**env, "PATH": os.pathsep.join((str(BIN), env.get("PATH", "")))}


def run_nbgrader(*args: str, cwd: Path, env: dict[str, str]) -> None:
    env = with_venv_path(env)
    proc = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


class Academy:
    """One course and one learner (the OS user) under `root`: config, exchange, course, home."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config_dir = root / "config"
        self.exchange = root / "exchange"
        self.course = root / "course"
        self.home = root / "home"
        self.catalog = root / "catalog"

    @classmethod
    def create(cls, root: Path, generated_course: Path) -> Academy:
        """The trainer releases both generated modules (nbgrader CLI); the learner starts,
        answers and submits the first one; the trainer collects, autogrades it and releases
        feedback (nbgrader CLI)."""
        academy = cls(root)
        for d in (academy.config_dir, academy.exchange, academy.home, academy.catalog):
            d.mkdir(parents=True)
        academy.exchange.chmod(0o777)
        shutil.copytree(generated_course, academy.course)
        academy.write_config()
        academy.write_catalog()
        env = academy.env()
        for module_id in (GRADED_ID, FRESH_ID):
            run_nbgrader("release_assignment", module_id, cwd=academy.course, env=env)
        with pytest.MonkeyPatch.context() as monkeypatch:  # the learner's steps, in-process
            academy.apply_env(monkeypatch)
            client = NbgraderClient(str(academy.home))
            client.fetch_assignment(COURSE_ID, GRADED_ID)
            academy.answer(GRADED_ID)
            client.submit(COURSE_ID, GRADED_ID)
        for step in ("collect", "autograde", "generate_feedback", "release_feedback"):
            run_nbgrader(step, GRADED_ID, cwd=academy.course, env=env)
        return academy

    def clone(self, root: Path) -> Academy:
        """An independent copy (feedback is matched by hashes, not paths)."""
        shutil.copytree(self.root, root, symlinks=True)
        academy = Academy(root)
        academy.write_config()
        return academy

    def write_config(self) -> None:
        (self.config_dir / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f"c.Exchange.root = {str(self.exchange)!r}\n"
            "c.Exchange.path_includes_course = True\n"
            f"c.CourseDirectory.root = {str(self.course)!r}\n"
        )

    def write_catalog(self, title: str = COURSE_TITLE, grade_on_submit: bool = False) -> None:
        (self.catalog / f"{COURSE_ID}.toml").write_text(
            catalog_toml(title, grade_on_submit), encoding="utf-8"
        )

    def env(self) -> dict[str, str]:
        """Environment of the learner's server and of the nbgrader CLI."""
        env = with_venv_path(dict(os.environ))
        env.update(
            JUPYTER_CONFIG_PATH=str(self.config_dir),
            JUPYTER_CONFIG_DIR=str(self.home / ".jupyter"),
            JUPYTER_DATA_DIR=str(self.home / ".local" / "share" / "jupyter"),
            JUPYTER_RUNTIME_DIR=str(self.root / "runtime"),
            HOME=str(self.home),
            ACADEMY_CATALOG_DIR=str(self.catalog),
            **{FULL_NAME_ENV: FULL_NAME},
            PYTHONPATH=os.pathsep.join(
                p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
            ),
        )
        return env

    def apply_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The same environment for in-process nbgrader calls."""
        env = self.env()
        for key in (
            "JUPYTER_CONFIG_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "ACADEMY_CATALOG_DIR"
        ):
            monkeypatch.setenv(key, env[key])

    def notebook(self, module_id: str) -> Path:
        """The learner's fetched copy of a module's notebook."""
        return self.home / COURSE_ID / module_id / NOTEBOOK

    def answer(self, module_id: str, answer: int = 42, bonus: str = "no") -> None:
        """The learner's work: right answer, wrong bonus (7 of 10 points)."""
        path = self.notebook(module_id)
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer":
                cell.source = f"answer = {answer}\nbonus = {bonus!r}"
        nbformat.write(nb, path)


class Server:
    def __init__(self, url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
        self.url = url  # ends with "/"
        self.proc = proc
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def session(self, language: Language | None = None) -> requests.Session:
        """A browser-like session: logged in by cookie once, then no token any more; with
        the platform's language cookie when `language` is given (none: the default)."""
        session = requests.Session()
        if language is not None:
            session.cookies.set(LANGUAGE_COOKIE, language.value, path="/")
        response = session.get(self.url + "learning", params={"token": TOKEN}, timeout=30)
        assert response.status_code == 200, response.text
        assert "_xsrf" in session.cookies
        return session
