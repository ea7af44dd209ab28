"""academy.guardian on plain processes: whatever ends, nothing below it survives.

The command under the guardian is a shell that leaves a `sleep` behind in the background:
an orphan that only a subreaper can still find.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil

GUARDIAN = [sys.executable, "-m", "academy.guardian"]
#: a "hub" that starts a background child, announces it, then waits (or exits with 3)
LEAVES_A_CHILD = 'sleep 300 & echo "child $!"; {then}'


def _start(then: str, parent: int | None = None) -> tuple[subprocess.Popen, psutil.Process]:
    proc = subprocess.Popen(
        [*GUARDIAN, "--parent", str(parent or os.getpid()), "--grace", "3", "--",
         "sh", "-c", LEAVES_A_CHILD.format(then=then)],
        stdout=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline()  # the state itself: the child exists
    assert line.startswith("child "), line
    return proc, psutil.Process(int(line.split()[1]))


def test_sigterm_stops_the_command_and_its_orphans() -> None:
    proc, child = _start("sleep 300")
    with proc:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    assert not child.is_running()


def test_a_command_that_ends_on_its_own_takes_its_children_along() -> None:
    proc, child = _start("exit 3")
    with proc:
        assert proc.wait(30) == 3  # the hub's own exit status is passed on
    assert not child.is_running()


def test_a_command_killed_by_a_signal_reports_128_plus_n() -> None:
    proc, child = _start("kill -9 $$")
    with proc:
        assert proc.wait(30) == 128 + signal.SIGKILL
    assert not child.is_running()


def test_kill_9_of_the_parent_ends_everything() -> None:
    """The guardian's parent (standing in for `academy up`) is killed with -9."""
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import os, subprocess, sys\n"
         f"p = subprocess.Popen({GUARDIAN!r} + ['--parent', str(os.getpid()), '--grace', '3', "
         "'--', 'sh', '-c', 'sleep 300 & echo \"child $!\"; sleep 300'])\n"
         "p.wait()\n"],
        stdout=subprocess.PIPE, text=True,
    )
    line = parent.stdout.readline()
    assert line.startswith("child "), line
    child = psutil.Process(int(line.split()[1]))
    below = psutil.Process(parent.pid).children(recursive=True)
    assert child in below and len(below) >= 3  # guardian, shell, sleep
    with parent:
        parent.kill()
        parent.wait(10)
    _gone, alive = psutil.wait_procs(below, timeout=30)
    assert alive == []
