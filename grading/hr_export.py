"""HR export of course completion records (`academy hr export --format csv|xlsx|json`).

The output is meant for personnel officers who open it in a spreadsheet program or load it
into the personnel management software (docs/hr-export.md, generated from ``FIELDS``):

* CSV: UTF-8 with a byte-order mark (``utf-8-sig``) so Excel shows Vietnamese names
  correctly, one header row, RFC 4180 quoting and CRLF line ends. Booleans are ``yes`` /
  ``no``, dates ``YYYY-MM-DD``, numbers with ``.`` as decimal mark.
* XLSX: one sheet, header row bold and frozen, typed cells: numbers are numbers, dates are
  dates (``yyyy-mm-dd``), booleans are TRUE / FALSE. Written with openpyxl's write-only
  mode (rows streamed to its temp file, zipped at the end).
* JSON: one JSON array of objects, keys in column order, typed values (numbers, ISO
  dates, ``true`` / ``false``, ``null`` for empty), UTF-8, one object per line.
* Formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR is
  prefixed with ``'`` in CSV (OWASP advice); in XLSX it stays as it is but is written as a
  string cell with Excel's quote prefix (never a formula cell).
* Streaming: rows are written as the records arrive (``grading.records`` yields them one
  course at a time) into a temp file in the target directory, which is fsynced and renamed
  over the target at the end: readers never see half a file and a failed export leaves
  nothing behind. A new file is created 0600 (personal data); a replaced file keeps its mode.
  Memory holds the roster, a few courses' records and a batch of rows, whatever the number
  of rows (docs/performance.md, "HR export").
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from common.spreadsheet import FORMULA_PREFIXES, safe_text
from grading.competency_records import format_levels
from grading.records import CompletionRecord, CompletionRecords, birth_date

if TYPE_CHECKING:
    from people.roster import Person


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
    return [
        record.employee_id, record.full_name, record.date_of_birth, record.agency, record.unit,
        record.job_title, record.course_id, record.course_title, record.modules_completed,
        record.modules_total, round(record.score, 2), round(record.max_score, 2),
        record.percent, record.passed, record.overridden, record.completion_date,
        format_levels(dict(record.competencies)), record.certificate_id,
        record.certificate_url,
    ]


# --- rows: the records as the writers take them, whatever form they came in
#
# 600,000 rows leave 30,000 learners' cells and 20 courses' cells the same over and over: a
# writer makes each learner's cells once (``person``), each course's once (``course``), and
# per row only the cells that vary (``row``), pasted together as text. The records come
# either as ``grading.records.CompletionRecords`` (the export of an installation: course by
# course, one compact standing per row, no CompletionRecord object made) or as any iterable
# of CompletionRecord (tests, small callers); both end up in the same three calls.

#: employee_id, full_name, date_of_birth, agency, unit, job_title
PersonCells = tuple[str, str, date | None, str, str, str]
#: modules_completed, modules_total, score, max_score, percent, passed, overridden,
#: completion_date, competencies, certificate_id, certificate_url
RowCells = tuple[int, int, float, float, float | None, bool, bool, date | None,
                 tuple[tuple[str, int], ...], str, str]


class _Format(Protocol):
    def person(self, cells: PersonCells) -> Any: ...
    def course(self, course_id: str, course_title: str) -> Any: ...
    def row(self, person: Any, course: Any, cells: RowCells) -> str: ...


def _person_cells(person: Person) -> PersonCells:
    return (person.employee_id, person.full_name, birth_date(person.date_of_birth),
            person.agency, person.unit, person.job_title)


#: Rows formatted and written at a time: few enough that a batch's text stays small (a few
#: MB), many enough that writing costs one call per batch.
_BATCH = 5000


def _formatted(records: Iterable[CompletionRecord], fmt: _Format) -> Iterator[list[str]]:
    """The rows as text, in batches of at most ``_BATCH``."""
    if isinstance(records, CompletionRecords) and records.untouched:
        yield from _formatted_by_course(records, fmt)
        return
    people: dict[PersonCells, Any] = {}
    courses: dict[tuple[str, str], Any] = {}
    batch: list[str] = []
    for r in records:
        key = (r.employee_id, r.full_name, r.date_of_birth, r.agency, r.unit, r.job_title)
        person = people.get(key)
        if person is None:
            person = people[key] = fmt.person(key)
        course = courses.get((r.course_id, r.course_title))
        if course is None:
            course = courses[(r.course_id, r.course_title)] = fmt.course(r.course_id,
                                                                         r.course_title)
        batch.append(fmt.row(person, course, (
            r.modules_completed, r.modules_total, r.score, r.max_score, r.percent, r.passed,
            r.overridden, r.completion_date, r.competencies, r.certificate_id,
            r.certificate_url)))
        if len(batch) == _BATCH:
            yield batch
            batch = []
    yield batch


def _formatted_by_course(records: CompletionRecords, fmt: _Format) -> Iterator[list[str]]:
    learners: Sequence[Person] = ()
    people: list[Any] = []  # by the learner's index in ``learners``, made on first use
    for course in records.by_course():
        if course.learners is not learners:
            learners, people = course.learners, [None] * len(course.learners)
        plan = course.plan
        course_cells = fmt.course(plan.course.id, plan.title)
        total, max_total = len(plan.module_ids), plan.max_total
        row = fmt.row
        batch = []
        for (index, graded, score, percent, passed, overridden, when, competencies,
             certificate_id, certificate_url) in course.standings:
            person = people[index]
            if person is None:
                person = people[index] = fmt.person(_person_cells(learners[index]))
            batch.append(row(person, course_cells, (
                graded, total, score, max_total, percent, passed, overridden, when,
                competencies, certificate_id, certificate_url)))
            if len(batch) == _BATCH:
                yield batch
                batch = []
        yield batch


# --- CSV


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


_CSV_QUOTED = re.compile(r'[,"\r\n]')


def _csv_cell(text: str) -> str:
    """``text`` as ``csv.writer`` (excel dialect, CRLF line ends) writes it: between double
    quotes, inner quotes doubled, when it holds a comma, a quote, CR or LF; else as is."""
    if _CSV_QUOTED.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def _csv_text(text: str) -> str:
    return _csv_cell(safe_text(text)) if text else ""


@lru_cache(maxsize=4096)
def _levels_text(pairs: tuple[tuple[str, int], ...]) -> str:
    return _csv_text(format_levels(dict(pairs)))


class _CsvFormat:
    """A record as one CSV line: RFC 4180 quoting, CRLF, formula-like text made inert."""

    def person(self, cells: PersonCells) -> str:
        employee_id, full_name, born, agency, unit, job_title = cells
        return ",".join((_csv_text(employee_id), _csv_text(full_name),
                         _date_text(born) if born else "", _csv_text(agency), _csv_text(unit),
                         _csv_text(job_title)))

    def course(self, course_id: str, course_title: str) -> str:
        return _csv_text(course_id) + "," + _csv_text(course_title)

    def row(self, person: str, course: str, cells: RowCells) -> str:
        (graded, total, score, max_score, percent, passed, overridden, when, competencies,
         certificate_id, certificate_url) = cells
        return (f"{person},{course},{graded},{total},{_number_text(score)},"
                f"{_number_text(max_score)},"
                f"{'' if percent is None else _number_text(percent)},"
                f"{'yes' if passed else 'no'},{'yes' if overridden else 'no'},"
                f"{_date_text(when) if when else ''},"
                f"{_levels_text(competencies) if competencies else ''},"
                f"{_csv_text(certificate_id)},{_csv_text(certificate_url)}\r\n")


def record_row(record: CompletionRecord) -> list[str]:
    """The CSV cells of one record, in ``COLUMNS`` order, as text."""
    line = next(_formatted([record], _CsvFormat()))[0]
    return next(csv.reader([line.removesuffix("\r\n")]))


# --- writers: each writes the header and the rows to an open binary file, returns the count


def _write_csv(records: Iterable[CompletionRecord], fh: io.BufferedWriter, _path: Path) -> int:
    # UTF-8 with a byte-order mark (what Excel needs to read the Vietnamese right)
    fh.write(codecs.BOM_UTF8 + (",".join(map(_csv_cell, COLUMNS)) + "\r\n").encode())
    count = 0
    for batch in _formatted(records, _CsvFormat()):
        fh.write("".join(batch).encode("utf-8"))
        count += len(batch)
    return count


# --- JSON

_json_text = json.encoder.encode_basestring  # what json.dumps(str, ensure_ascii=False) writes


def _json_number(value: float) -> str:
    """What ``json.dumps`` writes for an int or a float: its repr when finite."""
    if not math.isfinite(value):
        return json.dumps(value)
    return repr(value)


@lru_cache(maxsize=4096)
def _json_date(value: date) -> str:
    return '"' + value.isoformat() + '"'


@lru_cache(maxsize=4096)
def _json_levels(pairs: tuple[tuple[str, int], ...]) -> str:
    return _json_text(format_levels(dict(pairs)))


class _JsonFormat:
    """A record as one JSON object, exactly as ``json.dumps(dict, ensure_ascii=False)``
    writes it (", " and ": " separators, keys in column order)."""

    def person(self, cells: PersonCells) -> str:
        employee_id, full_name, born, agency, unit, job_title = cells
        return (f'{{"employee_id": {_json_text(employee_id)}, '
                f'"full_name": {_json_text(full_name)}, '
                f'"date_of_birth": {_json_date(born) if born is not None else "null"}, '
                f'"agency": {_json_text(agency)}, "unit": {_json_text(unit)}, '
                f'"job_title": {_json_text(job_title)}')

    def course(self, course_id: str, course_title: str) -> str:
        return f', "course_id": {_json_text(course_id)}, "course_title": {_json_text(course_title)}'

    def row(self, person: str, course: str, cells: RowCells) -> str:
        (graded, total, score, max_score, percent, passed, overridden, when, competencies,
         certificate_id, certificate_url) = cells
        return (f'{person}{course}, "modules_completed": {_json_number(graded)}, '
                f'"modules_total": {_json_number(total)}, '
                f'"score": {_json_number(round(score, 2))}, '
                f'"max_score": {_json_number(round(max_score, 2))}, '
                f'"percent": {"null" if percent is None else _json_number(percent)}, '
                f'"passed": {"true" if passed else "false"}, '
                f'"overridden": {"true" if overridden else "false"}, '
                f'"completion_date": {"null" if when is None else _json_date(when)}, '
                f'"competencies": {_json_levels(competencies)}, '
                f'"certificate_id": {_json_text(certificate_id)}, '
                f'"certificate_url": {_json_text(certificate_url)}}}')


def _write_json(records: Iterable[CompletionRecord], fh: io.BufferedWriter, _path: Path) -> int:
    count = 0
    fh.write(b"[")
    for batch in _formatted(records, _JsonFormat()):
        if batch:
            # one object per line: "[\n{...},\n{...}\n]\n"
            fh.write(((",\n" if count else "\n") + ",\n".join(batch)).encode("utf-8"))
            count += len(batch)
    fh.write(b"\n]\n" if count else b"]\n")
    return count


# --- XLSX
#
# Through openpyxl's write-only mode (a cell object per cell, about 100 µs a row of 19
# cells: the XLSX export's floor, docs/performance.md "HR export").

#: characters XML 1.0 cannot hold: control characters (openpyxl's ILLEGAL_CHARACTERS_RE),
#: lone surrogates and the two non-characters U+FFFE / U+FFFF; each becomes a visible "?"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: each column's kind, in column order (how the XLSX writer types its cells)
_KINDS = tuple(f.kind for f in FIELDS.values())


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

    count = 0
    for record in records:
        row: list[Any] = []
        for kind, value in zip(_KINDS, record_values(record), strict=True):
            if kind is FieldKind.TEXT and value:
                # control characters XML 1.0 cannot hold (a stray one in a roster name)
                # would stop the whole export: each becomes a visible "?" instead
                value = _XML_ILLEGAL.sub("?", value)
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
