"""Loopback ports for the platform's own servers, drawn below the kernel's ephemeral range.

Linux hands out ephemeral ports (``ip_local_port_range``, 32768-60999 by default) to every
outgoing connection, every ``bind(0)`` and every kernel's five ZeroMQ ports. A port found
free there and bound seconds later by the server meant to have it can be taken in between
(seen: a learner's server's port taken by another learner's kernel in the load benchmark, a
proxy's port taken while `academy init` ran). Below that range nothing takes a port unasked.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Container

#: the platform's own services (`academy up`: the proxy, the hub, the e-office, ...)
SERVICE_PORTS = range(10000, 20000)
#: learners' servers (hub_config.spawner)
SERVER_PORTS = range(20000, 32000)


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port_in(ports: range, *, taken: Container[int] = (),
                 rng: random.Random | None = None, attempts: int = 500) -> int | None:
    """A port of ``ports`` that is free on 127.0.0.1 now and not in ``taken``, drawn at
    random; None when ``attempts`` draws found none."""
    rng = rng or random.SystemRandom()
    for _ in range(attempts):
        port = rng.randrange(ports.start, ports.stop)
        if port not in taken and port_is_free(port):
            return port
    return None
