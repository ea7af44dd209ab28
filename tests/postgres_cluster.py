"""A PostgreSQL cluster of the test's own, with SCRAM password authentication everywhere.

Debian's `initdb` and `postgres` (the server package the machine already has), run as the
`postgres` account on a free loopback port, in a temporary folder; stopped by process id and
removed by the test that started it.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from academy.supervisor import free_port


@dataclass
class ScramCluster:
    folder: Path
    port: int
    superuser_password: str
    proc: subprocess.Popen

    @property
    def admin_url(self) -> str:
        return (f"postgresql+psycopg://postgres:{self.superuser_password}@127.0.0.1:"
                f"{self.port}/postgres")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # "fast" shutdown
            self.proc.wait(timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)


def _server_binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"{name} not found: Debian's postgresql server package is needed")
    return found[-1]


def start_scram_cluster(deadline_seconds: float = 120) -> ScramCluster:
    import psycopg

    owner = pwd.getpwnam("postgres")
    folder = Path(tempfile.mkdtemp(prefix="academy-pg-scram-"))
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    password = secrets.token_urlsafe(18)
    pwfile = folder / "pwfile"
    pwfile.write_text(password + "\n")
    os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    as_postgres = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    subprocess.run(
        [_server_binary("initdb"), "-D", str(folder / "data"), "-U", "postgres",
         "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True, **as_postgres,
    )
    port = free_port()
    log = open(folder / "server.log", "w")  # noqa: SIM115 (closed when the server ends)
    proc = subprocess.Popen(
        [_server_binary("postgres"), "-D", str(folder / "data"), "-p", str(port),
         "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={folder}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **as_postgres,
    )
    log.close()
    cluster = ScramCluster(folder, port, password, proc)
    deadline = time.monotonic() + deadline_seconds  # a deadline; the loop waits for the state
    while True:
        try:
            psycopg.connect(host="127.0.0.1", port=port, user="postgres", password=password,
                            dbname="postgres", connect_timeout=3).close()
            return cluster
        except psycopg.OperationalError:
            if proc.poll() is not None or time.monotonic() > deadline:
                text = (folder / "server.log").read_text(errors="replace")[-2000:]
                cluster.stop()
                raise RuntimeError(f"the test's PostgreSQL did not start:\n{text}") from None
            time.sleep(0.2)
