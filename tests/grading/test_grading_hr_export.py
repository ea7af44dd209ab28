"""The HR export file: documented columns, atomic writes, clear errors, nothing left behind."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest

from grading.hr_export import (
    COLUMNS,
    FIELDS,
    SUPPORTED_FORMATS,
    ExportError,
    UnknownFormatError,
    export,
    record_row,
    write_csv,
)
from grading.records import CompletionRecord

REPO = Path(__file__).resolve().parents[2]

RECORD = CompletionRecord(
    employee_id="CB-0001",
    full_name="Nguyễn Thị Ánh Tuyết",
    agency="Sở Thông tin và Truyền thông tỉnh Cao Bằng",
    course_id="digital-signatures",
    course_title="Chữ ký số trong hoạt động công vụ",
    score=8.25,
    max_score=10,
    passed=True,
    completion_date=date(2025, 5, 19),
    username="tuyet",
)


def test_fields_document_every_column_in_order() -> None:
    exported = [f.name for f in dataclasses.fields(CompletionRecord) if f.name != "username"]
    assert list(FIELDS) == list(COLUMNS) == exported
    assert all(isinstance(d, str) and len(d) > 20 for d in FIELDS.values())


def test_row_formatting() -> None:
    assert record_row(RECORD) == [
        "CB-0001",
        "Nguyễn Thị Ánh Tuyết",
        "Sở Thông tin và Truyền thông tỉnh Cao Bằng",
        "digital-signatures",
        "Chữ ký số trong hoạt động công vụ",
        "8.25",
        "10",
        "yes",
        "2025-05-19",
    ]
    failed = dataclasses.replace(RECORD, score=3.1, passed=False, completion_date=None)
    assert record_row(failed)[5:] == ["3.1", "10", "no", ""]


def test_spreadsheet_formulas_are_neutralised() -> None:
    evil = dataclasses.replace(RECORD, full_name='=HYPERLINK("http://x","bấm")', agency="-1+2")
    row = record_row(evil)
    assert row[1] == '\'=HYPERLINK("http://x","bấm")' and row[2] == "'-1+2"


def test_overwrite_replaces_content_and_keeps_mode(tmp_path: Path) -> None:
    out = tmp_path / "báo cáo.csv"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    assert write_csv([RECORD], out) == out
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert rows == [list(COLUMNS), record_row(RECORD)]
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["báo cáo.csv"]


def test_new_file_is_private(tmp_path: Path) -> None:
    out = write_csv([], tmp_path / "empty.csv")
    assert (
        out.read_bytes()
        == (
            "\ufeffemployee_id,full_name,agency,course_id,course_title,score,max_score,passed,"
            "completion_date\r\n"
        ).encode()
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
record = CompletionRecord("CC1", "Nguyễn Văn A", "Sở Nội vụ", "ds", "Chữ ký số", 1, 1, False, None)
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
    assert "csv" in SUPPORTED_FORMATS
    with pytest.raises(UnknownFormatError, match=r"unknown export format 'pdf'.*supported.*csv"):
        export([RECORD], "pdf", tmp_path / "hr.pdf")
    assert list(tmp_path.iterdir()) == []
    assert export([RECORD], "CSV", tmp_path / "hr.csv").exists()
