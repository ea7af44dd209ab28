"""`academy up`: start the platform under its guardian and stop all of it, however it ends.

``start()`` runs ``python -m academy.guardian -- jupyterhub -f hub_config/jupyterhub_config.py``
(see ``academy.guardian``: every process of the platform stays below the guardian, which
ends with `academy up` even when `academy up` is killed with -9) and waits until the hub
answers. ``RunningPlatform.stop()`` asks the guardian to stop everything at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil

from academy.unix_accounts import closed_folder_above
from common.files import atomic_write
from common.ports import SERVICE_PORTS, free_port_in, port_is_free
from common.processes import process_alive
from common.roles import EOFFICE_SERVICE
from hub_config import CONFIG_DIR
from installation.layout import DATA_DIR_ENV, DataLayout
from installation.settings import (
    SHARED_MODE_WARNING,
    InstallSettings,
    RunPorts,
    runtime_file,
    venv_bin,
)

#: How long the guardian waits for a clean stop before it kills what is left.
STOP_GRACE_SECONDS = 8.0


class PlatformError(RuntimeError):
    """The platform cannot start; the message says why and what to do."""


def free_port() -> int:
    """A loopback port for one of the platform's own services, free now, from
    ``common.ports.SERVICE_PORTS`` (below the ephemeral range: the proxy binds its port
    after `academy init`, tens of seconds later, and no outgoing connection takes it
    meanwhile)."""
    port = free_port_in(SERVICE_PORTS)
    if port is None:
        raise PlatformError(f"no free port on 127.0.0.1 in {SERVICE_PORTS.start}–"
                            f"{SERVICE_PORTS.stop - 1}")
    return port


def check_reachable_by_others(path: Path, who: str) -> None:
    """Every folder above ``path`` must be searchable by other users (``o+x``)."""
    closed = closed_folder_above(path)
    if closed is not None:
        part, mode = closed
        raise PlatformError(
            f"isolated mode: {who} cannot reach {path} because {part} is not "
            f"searchable by other users (mode {oct(mode)}). Put it under "
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
        dashboards=free_port(),
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
    """The guardian of a started platform; ``stop()`` ends it and everything below it."""

    def __init__(self, layout: DataLayout, ports: RunPorts, proc: subprocess.Popen) -> None:
        self.layout = layout
        self.ports = ports
        self.proc = proc  # the guardian

    @property
    def url(self) -> str:
        return self.ports.public_url

    def stop(self, timeout: float = STOP_GRACE_SECONDS + 20) -> int:
        """Ask the guardian to stop everything; it kills what outlives its grace period."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                # the guardian itself is stuck: kill it and everything below it by hand
                # (without the guardian, orphans would go to init)
                try:
                    below = psutil.Process(self.proc.pid).children(recursive=True)
                except psutil.Error:
                    below = []
                self.proc.kill()
                self.proc.wait()
                for process in below:
                    with contextlib.suppress(psutil.Error):
                        process.kill()
                psutil.wait_procs(below, timeout=10)
        runtime_file(self.layout).unlink(missing_ok=True)
        return self.proc.returncode


def start(
    layout: DataLayout, public_port: int, log: Callable[[str], None] = print
) -> RunningPlatform:
    settings = InstallSettings.load(layout)
    if settings.isolated:
        if os.geteuid() != 0:
            raise PlatformError(f"{layout.root} is an isolated-mode installation: start it as root")
        check_reachable_by_others(Path(sys.prefix), "learners' accounts")
    else:
        log("!" * 78)
        log(f"WARNING: shared mode. {SHARED_MODE_WARNING}")
        log("!" * 78)
    existing = runtime_file(layout)
    if existing.exists():
        info = json.loads(existing.read_text())
        if process_alive(info.get("pid", 0)):
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
    config = CONFIG_DIR / "jupyterhub_config.py"
    log_path = layout.logs_dir / "hub.log"
    command = [
        sys.executable, "-m", "academy.guardian",
        "--parent", str(os.getpid()), "--grace", str(STOP_GRACE_SECONDS), "--",
        str(venv_bin() / "jupyterhub"), "-f", str(config),
    ]
    with open(log_path, "ab") as log_file:
        proc = subprocess.Popen(
            command,
            cwd=layout.hub_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches `academy up`, which stops it in order
        )
    platform = RunningPlatform(layout, ports, proc)
    try:
        wait_until_up(f"{ports.public_url}/hub/health", proc)
        # the hub starts its services after it answers: wait for the e-office too, so that
        # "running" means learners can use everything
        wait_until_up(f"{ports.public_url}/services/{EOFFICE_SERVICE}/health", proc)
    except BaseException:
        platform.stop()
        raise PlatformError(
            f"the platform did not start; see {log_path}:\n" + _tail(log_path)
        ) from None
    atomic_write(
        runtime_file(layout),
        json.dumps({"pid": proc.pid, "url": ports.public_url, "ports": json.loads(ports.to_env())}),
    )
    return platform


def running_ports(layout: DataLayout) -> RunPorts | None:
    path = runtime_file(layout)
    if not path.exists():
        return None
    info = json.loads(path.read_text())
    if not process_alive(info.get("pid", 0)):
        return None
    return RunPorts(**info["ports"])


def _tail(path: Path, lines: int = 25) -> str:
    with contextlib.suppress(FileNotFoundError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"
