"""The guardian: the one process that owns everything `academy up` starts.

``academy up`` does not start JupyterHub itself; it starts this guardian, which starts the
hub. The guardian:

* asks the kernel for ``SIGTERM`` when ``academy up`` dies, however it dies (``kill -9``
  included): ``PR_SET_PDEATHSIG``;
* is a *child subreaper* (``PR_SET_CHILD_SUBREAPER``): every process the hub starts (the
  proxy, the services, learners' servers, their kernels), even one that leaves its
  session or loses its parent, stays below the guardian and cannot escape to init;
* on ``SIGTERM``, ``SIGINT`` or ``SIGHUP``, or when the hub ends on its own, asks every
  process below it to stop *at the same time* (the hub first, so that it records its
  servers as stopped), waits for them, and kills whatever is left after a grace period.

It exits with the hub's exit status, so `academy up` can report a hub that crashed.

Usage (by ``academy.supervisor`` only)::

    python -m academy.guardian --parent PID [--grace SECONDS] -- COMMAND [ARGS...]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

import psutil

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
WATCHED = STOP_SIGNALS | {signal.SIGCHLD}


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl({option}) failed: {os.strerror(errno)}")


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent thread ends."""
    _prctl(PR_SET_PDEATHSIG, int(sig))


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process instead of init."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


def _child_setup() -> None:
    """In the hub's process, before exec: normal signals, and SIGTERM if the guardian dies."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    die_with_parent(signal.SIGTERM)


_exit_codes: dict[int, int] = {}


def _reap() -> dict[int, int]:
    """Collect every exited child (the guardian is their subreaper); pid -> exit status."""
    ended = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        ended[pid] = os.waitstatus_to_exitcode(status)
    _exit_codes.update(ended)
    return ended


def _descendants() -> list[psutil.Process]:
    try:
        return psutil.Process().children(recursive=True)
    except psutil.Error:
        return []


def _signal_all(processes: Sequence[psutil.Process], sig: int) -> None:
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.send_signal(sig)


def _wait_for_no_descendants(deadline: float) -> bool:
    """Reap until nothing is left below the guardian or the deadline passes."""
    while True:
        _reap()
        if not _descendants():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        # woken by the next child that ends (SIGCHLD), or at the deadline
        signal.sigtimedwait({signal.SIGCHLD}, min(remaining, 1.0))


def shut_down(hub: subprocess.Popen, grace: float) -> None:
    """Stop everything below the guardian: all at once, then by force after ``grace`` s."""
    if hub.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            hub.send_signal(signal.SIGTERM)
    # The hub stops its servers and services one after another, each with its own
    # timeouts. Ask them all now, concurrently: the hub then finds them already stopping.
    others = [p for p in _descendants() if p.pid != hub.pid]
    _signal_all(others, signal.SIGTERM)
    if _wait_for_no_descendants(time.monotonic() + grace):
        return
    _signal_all(_descendants(), signal.SIGKILL)
    _wait_for_no_descendants(time.monotonic() + 10)


def run(command: Sequence[str], parent: int, grace: float) -> int:
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)
    die_with_parent(signal.SIGTERM)
    become_subreaper()
    if os.getppid() != parent:  # academy up died before we asked to be told
        return 1
    hub = subprocess.Popen(list(command), preexec_fn=_child_setup)  # noqa: PLW1509
    hub_status: int | None = None
    while hub_status is None:
        info = signal.sigwaitinfo(WATCHED)
        _reap()
        hub.returncode = hub_status = _exit_codes.get(hub.pid)
        if info.si_signo in STOP_SIGNALS:
            shut_down(hub, grace)
            code = _exit_codes.get(hub.pid, 0)
            # stopped on request: a hub ended by our SIGTERM (or killed after the grace
            # period) stopped as asked
            return 0 if code in (0, -signal.SIGTERM, -signal.SIGKILL) else code
    # the hub ended on its own: nothing it started may outlive it
    shut_down(hub, grace)
    return hub_status


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m academy.guardian")
    parser.add_argument("--parent", type=int, required=True, help="pid of academy up")
    parser.add_argument("--grace", type=float, default=8.0,
                        help="seconds to wait for a clean stop before killing")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    return run(command, args.parent, args.grace)


if __name__ == "__main__":
    sys.exit(main())
