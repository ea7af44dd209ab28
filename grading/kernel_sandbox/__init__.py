"""Grading kernels in a sandbox: bubblewrap, an account that owns nothing, no network.

One ``Zygote`` per grading worker runs inside bubblewrap (``bwrap``, Debian package
``bubblewrap``):

* as the sandbox account (``academy-sandbox``, created by ``academy init``) when grading
  runs as root; never as the course's grader account or root;
* in new user, mount, pid, network, ipc and uts namespaces: no network at all (not even the
  hub or the e-office on 127.0.0.1), and a file system that holds only ``/usr``, the
  Python environment (read-only), the course kit (read-only), an empty ``/tmp`` and the
  worker's own scratch folder. The course folder, the gradebook, the exchange, homes,
  databases and keys are simply not there;
* each kernel gets CPU-time, memory, file-size and process limits (``SandboxLimits``);
  the grader adds a wall-clock limit per cell and per notebook.

A kernel is a fresh ``fork()`` of the zygote, which has imported IPython, ipywidgets and
the course kit and built one IPython shell once (``zygote.py``). ``Zygote.run_notebook``
sends the trainer's cells; the fork runs them in IPython, the engine inside ipykernel, and
writes their outputs as nbformat outputs into its private folder. No kernel protocol and
no socket, not even a unix one: nothing in the sandbox can be reached from outside, and
the grader reads one JSON file back (``RunResult``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.bubblewrap import (
    SANDBOX_ACCOUNT,
    SANDBOX_TMP,
    SandboxAccount,
    SandboxError,
    isolation_flags,
    sandbox_account,
)

__all__ = ["SANDBOX_ACCOUNT", "SandboxAccount", "SandboxError", "SandboxLimits", "Zygote",
           "sandbox_account"]

ZYGOTE_SCRIPT = Path(__file__).with_name("zygote.py")
#: Where the trainer's kernel-side packages appear inside the sandbox (read-only).
KIT_ROOT = Path("/opt/academy-kernel")
#: The academy packages a grading kernel may import: the course kit and what it uses.
KERNEL_PACKAGES = ("course_kit", "common")
#: Imported once by the zygote, so that a kernel's start costs a fork, not a Python start:
#: IPython, what it uses to format a traceback, and the kit.
PRELOAD = (
    "IPython.core.interactiveshell",
    "IPython.core.ultratb",
    "stack_data",
    "pygments.formatters",
    "pygments.styles",
    "sqlite3",
    "pdb",
    "ipywidgets",
    "course_kit.widgets",
    "course_kit.grading",
)

@dataclass(frozen=True)
class SandboxLimits:
    """Per-kernel limits. Wall-clock limits are the grader's (``cell_timeout``)."""

    cpu_seconds: int = 120
    memory_bytes: int = 2 * 1024**3
    file_bytes: int = 16 * 1024**2
    processes: int = 512  # counts threads of every process of the sandbox account
    open_files: int = 256
    cell_timeout: int = 30  # seconds of wall clock per cell, as nbgrader's Execute
    notebook_timeout: int = 300  # seconds of wall clock per notebook

    def rlimits(self) -> dict[str, int]:
        return {
            "cpu_seconds": self.cpu_seconds,
            "memory_bytes": self.memory_bytes,
            "file_bytes": self.file_bytes,
            "processes": self.processes,
            "open_files": self.open_files,
        }


def _kernel_packages_root() -> Path:
    import course_kit

    return Path(course_kit.__file__).resolve().parent.parent


def bwrap_command(scratch: Path, preload: tuple[str, ...] = PRELOAD) -> list[str]:
    """The bubblewrap command line that starts a zygote with ``scratch`` writable."""
    venv = Path(sys.prefix)
    packages = _kernel_packages_root()
    cmd = isolation_flags(venv)
    for package in KERNEL_PACKAGES:
        cmd += ["--ro-bind", str(packages / package), str(KIT_ROOT / package)]
    cmd += [
        "--ro-bind", str(ZYGOTE_SCRIPT), str(KIT_ROOT / "zygote.py"),
        "--bind", str(scratch), str(scratch),
        "--chdir", SANDBOX_TMP,
        "--clearenv",
        "--setenv", "PATH", f"{venv}/bin:/usr/bin:/bin",
        "--setenv", "HOME", SANDBOX_TMP,
        "--setenv", "LANG", "C.UTF-8",
        "--setenv", "PYTHONPATH", str(KIT_ROOT),
        "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
        "--setenv", "IPYTHONDIR", f"{SANDBOX_TMP}/.ipython",
        "--setenv", "MPLCONFIGDIR", f"{SANDBOX_TMP}/.matplotlib",
        str(venv / "bin" / "python"), str(KIT_ROOT / "zygote.py"), *preload,
    ]
    return cmd


def kernel_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a grading kernel: nothing from the grader's own environment."""
    venv = Path(sys.prefix)
    env = {
        "PATH": f"{venv}/bin:/usr/bin:/bin",
        "HOME": SANDBOX_TMP,
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(KIT_ROOT),
        "IPYTHONDIR": f"{SANDBOX_TMP}/.ipython",
        "MPLCONFIGDIR": f"{SANDBOX_TMP}/.matplotlib",
        "NBGRADER_EXECUTION": "autograde",
    }
    env.update(extra or {})
    return env


#: What a kernel may write back (outputs of one notebook); more is a broken kernel.
MAX_RESULTS_BYTES = 32 * 1024 * 1024
_OUTPUT_KEYS = {
    "stream": {"name", "text"},
    "display_data": {"data", "metadata"},
    "execute_result": {"data", "metadata", "execution_count"},
    "error": {"ename", "evalue", "traceback"},
}


@dataclass(frozen=True)
class CellResult:
    execution_count: int | None
    outputs: list[dict[str, Any]] = field(default_factory=list)  # nbformat v4 outputs


@dataclass(frozen=True)
class RunResult:
    """How one notebook's run in a fresh kernel ended."""

    status: int  # the kernel's exit status (negative: killed by that signal)
    cells: list[CellResult]  # one per cell sent, in order; [] if the kernel died
    timed_out_cell: int | None = None  # index of the cell that ran past its time

    @property
    def completed(self) -> bool:
        return self.status == 0 and self.timed_out_cell is None


def _checked_output(raw: Any) -> dict[str, Any]:
    """An output as nbformat expects it, or ValueError: the file comes from the sandbox."""
    if not isinstance(raw, dict) or raw.get("output_type") not in _OUTPUT_KEYS:
        raise ValueError("unknown output")
    kind = raw["output_type"]
    keys = _OUTPUT_KEYS[kind]
    output = {"output_type": kind, **{k: raw[k] for k in keys if k in raw}}
    text_ok = kind != "stream" or (
        output.get("name") in ("stdout", "stderr") and isinstance(output.get("text"), str)
    )
    data_ok = kind not in ("display_data", "execute_result") or (
        isinstance(output.get("data"), dict) and isinstance(output.get("metadata", {}), dict)
    )
    error_ok = kind != "error" or (
        isinstance(output.get("ename"), str) and isinstance(output.get("evalue"), str)
        and isinstance(output.get("traceback"), list)
        and all(isinstance(line, str) for line in output["traceback"])
    )
    if not (text_ok and data_ok and error_ok):
        raise ValueError(f"malformed {kind} output")
    return output


def read_run_results(job: Path, status: int, cell_count: int) -> RunResult:
    """The results a kernel wrote into ``job`` (checked: shape, types, size)."""
    path = job / "results.json"
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_RESULTS_BYTES + 1)
    except FileNotFoundError:
        return RunResult(status, [])
    if len(raw) > MAX_RESULTS_BYTES:
        raise ValueError(f"the kernel's results are over {MAX_RESULTS_BYTES:,} bytes")
    data = json.loads(raw.decode("utf-8"))
    cells = []
    for entry in data["cells"]:
        count = entry.get("execution_count")
        if count is not None and not isinstance(count, int):
            raise ValueError("malformed execution count")
        cells.append(CellResult(count, [_checked_output(o) for o in entry.get("outputs", [])]))
    timeout = data.get("timeout")
    if len(cells) > cell_count or (timeout is not None and not isinstance(timeout, int)):
        raise ValueError("results do not match the notebook")
    return RunResult(status, cells, timeout)


class Zygote:
    """One sandboxed zygote process; ``run_notebook`` runs a notebook in a fresh fork."""

    def __init__(
        self,
        scratch: Path,
        account: SandboxAccount | None,
        limits: SandboxLimits,
        preload: tuple[str, ...] = PRELOAD,
    ):
        self.scratch = scratch
        self.account = account
        self.limits = limits
        self._lock = threading.Lock()
        kwargs: dict[str, Any] = {}
        if account is not None:
            kwargs.update(user=account.uid, group=account.gid, extra_groups=[])
        self.stderr_path = scratch / "zygote.log"
        stderr = open(self.stderr_path, "ab")  # noqa: SIM115 - kept for the process' life
        try:
            self.process = subprocess.Popen(
                bwrap_command(scratch, preload),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,
                **kwargs,
            )
        finally:
            stderr.close()
        assert self.process.stdout is not None
        hello = self.process.stdout.readline()
        if not hello:
            self.process.wait()
            raise SandboxError(
                f"the grading sandbox did not start (exit {self.process.returncode}): "
                f"{self._stderr_tail()}"
            )
        json.loads(hello)

    def _stderr_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.stderr_path.read_text(errors="replace")[-2000:].strip()
        return ""

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            assert self.process.stdin is not None and self.process.stdout is not None
            try:
                self.process.stdin.write((json.dumps(message) + "\n").encode())
                self.process.stdin.flush()
                line = self.process.stdout.readline()
            except (BrokenPipeError, ValueError):
                line = b""
            if not line:
                raise SandboxError(f"the grading sandbox ended: {self._stderr_tail()}")
            return json.loads(line)

    def run_notebook(
        self,
        job: Path,
        cells: list[str | None],
        env: dict[str, str],
        *,
        cell_timeout: float | None = None,
        notebook_timeout: float | None = None,
    ) -> RunResult:
        """Run ``cells`` (a code cell's source, or None) in a fresh kernel with ``job`` as
        its folder; blocks until that kernel has ended. Raises SandboxError if the zygote
        itself is gone, ValueError if the kernel wrote something that is not results."""
        reply = self.request({
            "op": "run",
            "dir": str(job),
            "cells": cells,
            "env": env,
            "limits": self.limits.rlimits(),
            "cell_timeout": cell_timeout or self.limits.cell_timeout,
            "notebook_timeout": notebook_timeout or self.limits.notebook_timeout,
        })
        if "status" not in reply:
            raise SandboxError(f"the grading sandbox refused the notebook: {reply}")
        return read_run_results(job, int(reply["status"]), len(cells))

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def new_job_dir(self) -> Path:
        """A fresh private folder for one kernel (owned by the sandbox account, 0700)."""
        path = self.scratch / f"job-{uuid.uuid4().hex}"
        path.mkdir(mode=0o700)
        if self.account is not None:
            os.chown(path, self.account.uid, self.account.gid)
        return path

    def close(self) -> None:
        """End the zygote; bubblewrap's pid namespace takes every kernel left with it."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                assert self.process.stdin is not None
                self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for stream in (self.process.stdout,):
            if stream is not None:
                stream.close()
