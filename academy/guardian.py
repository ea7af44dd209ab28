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


def _spawn(command: list[str]) -> int:
    """Start ``command`` (the hub) with normal signals and SIGTERM if the guardian dies.

    A plain fork and exec: the guardian reaps every child itself (waitpid on SIGCHLD), so no
    subprocess.Popen bookkeeping competes with it.
    """
    guardian = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child execs or exits
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            die_with_parent(signal.SIGTERM)
            if os.getppid() != guardian:  # the guardian died before we asked to be told
                os._exit(1)
            os.execvp(command[0], command)  # noqa: S606 - an argument list, no shell
        except BaseException as exc:  # noqa: BLE001 - report and leave, never return
            print(f"academy guardian: cannot start {command[0]}: {exc}", file=sys.stderr)
        os._exit(127)
    return pid


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
    """Every process below the guardian (retried: a list must never be empty by error)."""
    for _attempt in range(5):
        try:
            return psutil.Process().children(recursive=True)
        except psutil.Error:
            continue
    return psutil.Process().children(recursive=True)


def _signal_all(processes: Sequence[psutil.Process], sig: int) -> None:
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.send_signal(sig)


def _wait_for_no_descendants(deadline: float, resend: int | None = None) -> bool:
    """Reap until nothing is left below the guardian or the deadline passes.

    With ``resend``, every process found below the guardian gets that signal again on each
    round (a process forked after the last look is caught by the next one).
    """
    while True:
        _reap()
        left = _descendants()
        if not left:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        if resend is not None:
            _signal_all(left, resend)
        # woken by the next child that ends (SIGCHLD), or after at most a second
        signal.sigtimedwait({signal.SIGCHLD}, min(remaining, 1.0))


def shut_down(hub_pid: int, grace: float) -> None:
    """Stop everything below the guardian: all at once, then by force after ``grace`` s."""
    if hub_pid not in _exit_codes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(hub_pid, signal.SIGTERM)
    # The hub stops its servers and services one after another, each with its own
    # timeouts. Ask them all now, concurrently: the hub then finds them already stopping.
    others = [p for p in _descendants() if p.pid != hub_pid]
    _signal_all(others, signal.SIGTERM)
    if _wait_for_no_descendants(time.monotonic() + grace):
        return
    left = _descendants()
    print(f"academy guardian: killing {len(left)} process(es) still running after {grace:g} s: "
          + ", ".join(f"{p.pid}" for p in left), file=sys.stderr, flush=True)
    if not _wait_for_no_descendants(time.monotonic() + 10, resend=signal.SIGKILL):
        print("academy guardian: some processes could not be killed", file=sys.stderr, flush=True)


def exit_status(code: int) -> int:
    """A child's exit code as a shell shows it: 128 + N for a child killed by signal N."""
    return 128 - code if code < 0 else code


def run(command: Sequence[str], parent: int, grace: float) -> int:
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)
    die_with_parent(signal.SIGTERM)
    become_subreaper()
    if os.getppid() != parent:  # academy up died before we asked to be told
        return 1
    hub_pid = _spawn(list(command))
    while True:
        info = signal.sigwaitinfo(WATCHED)
        _reap()
        if info.si_signo in STOP_SIGNALS:
            shut_down(hub_pid, grace)
            code = _exit_codes.get(hub_pid, 0)
            # stopped on request: a hub ended by our SIGTERM (or killed after the grace
            # period) stopped as asked
            return 0 if code in (0, -signal.SIGTERM, -signal.SIGKILL) else exit_status(code)
        if hub_pid in _exit_codes:
            # the hub ended on its own: nothing it started may outlive it
            shut_down(hub_pid, grace)
            return exit_status(_exit_codes[hub_pid])


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
