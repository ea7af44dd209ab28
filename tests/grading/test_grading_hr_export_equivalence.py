"""The fast HR export writes what the previous one wrote, byte for byte.

The writers used to go record by record through ``csv.writer``, ``json.dumps`` and
openpyxl's write-only mode; they now paste each learner's and each course's cells, made
once, with the cells that vary (``grading.hr_export``), and the records come course by
course in compact form, from worker processes for a large export (``grading.records``).
The previous writers are kept here, as they were, as the reference: same records in, same
bytes out (CSV, JSON; the XLSX's sheet XML), through both ways the records can come.
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
import json
import random
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from common.spreadsheet import FORMULA_PREFIXES, safe_text
from course_kit.catalog import Course, Module
from grading.certificates import IssuedCertificate
from grading.competency_records import format_levels
from grading.completion import CompletionOverride
from grading.gradebook import GradebookError
from grading.gradebook_totals import CourseTotals, ModuleResult
from grading.hr_export import COLUMNS, FIELDS, FieldKind, _csv_cell, export
from grading.records import (
    CompletionRecord,
    CompletionRecords,
    RecordFilter,
    RecordsError,
    build_record,
    iter_completion_records,
)
from people.roster import Person

# --- the previous writers (grading/hr_export.py before the fast export), the reference


def _old_number(value: float) -> str:
    value = round(float(value), 2)
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0")


def _old_row(r: CompletionRecord) -> list[str]:
    return [
        safe_text(r.employee_id), safe_text(r.full_name),
        r.date_of_birth.isoformat() if r.date_of_birth else "",
        safe_text(r.agency), safe_text(r.unit), safe_text(r.job_title),
        safe_text(r.course_id), safe_text(r.course_title), str(r.modules_completed),
        str(r.modules_total), _old_number(r.score), _old_number(r.max_score),
        "" if r.percent is None else _old_number(r.percent),
        "yes" if r.passed else "no", "yes" if r.overridden else "no",
        r.completion_date.isoformat() if r.completion_date else "",
        safe_text(format_levels(dict(r.competencies))) if r.competencies else "",
        safe_text(r.certificate_id), safe_text(r.certificate_url),
    ]


def old_csv(records: Iterable[CompletionRecord]) -> bytes:
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, dialect="excel", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_old_row(r) for r in records)
    text.flush()
    return out.getvalue()


def _old_values(record: CompletionRecord) -> list[Any]:
    return [record.employee_id, record.full_name, record.date_of_birth, record.agency,
            record.unit, record.job_title, record.course_id, record.course_title,
            record.modules_completed, record.modules_total, round(record.score, 2),
            round(record.max_score, 2), record.percent, record.passed, record.overridden,
            record.completion_date, format_levels(dict(record.competencies)),
            record.certificate_id, record.certificate_url]


def old_json(records: Iterable[CompletionRecord]) -> bytes:
    out = io.BytesIO()
    count = 0
    out.write(b"[")
    for record in records:
        values = [v.isoformat() if isinstance(v, date) else v for v in _old_values(record)]
        obj = dict(zip(COLUMNS, values, strict=True))
        out.write((b",\n" if count else b"\n") + json.dumps(obj, ensure_ascii=False).encode())
        count += 1
    out.write(b"\n]\n" if count else b"]\n")
    return out.getvalue()


def old_xlsx(records: Iterable[CompletionRecord]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("hr-records")
    sheet.freeze_panes = "A2"
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    kinds = [f.kind for f in FIELDS.values()]
    for record in records:
        row: list[Any] = []
        for kind, value in zip(kinds, _old_values(record), strict=True):
            if kind is FieldKind.TEXT and value:
                value = ILLEGAL_CHARACTERS_RE.sub("?", value)
            if kind is FieldKind.TEXT and value and value.startswith(FORMULA_PREFIXES):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cell.alignment = Alignment(horizontal="general")
                cell.quotePrefix = True
                row.append(cell)
            elif kind is FieldKind.DATE and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                row.append(cell)
            else:
                row.append(value if value != "" else None)
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheet_xml(xlsx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def new_bytes(records: Iterable[CompletionRecord], fmt: str, tmp_path: Path) -> bytes:
    out = tmp_path / f"new.{fmt}"
    export(records, fmt, out)
    return out.read_bytes()


# --- records: hostile text, awkward numbers, empty values

RECORD = CompletionRecord(
    "CB-0001", "Nguyễn Thị Ánh Tuyết", date(1988, 2, 29), "Sở Thông tin và Truyền thông",
    "Phòng Bưu chính", "Chuyên viên", "digital-signatures", "Chữ ký số trong công vụ", 2, 2,
    8.25, 10, 82.5, True, False, date(2025, 5, 19), (("sign.use", 3), ("sign.incidents", 2)),
    "CERT-2025-0001", "https://academy.example.gov.vn/verify/CERT-2025-0001", "tuyet")

TEXTS = [
    '=HYPERLINK("http://x","bấm")', "+84912345678", "-1+2", "@SUM(A1:A9)", "\tTab đầu",
    "\rCR đầu", 'Trần "Bông" Thị, Hoa', "Dòng một\nDòng hai", "CR\r\nLF", "Lê Văn 😀 Tâm",
    "a & b < c > d ]]>", " khoảng trắng ", "#N/A", "#DIV/0!", "=", "-", "'đã có dấu nháy",
    "Lê\x0bVăn\x00Tâm", "\x85NEL\u2028", "x" * 40000, "=" + "y" * 40000, "Ω" * 33000,
    unicodedata.normalize("NFD", "Nguyễn Thị Phượng"), "", "tab\tgiữa", "a,b", '"',
]
NUMBERS = [(0, 0, None), (0.0, -0.0, -0.0), (-0.0, 0.0, 0.0), (0.1 + 0.2, 0.3, 100.0),
           (1 / 3, 1, 33.33), (17.0, 20.0, 85.0), (19.5, 20, 97.5), (1e-7, 1e20, 0.0),
           (123456.789, 200000.5, 61.73), (3, 7, 42.86)]


def corpus() -> list[CompletionRecord]:
    """RECORD first (a date before any quoted text: the style numbers openpyxl gives by
    first use are then the fixed ones of the fast writer), then every hostile text in
    every text column, and the awkward numbers."""
    records = [RECORD]
    for i, text in enumerate(TEXTS):
        records.append(dataclasses.replace(
            RECORD, employee_id=text, full_name=text, agency=text, unit=text, job_title=text,
            course_id=text, course_title=text, certificate_id=text, certificate_url=text,
            date_of_birth=None if i % 3 else date(1970 + i, 1 + i % 12, 1),
            competencies=((text or "x", i),) if i % 2 else ()))
    for i, (score, max_score, percent) in enumerate(NUMBERS):
        records.append(dataclasses.replace(
            RECORD, score=score, max_score=max_score, percent=percent, passed=bool(i % 2),
            overridden=i % 3 == 0, completion_date=None if i % 2 else date(2026, 1, 1 + i),
            modules_completed=i, modules_total=i + 1))
    return records


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_hostile_records_make_the_same_bytes(fmt: str, tmp_path: Path) -> None:
    records = corpus()
    old = {"csv": old_csv, "json": old_json}[fmt]
    assert new_bytes(records, fmt, tmp_path) == old(records)
    assert new_bytes([], fmt, tmp_path) == old([])


def test_hostile_records_make_the_same_sheet(tmp_path: Path) -> None:
    records = corpus()
    assert sheet_xml(new_bytes(records, "xlsx", tmp_path)) == sheet_xml(old_xlsx(records))
    assert sheet_xml(new_bytes([], "xlsx", tmp_path)) == sheet_xml(old_xlsx([]))


def _cells(xlsx: bytes) -> list[list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx)).active
    return [[(c.coordinate, c.value, c.data_type, c.number_format, c.quotePrefix,
              bool(c.font.b), c.alignment.horizontal) for c in row if c.value is not None]
            for row in sheet.iter_rows()]


def test_the_workbook_reads_back_the_same(tmp_path: Path) -> None:
    """Whatever order the styles are first used in (openpyxl numbers them by first use, the
    fast writer has them fixed), every cell reads back the same in openpyxl: value, type,
    number format, quote prefix, bold, alignment; and the header stays frozen."""
    from openpyxl import load_workbook

    records = corpus()[::-1]  # a quoted text before any date this time
    new = new_bytes(records, "xlsx", tmp_path)
    assert _cells(new) == _cells(old_xlsx(records))
    assert load_workbook(io.BytesIO(new)).active.freeze_panes == "A2"
    with zipfile.ZipFile(io.BytesIO(new)) as archive:
        assert archive.testzip() is None
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode("ascii")


def test_text_xml_cannot_hold_becomes_a_question_mark(tmp_path: Path) -> None:
    """openpyxl stopped on U+FFFE, U+FFFF and lone surrogates; they show as "?" now, as the
    control characters did already."""
    from openpyxl import load_workbook

    odd = dataclasses.replace(RECORD, full_name="A\ufffeB\uffffC", agency="=\x1bD")
    out = tmp_path / "odd.xlsx"
    export([odd], "xlsx", out)
    row = next(load_workbook(out).active.iter_rows(min_row=2, max_row=2))
    assert row[1].value == "A?B?C"
    assert row[3].value == "=?D" and row[3].data_type == "s" and row[3].quotePrefix


def test_csv_cells_are_quoted_as_csv_writer_quotes_them() -> None:
    alphabet = ['a', 'ư', ',', '"', '\r', '\n', ' ', '\t', ';', "'", '\x00', '😀', '=']
    rng = random.Random(12)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 7)))
        buffer = io.StringIO()
        csv.writer(buffer, dialect="excel", lineterminator="\r\n").writerow([text, "z"])
        assert buffer.getvalue() == _csv_cell(text) + ",z\r\n", repr(text)


# --- the records' two ways: compact by course (worker processes or not), or one by one

MODULES = ("m1", "m2", "m3")


def make_installation(learners: int = 240) -> tuple[list[Person], dict[str, Course],
                                                    dict[str, CourseTotals]]:
    catalog = {
        "cks": Course("cks", "Digital signatures", "Chữ ký số", 70, tuple(
            Module(m, m, f"{m}.ipynb", (("sign.use", k + 1),)) for k, m in enumerate(MODULES))),
        "vb": Course("vb", "Documents", "", 80,
                     (Module("m1", "m1", "m1.ipynb", (("edoc.handling", 2),)),)),
        "none": Course("none", "No gradebook yet", "Chưa chấm", 70,
                       (Module("m9", "m9", "m9.ipynb"),)),
    }
    rng = random.Random(7)
    roster = [Person("hr", "Cán bộ nhân sự", "hr")]
    for i in range(learners):
        roster.append(Person(
            f"u{i:04d}", f"Học viên {i} {TEXTS[i % len(TEXTS)][:30]}", "learner", f"CB-{i}",
            agency=("Sở Nội vụ", "UBND xã Tiên Lữ", "=Sở TT&TT")[i % 3], unit=f"Phòng {i % 4}",
            job_title="Chuyên viên", courses=("cks", "vb", "none") if i % 5 else ("cks",),
            date_of_birth=f"19{60 + i % 40}-0{1 + i % 9}-1{i % 9}" if i % 6 else ""))
    start = datetime(2025, 3, 1, 16, 30)  # late evening UTC: the next day in Vietnam
    totals: dict[str, CourseTotals] = {}
    for cid, course in catalog.items():
        results: dict[str, dict[str, ModuleResult]] = {}
        for p in roster[1:]:
            mine = {}
            for m in course.module_ids:
                if rng.random() < 0.85:
                    mine[m] = ModuleResult(rng.choice((0.0, 2.5, 4.0, 5.0, 0.1 + 0.2, 10 / 3)),
                                           rng.random() < 0.9,
                                           start + timedelta(hours=rng.randrange(2000))
                                           if rng.random() < 0.95 else None)
            if mine:
                results[p.username] = mine
        max_scores = {} if cid == "none" else {m: 5.0 for m in course.module_ids}
        totals[cid] = CourseTotals(max_scores, {} if cid == "none" else results)
    return roster, catalog, totals


def options(roster: list[Person], totals: dict[str, CourseTotals]) -> dict[str, Any]:
    at = datetime(2025, 6, 1, 18, 30).astimezone()
    overrides = {(p.username, "cks"): CompletionOverride(p.username, "cks", i % 2 == 0,
                                                         "thi lại", "giang", at)
                 for i, p in enumerate(roster[1:40:7])}
    certificates = {(p.username, cid): IssuedCertificate(
        f"C-{p.username}-{cid}", p.username, cid, f"https://x.gov.vn/v/{p.username},{cid}",
        revoked=i % 4 == 0) for i, p in enumerate(roster[1:]) for cid in ("cks", "vb")
        if i % 3 == 0}
    return {"overrides": overrides, "certificates": certificates,
            "read_totals": lambda url, _modules: totals[url]}


URLS = {"cks": "cks", "vb": "vb", "none": "none"}


def one_by_one(roster: list[Person], catalog: dict[str, Course],
               totals: dict[str, CourseTotals], opts: dict[str, Any],
               where: RecordFilter) -> list[CompletionRecord]:
    """The records as ``build_record`` makes them, one learner and course at a time."""
    out = []
    for cid, course in catalog.items():
        if where.course_ids is not None and cid not in where.course_ids:
            continue
        for p in roster:
            if not (p.is_learner and cid in p.courses and where.keeps_person(p)):
                continue
            cert = opts["certificates"].get((p.username, cid))
            record = build_record(p, course, totals[cid], opts["overrides"].get((p.username, cid)),
                                  None if cert is None or cert.revoked else cert)
            if where.keeps_record(record):
                out.append(record)
    return out


WHERES = [RecordFilter(), RecordFilter(agency="sở nội vụ"),
          RecordFilter(since=date(2025, 3, 20), until=date(2025, 4, 30)),
          RecordFilter(course_ids=("vb", "none"))]


@pytest.mark.parametrize("where", WHERES)
@pytest.mark.parametrize("processes", [0, 2])
def test_records_by_course_are_the_records_one_by_one(where: RecordFilter,
                                                      processes: int) -> None:
    roster, catalog, totals = make_installation()
    opts = options(roster, totals)
    expected = one_by_one(roster, catalog, totals, opts, where)
    assert len(expected) > 20
    records = iter_completion_records(roster, catalog, URLS, where=where, processes=processes,
                                      **opts)
    assert list(records) == expected


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_by_course_makes_the_previous_bytes(fmt: str, tmp_path: Path) -> None:
    roster, catalog, totals = make_installation()
    opts = options(roster, totals)
    expected = one_by_one(roster, catalog, totals, opts, RecordFilter())
    old = {"csv": old_csv, "json": old_json, "xlsx": lambda r: sheet_xml(old_xlsx(r))}[fmt]
    for processes in (0, 2):
        records = iter_completion_records(roster, catalog, URLS, processes=processes, **opts)
        assert isinstance(records, CompletionRecords)
        new = new_bytes(records, fmt, tmp_path)
        assert (sheet_xml(new) if fmt == "xlsx" else new) == old(expected)


def test_a_worker_process_error_is_the_records_error(tmp_path: Path) -> None:
    roster, catalog, totals = make_installation(30)

    def read(url: str, _modules: object) -> CourseTotals:
        if url == "vb":
            raise GradebookError("cannot read gradebook vb: file is not a database")
        return totals[url]

    records = iter_completion_records(roster, catalog, URLS, read_totals=read, processes=2)
    with pytest.raises(RecordsError, match=r"course 'vb': cannot read gradebook vb"):
        export(records, "csv", tmp_path / "hr.csv")
    assert list(tmp_path.iterdir()) == []


def test_the_garbage_collector_is_as_it_was(tmp_path: Path) -> None:
    """The export keeps the objects that exist out of the collector's passes while it
    runs; after it, finished or stopped early, they are back."""
    roster, catalog, totals = make_installation(30)
    opts = options(roster, totals)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    records: Iterator[CompletionRecord] = iter_completion_records(
        roster, catalog, URLS, processes=2, **opts)
    next(records)
    assert gc.get_freeze_count() > 0
    records.close()  # type: ignore[attr-defined]
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    export(iter_completion_records(roster, catalog, URLS, **opts), "csv", tmp_path / "a.csv")
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_worker_processes_only_for_a_large_export_from_one_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import threading

    from grading import records as module

    roster, catalog, _ = make_installation(30)
    learners = [p for p in roster if p.is_learner]  # 30 learners, 78 learner-course pairs
    urls = {cid: f"sqlite:////nonexistent/{cid}.db" for cid in catalog}

    def processes(read_totals: Any = module.read_course_totals, threads: int = 1) -> int:
        monkeypatch.setattr(threading, "active_count", lambda: threads)
        job = module._Job(learners, catalog, urls, {}, {}, RecordFilter(), read_totals)
        return module._default_processes(job, list(catalog))

    cores = len(os.sched_getaffinity(0))
    assert processes() == 0  # too small to be worth a process
    monkeypatch.setattr(module, "PARALLEL_FROM", 78)
    assert processes() == (min(cores, 3) if cores > 1 else 0)
    assert processes(threads=2) == 0  # forking a threaded program could deadlock a worker
    assert processes(read_totals=lambda *_: CourseTotals({}, {})) == 0


def test_records_taken_partly_export_the_rest(tmp_path: Path) -> None:
    roster, catalog, totals = make_installation(30)
    opts = options(roster, totals)
    expected = one_by_one(roster, catalog, totals, opts, RecordFilter())
    records = iter_completion_records(roster, catalog, URLS, **opts)
    assert next(records) == expected[0]
    with pytest.raises(RuntimeError, match="one by one already"):
        records.by_course()
    assert new_bytes(records, "csv", tmp_path) == old_csv(expected[1:])
