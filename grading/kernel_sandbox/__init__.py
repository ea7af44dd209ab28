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

Kernels talk to the grader over ipc (unix sockets in the kernel's private folder), so no
TCP port is opened. ``SandboxKernelManager`` is a jupyter_client ``AsyncKernelManager``
whose provisioner (``ZygoteProvisioner``, a ``LocalProvisioner`` subclass) asks the
zygote for a fresh fork instead of starting a process.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

SANDBOX_ACCOUNT = "academy-sandbox"
ZYGOTE_SCRIPT = Path(__file__).with_name("zygote.py")
#: Where the trainer's kernel-side packages appear inside the sandbox (read-only).
KIT_ROOT = Path("/opt/academy-kernel")
#: The sandbox's own /tmp: a fresh tmpfs per zygote, seen by nothing else.
SANDBOX_TMP = "/tmp"  # noqa: S108
#: The academy packages a grading kernel may import: the course kit and what it uses.
KERNEL_PACKAGES = ("course_kit", "common")
#: Imported once by the zygote, so that a kernel's start costs a fork, not a Python start:
#: what ipykernel imports when it starts and when it formats a traceback, and the kit.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython.core.interactiveshell",
    "IPython.core.ultratb",
    "stack_data",
    "pygments.formatters",
    "pygments.styles",
    "sqlite3",
    "pdb",
    "tornado.gen",
    "tornado.queues",
    "ipywidgets",
    "course_kit.widgets",
    "course_kit.grading",
)
BWRAP = "bwrap"


class SandboxError(RuntimeError):
    """The grading sandbox cannot start (bubblewrap missing, no user namespaces, ...)."""


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


@dataclass(frozen=True)
class SandboxAccount:
    name: str
    uid: int
    gid: int


def sandbox_account(name: str = SANDBOX_ACCOUNT) -> SandboxAccount | None:
    """The account kernels run as: ``name`` when grading runs as root, else None (the
    caller's own account, still inside the namespaces)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SandboxError(
            f"the grading sandbox account {name!r} does not exist; run `academy init` "
            f"(it creates it) or `useradd --system --no-create-home {name}`"
        ) from None
    if entry.pw_uid == 0:
        raise SandboxError(f"{name!r} is root: grading kernels must not run as root")
    return SandboxAccount(entry.pw_name, entry.pw_uid, entry.pw_gid)


def _kernel_packages_root() -> Path:
    import course_kit

    return Path(course_kit.__file__).resolve().parent.parent


def bwrap_command(scratch: Path, preload: tuple[str, ...] = PRELOAD) -> list[str]:
    """The bubblewrap command line that starts a zygote with ``scratch`` writable."""
    if shutil.which(BWRAP) is None:
        raise SandboxError(
            "bubblewrap is not installed: `apt-get install bubblewrap` (make test and "
            "scripts/system-deps.sh install it)"
        )
    venv = Path(sys.prefix)
    packages = _kernel_packages_root()
    cmd = [
        BWRAP,
        "--unshare-all",  # user, mount, pid, net, ipc, uts, cgroup namespaces
        "--die-with-parent",
        "--new-session",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin",
        "--proc", "/proc",
        "--dev", "/dev",
        "--tmpfs", SANDBOX_TMP,
        "--ro-bind", str(venv), str(venv),
    ]
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


class Zygote:
    """One sandboxed zygote process; ``spawn`` forks a fresh kernel from it."""

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


class ZygoteProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Starts the kernel as a fork of the sandbox's zygote instead of a new process."""

    zygote: Zygote | None = None
    job_dir: Path | None = None
    kernel_env: dict[str, str] = {}  # noqa: RUF012 - set per instance before launch
    zygote_pid: int | None = None
    exit_status: int | None = None

    @property
    def has_process(self) -> bool:
        return self.zygote_pid is not None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        assert self.zygote is not None and self.job_dir is not None
        info = dict(self.connection_info)
        if isinstance(info.get("key"), bytes):
            info["key"] = info["key"].decode()
        info.pop("kernel_name", None)
        reply = self.zygote.request(
            {
                "op": "spawn",
                "dir": str(self.job_dir),
                "connection": info,
                "env": self.kernel_env,
                "limits": self.zygote.limits.rlimits(),
                "local_widgets": True,  # nothing displays a grading kernel's widgets
            }
        )
        self.zygote_pid = int(reply["pid"])
        self.pid = self.zygote_pid
        self.cwd = str(self.job_dir)
        return self.connection_info

    async def poll(self) -> int | None:
        if self.zygote_pid is None:
            return 0
        if self.exit_status is None:
            try:
                status = self.zygote.request({"op": "poll", "pid": self.zygote_pid})  # type: ignore[union-attr]
            except SandboxError:
                status = {"status": -signal.SIGKILL}
            self.exit_status = status["status"]
        return self.exit_status

    async def send_signal(self, signum: int) -> None:
        if self.zygote_pid is not None and self.exit_status is None:
            with contextlib.suppress(SandboxError):
                self.zygote.request(  # type: ignore[union-attr]
                    {"op": "signal", "pid": self.zygote_pid, "signum": int(signum)}
                )

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    async def cleanup(self, restart: bool = False) -> None:
        return None


class SandboxKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """A kernel manager whose kernel is forked by ``zygote`` in ``job_dir``, over ipc."""

    def __init__(self, zygote: Zygote, job_dir: Path, env: dict[str, str], **kwargs: Any):
        super().__init__(
            transport="ipc",
            ip=str(job_dir / "k"),
            connection_file=str(zygote.scratch / f"connection-{job_dir.name}.json"),
            kernel_name="python3",
            **kwargs,
        )
        self.zygote_ref = zygote
        self.job_dir = job_dir
        self.kernel_env = env

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            provisioner = ZygoteProvisioner(
                kernel_id=self.kernel_id or str(uuid.uuid4()),
                kernel_spec=self.kernel_spec,
                parent=self,
            )
            provisioner.zygote = self.zygote_ref
            provisioner.job_dir = self.job_dir
            provisioner.kernel_env = self.kernel_env
            self.kernel_id = provisioner.kernel_id
            self.provisioner = provisioner
        return await super()._async_pre_start_kernel(**kw)


#: how long one look at the kernel's output channel lasts while it connects (ipc is local)
_IOPUB_LOOK_SECONDS = 0.05


async def wait_until_ready(kc: Any, km: SandboxKernelManager, timeout: float = 60) -> None:
    """Return once the kernel answers on its shell channel *and* its output channel is
    connected, i.e. a ``kernel_info`` request's own ``status: idle`` has arrived on iopub.

    jupyter_client's ``wait_for_ready`` does the same and then drains iopub until it has
    been quiet for 0.2 s, which costs a fresh kernel more than all its start-up work
    (measured: 21 ms to the first reply, 333 ms more in ``wait_for_ready``). Output
    from an earlier request that arrives later is told apart by its parent message id,
    as nbclient does. Raises RuntimeError if the kernel dies, TimeoutError after
    ``timeout`` seconds.
    """
    import asyncio
    from queue import Empty

    async with asyncio.timeout(timeout):
        while True:
            if not await km.is_alive():
                raise RuntimeError("the grading kernel died while starting")
            msg_id = kc.kernel_info()
            while True:
                try:
                    reply = await kc.get_shell_msg(timeout=1)
                except Empty:
                    if not await km.is_alive():
                        raise RuntimeError("the grading kernel died while starting") from None
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            while True:  # the request's idle status on iopub, if iopub is connected yet
                try:
                    message = await kc.get_iopub_msg(timeout=_IOPUB_LOOK_SECONDS)
                except Empty:
                    break  # not connected yet: ask again
                if (
                    message["parent_header"].get("msg_id") == msg_id
                    and message["msg_type"] == "status"
                    and message["content"].get("execution_state") == "idle"
                ):
                    return
