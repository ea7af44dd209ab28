"""Load benchmark: the e-office at province scale, 200 learners at once, SQLite and PostgreSQL.

For each database: seed the province (`academy eoffice seed`'s code: --users learners'
agencies, --documents incoming documents in all), start the e-office under gunicorn as the
platform does (2 workers), then run benchmarks/locustfile_eoffice.py with Locust: --clients
learners browsing and searching on the pages and the API, each pausing 1–3 s like a person.
The baseline is a bare Flask endpoint on the same server and workers, in the same run.
Prints p50/p95/p99, requests/s and failures per request kind, and each p95 as a ratio to the
baseline's, as Markdown.

Usage (2 cores: the defaults take about 15 minutes with both databases):
    PYTHONPATH=. .venv/bin/python benchmarks/load_eoffice.py [--users 30000]
        [--documents 1500000] [--clients 200] [--duration 120] [--postgres URL]
        [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from academy.supervisor import free_port
from sandbox_eoffice.database import upgrade
from sandbox_eoffice.province_seed import ProvincePlan, seed_province

VENV_BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
KINDS = ("page: incoming list", "page: search", "page: document", "page: home",
         "API: incoming list", "API: document", "baseline: bare Flask endpoint")


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the e-office did not answer at {url}")


def run(database_url: str, plan: ProvincePlan, clients: int, duration: int, label: str,
        work: Path) -> dict[str, dict[str, str]]:
    upgrade(database_url)
    started = time.perf_counter()
    report = seed_province(database_url, plan, jobs=2)
    print(f"[{label}] seeded {plan.users} learners, {plan.documents} documents in "
          f"{time.perf_counter() - started:.0f} s ({report})", file=sys.stderr)
    port = free_port()
    env = dict(os.environ, EOFFICE_DATABASE_URL=database_url, EOFFICE_DATA_DIR=str(work),
               PYTHONPATH=str(REPO))
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "benchmarks.eoffice_bench_app:create()"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/services/eoffice/bare", server)
        out = work / f"locust-{label}"
        subprocess.run(
            [str(VENV_BIN / "locust"), "-f", str(REPO / "benchmarks/locustfile_eoffice.py"),
             "--headless", "--host", f"http://127.0.0.1:{port}", "-u", str(clients),
             "-r", str(max(1, clients // 20)), "--run-time", f"{duration}s",
             "--csv", str(out), "--only-summary", "--loglevel", "WARNING"],
            check=False, timeout=duration + 300,
            env=dict(os.environ, ACADEMY_LOAD_PREFIX=plan.prefix,
                     ACADEMY_LOAD_USERS=str(plan.users), ACADEMY_LOAD_WIDTH=str(plan.width)))
        with open(f"{out}_stats.csv", encoding="utf-8") as f:
            return {row["Name"]: row for row in csv.DictReader(f)}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def table(label: str, stats: dict[str, dict[str, str]]) -> None:
    base = stats.get("baseline: bare Flask endpoint")
    base95 = float(base["95%"]) if base else 0.0
    print(f"\n**{label}**\n")
    print("| request | p50 | p95 | p99 | req/s | failures / requests | p95 ÷ baseline p95 |")
    print("|---|---|---|---|---|---|---|")
    for kind in (*KINDS, "Aggregated"):
        row = stats.get(kind)
        if row is None:
            continue
        ratio = float(row["95%"]) / base95 if base95 else float("nan")
        print(f"| {kind} | {row['50%']} ms | {row['95%']} ms | {row['99%']} ms | "
              f"{float(row['Requests/s']):.1f} | {row['Failure Count']} / "
              f"{row['Request Count']} | {ratio:.1f}× |")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=30_000)
    parser.add_argument("--documents", type=int, default=1_500_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=int, default=120)
    parser.add_argument("--postgres", help="an admin URL: a database is created and dropped")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    plan = ProvincePlan(users=args.users, documents=args.documents, prefix="p")
    work = Path(tempfile.mkdtemp(prefix="eoffice-load-"))
    try:
        if not args.skip_sqlite:
            stats = run(f"sqlite:///{work}/eoffice.sqlite", plan, args.clients,
                        args.duration, "sqlite", work)
            table(f"SQLite, {args.users} learners, {args.documents} documents, "
                  f"{args.clients} clients", stats)
        if args.postgres:
            admin_url = make_url(args.postgres)
            name = f"eoffice_load_{os.getpid()}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = admin_url.set(database=name).render_as_string(hide_password=False)
                stats = run(url, plan, args.clients, args.duration, "postgres", work)
                table(f"PostgreSQL, {args.users} learners, {args.documents} documents, "
                      f"{args.clients} clients", stats)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
