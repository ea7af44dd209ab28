"""Benchmark: hub accounts for a province's roster (people.accounts).

Measures, on a fresh SQLite hub database:
- adding N not-yet-activated accounts (what `academy roster import` does for N new people);
- issuing activation codes to M people (what `academy accounts codes` does), against the
  baseline of hashing M codes at bcrypt's default cost (12), measured in the same run.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/bench_accounts.py [N] [M] [REPEAT]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bcrypt

from people.accounts import add_pending, issue_code, open_account_store


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    base = Path(tempfile.mkdtemp(prefix="bench-accounts-"))
    pending, codes = [], []
    try:
        for i in range(repeat):
            sessions = open_account_store(f"sqlite:///{base / f'hub-{i}.sqlite'}")
            usernames = [f"cb-{k:06d}" for k in range(n)]
            with sessions() as session, session.begin():
                t = time.perf_counter()
                add_pending(session, usernames)
                session.flush()
                pending.append(time.perf_counter() - t)
            with sessions() as session, session.begin():
                t = time.perf_counter()
                for username in usernames[:m]:
                    issue_code(session, username)
                session.flush()
                codes.append(time.perf_counter() - t)
            sessions.kw["bind"].dispose()
        t = time.perf_counter()
        for _ in range(max(1, m // 50)):  # cost 12 is slow: time M/50 and scale
            bcrypt.hashpw(b"K7QM-3RTX-9WPA", bcrypt.gensalt())
        default_cost = (time.perf_counter() - t) * (m / max(1, m // 50))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    p, c = statistics.median(pending), statistics.median(codes)
    print(f"add {n} pending accounts: median {p:.2f} s of {repeat}")
    print(f"issue {m} activation codes (bcrypt cost 4): median {c:.2f} s of {repeat} "
          f"({c / m * 13_500:.1f} s extrapolated to 13,500 people)")
    print(f"baseline, {m} codes at bcrypt's default cost 12: {default_cost:.1f} s "
          f"(x{default_cost / c:.0f} slower)")


if __name__ == "__main__":
    main()
