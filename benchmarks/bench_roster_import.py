"""Roster import of a province-sized personnel file: 30,000 rows (`academy roster import`).

Builds a CSV of N learners with Faker vi_VN (names, agencies, emails, Vietnamese mobile
numbers), then times, each REPEAT times (median reported):

* baseline: ``csv.DictReader`` over the same file (reading it and nothing else);
* check: ``read_roster_table`` + ``check_rows`` (every field of every row validated);
* merge + save: ``merge_roster`` into an empty roster and the atomic write of roster.json;
* re-import: the same file again onto the saved roster (nothing changes);
* nbgrader students: the new learners into a fresh SQLite gradebook of one course
  (``Installation._gradebook_students``, one transaction).

Usage: PYTHONPATH=. .venv/bin/python benchmarks/bench_roster_import.py [N] [REPEAT]
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from faker import Faker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from academy.provision import Installation  # noqa: E402
from people.roster import load_roster, save_roster  # noqa: E402
from people.roster_import import (  # noqa: E402
    COLUMNS,
    check_rows,
    merge_roster,
    read_roster_table,
)

COURSES = ("digital-signatures", "cybersecurity", "e-documents", "online-public-services")


def write_file(path: Path, n: int) -> None:
    fake = Faker("vi_VN")
    Faker.seed(2026)
    agencies = [f"Sở {w}" for w in ("Tài chính", "Nội vụ", "Y tế", "Giáo dục và Đào tạo",
                                   "Tư pháp", "Xây dựng")] + [f"UBND huyện {fake.city()}"
                                                              for _ in range(20)]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for i in range(n):
            born = fake.date_of_birth(minimum_age=22, maximum_age=60)
            out.writerow([
                f"CB-{i:06d}", fake.name(), born.strftime("%d/%m/%Y"),
                "Nữ" if i % 2 else "Nam", agencies[i % len(agencies)], "Văn phòng",
                "Chuyên viên", f"cb{i:06d}@tinh.gov.vn", f"09{i % 100_000_000:08d}",
                ";".join(COURSES[: 1 + i % 3]),
            ])


def timed(fn, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    # nbgrader's Gradebook runs `alembic` by name, as the academy command arranges
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    base = Path(tempfile.mkdtemp(prefix="bench-roster-"))
    staff = base / "staff.csv"
    write_file(staff, n)

    def baseline() -> int:
        with open(staff, encoding="utf-8-sig", newline="") as fh:
            return sum(1 for _ in csv.DictReader(fh))

    def check():  # noqa: ANN202
        rows, header = read_roster_table(staff)
        assert header == []
        return check_rows(rows, COURSES)

    roster_file = base / "roster.json"

    def merge_and_save():  # noqa: ANN202
        change = merge_roster([], checked.people)
        save_roster(roster_file, change.roster)
        return change

    def reimport():  # noqa: ANN202
        again = check()
        return merge_roster(load_roster(roster_file), again.people)

    t_base, count = timed(baseline, repeat)
    t_check, checked = timed(check, repeat)
    assert count == n and checked.problems == [], checked.problems[:3]
    t_merge, change = timed(merge_and_save, repeat)
    t_again, again = timed(reimport, repeat)
    assert len(change.new) == n and len(again.unchanged) == n

    def students() -> None:
        db = base / f"gradebook-{time.perf_counter_ns()}.db"
        Installation._gradebook_students(f"sqlite:///{db}", COURSES[0], change.roster)

    t_students, _ = timed(students, repeat)
    print(f"rows: {n}, median of {repeat}")
    print(f"baseline csv.DictReader:   {t_base:6.2f} s")
    print(f"read + check every field:  {t_check:6.2f} s ({t_check / t_base:.0f}x baseline, "
          f"{n / t_check:,.0f} rows/s)")
    print(f"merge + save roster.json:  {t_merge:6.2f} s")
    print(f"re-import, nothing changes:{t_again:6.2f} s")
    print(f"nbgrader students (1 course, {sum(COURSES[0] in p.courses for p in change.roster):,}"
          f" learners): {t_students:6.2f} s")
    print(f"import total (check + merge + save + students): "
          f"{t_check + t_merge + t_students:6.2f} s")


if __name__ == "__main__":
    main()
