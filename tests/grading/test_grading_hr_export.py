"""The HR export file: documented columns, atomic writes, clear errors, nothing left behind."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from grading.hr_export import (
    COLUMNS,
    FIELDS,
    SUPPORTED_FORMATS,
    ExportError,
    FieldKind,
    UnknownFormatError,
    export,
    fields_table,
    record_row,
    write_csv,
)
from grading.records import CompletionRecord

REPO = Path(__file__).resolve().parents[2]

RECORD = CompletionRecord(
    employee_id="CB-0001",
    full_name="Nguyễn Thị Ánh Tuyết",
    date_of_birth=date(1988, 2, 29),
    agency="Sở Thông tin và Truyền thông tỉnh Cao Bằng",
    unit="Phòng Bưu chính",
    job_title="Chuyên viên",
    course_id="digital-signatures",
    course_title="Chữ ký số trong hoạt động công vụ",
    modules_completed=2,
    modules_total=2,
    score=8.25,
    max_score=10,
    percent=82.5,
    passed=True,
    overridden=False,
    completion_date=date(2025, 5, 19),
    competencies=(("sign.use", 3), ("sign.incidents", 2)),
    certificate_id="CERT-2025-0001",
    certificate_url="https://academy.example.gov.vn/verify/CERT-2025-0001",
    username="tuyet",
)

# hostile names: formula prefixes, quotes, commas, newlines, NFC Vietnamese, emoji, length
HOSTILE = [
    '=HYPERLINK("http://x","bấm")', "+84912345678", "-1+2", "@SUM(A1:A9)", "\tTab đầu",
    "\rCR đầu", 'Trần "Bông" Thị, Hoa', "Dòng một\nDòng hai", "Lê Văn 😀 Tâm",
    unicodedata.normalize("NFC", "Nguyễn Thị Phượng Hằng Ngọc Diễm Trường Giang " * 20),
]


def hostile_record(name: str) -> CompletionRecord:
    return dataclasses.replace(RECORD, full_name=name, agency=name, unit=name,
                               employee_id=name, job_title=name)


def test_fields_document_every_column_in_order() -> None:
    exported = [f.name for f in dataclasses.fields(CompletionRecord) if f.name != "username"]
    assert list(FIELDS) == list(COLUMNS) == exported
    assert all(len(f.description) > 20 and isinstance(f.kind, FieldKind) for f in FIELDS.values())


def test_doc_table_is_generated_from_the_fields() -> None:
    """docs/hr-export.md holds the table ``fields_table()`` makes, between the markers."""
    doc = (REPO / "docs" / "hr-export.md").read_text(encoding="utf-8")
    begin, end = "<!-- fields: begin (generated from grading.hr_export.FIELDS) -->\n", \
        "<!-- fields: end -->"
    assert begin in doc and end in doc
    table = doc.split(begin, 1)[1].split(end, 1)[0]
    assert table == fields_table(), (
        "docs/hr-export.md is out of date: paste grading.hr_export.fields_table() between "
        "the markers")


def test_row_formatting() -> None:
    assert record_row(RECORD) == [
        "CB-0001", "Nguyễn Thị Ánh Tuyết", "1988-02-29",
        "Sở Thông tin và Truyền thông tỉnh Cao Bằng", "Phòng Bưu chính", "Chuyên viên",
        "digital-signatures", "Chữ ký số trong hoạt động công vụ", "2", "2", "8.25", "10",
        "82.5", "yes", "no", "2025-05-19", "sign.use:3; sign.incidents:2", "CERT-2025-0001",
        "https://academy.example.gov.vn/verify/CERT-2025-0001",
    ]
    failed = dataclasses.replace(RECORD, score=3.1, percent=None, passed=False,
                                 completion_date=None, date_of_birth=None, competencies=())
    row = record_row(failed)
    assert row[2] == "" and row[10:17] == ["3.1", "10", "", "no", "no", "", ""]


def test_spreadsheet_formulas_are_neutralised_in_csv(tmp_path: Path) -> None:
    out = tmp_path / "hr.csv"
    write_csv([hostile_record(n) for n in HOSTILE], out)
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(HOSTILE) + 1
    for name, row in zip(HOSTILE, rows[1:], strict=True):
        expected = "'" + name if name[0] in "=+-@\t\r" else name
        assert row[0] == row[1] == row[3] == row[4] == row[5] == expected
        assert not row[1].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unicodedata.is_normalized("NFC", rows[-1][1])


def test_spreadsheet_formulas_are_string_cells_in_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "hr.xlsx"
    result = export([hostile_record(n) for n in HOSTILE] + [RECORD], "xlsx", out)
    assert result.rows == len(HOSTILE) + 1
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(min_row=2))
    for name, row in zip(HOSTILE, rows, strict=False):
        for index in (0, 1, 3, 4, 5):
            cell = row[index]
            assert cell.data_type != "f" and cell.data_type == "s", (name, cell.data_type)
            assert cell.value == name
    with zipfile.ZipFile(out) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml  # no formula anywhere in the file
    typed = rows[-1]
    assert [c.data_type for c in typed[8:16]] == ["n", "n", "n", "n", "n", "b", "b", "d"]
    assert typed[2].value.date() == date(1988, 2, 29) and typed[2].number_format == "yyyy-mm-dd"
    assert typed[13].value is True and typed[10].value == 8.25
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == list(COLUMNS)


def test_a_control_character_in_a_name_does_not_stop_the_xlsx(tmp_path: Path) -> None:
    """XML 1.0 cannot hold most control characters: each shows as "?", the rest stays."""
    from openpyxl import load_workbook

    out = tmp_path / "hr.xlsx"
    odd = dataclasses.replace(RECORD, full_name="Lê\x0bVăn\x00Tâm", agency="=\x1bSở")
    assert export([odd, RECORD], "xlsx", out).rows == 2
    row = next(load_workbook(out).active.iter_rows(min_row=2, max_row=2))
    assert row[1].value == "Lê?Văn?Tâm"
    assert row[3].value == "=?Sở" and row[3].data_type == "s"


def test_json_has_typed_values(tmp_path: Path) -> None:
    out = tmp_path / "hr.json"
    failed = dataclasses.replace(RECORD, passed=False, percent=None, completion_date=None,
                                 full_name=HOSTILE[0])
    export([RECORD, failed], "json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data[0]) == list(COLUMNS)
    assert data[0]["score"] == 8.25 and data[0]["passed"] is True
    assert data[0]["completion_date"] == "2025-05-19" and data[0]["modules_total"] == 2
    assert data[1]["percent"] is None and data[1]["completion_date"] is None
    assert data[1]["full_name"] == HOSTILE[0]  # JSON is not a spreadsheet: kept verbatim
    empty = tmp_path / "empty.json"
    export([], "json", empty)
    assert json.loads(empty.read_text(encoding="utf-8")) == []


def test_a_failing_record_source_leaves_nothing(tmp_path: Path) -> None:
    def records() -> Iterator[CompletionRecord]:
        yield RECORD
        raise RuntimeError("gradebook went away")

    out = tmp_path / "hr.csv"
    out.write_text("previous export\n", encoding="utf-8")
    for fmt in SUPPORTED_FORMATS:
        with pytest.raises(RuntimeError, match="gradebook went away"):
            export(records(), fmt, out)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hr.csv"]


def test_overwrite_replaces_content_and_stays_private(tmp_path: Path) -> None:
    """Personal data: the export is 0600 even where it replaces a world-readable file."""
    out = tmp_path / "báo cáo.csv"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o644)
    assert write_csv([RECORD], out) == out
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert rows == [list(COLUMNS), record_row(RECORD)]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["báo cáo.csv"]


def test_new_file_is_private(tmp_path: Path) -> None:
    out = write_csv([], tmp_path / "empty.csv")
    assert (
        out.read_bytes()
        == ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "no-such-dir" / "hr.csv"
    with pytest.raises(ExportError, match=r"no-such-dir/hr\.csv: directory .* does not exist"):
        write_csv([RECORD], out)
    assert list(tmp_path.iterdir()) == []


def test_directory_as_path(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"cannot write .*: it is a directory"):
        write_csv([RECORD], tmp_path)
    assert list(tmp_path.iterdir()) == []


UNWRITABLE_CHECK = """
import sys
from pathlib import Path
from grading.hr_export import ExportError, write_csv
from grading.records import CompletionRecord
record = CompletionRecord("CC1", "Nguyễn Văn A", None, "Sở Nội vụ", "", "", "ds", "Chữ ký số",
                          0, 1, 1, 1, 100, False, False, None)
try:
    write_csv([record], Path(sys.argv[1]) / "hr.csv")
except ExportError as exc:
    print(exc)
    sys.exit(3)
"""


def test_unwritable_directory() -> None:
    """A folder the exporting account may not write: a clear error and nothing left behind.

    Root ignores folder permissions, so as root the export runs as the `nobody` account.
    """
    base = Path(tempfile.mkdtemp(prefix="academy-hr-export-", dir="/tmp"))
    try:
        base.chmod(0o755)
        locked = base / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        user = {"user": "nobody", "group": "nogroup"} if os.geteuid() == 0 else {}
        result = subprocess.run(
            [sys.executable, "-c", UNWRITABLE_CHECK, str(locked)],
            capture_output=True, text=True, check=False, cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)}, **user,
        )
        assert result.returncode == 3, result.stdout + result.stderr
        assert f"cannot write {locked}/hr.csv: Permission denied" in result.stdout
        assert list(locked.iterdir()) == []
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_location_that_fails_even_for_root() -> None:
    out = Path("/proc/academy-hr-export-test.csv")
    with pytest.raises(ExportError, match=r"cannot write /proc/academy-hr-export-test\.csv: "):
        write_csv([RECORD], out)
    assert not out.exists()


def test_unknown_format_lists_supported(tmp_path: Path) -> None:
    assert list(SUPPORTED_FORMATS) == ["csv", "xlsx", "json"]
    with pytest.raises(UnknownFormatError,
                       match=r"unknown export format 'pdf'.*supported.*csv, xlsx, json"):
        export([RECORD], "pdf", tmp_path / "hr.pdf")
    assert list(tmp_path.iterdir()) == []
    assert export([RECORD], "CSV", tmp_path / "hr.csv").path.exists()
