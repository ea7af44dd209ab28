"""Spawners: isolated (one unix account per learner) and shared (personal demo only)."""

from __future__ import annotations

import random
import socket
from typing import Any

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner
from traitlets import Unicode

# Learners' servers listen on ports below Linux's ephemeral range (32768–60999 by default),
# where every kernel's ports come from: a port picked at random from the ephemeral range
# could be taken by another learner's kernel before the server binds it (seen once in 49
# in the load benchmark).
SERVER_PORTS = range(20000, 32000)
_reserved: set[int] = set()


def reserve_server_port(rng: random.Random | None = None) -> int:
    """A free port for a learner's server, not given to another server of this hub."""
    rng = rng or random.SystemRandom()
    for _ in range(500):
        port = rng.randrange(SERVER_PORTS.start, SERVER_PORTS.stop)
        if port in _reserved:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _reserved.add(port)
        return port
    raise RuntimeError(f"no free port for a learner's server in {SERVER_PORTS.start}–"
                       f"{SERVER_PORTS.stop - 1}")


def release_server_port(port: int) -> None:
    _reserved.discard(port)


class DedicatedPorts:
    """Mixin for local spawners: each start gets a fresh port from SERVER_PORTS, released
    when the server stops (JupyterHub keeps the spawner, and its last port, between runs)."""

    port: int
    _reserved_port: int = 0

    async def start(self) -> Any:
        self.port = self._reserved_port = reserve_server_port()
        try:
            return await super().start()  # type: ignore[misc]
        except BaseException:
            self._release()
            raise

    async def stop(self, now: bool = False) -> None:
        try:
            await super().stop(now=now)  # type: ignore[misc]
        finally:
            self._release()

    def _release(self) -> None:
        """Give back only the port this spawner reserved, once."""
        if self._reserved_port:
            release_server_port(self._reserved_port)
            self._reserved_port = 0


class IsolatedSpawner(DedicatedPorts, LocalProcessSpawner):
    """Runs each user's server under their own unix account (setuid, as LocalProcessSpawner).

    The only difference from LocalProcessSpawner: HOME and the working directory are the
    user's folder inside this installation's data directory, so several installations on
    one machine keep separate homes for the same unix account.
    """

    home_dir_template = Unicode(
        config=True, help="Template of the user's home in the data directory; {username}."
    )

    @property
    def academy_home(self) -> str:
        return self.home_dir_template.format(username=self.user.name)

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        env = super().user_env(env)
        env["HOME"] = self.academy_home
        return env

    def make_preexec_fn(self, name: str):  # type: ignore[no-untyped-def]
        setuid = super().make_preexec_fn(name)
        home = self.academy_home

        def preexec() -> None:
            setuid()
            import os

            os.chdir(home)

        return preexec


class SharedSpawner(DedicatedPorts, SimpleLocalProcessSpawner):
    """Every server runs under the account that started the platform: NO isolation."""
