"""Submissions of the real ds01 module for the grading tests and the grading benchmark.

A course folder built with nbgrader's own `generate_assignment` from `courses/`, and
submissions placed in `submitted/` exactly as `nbgrader collect` leaves them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "courses"))
from test_ds01_nbgrader import CORRECT  # noqa: E402 - the answer key, kept in one test

NBGRADER = Path(sys.executable).parent / "nbgrader"
COURSE_ID = "digital-signatures"
MODULE = "ds01-what-a-signature-proves"
NOTEBOOK = "what-a-signature-proves"
# wrong answers are other options' keys (the same in the Vietnamese and English versions)
WRONG = {
    "q1": "one-character",
    "q2": ["lawful"],
    "q3": "account-password",
}
PARTIAL = {"q1": CORRECT["q1"], "q3": CORRECT["q3"], "q5": "wait"}


def responses(answers: dict[str, Any]) -> str:
    return json.dumps({"version": 1, "answers": {q: {"value": v} for q, v in answers.items()}})


def nbgrader_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACADEMY_", "JUPYTER"))}
    env["PYTHONPATH"] = str(REPO)
    env["PATH"] = f"{NBGRADER.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def make_course(root: Path, config_extra: str = "") -> None:
    shutil.copytree(REPO / "courses" / COURSE_ID / "source", root / "source")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n" + config_extra,
        encoding="utf-8",
    )
    subprocess.run([str(NBGRADER), "generate_assignment", MODULE], cwd=root,
                   env=nbgrader_env(), check=True, capture_output=True)


HONEST = {"honest-right": CORRECT, "honest-wrong": WRONG, "honest-partial": PARTIAL,
          "honest-blank": {}}

def submit(root: Path, student: str, answers: dict[str, Any] | str, tamper: Any) -> None:
    folder = root / "submitted" / student / MODULE
    folder.mkdir(parents=True)
    released = root / "release" / MODULE / f"{NOTEBOOK}.ipynb"
    if isinstance(tamper, str):
        (folder / f"{NOTEBOOK}.ipynb").write_text(tamper, encoding="utf-8")
    else:
        nb = nbformat.read(released, as_version=4)
        if tamper is not None:
            tamper(nb)
        nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
    # the module's English version (display only), fetched and submitted with it
    shutil.copy(root / "release" / MODULE / f"{NOTEBOOK}.en.ipynb", folder)
    text = answers if isinstance(answers, str) else responses(answers)
    (folder / "responses.json").write_text(text, encoding="utf-8")
    (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC", encoding="utf-8")
