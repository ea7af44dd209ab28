"""Reading and checking the personnel file, and folding it into the roster."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest

from common.roles import Role
from people.roster import AccountStatus, Person
from people.roster_import import (
    COLUMNS,
    RosterFileError,
    check_rows,
    merge_roster,
    read_roster_table,
    username_for,
)

TODAY = date(2026, 11, 23)
COURSES = {"digital-signatures", "cybersecurity"}
HEADER = ",".join(COLUMNS)
GOOD = [
    "CB-00123,Nguyễn Thị Hồng Nhung,15/03/1985,nữ,Sở Tài chính,Phòng Kế hoạch,Chuyên viên,"
    "Nhung.NTH@stc.gov.vn,0912 345 678,digital-signatures;cybersecurity",
    "00045,Trần Văn Đức,1979-11-02,Nam,UBND huyện Thanh Sơn,Văn phòng,Văn thư,,,"
    "digital-signatures",
    "CB-00200,Lê Minh Khôi,02/09/1990,,Sở Nội vụ,,,,+84 24 3825 1234,",
]


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def check(path: Path):  # noqa: ANN201 - CheckedRoster
    rows, header_problems = read_roster_table(path)
    assert header_problems == []
    return check_rows(rows, COURSES, today=TODAY)


def test_valid_rows_become_learners_not_yet_activated(tmp_path: Path) -> None:
    checked = check(write(tmp_path / "staff.csv", [HEADER, *GOOD]))
    assert checked.problems == [] and checked.rows == 3
    nhung, duc, khoi = checked.people
    assert nhung == Person(
        username="cb-00123", full_name="Nguyễn Thị Hồng Nhung", role=Role.LEARNER,
        employee_id="CB-00123", agency="Sở Tài chính", job_title="Chuyên viên",
        courses=("digital-signatures", "cybersecurity"), unit="Phòng Kế hoạch",
        date_of_birth="1985-03-15", gender="Nữ", email="Nhung.NTH@stc.gov.vn",
        phone="+84912345678", status=AccountStatus.NOT_ACTIVATED,
    )
    assert duc.username == "cb-00045"  # an account name starts with a letter
    assert duc.date_of_birth == "1979-11-02" and duc.gender == "Nam" and duc.email == ""
    assert khoi.phone == "+842438251234" and khoi.courses == ()


def test_every_problem_names_its_line_column_and_value(tmp_path: Path) -> None:
    rows = [
        HEADER,
        GOOD[0],
        "cb-00123,Phạm Văn An,01/01/1980,Nam,,,,,,",  # line 3: same id, other case
        "CB-1,,31/02/1980,Nam,,,,an@@stc,12345,digital-signatures",  # line 4
        "CB-2,Võ Thị Bé,1980-13-01,nữ giới,,,,,,ky-so-999",  # line 5
        "CB 3,Đỗ Hùng,,Nam,,,,,,",  # line 6
        "CB-4,Hồ Lan,12/05/2020,Nữ,,,,,,",  # line 7: a child
    ]
    checked = check(write(tmp_path / "staff.csv", rows))
    found = {(p.line, p.column, p.value) for p in checked.problems}
    assert found == {
        (3, "employee_id", "cb-00123"),
        (4, "full_name", ""),
        (4, "date_of_birth", "31/02/1980"),
        (4, "email", "an@@stc"),
        (4, "phone", "12345"),
        (5, "date_of_birth", "1980-13-01"),
        (5, "gender", "nữ giới"),
        (5, "courses", "ky-so-999"),
        (6, "employee_id", "CB 3"),
        (6, "date_of_birth", ""),
        (7, "date_of_birth", "12/05/2020"),
    }
    messages = {(p.line, p.column): str(p) for p in checked.problems}
    assert messages[(3, "employee_id")] == (
        "line 3, column employee_id, value 'cb-00123': duplicate: already on line 2"
    )
    assert "no such date" in messages[(4, "date_of_birth")]
    assert "unknown course ky-so-999 (courses: cybersecurity, digital-signatures)" in (
        messages[(5, "courses")]
    )
    assert [p.employee_id for p in checked.people] == ["CB-00123"]
    assert checked.invalid_lines == {3, 4, 5, 6, 7}


def to_cp1258(text: str) -> bytes:
    """What Excel's Vietnamese "CSV" writes: precomposed vowels, combining tone marks."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", parts[:2])
            try:
                out += base.encode("cp1258") + parts[2:].encode("cp1258")
            except UnicodeEncodeError:
                out += parts.encode("cp1258")
    return out


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_excel_encodings_read_the_same(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "staff.csv"
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 with BOM, tab separated
        lines = [HEADER.replace(",", "\t"), GOOD[0].replace(",", "\t")]
        path.write_bytes("\r\n".join(lines).encode("utf-16"))
    elif encoding == "cp1258":
        path.write_bytes(to_cp1258("\r\n".join([HEADER, GOOD[0]])))
    else:
        write(path, [HEADER, GOOD[0]], encoding)
    (person,) = check(path).people
    assert person.full_name == "Nguyễn Thị Hồng Nhung"
    assert unicodedata.is_normalized("NFC", person.full_name + person.agency + person.unit)
    assert person.agency == "Sở Tài chính" and person.unit == "Phòng Kế hoạch"


def test_an_excel_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append(["CB-00123", "Nguyễn Thị Hồng Nhung", datetime(1985, 3, 15), "Nữ",
                  "Sở Tài chính", "", "Chuyên viên", "", 912345678.0, "digital-signatures"])
    book.save(tmp_path / "staff.xlsx")
    (person,) = check(tmp_path / "staff.xlsx").people
    assert person.date_of_birth == "1985-03-15" and person.phone == "+84912345678"


def test_wrong_columns_are_reported_on_line_1(tmp_path: Path) -> None:
    header = HEADER.replace(",phone", "").replace("courses", "courses,salary")
    _rows, problems = read_roster_table(write(tmp_path / "staff.csv", [header]))
    assert {(p.line, p.column, p.message) for p in problems} == {
        (1, "salary", "unknown column"),
        (1, "phone", "missing column"),
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("staff.pdf", b"%PDF", "expected a .csv or .xlsx file"),
        ("staff.csv", b"", "the file is empty"),
        ("staff.xlsx", b"not a zip", "not a readable .xlsx workbook"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, name: str, content: bytes,
                                      message: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(RosterFileError, match=message):
        read_roster_table(tmp_path / name)


def learner(employee_id: str, name: str, **changes: object) -> Person:
    person = Person(username_for(employee_id), name, Role.LEARNER, employee_id=employee_id,
                    status=AccountStatus.NOT_ACTIVATED)
    return Person(**{**person.__dict__, **changes})


def test_reimport_updates_deactivates_and_never_deletes() -> None:
    trainer = Person("trainer1", "Phan Thu Hà", Role.TRAINER, employee_id="GV-1")
    current = [trainer, learner("CB-1", "An", status=AccountStatus.ACTIVE),
               learner("CB-2", "Bình"), learner("CB-3", "Chi")]
    imported = [learner("CB-1", "An"), learner("CB-2", "Bình Nguyễn"), learner("CB-4", "Dũng")]
    change = merge_roster(current, imported)
    assert (change.new, change.updated, change.unchanged, change.deactivated) == (
        ("CB-4",), ("CB-2",), ("CB-1",), ("CB-3",)
    )
    by_id = {p.employee_id: p for p in change.roster}
    assert by_id["GV-1"] == trainer  # not part of the personnel import
    assert by_id["CB-1"].status is AccountStatus.ACTIVE  # an activated account stays so
    assert by_id["CB-3"].status is AccountStatus.DEACTIVATED and not by_id["CB-3"].can_log_in
    assert len(change.roster) == 5  # nobody deleted

    again = merge_roster(change.roster, imported)
    assert again.roster == change.roster and again.summary() == (
        "0 new, 0 updated, 3 unchanged, 0 deactivated"
    )
    back = merge_roster(change.roster, [*imported, learner("CB-3", "Chi")])
    assert {p.employee_id: p.status for p in back.roster}["CB-3"] is AccountStatus.NOT_ACTIVATED
    partial = merge_roster(change.roster, [learner("CB-4", "Dũng")], full=False)
    assert partial.deactivated == ()


def test_a_new_person_never_takes_an_existing_account_name() -> None:
    current = [Person("cb-7", "Someone Else", Role.TRAINER)]
    change = merge_roster(current, [learner("CB-7", "Mai")])
    assert [p.username for p in change.roster] == ["cb-7", "cb-7-2"]
