"""`academy up`: start JupyterHub (which starts its proxy and services) and stop it cleanly."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil

import hub_config
from hub_config.layout import DATA_DIR_ENV, DataLayout
from hub_config.roster import write_private_file
from hub_config.settings import (
    SHARED_MODE_WARNING,
    InstallSettings,
    RunPorts,
    runtime_file,
    venv_bin,
)


class PlatformError(RuntimeError):
    """The platform cannot start; the message says why and what to do."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def check_readable_by_learners(path: Path) -> None:
    """In isolated mode learners' servers run from this Python environment."""
    for part in [path, *path.parents]:
        mode = part.stat().st_mode
        if not mode & stat.S_IXOTH:
            raise PlatformError(
                f"isolated mode: learners' accounts cannot reach {path} because {part} is not "
                f"searchable by other users (mode {oct(mode & 0o777)}). Put the checkout under "
                "a world-searchable folder such as /opt or /srv, or `chmod o+x` that folder."
            )


def choose_ports(public: int, course_ids: list[str]) -> RunPorts:
    if not port_is_free(public):
        raise PlatformError(
            f"port {public} on 127.0.0.1 is already in use: stop what runs there or pass "
            "`academy up --port N`"
        )
    return RunPorts(
        public=public,
        hub=free_port(),
        proxy_api=free_port(),
        eoffice=free_port(),
        courses={cid: free_port() for cid in course_ids},
    )


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PlatformError(f"JupyterHub exited with code {proc.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise PlatformError(f"JupyterHub did not answer at {url} within {timeout:.0f} s")


class RunningPlatform:
    """A started hub process; `stop()` ends it and everything it started."""

    def __init__(self, layout: DataLayout, ports: RunPorts, proc: subprocess.Popen) -> None:
        self.layout = layout
        self.ports = ports
        self.proc = proc

    @property
    def url(self) -> str:
        return self.ports.public_url

    def stop(self, timeout: float = 45) -> int:
        """SIGTERM the hub (it stops its servers, services and proxy), then make sure.

        Every process the hub started is its descendant, even those in sessions of their
        own; they are listed by process id before the hub is told to stop, and any that
        outlive the hub are terminated, then killed.
        """
        try:
            descendants = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            descendants = []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        _, alive = psutil.wait_procs(descendants, timeout=5)
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.terminate()
        _, alive = psutil.wait_procs(alive, timeout=5)
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        runtime_file(self.layout).unlink(missing_ok=True)
        return self.proc.returncode


def start(
    layout: DataLayout, public_port: int, log: Callable[[str], None] = print
) -> RunningPlatform:
    settings = InstallSettings.load(layout)
    if settings.isolated:
        if os.geteuid() != 0:
            raise PlatformError(f"{layout.root} is an isolated-mode installation: start it as root")
        check_readable_by_learners(Path(sys.prefix))
    else:
        log("!" * 78)
        log(f"WARNING: shared mode. {SHARED_MODE_WARNING}")
        log("!" * 78)
    existing = runtime_file(layout)
    if existing.exists():
        info = json.loads(existing.read_text())
        if _pid_alive(info.get("pid", 0)):
            raise PlatformError(
                f"this installation is already running (pid {info['pid']}, {info['url']})"
            )
    ports = choose_ports(public_port, settings.course_ids)
    env = {
        **os.environ,
        DATA_DIR_ENV: str(layout.root),
        RunPorts.ENV: ports.to_env(),
        "PATH": f"{venv_bin()}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    }
    config = Path(hub_config.__file__).parent / "jupyterhub_config.py"
    log_path = layout.logs_dir / "hub.log"
    with open(log_path, "ab") as log_file:
        proc = subprocess.Popen(
            [str(venv_bin() / "jupyterhub"), "-f", str(config)],
            cwd=layout.hub_dir,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    platform = RunningPlatform(layout, ports, proc)
    try:
        wait_until_up(f"{ports.public_url}/hub/health", proc)
    except BaseException:
        platform.stop()
        raise PlatformError(
            f"the platform did not start; see {log_path}:\n" + _tail(log_path)
        ) from None
    write_private_file(
        runtime_file(layout),
        json.dumps({"pid": proc.pid, "url": ports.public_url, "ports": json.loads(ports.to_env())}),
    )
    return platform


def running_ports(layout: DataLayout) -> RunPorts | None:
    path = runtime_file(layout)
    if not path.exists():
        return None
    info = json.loads(path.read_text())
    if not _pid_alive(info.get("pid", 0)):
        return None
    return RunPorts(**info["ports"])


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
