"""Benchmark: `academy eoffice seed` at province scale (the issue's target: 30,000 users and
1,500,000 documents in at most 5 minutes and 1 GiB on a 2-core machine).

For each database, measured in the same run:

- **seed**: `seed_province` into a fresh, migrated database (SQLite file; PostgreSQL: a new
  database, dropped afterwards): wall time, and the peak RSS of the whole process tree (this
  process and its worker processes, summed, sampled every 0.2 s), plus each one's
  ru_maxrss;
- **baseline, generation only**: the same rows made by the same pipeline (same jobs) and
  thrown away, no database: the floor of what writing adds to;
- **baseline, the ordinary path**: `provision_tenant` (Faker, the ORM, one transaction per
  tenant, what a learner's first visit does) for --provision-tenants tenants, extrapolated
  to --users.

Medians over --rounds; ratios against the baselines of the same run.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_province_seed.py \
        [--users 30000] [--documents 1500000] [--rounds 3] [--jobs 2] \
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psutil
from sqlalchemy import create_engine, func, select, text

from sandbox_eoffice import province_seed
from sandbox_eoffice.database import make_engine, make_session_factory, upgrade
from sandbox_eoffice.models import IncomingDocument, Tenant
from sandbox_eoffice.province_seed import GeneratedBatch, ProvincePlan, seed_province
from sandbox_eoffice.seeding import provision_tenant

TODAY = date(2026, 3, 16)
MIB = 1024 * 1024


class PeakRss:
    """The largest sum of RSS over this process and its descendants, sampled."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                with suppress(psutil.Error):  # it ended meanwhile
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Round:
    seconds: float
    peak_tree_mib: float
    documents: int


class _Discard(province_seed._Writer):
    """Counts a batch's rows instead of writing them."""

    def __init__(self) -> None:
        self.rows = 0

    def write(self, batch: GeneratedBatch) -> bool:
        self.rows += sum(len(rows) for rows in batch.rows.values())
        return True


def generation_only(plan: ProvincePlan, jobs: int, as_text: bool) -> tuple[float, int]:
    writer = _Discard()
    started = time.perf_counter()
    province_seed._run(plan, writer, set(), as_text, jobs, None)
    return time.perf_counter() - started, writer.rows


def seed_round(url: str, plan: ProvincePlan, jobs: int) -> Round:
    upgrade(url)
    with PeakRss() as rss:
        started = time.perf_counter()
        report = seed_province(url, plan, jobs=jobs)
        seconds = time.perf_counter() - started
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tenants = connection.scalar(select(func.count()).select_from(Tenant))
            documents = connection.scalar(select(func.count()).select_from(IncomingDocument))
    finally:
        engine.dispose()
    assert (tenants, documents) == (plan.users, plan.documents), (tenants, documents)
    assert report.created == plan.users
    return Round(seconds, rss.peak / MIB, report.documents)


def provision_baseline(url: str, tenants: int) -> float:
    """Seconds per tenant of provision_tenant, one session and commit per tenant."""
    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        for index in range(tenants):
            with make_session_factory(engine)() as session:
                provision_tenant(session, f"base-{index}", "Nguyễn Văn Bench", index, today=TODAY)
                session.commit()
        return (time.perf_counter() - started) / tenants
    finally:
        engine.dispose()


def run(name: str, fresh_url: Callable[[], Iterator[str]], args: argparse.Namespace) -> None:
    plan = ProvincePlan(args.users, args.documents, today=TODAY, batch_size=args.batch_size)
    as_text = name == "sqlite"
    seeds: list[Round] = []
    generations: list[float] = []
    rows = 0
    for number in range(args.rounds):
        seconds, rows = generation_only(plan, args.jobs, as_text)
        generations.append(seconds)
        with contextmanager(fresh_url)() as url:
            seeds.append(seed_round(url, plan, args.jobs))
            if name == "sqlite":
                size = sum(p.stat().st_size for p in Path(url.removeprefix("sqlite:///")).parent
                           .iterdir()) / MIB
                print(f"  {name} round {number + 1}: database files {size:,.0f} MiB")
        print(f"  {name} round {number + 1}: seed {seeds[-1].seconds:6.1f} s, tree RSS "
              f"{seeds[-1].peak_tree_mib:5.0f} MiB | generation only {seconds:6.1f} s "
              f"| load average {os.getloadavg()[0]:.1f}", flush=True)
    with contextmanager(fresh_url)() as url:
        per_tenant = provision_baseline(url, args.provision_tenants)

    seed = statistics.median(r.seconds for r in seeds)
    generation = statistics.median(generations)
    peak = max(r.peak_tree_mib for r in seeds)
    provision = per_tenant * args.users
    print(f"{name}: {args.users:,} users, {args.documents:,} documents, {rows:,} rows, "
          f"jobs {args.jobs}, batch {args.batch_size}, rounds {args.rounds}")
    print(f"  seed median            {seed:8.1f} s  ({args.documents / seed:,.0f} documents/s, "
          f"{rows / seed:,.0f} rows/s); runs: {', '.join(f'{r.seconds:.1f}' for r in seeds)}")
    print(f"  peak RSS, process tree {peak:8.0f} MiB (all rounds); ru_maxrss: this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, largest worker "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB")
    print(f"  baseline: generation only, median {generation:8.1f} s  -> seed / generation = "
          f"{seed / generation:.2f}")
    print(f"  baseline: provision_tenant {per_tenant * 1000:.1f} ms/tenant x {args.users:,} = "
          f"{provision:,.0f} s  -> {provision / seed:.1f}x slower than the seed")
    print(f"  target (<= 300 s, <= 1024 MiB): "
          f"{'met' if seed <= 300 and peak <= 1024 else 'NOT met'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=30_000)
    parser.add_argument("--documents", type=int, default=1_500_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--batch-size", type=int, default=province_seed.DEFAULT_BATCH_SIZE)
    parser.add_argument("--provision-tenants", type=int, default=100)
    parser.add_argument("--postgres", default="",
                        help="a PostgreSQL superuser URL: also benchmark on a new database")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"{platform.node()}: {len(os.sched_getaffinity(0))} CPUs, "
          f"{psutil.virtual_memory().total / MIB / 1024:.0f} GiB, Python "
          f"{platform.python_version()}, {platform.platform()}", flush=True)

    if not args.no_sqlite:
        def sqlite_url() -> Iterator[str]:
            with tempfile.TemporaryDirectory() as folder:
                yield f"sqlite:///{folder}/eoffice.sqlite"

        run("sqlite", sqlite_url, args)

    if args.postgres:
        def postgres_url() -> Iterator[str]:
            name = f"bench_seed_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                yield args.postgres.rsplit("/", 1)[0] + f"/{name}"
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                admin.dispose()

        run("postgresql", postgres_url, args)


if __name__ == "__main__":
    main()
