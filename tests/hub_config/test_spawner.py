"""Learners' servers get ports outside the range kernels' ports come from."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest

from hub_config.spawner import SERVER_PORTS, release_server_port, reserve_server_port


def test_ports_are_below_the_ephemeral_range_kernels_use() -> None:
    low, _high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    assert SERVER_PORTS.stop <= low


class Scripted(random.Random):
    """randrange answers from a list: which port is tried first is the test's choice."""

    def __init__(self, ports: list[int]) -> None:
        super().__init__(0)
        self.ports = ports

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        return self.ports.pop(0)


def test_a_busy_port_and_a_reserved_port_are_skipped() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        taken = busy.getsockname()[1]
        busy.listen()
        first = reserve_server_port(Scripted([taken, 20123]))
        try:
            assert first == 20123  # the port in use was skipped
            second = reserve_server_port(Scripted([20123, 20124]))
            try:
                assert second == 20124  # reserved for a server that has not bound it yet
            finally:
                release_server_port(second)
        finally:
            release_server_port(first)
    again = reserve_server_port(Scripted([20123]))
    release_server_port(again)
    assert again == 20123  # released ports come back


def test_no_free_port_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(RuntimeError, match="no free port"):
            reserve_server_port(Scripted([busy.getsockname()[1]] * 500))


def test_each_start_reserves_a_fresh_port_and_stop_gives_back_only_its_own() -> None:
    from common.event_loop import run_coroutine
    from hub_config.spawner import DedicatedPorts

    class Base:
        port = 0
        starts: list[int] = []

        async def start(self) -> None:
            self.starts.append(self.port)

        async def stop(self, now: bool = False) -> None:
            return None

    class Spawner(DedicatedPorts, Base):
        pass

    spawner = Spawner()
    run_coroutine(spawner.start())
    first = spawner.port
    run_coroutine(spawner.stop())
    run_coroutine(spawner.stop())  # twice: still releases nothing else
    other = reserve_server_port(Scripted([first]))  # the port went back: another server
    try:
        run_coroutine(spawner.start())
        assert spawner.port != first  # not the old, now someone else's, port
        run_coroutine(spawner.stop())
        assert reserve_server_port(Scripted([other, 20777])) == 20777  # still reserved
        release_server_port(20777)
    finally:
        release_server_port(other)
