"""HR export at province scale: 30,000 learners x 20 courses = 600,000 rows
(`academy hr export`, ``grading.hr_export.export``).

Builds a synthetic installation quickly: a roster of N learners (Vietnamese names from a
small pool, each enrolled in every course), a catalog of C courses with M modules each
(tagged with competencies), and one SQLite nbgrader gradebook per course filled by bulk
inserts straight into nbgrader's schema (``nbgrader.api.Base.metadata``): every learner
has a graded submission of every module, two grade cells each, a few still waiting for a
manual grade. Then times, each REPEAT times (median reported), in the same process:

* baseline: ``csv.writer`` writing N x C rows of the same width from a Python list (the
  cost of producing a CSV file of that size and nothing else);
* csv / xlsx / json: ``export(iter_completion_records(...), fmt, out)``, the whole export
  from the gradebooks to the renamed file, as ``academy hr export`` runs it (loading the
  roster included): in a fresh process each time, so that each run starts as the command
  does (no gradebook or module already in memory), with the CPU time it and its worker
  processes used;

and the peak RSS of a fresh process doing one export per format, for C and 2C courses
(rows double; memory should not), and of its largest worker process.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/bench_hr_export.py [N] [C] [REPEAT]
       [--formats=csv,xlsx,json] [--rss-only | --no-rss] [--processes=P]
(BENCH_DIR=folder keeps the synthetic data between runs; --processes=0 computes the
records in the exporting process, as for a small export; default: as the command chooses.)
"""

from __future__ import annotations

import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nbgrader import api  # noqa: E402

from course_kit.catalog import Course, Module  # noqa: E402
from people.roster import Person, load_roster, save_roster  # noqa: E402

MODULES_PER_COURSE = 2
CELLS_PER_MODULE = 2
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thu", "Đức")
GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hoa", "Khánh", "Lan", "Nhung", "Tuyết")
AGENCIES = ("Sở Tài chính tỉnh Phú Thọ", "Sở Nội vụ tỉnh Quảng Bình", "UBND huyện Lập Thạch",
            "Sở Thông tin và Truyền thông tỉnh Cao Bằng", "UBND xã Tiên Lữ")
CODES = ("sign.use", "sign.incidents", "edoc.handling", "security.phishing")


def _id() -> str:
    return uuid.uuid4().hex


def make_catalog(courses: int) -> dict[str, Course]:
    catalog = {}
    for c in range(courses):
        cid = f"course-{c:02d}"
        modules = tuple(
            Module(f"{cid}-m{m}", f"Module {m}", f"m{m}.ipynb",
                   competencies=((CODES[(c + m) % len(CODES)], 1 + m),))
            for m in range(MODULES_PER_COURSE)
        )
        catalog[cid] = Course(cid, f"Course {c}", f"Khóa học số {c}", 70, modules)
    return catalog


def make_roster(n: int, course_ids: list[str]) -> list[Person]:
    people = [Person("admin", "Quản trị", "admin"), Person("hr1", "Cán bộ nhân sự", "hr")]
    for i in range(n):
        people.append(Person(
            f"cb{i:06d}",
            f"{FAMILY[i % 10]} {MIDDLE[i % 6]} {GIVEN[(i // 7) % 10]}",
            "learner", f"CB-{i:06d}", AGENCIES[i % len(AGENCIES)], "Chuyên viên",
            tuple(course_ids), "Văn phòng", f"19{60 + i % 40}-0{1 + i % 9}-1{i % 10}",
        ))
    return people


def make_gradebook(path: Path, course: Course, usernames: list[str]) -> None:
    """One course's nbgrader gradebook by bulk inserts (seconds, not hours of Gradebook API)."""
    engine = create_engine(f"sqlite:///{path}")
    api.Base.metadata.create_all(engine)
    start = datetime(2026, 3, 1, 2, 0)
    with engine.begin() as db:
        db.execute(insert(api.Course.__table__), [{"id": course.id}])
        db.execute(insert(api.Student.__table__), [{"id": u} for u in usernames])
        for k, module in enumerate(course.modules):
            aid, nid = _id(), _id()
            db.execute(insert(api.Assignment.__table__),
                       [{"id": aid, "name": module.id, "course_id": course.id}])
            db.execute(insert(api.Notebook.__table__),
                       [{"id": nid, "name": f"m{k}", "assignment_id": aid}])
            cells = [_id() for _ in range(CELLS_PER_MODULE)]
            db.execute(insert(api.BaseCell.__table__),
                       [{"id": c, "name": f"q{j}", "notebook_id": nid, "type": "GradeCell"}
                        for j, c in enumerate(cells)])
            db.execute(insert(api.GradeCell.__table__),
                       [{"id": c, "max_score": 5.0, "cell_type": "code"} for c in cells])
            subs, nbs, grades = [], [], []
            for i, user in enumerate(usernames):
                sid, snid = _id(), _id()
                subs.append({"id": sid, "assignment_id": aid, "student_id": user,
                             "timestamp": start + timedelta(minutes=i % 50000 + 60 * k)})
                nbs.append({"id": snid, "assignment_id": sid, "notebook_id": nid,
                            "flagged": False, "late_submission_penalty": None})
                for j, c in enumerate(cells):
                    grades.append({"id": _id(), "notebook_id": snid, "cell_id": c,
                                   "auto_score": float((i + j + k) % 6),
                                   "needs_manual_grade": i % 97 == 0 and j == 0})
            db.execute(insert(api.SubmittedAssignment.__table__), subs)
            db.execute(insert(api.SubmittedNotebook.__table__), nbs)
            db.execute(insert(api.Grade.__table__), grades)
    engine.dispose()


def build(
    root: Path, n: int, courses: int
) -> tuple[list[Person], dict[str, Course], dict[str, str]]:
    catalog = make_catalog(courses)
    roster = make_roster(n, list(catalog))
    save_roster(root / "roster.json", roster)
    usernames = [p.username for p in roster if p.is_learner]
    urls = {}
    for cid, course in catalog.items():
        path = root / f"{cid}.db"
        if not path.exists():
            make_gradebook(path, course, usernames)
        urls[cid] = f"sqlite:///{path}"
    return roster, catalog, urls


def export_once(root: Path, courses: int, fmt: str, out: Path,
                processes: int | None = None) -> int:
    from grading.hr_export import export
    from grading.records import RecordFilter, iter_completion_records

    catalog = make_catalog(len(list(root.glob("course-*.db"))))
    urls = {cid: f"sqlite:///{root / f'{cid}.db'}" for cid in catalog}
    roster = load_roster(root / "roster.json")
    where = RecordFilter(course_ids=tuple(catalog)[:courses])  # learners are in all 2C
    options = {} if processes is None else {"processes": processes}
    return export(iter_completion_records(roster, catalog, urls, where=where, **options),
                  fmt, out).rows


def baseline(path: Path, rows: int) -> None:
    row = ["CB-000001", "Nguyễn Văn An", "1980-01-01", "Sở Tài chính tỉnh Phú Thọ", "Văn phòng",
           "Chuyên viên", "course-01", "Khóa học số 1", 2, 2, 7.5, 20.0, 37.5, False, False, "",
           "sign.use:1", "", ""]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        for _ in range(rows):
            writer.writerow(row)


def timed(fn, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM: per address space, so not inherited from the parent
    across fork + exec as ``ru_maxrss`` is on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_child(root: Path, courses: int, fmt: str, out: Path,
                 processes: int | None) -> dict[str, float]:
    """One export in a fresh process, as the command runs it: rows, wall time (from the
    start of the export: the process's own start-up and imports left out, the roster's
    loading included), CPU time of the process and of its worker processes, peak RSS of
    the process and of its largest worker (MiB; a worker's counts the pages it shares
    with the exporting process, the roster above all, copy-on-write)."""
    code = (
        "import sys, json, time, resource; sys.path.insert(0, 'benchmarks');"
        "from pathlib import Path; import bench_hr_export as b;"
        "import grading.hr_export, grading.records, grading.gradebook_totals;"
        "start = time.perf_counter(); cpu = time.process_time();"
        f"rows = b.export_once(Path({str(root)!r}), {courses}, {fmt!r}, Path({str(out)!r}),"
        f" {processes!r});"
        "wall = time.perf_counter() - start; cpu = time.process_time() - cpu;"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps({'rows': rows, 'wall_s': wall, 'cpu_s': cpu,"
        " 'workers_cpu_s': kids.ru_utime + kids.ru_stime, 'rss_mib': b.peak_rss_mib(),"
        " 'worker_rss_mib': kids.ru_maxrss / 1024}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, "PYTHONPATH": "."})
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 30_000
    courses = int(args[1]) if len(args) > 1 else 20
    repeat = int(args[2]) if len(args) > 2 else 3
    formats = ["csv", "xlsx", "json"]
    processes: int | None = None
    for a in sys.argv[1:]:
        if a.startswith("--formats="):
            formats = a.split("=", 1)[1].split(",")
        if a.startswith("--processes="):
            processes = int(a.split("=", 1)[1])
    root = Path(os.environ.get("BENCH_DIR") or tempfile.mkdtemp(prefix="bench-hr-export-"))
    root.mkdir(exist_ok=True)
    start = time.perf_counter()
    build(root, n, 2 * courses)  # 2C gradebooks: the first C for timings, all for the RSS check
    print(f"synthetic data: {n} learners x {2 * courses} gradebooks in "
          f"{time.perf_counter() - start:.1f} s under {root}")
    rows = n * courses
    results: dict[str, object] = {"learners": n, "courses": courses, "rows": rows,
                                  "repeat": repeat, "processes": processes,
                                  "load_average_before": os.getloadavg()}
    rss_only = "--rss-only" in sys.argv
    for fmt in formats:
        out = root / f"hr.{fmt}"
        if not rss_only:
            if "baseline_csv_writer_s" not in results:  # in the same run as the exports
                results["baseline_csv_writer_s"] = round(timed(
                    lambda: baseline(root / "baseline.csv", rows), repeat), 2)
            runs = [export_child(root, courses, fmt, out, processes) for _ in range(repeat)]
            assert all(r["rows"] == rows for r in runs), runs
            for key in ("wall_s", "cpu_s", "workers_cpu_s"):
                results[f"{fmt}_{key}"] = round(statistics.median(r[key] for r in runs), 2)
            results[f"{fmt}_wall_s_all"] = [round(r["wall_s"], 2) for r in runs]
            results[f"{fmt}_bytes"] = out.stat().st_size
        for c in () if "--no-rss" in sys.argv else (courses, 2 * courses):
            run = export_child(root, c, fmt, root / f"rss.{fmt}", processes)
            results[f"{fmt}_peak_rss_mib_{run['rows']}_rows"] = round(run["rss_mib"], 1)
            results[f"{fmt}_worker_peak_rss_mib_{run['rows']}_rows"] = round(
                run["worker_rss_mib"], 1)
    results["load_average_after"] = os.getloadavg()
    results["bench_process_peak_rss_mib"] = round(peak_rss_mib(), 1)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
