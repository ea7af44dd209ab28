"""The platform's ports are drawn below the range outgoing connections take theirs from."""

from __future__ import annotations

import socket
from pathlib import Path

from academy.supervisor import free_port
from common.ports import SERVER_PORTS, SERVICE_PORTS, free_port_in


def test_the_ranges_are_apart_and_below_the_ephemeral_range() -> None:
    low, _high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    assert SERVICE_PORTS.stop <= SERVER_PORTS.start and SERVER_PORTS.stop <= low
    assert all(free_port() in SERVICE_PORTS for _ in range(20))


def test_a_port_in_use_or_taken_is_never_drawn() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", free_port()))
        busy.listen()
        in_use = busy.getsockname()[1]
        one = range(in_use, in_use + 1)
        assert free_port_in(one, attempts=20) is None  # busy: none found
        assert free_port_in(range(in_use + 1, in_use + 2), taken={in_use + 1},
                            attempts=20) is None  # taken by the caller's own bookkeeping
    assert free_port_in(one, attempts=20) == in_use  # the control: free again
