"""Helpers of the module frame's tests (imported by name; no tests in here): a module with
a Vietnamese (graded) and an English notebook, course-kit questions in both, a question
bank, and a learner's server started with the platform's own server configuration
(``hub_config/jupyter_server_config.py``: My learning, Voila and its "academy" template).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import requests
from ml_academy import BIN, FULL_NAME, REPO, TOKEN, with_venv_path

from academy.supervisor import free_port
from installation.settings import CATALOG_DIR_ENV, FULL_NAME_ENV, SERVER_ROLE_ENV, ServerRole

COURSE_ID = "digital-signatures"
COURSE_TITLE = "Digital signatures in public service"
COURSE_TITLE_VI = "Chữ ký số trong hoạt động công vụ"
MODULE_ID = "fr01-what-a-signature-proves"
MODULE_TITLE = "What a digital signature proves"
MODULE_TITLE_VI = "Chữ ký số chứng minh điều gì"
NOTEBOOK = "lesson.ipynb"
NOTEBOOK_EN = "lesson.en.ipynb"
MINUTES = 25
#: q1, q2, q3 for everyone, and one of the two bank questions: 4 questions per learner
QUESTIONS_ASKED = 4
LEARNER = "hoa.nt"  # the learner's hub account (JUPYTERHUB_USER): the bank draws for them

CATALOG_TOML = f"""\
id = "{COURSE_ID}"
title = "{COURSE_TITLE}"
title_vi = "{COURSE_TITLE_VI}"
pass_percent = 70

[[modules]]
id = "{MODULE_ID}"
title = "{MODULE_TITLE}"
title_vi = "{MODULE_TITLE_VI}"
notebook = "{NOTEBOOK}"
notebook_en = "{NOTEBOOK_EN}"
minutes = {MINUTES}
"""

# (question id, Vietnamese prompt, English prompt, options as (vi, en, key), the key)
QUESTIONS = [
    ("q1", "Chữ ký số hợp lệ chứng minh điều gì?", "What does a valid signature prove?",
     [("Văn bản không bị sửa sau khi ký", "The document was not changed after signing",
       "integrity"),
      ("Nội dung văn bản là đúng", "The content is correct", "content")], "integrity"),
    ("q2", "Mất USB token thì làm gì trước tiên?", "You lost your USB token. What first?",
     [("Báo ngay để thu hồi chứng thư số", "Report it at once to revoke the certificate",
       "revoke"),
      ("Chờ vài ngày", "Wait a few days", "wait")], "revoke"),
    ("q3", "Ai được giữ mã PIN của bạn?", "Who may know your PIN?",
     [("Chỉ mình bạn", "Only you", "only-you"),
      ("Đồng nghiệp cùng phòng", "A colleague in your unit", "colleague")], "only-you"),
]
BANK = [
    ("b1", "Chứng thư số của cơ quan tương đương với gì?",
     "What does the organisation certificate stand for?",
     [("Con dấu", "The seal", "seal"), ("Chữ ký tay", "A handwritten signature", "hand")]),
    ("b2", "Ký số văn bản đi ở bước nào?", "When is an outgoing document signed?",
     [("Khi phát hành", "When it is issued", "issue"), ("Khi soạn thảo", "When drafting",
                                                        "draft")]),
]


def _meta(grade_id: str, **kw: object) -> dict[str, object]:
    base = {"grade": False, "solution": False, "locked": True, "task": False}
    return {"nbgrader": {**base, **kw, "grade_id": grade_id, "schema_version": 3}}


def module_notebook(english: bool) -> nbformat.NotebookNode:
    """The module in one language: the same question ids and option keys in both; hidden
    tests only in the Vietnamese (graded) one."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    title = MODULE_TITLE if english else MODULE_TITLE_VI
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}"))
    nb.cells.append(nbformat.v4.new_code_cell(
        "from course_kit.widgets import question, question_bank", metadata=_meta("setup")
    ))
    for qid, prompt_vi, prompt_en, options, key in QUESTIONS:
        shown = [(en if english else vi, k) for vi, en, k in options]
        call = f"question({qid!r}, {prompt_en if english else prompt_vi!r}, {shown!r})"
        nb.cells.append(nbformat.v4.new_code_cell(call, metadata=_meta(qid)))
        if not english:
            test = ("### BEGIN HIDDEN TESTS\nfrom course_kit.grading import answer\n"
                    f"assert answer({qid!r}) == {key!r}\n### END HIDDEN TESTS")
            nb.cells.append(nbformat.v4.new_code_cell(
                test, metadata=_meta(f"check-{qid}", grade=True, points=1)
            ))
    bank = [
        {"id": qid, "kind": "single", "prompt": prompt_en if english else prompt_vi,
         "options": [(en if english else vi, k) for vi, en, k in options]}
        for qid, prompt_vi, prompt_en, options in BANK
    ]
    nb.cells.append(nbformat.v4.new_code_cell(
        f"question_bank('signing', {bank!r}, draw=1)", metadata=_meta("bank")
    ))
    if not english:
        key = {"b1": {"answer": "seal"}, "b2": {"answer": "issue"}}
        test = ("### BEGIN HIDDEN TESTS\nfrom course_kit.grading import check_bank_slot\n"
                f"check_bank_slot('signing', 1, {key!r})\n### END HIDDEN TESTS")
        nb.cells.append(nbformat.v4.new_code_cell(
            test, metadata=_meta("check-bank", grade=True, points=1)
        ))
    return nb


def write_module(folder: Path) -> None:
    """Both notebooks of the module into ``folder`` (a source or a learner's folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(module_notebook(english=False), folder / NOTEBOOK)
    nbformat.write(module_notebook(english=True), folder / NOTEBOOK_EN)


def write_answers(folder: Path, answers: dict[str, object]) -> None:
    """A responses.json as the course kit writes it."""
    entries = {qid: {"value": value, "saved_at": "2026-11-24T08:00:00+00:00"}
               for qid, value in answers.items()}
    (folder / "responses.json").write_text(
        json.dumps({"version": 1, "answers": entries}, ensure_ascii=False), encoding="utf-8"
    )


@dataclass
class FrameSite:
    """A learner's home, the public catalog, the nbgrader config, the exchange."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def catalog(self) -> Path:
        return self.root / "catalog"

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def course(self) -> Path:
        """The trainer's nbgrader course folder."""
        return self.root / "course"

    @property
    def module_folder(self) -> Path:
        """Where nbgrader fetches the module (Exchange.path_includes_course, as on the
        platform)."""
        return self.home / COURSE_ID / MODULE_ID

    @classmethod
    def create(cls, root: Path) -> FrameSite:
        site = cls(root)
        for folder in (site.home, site.catalog, site.config_dir, site.exchange):
            folder.mkdir(parents=True)
        site.exchange.chmod(0o777)
        (site.catalog / f"{COURSE_ID}.toml").write_text(CATALOG_TOML, encoding="utf-8")
        (site.config_dir / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f"c.Exchange.root = {str(site.exchange)!r}\n"
            "c.Exchange.path_includes_course = True\n"
            f"c.CourseDirectory.root = {str(site.course)!r}\n"
        )
        return site

    def release(self) -> None:
        """The trainer writes the module (both notebooks) and releases it: nbgrader's CLI
        (generate_assignment strips the hidden tests, release_assignment puts it in the
        exchange)."""
        write_module(self.course / "source" / MODULE_ID)
        (self.course / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
        )
        for step in ("generate_assignment", "release_assignment"):
            proc = subprocess.run(
                [str(BIN / "nbgrader"), step, MODULE_ID], cwd=self.course, env=self.env(),
                capture_output=True, text=True, timeout=120,
            )
            assert proc.returncode == 0, f"nbgrader {step}:\n{proc.stdout}\n{proc.stderr}"

    def env(self) -> dict[str, str]:
        env = with_venv_path(dict(os.environ))
        for key in [k for k in env if k.startswith(("JUPYTERHUB_", "ACADEMY_"))]:
            del env[key]
        env.update({
            "JUPYTER_CONFIG_PATH": str(self.config_dir),
            "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"),
            "JUPYTER_DATA_DIR": str(self.home / ".local" / "share" / "jupyter"),
            "JUPYTER_RUNTIME_DIR": str(self.root / "runtime"),
            "HOME": str(self.home),
            "JUPYTERHUB_USER": LEARNER,
            CATALOG_DIR_ENV: str(self.catalog),
            FULL_NAME_ENV: FULL_NAME,
            SERVER_ROLE_ENV: ServerRole.LEARNER.value,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
            ),
        })
        return env


class LearnerServer:
    """A learner's server as the platform configures it (hub_config/jupyter_server_config.py
    for the learner role), on a free port, logged in with a token."""

    def __init__(self, site: FrameSite, *options: str) -> None:
        self.site = site
        self.options = options  # more of jupyter_server's command-line options
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = site.root / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def start(self) -> LearnerServer:
        args = [
            str(BIN / "jupyter-server"),
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.site.home}",
            f"--IdentityProvider.token={TOKEN}",
            f"--config={REPO / 'hub_config' / 'jupyter_server_config.py'}",
            "--ServerApp.default_url=/learning",
            *self.options,
        ]
        if os.geteuid() == 0:
            args.append("--allow-root")
        with self.log_path.open("wb") as log_file:
            self.proc = subprocess.Popen(
                args, cwd=self.site.home, env=self.site.env(), stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:  # the server answering is the state waited for
            if self.proc.poll() is not None:
                pytest.fail(f"jupyter server exited early:\n{self.log()}")
            try:
                if requests.get(self.url + "api/status", params={"token": TOKEN},
                                timeout=2).ok:
                    return self
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter server did not start:\n{self.log()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def session(self, language: str | None = None) -> requests.Session:
        """Logged in by cookie (the token once), with the language cookie if given."""
        session = requests.Session()
        if language is not None:
            session.cookies.set("academy_lang", language, path="/")
        response = session.get(self.url + "learning", params={"token": TOKEN}, timeout=60)
        assert response.status_code == 200, response.text
        return session
