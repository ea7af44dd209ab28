"""Spawners: isolated (one unix account per learner) and shared (personal demo only).

Both pass the learner's full name to their server (``FullNameFromRoster``): My learning
greets the learner by it, and the server cannot read the roster itself (it is the hub's
secret, 0600 under ``secrets/``).
"""

from __future__ import annotations

import logging
import os
import random
import unicodedata
from pathlib import Path
from typing import Any

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner
from traitlets import HasTraits, Unicode, default

from common.ports import SERVER_PORTS, free_port_in
from installation.layout import DATA_DIR_ENV, DataLayout
from installation.settings import FULL_NAME_ENV
from people.roster import load_roster

log = logging.getLogger(__name__)

# Learners' servers listen on ports below Linux's ephemeral range (32768–60999 by default),
# where every kernel's ports come from: a port picked at random from the ephemeral range
# could be taken by another learner's kernel before the server binds it (seen once in 49
# in the load benchmark). common/ports.py
_reserved: set[int] = set()


def reserve_server_port(rng: random.Random | None = None) -> int:
    """A free port for a learner's server, not given to another server of this hub."""
    port = free_port_in(SERVER_PORTS, taken=_reserved, rng=rng)
    if port is not None:
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


class RosterNames:
    """Full names by username, from the roster file, parsed again only when the file
    changes (`academy roster import` replaces it atomically): a class logging in at once
    does not parse a province's roster once per learner on the hub's event loop."""

    def __init__(self) -> None:
        self._key: tuple[str, int, int, int] | None = None
        self._names: dict[str, str] = {}

    def full_name(
        self, roster_file: Path, username: str, logger: logging.Logger | None = None
    ) -> str | None:
        """The person's full name; None when the roster does not have one for them, or
        cannot be read (logged to ``logger``, the spawner's: the server then greets them by
        username, a spawn never fails for a greeting)."""
        try:
            stat = roster_file.stat()
            key = (str(roster_file), stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if key != self._key:
                self._names = {p.username: p.full_name for p in load_roster(roster_file)}
                self._key = key
        except Exception as exc:  # noqa: BLE001 - a greeting never fails a spawn
            (logger or log).warning("full name of %s not passed to the server: %s", username, exc)
            return None
        name = self._names.get(username, "")
        return (_one_line(name) or None) if isinstance(name, str) else None


def _one_line(name: str) -> str:
    """The name on one line, without control characters (an environment value cannot hold
    a NUL byte, and the page shows one line)."""
    printable = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in name)
    return " ".join(printable.split())


roster_names = RosterNames()


class FullNameFromRoster(HasTraits):
    """Mixin for spawners: the learner's full name from the roster, looked up by the hub at
    each spawn, in the server's environment as ``FULL_NAME_ENV``.

    Why the roster at spawn time: it is the academy's one record of who is who (HR's
    import keeps it up to date, the running hub learns of new people without a restart),
    it holds the name whatever the login (the academy's passwords, or the province's SSO),
    and it is read by the hub, which may read it, never by the learner's server.

    A HasTraits (for its configurable ``roster_file``) that comes before the JupyterHub
    spawner it extends, whose ``get_env`` it calls."""

    roster_file = Unicode(
        config=True,
        help="The roster (people.roster) to look full names up in; default: the one of the "
        "data directory in ACADEMY_DATA_DIR; empty: no full names (username only).",
    )

    @default("roster_file")
    def _data_dir_roster(self) -> str:
        data_dir = os.environ.get(DATA_DIR_ENV)
        return str(DataLayout.at(data_dir).roster_file) if data_dir else ""

    user: Any
    log: logging.Logger

    def get_env(self) -> dict[str, str]:
        env: dict[str, str] = super().get_env()  # type: ignore[misc]
        if self.roster_file:
            full_name = roster_names.full_name(Path(self.roster_file), self.user.name, self.log)
            if full_name:
                env[FULL_NAME_ENV] = full_name
        return env


class IsolatedSpawner(FullNameFromRoster, DedicatedPorts, LocalProcessSpawner):
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


class SharedSpawner(FullNameFromRoster, DedicatedPorts, SimpleLocalProcessSpawner):
    """Every server runs under the account that started the platform: NO isolation."""
