"""`academy up` ends everything it started, however it ends (academy.guardian).

Each test starts its own platform in isolated mode (as root: learners' servers run under
other unix accounts) with one learner's server and kernel running, then ends `academy up`
and checks the state itself: every process of the tree gone, every port closed.
"""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from common.roles import Role
from tests.e2e.learner_client import LearnerClient
from tests.e2e.platform_process import new_data_dir, port_open, start_platform

#: How long the whole tree may take to end (the guardian's own limit is 8 s + 10 s).
TREE_END_TIMEOUT = 60


def _running_tree(data_dir):
    if os.geteuid() != 0:
        pytest.fail("isolated mode is tested as root (CI runs as root)")
    platform = start_platform(data_dir)
    learner = next(a for a in platform.accounts().values() if a.role == Role.LEARNER)
    client = LearnerClient(platform.url, learner.username, learner.password)
    client.start_server()
    assert client.run_code("print(6 * 7)").strip() == "42"  # a kernel runs below the hub
    up = psutil.Process(platform.proc.pid)
    tree = [up, *up.children(recursive=True)]
    users = {p.username() for p in tree}
    assert learner.username in users and "academy-eoffice" in users, users
    ports = set(platform.ports())
    for process in tree:
        ports |= {c.laddr.port for c in process.net_connections("tcp") if c.status == "LISTEN"}
    return platform, tree, ports


def _processes_in(data_dir) -> list[psutil.Process]:
    """Any process whose working directory is inside the platform's data directory."""
    found = []
    for process in psutil.process_iter():
        try:
            cwd = process.cwd()
        except psutil.Error:
            continue
        if cwd == str(data_dir) or cwd.startswith(f"{data_dir}/"):
            found.append(process)
    return found


def _assert_all_ended(platform, tree, ports) -> None:
    _gone, alive = psutil.wait_procs(tree, timeout=TREE_END_TIMEOUT)
    assert alive == [], [(p.pid, p.name()) for p in alive]
    assert [p for p in ports if port_open(p)] == []
    assert _processes_in(platform.data_dir) == []


def test_kill_9_of_academy_up_ends_every_process_and_port():
    data_dir = new_data_dir()
    platform, tree, ports = _running_tree(data_dir)
    try:
        os.kill(platform.proc.pid, signal.SIGKILL)
        assert platform.proc.wait(10) == -signal.SIGKILL
        _assert_all_ended(platform, tree, ports)
    finally:
        for process in tree:  # only if the assertion above failed
            if process.is_running():
                process.kill()
        if platform.output_file is not None:
            platform.output_file.close()


def test_ctrl_c_stops_everything_with_a_learner_server_running():
    """Ctrl-C with a learner's server and kernel running: exit 0, everything gone.

    How fast is measured by benchmarks/bench_stop.py (docs/performance.md), not here.
    """
    data_dir = new_data_dir()
    platform, tree, ports = _running_tree(data_dir)
    try:
        assert platform.stop() == 0, platform.output_path.read_text()[-3000:]
        _assert_all_ended(platform, tree, ports)
        assert "Stopped in " in platform.output_path.read_text()
    finally:
        for process in tree:
            if process.is_running():
                process.kill()
