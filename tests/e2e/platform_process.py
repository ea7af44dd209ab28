"""Start and stop a real `academy up` for the end-to-end tests (by process id)."""

from __future__ import annotations

import atexit
import os
import pwd
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from academy.supervisor import free_port
from installation.layout import DataLayout
from installation.settings import InstallSettings, runtime_file

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
#: the whole catalogue of the checkout
FULL_CATALOGUE = REPO / "courses"
#: the course most platforms of the tests need (the journey's): each course more is a
#: course service to start and modules to release at every `academy up`
ONE_COURSE = "digital-signatures"
_one_course_catalogue: Path | None = None


def one_course_catalogue() -> Path:
    """A catalogue folder holding only ONE_COURSE (a copy, made once per test process,
    readable by the shared mode's ordinary user, removed at exit)."""
    global _one_course_catalogue
    if _one_course_catalogue is None:
        folder = Path(tempfile.mkdtemp(prefix="academy-e2e-catalogue-", dir="/tmp"))
        shutil.copytree(FULL_CATALOGUE / ONE_COURSE, folder / ONE_COURSE)
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        atexit.register(shutil.rmtree, folder, True)
        _one_course_catalogue = folder
    return _one_course_catalogue


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Account:
    role: str
    username: str
    password: str
    full_name: str


@dataclass
class Platform:
    data_dir: Path
    url: str
    proc: subprocess.Popen
    run_as: str | None
    output_path: Path
    output_file: object = None
    courses_dir: Path | None = None  # None: as start_platform's default (ONE_COURSE)

    @property
    def layout(self) -> DataLayout:
        return DataLayout.at(self.data_dir)

    def accounts(self) -> dict[str, Account]:
        text = self.layout.accounts_file.read_text(encoding="utf-8")
        out = {}
        for line in text.splitlines():
            role, username, password, full_name = line.split("\t")
            out[username] = Account(role, username, password, full_name)
        return out

    def ports(self) -> list[int]:
        import json

        info = json.loads(runtime_file(self.layout).read_text())
        ports = info["ports"]
        return [ports["public"], ports["hub"], ports["proxy_api"], ports["eoffice"],
                ports["dashboards"], *ports["courses"].values()]

    def academy(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return run_academy(self.data_dir, *args, run_as=self.run_as, check=check,
                           courses_dir=self.courses_dir)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.output_file is not None:
            self.output_file.close()
        return self.proc.returncode


def _user_kwargs(run_as: str | None) -> dict:
    if not run_as:
        return {}
    entry = pwd.getpwnam(run_as)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _env(run_as: str | None, courses_dir: Path = FULL_CATALOGUE) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "ACADEMY_"))}
    env["ACADEMY_COURSES_DIR"] = str(courses_dir)
    if run_as:
        env["HOME"] = pwd.getpwnam(run_as).pw_dir
        env["USER"] = run_as
    return env


def run_academy(data_dir: Path, *args: str, run_as: str | None = None,
                check: bool = False, courses_dir: Path | None = None
                ) -> subprocess.CompletedProcess[str]:
    """The `academy` command on `data_dir`; ``courses_dir`` as in ``start_platform``."""
    env = _env(run_as, courses_dir or one_course_catalogue())
    result = subprocess.run(
        [str(VENV_BIN / "academy"), "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=600,
        check=False, **_user_kwargs(run_as),
    )
    if check and result.returncode != 0:
        raise AssertionError(f"academy {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def new_data_dir(run_as: str | None = None) -> Path:
    path = Path(tempfile.mkdtemp(prefix="academy-e2e-", dir="/tmp"))
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def start_platform(data_dir: Path, run_as: str | None = None, timeout: float = 480,
                   courses_dir: Path | None = None) -> Platform:
    """Run `academy up --port P` as a user would, and wait until the whole platform runs.

    ``courses_dir``: the catalogue to install; by default ONE_COURSE alone (the whole
    catalogue where a test needs every course: FULL_CATALOGUE).

    `academy up` prints "Press Ctrl-C to stop" once the hub and the e-office answer, but the
    courses' formgraders may still be starting; the hub logs "JupyterHub is now running"
    once every service is up. Both are waited
    for as they are written (tail -F), not by reading the files again and again.
    ``timeout`` is only a safety net: `academy init` of the whole catalogue takes about a
    minute alone, and three minutes on a machine shared with another test suite (seen).
    """
    courses_dir = courses_dir or one_course_catalogue()
    port = free_port()
    output_path = data_dir.parent / f"{data_dir.name}.up.log"
    out = open(output_path, "w")  # noqa: SIM115 (closed when the process ends)
    proc = subprocess.Popen(
        [str(VENV_BIN / "academy"), "--data-dir", str(data_dir), "up", "--port", str(port)],
        stdout=out, stderr=subprocess.STDOUT, env=_env(run_as, courses_dir), cwd=REPO,
        start_new_session=True, **_user_kwargs(run_as),
    )
    platform = Platform(data_dir, f"http://127.0.0.1:{port}", proc, run_as, output_path, out,
                        courses_dir)
    deadline = time.monotonic() + timeout
    # a new data directory: both files hold this run's output only
    running = _wait_for_text(output_path, "Press Ctrl-C to stop", proc, deadline) and (
        _wait_for_text(platform.layout.logs_dir / "hub.log", "JupyterHub is now running",
                       proc, deadline)
    )
    if not running:
        hub_log = platform.layout.logs_dir / "hub.log"
        hub_tail = hub_log.read_text(errors="replace")[-3000:] if hub_log.exists() else ""
        if proc.poll() is not None:
            out.close()
            raise AssertionError(f"academy up exited early:\n"
                                 f"{output_path.read_text(errors='replace')}\n{hub_tail}")
        platform.stop()
        raise AssertionError(f"academy up did not start in {timeout}s:\n"
                             f"{output_path.read_text(errors='replace')}\n{hub_tail}")
    r = requests.get(f"{platform.url}/hub/health", timeout=5)
    assert r.status_code == 200
    return platform


def _wait_for_text(path: Path, text: str, proc: subprocess.Popen, deadline: float) -> bool:
    """True once `path` holds `text`; False if `proc` ends first or the deadline passes.

    Woken by what happens, not by a clock: `tail -F` passes on each write to the file (and
    waits for it to be created), a pidfd becomes readable when `proc` ends.
    """
    needle = text.encode()
    ended = os.pidfd_open(proc.pid)  # proc is not reaped before this: its pid is still its own
    follower = subprocess.Popen(["tail", "-n", "+1", "-F", str(path)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = b""
    try:
        while needle not in seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            ready, _, _ = select.select([follower.stdout, ended], [], [], remaining)
            if follower.stdout in ready:
                chunk = os.read(follower.stdout.fileno(), 65536)
                if not chunk:
                    return False  # tail itself ended
                seen += chunk
            elif ended in ready:
                return False
        return True
    finally:
        os.close(ended)
        follower.kill()
        follower.wait()
        follower.stdout.close()


def install_mode(platform: Platform) -> str:
    return InstallSettings.load(platform.layout).mode


def printed_accounts(platform: Platform) -> list[str]:
    text = platform.output_path.read_text()
    return re.findall(r"^\s+(learner|trainer|hr|admin)\s+(\S+)\s+(\S+)\s+(.+)$", text, re.M)
