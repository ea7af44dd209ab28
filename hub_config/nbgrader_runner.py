"""Run the nbgrader CLI for a course, as the course's grader account when we are root."""

from __future__ import annotations

import os
import pwd
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import hub_config
from hub_config.settings import venv_bin


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message carries the tail of its output."""


@dataclass(frozen=True)
class CourseRunner:
    course_dir: Path
    exchange_dir: Path
    run_as: str | None = None  # unix account; None = the current account

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {
            "PATH": f"{venv_bin()}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "JUPYTER_CONFIG_PATH": str(Path(hub_config.__file__).parent),
            "ACADEMY_EXCHANGE_ROOT": str(self.exchange_dir),
            "ACADEMY_SERVER_ROLE": "course",
            "HOME": pwd.getpwnam(self.run_as).pw_dir if self.run_as else os.environ.get(
                "HOME", str(self.course_dir)
            ),
        }
        env.update(extra or {})
        return env

    def run(
        self, args: Sequence[str], extra_env: Mapping[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        cmd = [str(venv_bin() / "nbgrader"), *args]
        kwargs: dict = {}
        if self.run_as and os.geteuid() == 0:
            entry = pwd.getpwnam(self.run_as)
            kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        result = subprocess.run(
            cmd,
            cwd=self.course_dir,
            env=self.env(extra_env),
            capture_output=True,
            text=True,
            check=False,
            **kwargs,
        )
        if check and result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            raise NbgraderError(f"`nbgrader {' '.join(args)}` failed:\n{tail}")
        return result
