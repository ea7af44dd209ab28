"""The one way the academy runs the nbgrader CLI for a course.

Used by `academy init` (``generate_assignment``, ``release_assignment``) and by autograding
(``collect``, ``autograde``, ``generate_feedback``, ``release_feedback``). Every command:

* runs in the course directory, with nbgrader's own CLI, so what a trainer would type by
  hand is exactly what runs;
* optionally (when called as root) as the course's grader account, so every file it
  writes stays owned by that account;
* gets a minimal environment (``CourseWorkspace.nbgrader_environment``): PATH with the
  venv first, locale, HOME, USER, ``JUPYTER_*``/``NBGRADER_*``/``PYTHONPATH`` if set, and
  the platform's nbgrader configuration. Grading kernels run in those processes and must
  not see the caller's other secrets (JUPYTERHUB_* tokens, database passwords, ...);
* writes all its output to one log (a file per autograde run, or a temporary one), and
  reports how it ended with the tail of that output.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from installation.settings import (
    EXCHANGE_ROOT_ENV,
    SERVER_ROLE_ENV,
    ServerRole,
)

NBGRADER = Path(sys.executable).parent / "nbgrader"
TAIL_LINES = 25
#: Environment variables passed through to nbgrader (and so to the grading kernels).
PASSTHROUGH_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "PYTHONPATH")
PASSTHROUGH_PREFIXES = ("JUPYTER_", "NBGRADER_")


class GradingError(RuntimeError):
    """Grading (or an nbgrader step) could not run; the message says why and what to do."""


class NbgraderError(GradingError):
    """An nbgrader command failed; the message carries the tail of its output."""


@dataclass(frozen=True)
class CourseWorkspace:
    """One nbgrader course directory and what nbgrader needs to find the rest."""

    course_id: str
    root: Path  # the nbgrader course directory (holds nbgrader_config.py), cwd of nbgrader
    db_url: str | None = None  # default: sqlite:///<root>/gradebook.db
    log_dir: Path | None = None  # default: <root>/logs
    #: nbgrader's filesystem exchange (ACADEMY_EXCHANGE_ROOT for hub_config/nbgrader_config.py)
    exchange_dir: Path | None = None
    #: the folder with the platform's nbgrader_config.py (JUPYTER_CONFIG_PATH)
    config_dir: Path | None = None
    #: Anything else for every nbgrader command of this course.
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def gradebook_url(self) -> str:
        return self.db_url or f"sqlite:///{Path(self.root) / 'gradebook.db'}"

    @property
    def logs(self) -> Path:
        return Path(self.log_dir) if self.log_dir else Path(self.root) / "logs"

    @property
    def config_file(self) -> Path:
        return Path(self.root) / "nbgrader_config.py"

    def nbgrader_environment(self) -> dict[str, str]:
        """What this course adds to nbgrader's environment."""
        env = {SERVER_ROLE_ENV: ServerRole.COURSE.value}
        if self.config_dir is not None:
            env["JUPYTER_CONFIG_PATH"] = str(self.config_dir)
        if self.exchange_dir is not None:
            env[EXCHANGE_ROOT_ENV] = str(self.exchange_dir)
        env.update(self.extra_env)
        return env


@dataclass(frozen=True)
class Account:
    """The unix account nbgrader runs as."""

    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]
    home: Path


def resolve_account(run_as: str | None) -> Account | None:
    """The account to switch to, or None to run nbgrader as the calling user."""
    if run_as is None:
        return None
    try:
        pw = pwd.getpwnam(run_as)
    except KeyError:
        raise GradingError(f"run_as: no unix account named {run_as!r}") from None
    if os.geteuid() != 0:
        if pw.pw_uid == os.geteuid():
            return None  # already running as that account
        raise GradingError(f"run_as={run_as!r} needs root; run as root or as {run_as!r} itself")
    groups = tuple(g for g in os.getgrouplist(pw.pw_name, pw.pw_gid) if g != pw.pw_gid)
    return Account(pw.pw_name, pw.pw_uid, pw.pw_gid, groups, Path(pw.pw_dir))


@dataclass(frozen=True)
class StepOutcome:
    """One nbgrader process: what ran, how it ended, the end of its output."""

    command: str
    returncode: int | None  # None: killed after the timeout
    seconds: float
    tail: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe_exit(self) -> str:
        if self.returncode is None:
            return "timed out and was stopped"
        return f"exit status {self.returncode}"


class NbgraderRunner:
    """Runs nbgrader commands in one course directory, all output into one log."""

    def __init__(
        self,
        course: CourseWorkspace,
        log: IO[bytes],
        account: Account | None = None,
        timeout: float | None = None,
    ):
        self.course = course
        self.log = log
        self.account = account
        self.timeout = timeout

    @classmethod
    @contextlib.contextmanager
    def with_private_log(
        cls, course: CourseWorkspace, run_as: str | None = None, timeout: float | None = None
    ):  # type: ignore[no-untyped-def]
        """A runner whose log is a temporary file (errors carry its tail)."""
        with tempfile.TemporaryFile() as log:
            yield cls(course, log, resolve_account(run_as), timeout)

    def environment(self, extra_env: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ}
        env.update({k: v for k, v in os.environ.items() if k.startswith(PASSTHROUGH_PREFIXES)})
        env.pop("NBGRADER_EXECUTION", None)
        env.setdefault("LANG", "C.UTF-8")
        # nbgrader shells out to `alembic` when it creates a gradebook: venv bin first
        path = os.environ.get("PATH") or os.defpath
        env["PATH"] = os.pathsep.join([str(NBGRADER.parent), path])
        if self.account is not None:
            home = self.account.home if self.account.home.is_dir() else Path(self.course.root)
            env.update(HOME=str(home), USER=self.account.name, LOGNAME=self.account.name)
        else:
            env["HOME"] = os.environ.get("HOME") or str(self.course.root)
            for key in ("USER", "LOGNAME"):
                if key in os.environ:
                    env[key] = os.environ[key]
        env.update(self.course.nbgrader_environment())
        env.update(extra_env or {})
        return env

    def _write(self, text: str) -> None:
        self.log.write(text.encode("utf-8"))
        self.log.flush()

    def run(self, *args: str, extra_env: Mapping[str, str] | None = None) -> StepOutcome:
        """Run ``nbgrader ARGS``; how it ended is in the returned outcome."""
        command = "nbgrader " + " ".join(args)
        env = self.environment(extra_env)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        shown = sorted(extra_env or {})
        self._write(
            f"\n===== {stamp} $ {command}"
            + (f"  [env: {', '.join(shown)}]" if shown else "")
            + "\n"
        )
        start_offset = self.log.tell()
        kwargs: dict = {}
        if self.account is not None:
            kwargs.update(
                user=self.account.uid,
                group=self.account.gid,
                extra_groups=list(self.account.groups),
            )
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                [str(NBGRADER), *args],
                cwd=self.course.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a timeout stops all of it
                **kwargs,
            )
        except OSError as exc:  # e.g. the account cannot enter the course directory
            who = f" as {self.account.name!r}" if self.account else ""
            self._write(f"===== could not start: {exc}\n")
            raise GradingError(
                f"cannot start `{command}`{who} in {self.course.root}: {exc}"
            ) from exc
        try:
            returncode: int | None = proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            returncode = None
            self._stop(proc)
        seconds = time.monotonic() - started
        output = self._output_since(start_offset)
        status = returncode if returncode is not None else "timeout"
        newline = "" if not output or output.endswith("\n") else "\n"
        self._write(f"{newline}===== exit: {status} ({seconds:.1f} s)\n")
        tail = "\n".join(output.rstrip().splitlines()[-TAIL_LINES:])
        return StepOutcome(command, returncode, seconds, tail)

    def run_checked(self, *args: str, extra_env: Mapping[str, str] | None = None) -> StepOutcome:
        """Run ``nbgrader ARGS``; raise NbgraderError with the output's tail if it fails."""
        step = self.run(*args, extra_env=extra_env)
        if not step.ok:
            raise NbgraderError(f"`{step.command}` failed ({step.describe_exit()}):\n{step.tail}")
        return step

    @staticmethod
    def _stop(proc: subprocess.Popen) -> None:
        """Stop a timed-out nbgrader: SIGINT (nbgrader shuts its kernel down), then SIGKILL
        for whatever is left of its process group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def _output_since(self, offset: int) -> str:
        self.log.flush()
        self.log.seek(offset)
        text = self.log.read().decode("utf-8", errors="replace")
        self.log.seek(0, os.SEEK_END)
        return text
