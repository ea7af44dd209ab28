"""HR export of course completion records (`academy hr export --format csv|xlsx|json`).

The output is meant for personnel officers who open it in a spreadsheet program or load it
into the personnel management software (docs/hr-export.md, generated from ``FIELDS``):

* CSV: UTF-8 with a byte-order mark (``utf-8-sig``) so Excel shows Vietnamese names
  correctly, one header row, RFC 4180 quoting and CRLF line ends. Booleans are ``yes`` /
  ``no``, dates ``YYYY-MM-DD``, numbers with ``.`` as decimal mark.
* XLSX (openpyxl, write-only mode): one sheet, header row bold and frozen, typed cells:
  numbers are numbers, dates are dates (``yyyy-mm-dd``), booleans are TRUE / FALSE.
* JSON: one JSON array of objects, keys in column order, typed values (numbers, ISO
  dates, ``true`` / ``false``, ``null`` for empty), UTF-8, one object per line.
* Formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR is
  prefixed with ``'`` in CSV (OWASP advice); in XLSX it stays as it is but is written as a
  string cell with Excel's quote prefix (never a formula cell).
* Streaming: rows are written as the records arrive (``grading.records`` yields them one
  course at a time) into a temp file in the target directory, which is fsynced and renamed
  over the target at the end: readers never see half a file and a failed export leaves
  nothing behind. A new file is created 0600 (personal data); a replaced file keeps its mode.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from common.spreadsheet import FORMULA_PREFIXES, safe_text
from grading.competency_records import format_levels
from grading.records import CompletionRecord


class FieldKind(StrEnum):
    """A column's type: how it is written in CSV, XLSX and JSON."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"


@dataclass(frozen=True)
class ExportField:
    kind: FieldKind
    description: str


_T, _I, _N, _B, _D = (FieldKind.TEXT, FieldKind.INTEGER, FieldKind.NUMBER, FieldKind.BOOLEAN,
                      FieldKind.DATE)

#: Every exported column, in export order, with its type and meaning. docs/hr-export.md's
#: field table is generated from this mapping (``fields_table``) and a test compares them.
FIELDS: dict[str, ExportField] = {
    "employee_id": ExportField(_T, "Employee (civil servant) code from the roster, as in the "
                               "personnel management software."),
    "full_name": ExportField(_T, "Full name of the learner as in the roster (Vietnamese, "
                             "UTF-8, NFC as imported)."),
    "date_of_birth": ExportField(_D, "Date of birth from the roster; empty when unknown."),
    "agency": ExportField(_T, "Agency the learner works for, as in the roster."),
    "unit": ExportField(_T, "Unit (department, office) within the agency, as in the roster."),
    "job_title": ExportField(_T, "Position (job title) from the roster."),
    "course_id": ExportField(_T, "Course identifier in the Academy catalog (also the nbgrader "
                             "course id)."),
    "course_title": ExportField(_T, "Course title from the catalog: the Vietnamese title "
                                "(title_vi) when the catalog has one, otherwise the English "
                                "title."),
    "modules_completed": ExportField(_I, "Modules of the course the learner submitted and "
                                     "that are fully graded."),
    "modules_total": ExportField(_I, "Modules in the course (catalog)."),
    "score": ExportField(_N, "Points earned: sum over the course's modules of the learner's "
                         "latest submission (nbgrader score, manual grades, practical tasks "
                         "and extra credit included, late penalty deducted). 0 when nothing "
                         "was submitted."),
    "max_score": ExportField(_N, "Points available: sum of the maximum scores of the "
                             "course's modules in the gradebook."),
    "percent": ExportField(_N, "score / max_score * 100, two decimals; empty when "
                           "max_score is 0."),
    "passed": ExportField(_B, "Completed: every module of the course graded and percent "
                          "reaching the course's pass mark (pass_percent in course.toml), "
                          "unless a trainer overrode it (see overridden)."),
    "overridden": ExportField(_B, "A trainer or admin overrode the completion (`academy hr "
                              "override`, with a reason, in the audit log); passed and "
                              "completion_date then follow the latest override."),
    "completion_date": ExportField(_D, "Date the course was completed (Vietnam time, UTC+7): "
                                   "the day of the latest submission among the course's "
                                   "modules, or the day of the override. Empty unless "
                                   "passed."),
    "competencies": ExportField(_T, "Competencies reached through this course, with the "
                                "DigComp level (docs/competencies.md), e.g. 'sign.use:3; "
                                "sign.incidents:2'; empty when none yet."),
    "certificate_id": ExportField(_T, "Id of the completion certificate issued for this "
                                  "course (not revoked); empty when none, or when the course "
                                  "is not completed."),
    "certificate_url": ExportField(_T, "Where anyone can verify that certificate; empty "
                                   "when none."),
}

COLUMNS: tuple[str, ...] = tuple(FIELDS)


class ExportError(RuntimeError):
    """The export could not be written; the message names the path and the reason."""


class UnknownFormatError(ExportError, ValueError):
    """The requested export format is not supported; the message lists the supported ones."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def record_values(record: CompletionRecord) -> list[Any]:
    """The typed cells of one record, in ``COLUMNS`` order (None: empty)."""
    values = {
        "employee_id": record.employee_id,
        "full_name": record.full_name,
        "date_of_birth": record.date_of_birth,
        "agency": record.agency,
        "unit": record.unit,
        "job_title": record.job_title,
        "course_id": record.course_id,
        "course_title": record.course_title,
        "modules_completed": record.modules_completed,
        "modules_total": record.modules_total,
        "score": round(record.score, 2),
        "max_score": round(record.max_score, 2),
        "percent": record.percent,
        "passed": record.passed,
        "overridden": record.overridden,
        "completion_date": record.completion_date,
        "competencies": format_levels(dict(record.competencies)),
        "certificate_id": record.certificate_id,
        "certificate_url": record.certificate_url,
    }
    return [values[c] for c in COLUMNS]


def _number(value: float) -> str:
    value = round(float(value), 2)
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0")


@lru_cache(maxsize=4096)
def _number_text(value: float) -> str:
    return _number(value)


@lru_cache(maxsize=4096)
def _date_text(value: date) -> str:
    return value.isoformat()


@lru_cache(maxsize=4096)
def _levels_text(pairs: tuple[tuple[str, int], ...]) -> str:
    return safe_text(format_levels(dict(pairs)))


_KINDS = tuple(f.kind for f in FIELDS.values())


class _CsvFormatter:
    """Record -> CSV cells; a person's and a course's cells are made once per export (a
    learner appears once per course, a course once per learner)."""

    def __init__(self) -> None:
        self.people: dict[tuple[Any, ...], list[str]] = {}
        self.courses: dict[tuple[str, str], list[str]] = {}

    def person(self, r: CompletionRecord) -> list[str]:
        key = (r.username, r.employee_id, r.full_name, r.date_of_birth, r.agency, r.unit,
               r.job_title)
        cells = self.people.get(key)
        if cells is None:
            cells = self.people[key] = [
                safe_text(r.employee_id), safe_text(r.full_name),
                _date_text(r.date_of_birth) if r.date_of_birth else "",
                safe_text(r.agency), safe_text(r.unit), safe_text(r.job_title)]
        return cells

    def __call__(self, r: CompletionRecord) -> list[str]:
        course = self.courses.get((r.course_id, r.course_title))
        if course is None:
            course = self.courses[(r.course_id, r.course_title)] = [
                safe_text(r.course_id), safe_text(r.course_title)]
        return [
            *self.person(r), *course, str(r.modules_completed), str(r.modules_total),
            _number_text(r.score), _number_text(r.max_score),
            "" if r.percent is None else _number_text(r.percent),
            "yes" if r.passed else "no", "yes" if r.overridden else "no",
            _date_text(r.completion_date) if r.completion_date else "",
            _levels_text(r.competencies) if r.competencies else "",
            safe_text(r.certificate_id), safe_text(r.certificate_url),
        ]


def record_row(record: CompletionRecord) -> list[str]:
    """The CSV cells of one record, in ``COLUMNS`` order, as text."""
    return _CsvFormatter()(record)


# --- writers: each writes the header and the rows to an open binary file, returns the count


def _write_csv(records: Iterable[CompletionRecord], fh: io.BufferedWriter, _path: Path) -> int:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(text, dialect="excel", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    batch: list[list[str]] = []
    row = _CsvFormatter()
    for record in records:
        batch.append(row(record))
        if len(batch) == 2000:
            writer.writerows(batch)
            count += len(batch)
            batch.clear()
    writer.writerows(batch)
    count += len(batch)
    text.flush()
    text.detach()
    return count


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _write_json(records: Iterable[CompletionRecord], fh: io.BufferedWriter, _path: Path) -> int:
    count = 0
    fh.write(b"[")
    for record in records:
        obj = dict(zip(COLUMNS, map(_json_value, record_values(record)), strict=True))
        fh.write((b",\n" if count else b"\n") + json.dumps(obj, ensure_ascii=False).encode())
        count += 1
    fh.write(b"\n]\n" if count else b"]\n")
    return count


def xlsx_text_cell(sheet: Any, value: str) -> Any:
    """A write-only string cell Excel cannot evaluate, whatever ``value`` starts with.

    openpyxl turns a str starting with "=" into a formula cell (data_type "f"); a cell
    whose text a spreadsheet could read as a formula is forced to a string cell and gets
    Excel's quote prefix (the cell shows the text as typed, editing it keeps it text)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    cell = WriteOnlyCell(sheet, value=value)
    if value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.alignment = Alignment(horizontal="general")
        cell.quotePrefix = True
    return cell


def _write_xlsx(records: Iterable[CompletionRecord], fh: io.BufferedWriter, path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("hr-records")
    sheet.freeze_panes = "A2"
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    try:
        count = _xlsx_rows(sheet, records)
    except BaseException:
        _abandon(sheet)
        raise
    workbook.save(fh)  # write-only: rows went to a temp file, zipped into ``fh`` here
    return count


def _abandon(sheet: Any) -> None:
    """Close a half-written write-only sheet and remove openpyxl's temp file for it."""
    with contextlib.suppress(Exception):
        sheet.close()
    out = getattr(getattr(sheet, "_writer", None), "out", None)
    if isinstance(out, str):
        Path(out).unlink(missing_ok=True)


def _xlsx_rows(sheet: Any, records: Iterable[CompletionRecord]) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    count = 0
    for record in records:
        row: list[Any] = []
        for kind, value in zip(_KINDS, record_values(record), strict=True):
            if kind is FieldKind.TEXT and value:
                # control characters XML 1.0 cannot hold (a stray one in a roster name)
                # would stop the whole export: each becomes a visible "?" instead
                value = ILLEGAL_CHARACTERS_RE.sub("?", value)
            if kind is FieldKind.TEXT and value and value.startswith(FORMULA_PREFIXES):
                row.append(xlsx_text_cell(sheet, value))
            elif kind is FieldKind.DATE and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                row.append(cell)
            else:
                row.append(value if value != "" else None)
        sheet.append(row)
        count += 1
    return count


Writer = Callable[[Iterable[CompletionRecord], io.BufferedWriter, Path], int]

#: format name -> writer of the whole file into an open binary file
SUPPORTED_FORMATS: dict[str, Writer] = {"csv": _write_csv, "xlsx": _write_xlsx, "json": _write_json}


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_target(out_path: str | os.PathLike[str]) -> Path:
    """``out_path`` as a Path if it can be the export file; ExportError otherwise."""
    target = Path(out_path)
    if target.is_dir():
        raise ExportError(f"cannot write {target}: it is a directory")
    parent = target.parent
    if not parent.is_dir():
        raise ExportError(f"cannot write {target}: directory {parent} does not exist")
    return target


@contextlib.contextmanager
def atomic_stream(target: Path) -> Iterator[io.BufferedWriter]:
    """A binary file to write the export into; renamed over ``target`` when the block
    ends without error (after fsync), removed otherwise. The file is 0600 (it holds personal
    data), also where it replaces a file that had another mode."""
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {_reason(exc)}") from exc
    tmp = Path(tmp_name)
    try:
        # personal data: 0600 (mkstemp's) whatever mode a file it replaces had
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {target}: {_reason(exc)}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def writer_for(fmt: str) -> Writer:
    writer = SUPPORTED_FORMATS.get(fmt.strip().lower())
    if writer is None:
        supported = ", ".join(SUPPORTED_FORMATS)
        raise UnknownFormatError(f"unknown export format {fmt!r}; supported formats: {supported}")
    return writer


def export(
    records: Iterable[CompletionRecord], fmt: str, out_path: str | os.PathLike[str]
) -> ExportResult:
    """Write ``records`` to ``out_path`` in format ``fmt`` (see ``SUPPORTED_FORMATS``),
    streaming, atomically; the path and the number of rows."""
    writer = writer_for(fmt)
    target = check_target(out_path)
    with atomic_stream(target) as fh:
        rows = writer(records, fh, target)
    return ExportResult(target, rows)


def write_csv(records: Iterable[CompletionRecord], out_path: str | os.PathLike[str]) -> Path:
    """Write the CSV export to ``out_path`` atomically; raise ExportError if impossible."""
    return export(records, "csv", out_path).path


def fields_table() -> str:
    """The Markdown table of docs/hr-export.md, generated from ``FIELDS``."""
    lines = ["| column | type | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {f.kind} | {f.description} |" for name, f in FIELDS.items()]
    return "\n".join(lines) + "\n"
