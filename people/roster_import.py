"""Importing the roster from the personnel management system's export (CSV or Excel).

``read_roster_table`` reads the file; ``check_rows`` checks every row and turns the good
ones into ``Person`` records; ``merge_roster`` folds them into the installation's roster.
Nothing here writes: ``academy roster import`` decides, from the problems found, whether
to write the merged roster (all rows valid, or ``--skip-invalid``) and then provisions the
accounts.

The file has one header row with exactly the columns of ``COLUMNS`` (any order). Every
problem names the line (the header is line 1), the column and the value:

* encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text", tab
  separated) and Windows-1258 (Excel's Vietnamese "CSV"), which writes Vietnamese with
  combining accents: the text is normalised to NFC so that "Nguyễn" is one spelling;
* ``employee_id``: required, unique in the file, letters, digits, ``.``, ``_`` and ``-``;
* ``full_name``: required; ``date_of_birth``: ``YYYY-MM-DD`` or ``DD/MM/YYYY``, a real
  date, 15 to 100 years ago; ``gender``: Nam, Nữ or Khác (or male, female, other);
* ``email`` (syntax only, no network) and ``phone`` (a valid Vietnamese number): optional;
* ``courses``: course ids separated by ``;``, each one a course of this installation.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from common.roles import Role
from people.roster import SERVICE_ACCOUNT_PREFIXES, AccountStatus, Person

COLUMNS = (
    "employee_id", "full_name", "date_of_birth", "gender", "agency", "unit", "position",
    "email", "phone", "courses",
)
GENDERS = {
    "nam": "Nam", "male": "Nam", "m": "Nam",
    "nữ": "Nữ", "nu": "Nữ", "female": "Nữ", "f": "Nữ",
    "khác": "Khác", "khac": "Khác", "other": "Khác",
}
_EMPLOYEE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_MAX_FILE_BYTES = 50 * 1024 * 1024


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all (format, encoding, header)."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:59] + "…"
        return f"line {self.line}, column {self.column}, value {shown!r}: {self.message}"


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


@dataclass
class CheckedRoster:
    people: list[Person] = field(default_factory=list)  # from the valid rows, in file order
    problems: list[RowProblem] = field(default_factory=list)
    invalid_lines: set[int] = field(default_factory=set)
    rows: int = 0


@dataclass(frozen=True)
class RosterChange:
    roster: list[Person]  # the whole new roster
    new: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    deactivated: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.updated)} updated, {len(self.unchanged)} "
            f"unchanged, {len(self.deactivated)} deactivated"
        )


# --- reading --------------------------------------------------------------------------


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        text = raw[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RosterFileError(f"{path}: not valid UTF-16 ({exc})") from None
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:  # Excel's "CSV" on a Vietnamese Windows
                text = raw.decode("cp1258")
            except UnicodeDecodeError as exc:
                raise RosterFileError(
                    f"{path}: the encoding is neither UTF-8, UTF-16 nor Windows-1258 ({exc}); "
                    "save it from Excel as 'CSV UTF-8'"
                ) from None
    return unicodedata.normalize("NFC", text)


def _csv_rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value))


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise RosterFileError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_roster_table(path: Path) -> tuple[list[Row], list[RowProblem]]:
    """The data rows of a roster file (``.csv`` or ``.xlsx``), and the header's problems
    (extra or missing columns). Raises RosterFileError when it cannot be read at all."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".txt"):
        raise RosterFileError(f"{path}: expected a .csv or .xlsx file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RosterFileError(f"{path}: {exc.strerror}") from None
    if size > _MAX_FILE_BYTES:
        raise RosterFileError(f"{path}: {size:,} bytes, over the {_MAX_FILE_BYTES:,}-byte limit")
    table = (
        _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(_decode(path.read_bytes(), path))
    )
    if not table:
        raise RosterFileError(f"{path}: the file is empty (expected a header row)")
    header = [h.strip().lower() for h in table[0]]
    while header and header[-1] == "":  # Excel pads rows with empty cells
        header.pop()
    problems = []
    for name in header:
        if name not in COLUMNS:
            problems.append(RowProblem(1, name or "(empty)", name, "unknown column"))
    for name in COLUMNS:
        if name not in header:
            problems.append(RowProblem(1, name, "", "missing column"))
    if len(set(header)) != len(header):
        seen: set[str] = set()
        for name in header:
            if name in seen:
                problems.append(RowProblem(1, name, name, "column appears twice"))
            seen.add(name)
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        texts = [c.strip() for c in cells]
        if not any(texts):
            continue  # blank lines
        values = {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(header)}
        if len(texts) > len(header) and any(texts[len(header):]):
            problems.append(RowProblem(
                number, "(beyond the header)", ", ".join(t for t in texts[len(header):] if t),
                "more values than columns",
            ))
        rows.append(Row(number, values))
    return rows, problems


# --- checking -------------------------------------------------------------------------


def _date_of_birth(text: str, today: date) -> tuple[str, str | None]:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            born = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not (today.year - 100 <= born.year <= today.year - 15):
            return "", "not a plausible date of birth for a civil servant"
        return born.isoformat(), None
    if re.fullmatch(r"\d{1,4}[-/]\d{1,2}[-/]\d{1,4}", text):
        return "", "no such date"
    return "", "expected YYYY-MM-DD or DD/MM/YYYY"


def _phone(text: str) -> tuple[str, str | None]:
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return "", "not a phone number"
    if not phonenumbers.is_valid_number(number):
        return "", "not a valid phone number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def username_for(employee_id: str) -> str:
    """The account name of an employee id: lower case, ``cb-`` first if it starts with a
    digit (a unix account name must start with a letter) or like a service account's name
    (``academy-``, ``grader-``), at most 32 characters."""
    name = re.sub(r"[^a-z0-9_-]", "-", employee_id.lower())
    if not name[:1].isalpha() or name.startswith(SERVICE_ACCOUNT_PREFIXES):
        name = "cb-" + name
    return name[:32]


def check_rows(
    rows: Sequence[Row], known_courses: Iterable[str], today: date | None = None
) -> CheckedRoster:
    """Check every row; the valid ones become learners (``Person``), in file order."""
    today = today or date.today()
    courses_known = set(known_courses)
    result = CheckedRoster(rows=len(rows))
    first_line: dict[str, int] = {}
    usernames: dict[str, str] = {}

    for row in rows:
        v = row.values
        problems: list[RowProblem] = []

        def bad(column: str, message: str, row: Row = row, problems: list = problems) -> None:
            problems.append(RowProblem(row.line, column, row.values.get(column, ""), message))

        employee_id = v.get("employee_id", "")
        if not employee_id:
            bad("employee_id", "required")
        elif not _EMPLOYEE_ID.fullmatch(employee_id):
            bad("employee_id", "use letters, digits, '.', '_' and '-' (at most 32)")
        elif employee_id.casefold() in first_line:
            bad("employee_id", f"duplicate: already on line {first_line[employee_id.casefold()]}")
        else:
            first_line[employee_id.casefold()] = row.line
            username = username_for(employee_id)
            if username in usernames and usernames[username] != employee_id:
                bad("employee_id", f"gives the same account name as {usernames[username]!r}")
            usernames[username] = employee_id
        full_name = " ".join(v.get("full_name", "").split())
        if not full_name:
            bad("full_name", "required")
        born, problem = ("", None)
        if v.get("date_of_birth"):
            born, problem = _date_of_birth(v["date_of_birth"], today)
            if problem:
                bad("date_of_birth", problem)
        else:
            bad("date_of_birth", "required")
        gender = GENDERS.get(v.get("gender", "").casefold(), "")
        if v.get("gender") and not gender:
            bad("gender", "expected Nam, Nữ or Khác")
        email = ""
        if v.get("email"):
            try:
                email = validate_email(v["email"], check_deliverability=False).normalized
            except EmailNotValidError as exc:
                bad("email", str(exc))
        phone = ""
        if v.get("phone"):
            phone, problem = _phone(v["phone"])
            if problem:
                bad("phone", problem)
        courses = tuple(dict.fromkeys(c.strip() for c in v.get("courses", "").split(";")
                                      if c.strip()))
        unknown = [c for c in courses if c not in courses_known]
        if unknown:
            known = ", ".join(sorted(courses_known)) or "none"
            bad("courses", f"unknown course {', '.join(unknown)} (courses: {known})")

        if problems:
            result.problems += problems
            result.invalid_lines.add(row.line)
            continue
        result.people.append(Person(
            username=username_for(employee_id), full_name=full_name, role=Role.LEARNER,
            employee_id=employee_id, agency=v.get("agency", ""), job_title=v.get("position", ""),
            courses=courses, unit=v.get("unit", ""), date_of_birth=born, gender=gender,
            email=email, phone=phone, status=AccountStatus.NOT_ACTIVATED,
        ))
    return result


# --- merging --------------------------------------------------------------------------


def merge_roster(
    current: Sequence[Person], imported: Sequence[Person], *, full: bool = True
) -> RosterChange:
    """The roster after an import. Learners are matched by employee id: a new one is added
    (not yet activated), a known one is updated and keeps their account name and status (a
    deactivated person who is back becomes not yet activated). With ``full`` (the file is
    the whole roster), learners missing from it are deactivated, never deleted. Trainers,
    HR officers and administrators are not part of the personnel import and stay as they
    are."""
    by_id = {p.employee_id: p for p in imported}
    taken = {p.username for p in current}
    roster: list[Person] = []
    new, updated, unchanged, deactivated = [], [], [], []
    seen: set[str] = set()
    for person in current:
        if person.role is not Role.LEARNER or not person.employee_id:
            roster.append(person)
            continue
        incoming = by_id.get(person.employee_id)
        if incoming is None:
            if full and person.status is not AccountStatus.DEACTIVATED:
                person = replace(person, status=AccountStatus.DEACTIVATED)
                deactivated.append(person.employee_id)
            roster.append(person)
            continue
        seen.add(person.employee_id)
        status = (
            AccountStatus.NOT_ACTIVATED
            if person.status is AccountStatus.DEACTIVATED
            else person.status
        )
        merged = replace(incoming, username=person.username, status=status)
        (unchanged if merged == person else updated).append(person.employee_id)
        roster.append(merged)
    for person in imported:
        if person.employee_id in seen:
            continue
        username, n = person.username, 1
        while username in taken:  # an account name already used by someone else
            n += 1
            username = f"{person.username[:29]}-{n}"
        taken.add(username)
        roster.append(replace(person, username=username))
        new.append(person.employee_id)
    return RosterChange(roster, tuple(new), tuple(updated), tuple(unchanged), tuple(deactivated))
