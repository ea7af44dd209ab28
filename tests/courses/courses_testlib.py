"""Helpers for the course notebook tests (imported by name: unique).

The repository root is on pytest's path (``pythonpath`` in pyproject.toml), so `course_kit`
imports from the checkout; subprocesses (nbgrader, nbconvert kernels) get the same root
through PYTHONPATH.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
COURSES = REPO / "courses"
VENV_BIN = Path(sys.executable).parent


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for nbgrader / jupyter subprocesses: venv tools first, course_kit importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACADEMY_", "JUPYTERHUB_"))}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.pop("NBGRADER_EXECUTION", None)
    env.update(extra)
    return env


@dataclass
class EvidenceServer:
    """A tiny stand-in for the sandbox e-office's evidence API."""

    url: str
    token: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    def set_task(self, username: str, task_id: str, done: bool) -> None:
        record = self.records.setdefault(
            username, {"username": username, "tasks": {}, "activity": []}
        )
        record["tasks"][task_id] = {
            "done": done,
            "completed_at": "2025-03-10T08:30:00+07:00" if done else None,
            "detail": "registered as incoming no. 12" if done else "not registered yet",
        }
