"""Benchmark: provisioning a learner's sandbox tenant (what `academy init` does per learner).

Baseline, measured in the same run: Faker vi_VN generating the names and addresses a tenant
needs, without any database. Reports medians and the ratio to the baseline.

    .venv/bin/python benchmarks/bench_provision.py [--rounds 15] [--postgres URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid

from sqlalchemy import create_engine, text

from sample_data import vietnamese_faker
from sandbox_eoffice.database import make_engine, make_session_factory, upgrade
from sandbox_eoffice.seeding import provision_tenant


def faker_baseline(seed: int) -> None:
    """The names a tenant needs at most: 60 colleagues and 100 documents' signers."""
    fake = vietnamese_faker(seed)
    for _ in range(160):
        fake.name()
    fake.street_name()


def provision_round(url: str, seed: int) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        provision_tenant(session, f"bench{seed}", "Nguyễn Văn Bench", seed)
        session.commit()
    engine.dispose()


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def run(name: str, url: str, rounds: int) -> None:
    upgrade(url)
    base = [timed(faker_baseline, i) for i in range(rounds)]
    prov = [timed(provision_round, url, i) for i in range(rounds)]
    b, p = statistics.median(base), statistics.median(prov)
    print(f"{name:<10} faker baseline median {b * 1000:7.1f} ms | provision_tenant median "
          f"{p * 1000:7.1f} ms | ratio {p / b:5.1f}x  (n={rounds})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{tmp}/bench.sqlite", args.rounds)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        run("postgresql", args.postgres.rsplit("/", 1)[0] + f"/{name}", args.rounds)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
