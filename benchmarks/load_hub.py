"""Load benchmark: N learners log in and open a module at once, on a real `academy up`.

Prepares a fresh installation (isolated mode, as root) with N imported learners enrolled in
the course, gives them passwords in the account store, starts the platform, then runs
benchmarks/locustfile_hub.py with Locust twice: once with a single learner (the baseline,
same run, same machine) and once with N at once. Prints latencies (p50/p95 per step),
errors and the memory of the learners' processes, per learner, as Markdown.

Usage (as root): PYTHONPATH=. .venv/bin/python benchmarks/load_hub.py [N]
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from installation.layout import DataLayout
from installation.settings import InstallSettings
from people.accounts import new_password, open_account_store, set_password
from people.roster_import import COLUMNS
from tests.e2e.platform_process import new_data_dir, run_academy, start_platform

COURSE, MODULE = "digital-signatures", "ds01-what-a-signature-proves"
VENV_BIN = Path(sys.executable).parent


def prepare(data_dir: Path, n: int) -> dict[str, str]:
    run_academy(data_dir, "init", check=True)
    staff = data_dir.parent / f"{data_dir.name}-staff.csv"
    rows = [",".join(COLUMNS)] + [
        f"LT-{i:05d},Nguyễn Văn Học {i},01/01/1990,Nam,Sở Nội vụ,Phòng {i % 5},Chuyên viên,,,"
        f"{COURSE}" for i in range(1, n + 1)
    ]
    staff.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run_academy(data_dir, "roster", "import", "--partial", str(staff), check=True)
    layout = DataLayout.at(data_dir)
    sessions = open_account_store(InstallSettings.load(layout).hub_url(layout))
    accounts = {f"lt-{i:05d}": new_password() for i in range(1, n + 1)}
    with sessions() as session, session.begin():
        for username, password in accounts.items():
            set_password(session, username, password)
    sessions.kw["bind"].dispose()
    return accounts


def run_locust(url: str, accounts: dict[str, str], users: int, out: Path) -> dict[str, dict]:
    env = dict(os.environ, ACADEMY_LOAD_ACCOUNTS=json.dumps(accounts),
               ACADEMY_LOAD_COURSE=COURSE, ACADEMY_LOAD_MODULE=MODULE)
    subprocess.run(
        [str(VENV_BIN / "locust"), "-f", "benchmarks/locustfile_hub.py", "--headless",
         "--host", url, "-u", str(users), "-r", str(users), "--run-time", "10m",
         "--csv", str(out), "--only-summary", "--loglevel", "WARNING"],
        check=False, env=env, timeout=1200,
    )
    with open(f"{out}_stats.csv", encoding="utf-8") as f:
        return {row["Name"]: row for row in csv.DictReader(f)}


def learner_memory(usernames: list[str]) -> tuple[float, int]:
    """MiB of resident memory of every process the learners' accounts run, and how many
    learners had any."""
    uids = {pwd.getpwnam(u).pw_uid for u in usernames}
    per_uid: dict[int, int] = {}
    for proc in psutil.process_iter(["uids", "memory_info"]):
        uid = proc.info["uids"].real if proc.info["uids"] else None
        if uid in uids and proc.info["memory_info"]:
            per_uid[uid] = per_uid.get(uid, 0) + proc.info["memory_info"].rss
    return sum(per_uid.values()) / 2**20, len(per_uid)


SETTLE_TIMEOUT = 600.0  # s: a bound on the wait below, not a wait
SETTLED_AFTER = 30.0  # s: no new page run ahead nor spare kernel for this long: settled


def settle(log: Path, learners: int) -> tuple[float, int, int]:
    """Wait until the learners' servers have run their pages ahead and started their spare
    kernels: until every one has (the hub's log says so), or nothing new has been ready for
    SETTLED_AFTER seconds (a server whose learner's journey failed has none), at most
    SETTLE_TIMEOUT; the seconds waited and the counts."""
    started = last_change = time.monotonic()
    counts = (-1, -1)
    while True:
        text = log.read_text(errors="replace")
        now_counts = (len(re.findall(r"Module page: ready: ", text)),
                      len(re.findall(r"Module page: spare kernel \S+ ready", text)))
        now = time.monotonic()
        if now_counts != counts:
            counts, last_change = now_counts, now
        if (min(counts) >= learners or (min(counts) > 0 and now - last_change > SETTLED_AFTER)
                or now - started > SETTLE_TIMEOUT):
            return now - started, counts[0], counts[1]
        time.sleep(1)


def main() -> None:
    # a SIGTERM (`timeout`, Ctrl-C from a supervisor) still stops the platform it started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    data_dir = new_data_dir()
    platform = None
    try:
        accounts = prepare(data_dir, n)
        platform = start_platform(data_dir)
        first = dict(list(accounts.items())[:1])
        rest = dict(list(accounts.items())[1:])
        base = run_locust(platform.url, first, 1, data_dir.parent / f"{data_dir.name}-base")
        load = run_locust(platform.url, rest, n - 1 if n > 1 else 1,
                          data_dir.parent / f"{data_dir.name}-load")
        mem, active = learner_memory(list(accounts))
        total = psutil.virtual_memory()
        print(f"| step | 1 learner alone: median | {n - 1} at once: p50 | p95 | max | "
              f"failures / requests | p50 ratio |")
        print("|---|---|---|---|---|---|---|")
        for name in ("log in", "server ready", "My learning", "open module"):
            b, x = base.get(name), load.get(name)
            if not (b and x):
                print(f"| {name} | missing | | | | | |")
                continue
            ratio = float(x["50%"]) / max(1.0, float(b["50%"]))
            print(f"| {name} | {float(b['50%']) / 1000:.2f} s | {float(x['50%']) / 1000:.2f} s"
                  f" | {float(x['95%']) / 1000:.2f} s | {float(x['Max Response Time']) / 1000:.2f}"
                  f" s | {x['Failure Count']} / {x['Request Count']} | {ratio:.1f}× |")
        print(f"\nlearners with running processes: {active} of {n}; their memory: "
              f"{mem:.0f} MiB in all, {mem / max(1, active):.0f} MiB per active learner; "
              f"machine: {psutil.cpu_count()} CPUs, {total.total / 2**30:.0f} GiB, "
              f"{total.available / 2**30:.1f} GiB still available")
        # the learners' servers then run each module's next page ahead and keep a spare
        # kernel (my_learning/module_kernels.py), once the machine's load allows: the
        # memory again when they all have (the log says so), or after SETTLE_TIMEOUT
        log = platform.layout.logs_dir / "hub.log"
        waited, pages, spares = settle(log, active)
        mem, active = learner_memory(list(accounts))
        total = psutil.virtual_memory()
        print(f"\nafter {waited:.0f} s, {pages} pages run ahead and {spares} spare kernels "
              f"ready: their memory: {mem:.0f} MiB in all, {mem / max(1, active):.0f} MiB per "
              f"active learner; {total.available / 2**30:.1f} GiB still available")
        failures = data_dir.parent / f"{data_dir.name}-load_failures.csv"
        if failures.exists():
            print("\nfailures (Locust's own list):\n" + failures.read_text(encoding="utf-8"))
    finally:
        if platform is not None:
            platform.stop()
        # the platform's logs outlive the run, to explain any error in the table
        logs = data_dir.parent / f"{data_dir.name}-logs"
        shutil.copytree(DataLayout.at(data_dir).logs_dir, logs, dirs_exist_ok=True)
        print(f"the platform's logs: {logs}")
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
