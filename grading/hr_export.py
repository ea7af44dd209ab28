"""HR export of course completion records (`academy hr export --format csv --out FILE`).

The output is meant for personnel officers who open it in a spreadsheet program and copy
it into the personnel management software:

* CSV: UTF-8 with a byte-order mark (``utf-8-sig``) so Excel shows Vietnamese names
  correctly, one header row, RFC 4180 quoting and CRLF line ends.
* Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, tab or CR) are prefixed with ``'`` (OWASP "CSV injection" advice).
* The file is written atomically (temp file in the target directory + ``os.replace``):
  readers never see half a file and a failed export leaves nothing behind. A new file is
  created mode 0600 (it holds personal data); replacing a file keeps that file's mode.

Adding a format (e.g. xlsx with openpyxl) = one function ``records -> bytes`` registered in
``SUPPORTED_FORMATS``; the atomic write and error handling are shared.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from common.files import atomic_write
from common.spreadsheet import render_csv as render_csv_table
from common.spreadsheet import safe_text
from grading.records import CompletionRecord

#: Every exported column, in export order, with what it means. Docs are generated from
#: and checked against this mapping; the keys are the CSV header names.
FIELDS: dict[str, str] = {
    "employee_id": "Employee (civil servant) code from the roster, as in the personnel "
    "management software.",
    "full_name": "Full name of the learner as in the roster (Vietnamese, UTF-8).",
    "agency": "Agency or unit the learner works for, as in the roster.",
    "course_id": "Course identifier in the Academy catalog (also the nbgrader course id).",
    "course_title": "Course title from the catalog: the Vietnamese title (title_vi) when "
    "the catalog has one, otherwise the English title.",
    "score": "Points earned: sum over the course's modules of the learner's latest graded "
    "submission (nbgrader score, manual grades and extra credit included, late penalty "
    "deducted). 0 when nothing was submitted. Up to two decimals, '.' as decimal mark.",
    "max_score": "Points available: sum of the maximum scores of the course's modules in "
    "the gradebook.",
    "passed": "'yes' when every module of the course is graded and score / max_score * 100 "
    "reaches the course's pass mark (pass_percent in the catalog), otherwise 'no'.",
    "completion_date": "Date the course was completed (YYYY-MM-DD, Vietnam time, UTC+7): "
    "the day of the latest submission among the course's modules. Empty unless passed.",
}

COLUMNS: tuple[str, ...] = tuple(FIELDS)

_TEXT_COLUMNS = frozenset({"employee_id", "full_name", "agency", "course_id", "course_title"})


class ExportError(RuntimeError):
    """The export could not be written; the message names the path and the reason."""


class UnknownFormatError(ExportError, ValueError):
    """The requested export format is not supported; the message lists the supported ones."""


def _number(value: float) -> str:
    value = round(float(value), 2)
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0")


def record_row(record: CompletionRecord) -> list[str]:
    """The export cells of one record, in ``COLUMNS`` order, as text."""
    cells = {
        "employee_id": record.employee_id,
        "full_name": record.full_name,
        "agency": record.agency,
        "course_id": record.course_id,
        "course_title": record.course_title,
        "score": _number(record.score),
        "max_score": _number(record.max_score),
        "passed": "yes" if record.passed else "no",
        "completion_date": record.completion_date.isoformat() if record.completion_date else "",
    }
    return [safe_text(cells[c]) if c in _TEXT_COLUMNS else cells[c] for c in COLUMNS]


def render_csv(records: Sequence[CompletionRecord]) -> bytes:
    """The CSV file's bytes: BOM, header row, one row per record, CRLF, RFC 4180 quoting."""
    return render_csv_table(COLUMNS, (record_row(r) for r in records))


#: format name -> (function turning records into the file's bytes)
SUPPORTED_FORMATS: dict[str, Callable[[Sequence[CompletionRecord]], bytes]] = {
    "csv": render_csv,
}


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def write_atomically(out_path: str | os.PathLike[str], data: bytes) -> Path:
    """Replace ``out_path`` with ``data`` in one step; on any failure leave nothing behind."""
    target = Path(out_path)
    if target.is_dir():
        raise ExportError(f"cannot write {target}: it is a directory")
    parent = target.parent
    if not parent.is_dir():
        raise ExportError(f"cannot write {target}: directory {parent} does not exist")
    try:
        return atomic_write(target, data, mode=None)  # a new file keeps mkstemp's 0600
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {_reason(exc)}") from exc


def export(records: Sequence[CompletionRecord], fmt: str, out_path: str | os.PathLike[str]) -> Path:
    """Write ``records`` to ``out_path`` in format ``fmt`` (see ``SUPPORTED_FORMATS``)."""
    render = SUPPORTED_FORMATS.get(fmt.strip().lower())
    if render is None:
        supported = ", ".join(SUPPORTED_FORMATS)
        raise UnknownFormatError(f"unknown export format {fmt!r}; supported formats: {supported}")
    return write_atomically(out_path, render(records))


def write_csv(records: Sequence[CompletionRecord], out_path: str | os.PathLike[str]) -> Path:
    """Write the CSV export to ``out_path`` atomically; raise ExportError if impossible."""
    return export(records, "csv", out_path)
