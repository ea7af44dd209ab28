"""Completion records and the HR CSV from real nbgrader gradebooks (SQLite and PostgreSQL)."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course_kit.catalog import Course, Module
from grading.completion import CompletionOverride
from grading.gradebook import GradebookError, assignment_names, read_gradebook
from grading.gradebook_totals import CourseTotals, read_course_totals
from grading.hr_export import COLUMNS, write_csv
from grading.records import (
    CompletionRecord,
    RecordFilter,
    RecordsError,
    completion_records,
    iter_completion_records,
)
from people.roster import Person

DS, EO, SEC = "digital-signatures", "eoffice-basics", "security-basics"

CATALOG = {
    DS: Course(
        id=DS,
        title="Digital signatures in public service",
        title_vi="Chữ ký số trong hoạt động công vụ",
        pass_percent=70,
        modules=(
            Module("ds01-what-a-signature-proves", "What a signature proves", "ds01.ipynb",
                   (("sign.use", 2),)),
            Module("ds02-verify", "Verifying a signed document", "ds02.ipynb",
                   (("sign.use", 3), ("sign.incidents", 2))),
        ),
    ),
    EO: Course(
        id=EO,
        title="Document management basics",
        title_vi="",
        pass_percent=80,
        modules=(Module("eo01-incoming", "Registering incoming documents", "eo01.ipynb",
                        (("edoc.handling", 2),)),),
    ),
    SEC: Course(
        id=SEC,
        title="Security basics",
        title_vi="An toàn thông tin cơ bản",
        pass_percent=70,
        modules=(Module("sec01-phishing", "Phishing", "sec01.ipynb"),),
    ),
}

ROSTER = [
    Person(
        "an", "Nguyễn Văn An", "learner", "CB-0001", "Sở Tài chính tỉnh Phú Thọ", "Chuyên viên",
        courses=(DS, EO), unit="Phòng Ngân sách", date_of_birth="1983-07-15",
    ),
    Person(
        "giang", "Đỗ Thị Giang", "trainer", "CB-0100", "Sở Thông tin và Truyền thông", courses=(DS,)
    ),
    Person(
        "binh",
        "Trần Thị Bình",
        "learner",
        "CB-0002",
        "UBND huyện Lập Thạch, tỉnh Vĩnh Phúc",
        courses=(DS,),
    ),
    Person(
        "cuong",
        "Lê Văn Cường",
        "learner",
        "CB-0003",
        'Trung tâm Phục vụ hành chính công "một cửa"',
        courses=(DS,),
    ),
    Person(
        "dung", "Phạm Thị Dung", "learner", "CB-0004", "Sở Nội vụ tỉnh Quảng Bình", courses=(DS,)
    ),
    Person("em", "Hoàng Văn Em", "learner", "CB-0005", "UBND xã Tiên Lữ", courses=(DS, SEC)),
    Person("hoa", "Vũ Thị Hoa", "hr", "CB-0200", "Sở Nội vụ tỉnh Quảng Bình"),
]

# (course, assignment, notebook, {cell: max score})
STRUCTURE = [
    (DS, "ds01-what-a-signature-proves", "ds01", {"q1": 6, "q2": 4}),
    (DS, "ds02-verify", "ds02", {"q1": 10}),
    (EO, "eo01-incoming", "eo01", {"q1": 5}),
]
# (student, assignment, submitted at (naive UTC, as nbgrader stores it), scores, graded)
SUBMISSIONS = [
    ("an", "ds01-what-a-signature-proves", datetime(2025, 3, 2, 10, 0), {"q1": 6, "q2": 3}, True),
    # 20:30 UTC on 5 March is 03:30 on 6 March in Vietnam
    ("an", "ds02-verify", datetime(2025, 3, 5, 20, 30), {"q1": 8}, True),
    ("an", "eo01-incoming", datetime(2025, 4, 1, 1, 0), {"q1": 4}, True),  # exactly 80 %
    ("binh", "ds01-what-a-signature-proves", datetime(2025, 3, 3, 8, 0), {"q1": 6, "q2": 4}, True),
    ("cuong", "ds01-what-a-signature-proves", datetime(2025, 3, 1, 9, 0), {"q1": 6, "q2": 1}, True),
    ("cuong", "ds02-verify", datetime(2025, 3, 10, 2, 0), {"q1": 7}, True),  # exactly 70 %
    (
        "dung",
        "ds01-what-a-signature-proves",
        datetime(2025, 3, 4, 9, 0),
        {"q1": 6, "q2": 3.5},
        True,
    ),
    # high auto score, but a part still waits for manual grading: not passed
    ("dung", "ds02-verify", datetime(2025, 3, 4, 10, 0), {"q1": 10}, False),
]

TITLE_DS = "Chữ ký số trong hoạt động công vụ"
AN = ["CB-0001", "Nguyễn Văn An", "1983-07-15", "Sở Tài chính tỉnh Phú Thọ", "Phòng Ngân sách",
      "Chuyên viên"]
BINH = ["CB-0002", "Trần Thị Bình", "", "UBND huyện Lập Thạch, tỉnh Vĩnh Phúc", "", ""]
CUONG = ["CB-0003", "Lê Văn Cường", "", 'Trung tâm Phục vụ hành chính công "một cửa"', "", ""]
DUNG = ["CB-0004", "Phạm Thị Dung", "", "Sở Nội vụ tỉnh Quảng Bình", "", ""]
EM = ["CB-0005", "Hoàng Văn Em", "", "UBND xã Tiên Lữ", "", ""]
# courses in catalog order, learners in roster order within a course
EXPECTED_ROWS = [
    [*AN, DS, TITLE_DS, "2", "2", "17", "20", "85", "yes", "no", "2025-03-06",
     "sign.use:3; sign.incidents:2", "", ""],
    # ds02 (sign.use level 3) not submitted: not even level 2 (it needs every module at 2+)
    [*BINH, DS, TITLE_DS, "1", "2", "10", "20", "50", "no", "no", "", "", "", ""],
    [*CUONG, DS, TITLE_DS, "2", "2", "14", "20", "70", "yes", "no", "2025-03-10",
     "sign.use:3; sign.incidents:2", "", ""],
    [*DUNG, DS, TITLE_DS, "1", "2", "19.5", "20", "97.5", "no", "no", "", "", "", ""],
    [*EM, DS, TITLE_DS, "0", "2", "0", "20", "0", "no", "no", "", "", "", ""],
    [*AN, EO, "Document management basics", "1", "1", "4", "5", "80", "yes", "no",
     "2025-04-01", "edoc.handling:2", "", ""],
    [*EM, SEC, "An toàn thông tin cơ bản", "0", "1", "0", "0", "", "no", "no", "", "", "", ""],
]


def build_gradebook(url: str) -> None:
    """Both DS and EO live in one database, as several nbgrader courses can."""
    notebooks = {}
    for course_id, assignment, notebook, cells in STRUCTURE:
        with Gradebook(url, course_id) as gb:
            gb.add_assignment(assignment)
            gb.add_notebook(notebook, assignment)
            for cell, max_score in cells.items():
                gb.add_grade_cell(cell, notebook, assignment, max_score=max_score, cell_type="code")
        notebooks[assignment] = notebook
    with Gradebook(url, DS) as gb:
        for student, assignment, timestamp, scores, graded in SUBMISSIONS:
            gb.update_or_create_student(student)
            # nbgrader's add_submission queries while the new row is pending; SQLAlchemy 2.1
            # warns about that autoflush (SAWarning), so do what the warning recommends
            with gb.db.no_autoflush:
                gb.add_submission(assignment, student, timestamp=timestamp)
            for cell, score in scores.items():
                grade = gb.find_grade(cell, notebooks[assignment], assignment, student)
                grade.auto_score = score
                grade.needs_manual_grade = not graded
            gb.db.commit()


@pytest.fixture(scope="module")
def postgres_gradebook(postgres_server_url: str) -> str:
    build_gradebook(postgres_server_url)
    return postgres_server_url


@pytest.fixture(scope="module")
def sqlite_gradebook(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Built once (nbgrader shells out to alembic per new gradebook); tests only read it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite-gradebook') / 'gradebook.db'}"
    build_gradebook(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def gradebook_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_gradebook")


def urls_for(shared_url: str, tmp_path: Path) -> dict[str, str]:
    return {DS: shared_url, EO: shared_url, SEC: f"sqlite:///{tmp_path / 'none' / 'gb.db'}"}


def test_records_follow_the_rules(gradebook_url: str, tmp_path: Path) -> None:
    records = completion_records(ROSTER, CATALOG, urls_for(gradebook_url, tmp_path))
    assert [(r.username, r.course_id) for r in records] == [
        ("an", DS), ("binh", DS), ("cuong", DS), ("dung", DS), ("em", DS), ("an", EO),
        ("em", SEC)]
    assert records[0] == CompletionRecord(
        employee_id="CB-0001",
        full_name="Nguyễn Văn An",
        date_of_birth=date(1983, 7, 15),
        agency="Sở Tài chính tỉnh Phú Thọ",
        unit="Phòng Ngân sách",
        job_title="Chuyên viên",
        course_id=DS,
        course_title=TITLE_DS,
        modules_completed=2,
        modules_total=2,
        score=17.0,
        max_score=20.0,
        percent=85.0,
        passed=True,
        overridden=False,
        completion_date=date(2025, 3, 6),
        competencies=(("sign.use", 3), ("sign.incidents", 2)),
        username="an",
    )
    assert [r.passed for r in records] == [True, False, True, False, False, True, False]
    # reading created nothing: the missing SQLite gradebook is still missing
    assert not (tmp_path / "none").exists()


def test_records_are_produced_lazily(sqlite_gradebook: str, tmp_path: Path) -> None:
    read: list[str] = []

    def counting_read(url: str, modules: object) -> CourseTotals:
        read.append(url)
        return read_course_totals(url, modules)  # type: ignore[arg-type]

    rows = iter_completion_records(ROSTER, CATALOG, urls_for(sqlite_gradebook, tmp_path),
                                   read_totals=counting_read)
    assert read == []  # nothing read before the first row is asked for
    first = next(rows)
    assert first.course_id == DS and len(read) <= 2  # this course, maybe the next prefetched
    assert len(list(rows)) == 6 and len(read) == 3


def test_worker_processes_read_the_same_records(gradebook_url: str, tmp_path: Path) -> None:
    """A large export reads the gradebooks in forked worker processes (each opens its own
    connection, SQLite or PostgreSQL): the same records, in the same order."""
    urls = urls_for(gradebook_url, tmp_path)
    here = completion_records(ROSTER, CATALOG, urls, processes=0)
    assert completion_records(ROSTER, CATALOG, urls, processes=2) == here
    assert [r.username for r in here] == ["an", "binh", "cuong", "dung", "em", "an", "em"]


def test_aggregate_read_agrees_with_nbgrader_column_properties(gradebook_url: str) -> None:
    modules = ["ds01-what-a-signature-proves", "ds02-verify", "eo01-incoming", "nope"]
    slow = read_gradebook(gradebook_url, modules)
    fast = read_course_totals(gradebook_url, modules)
    assert fast.max_scores == dict(slow.max_scores)
    flat = {(s, m): (r.score, r.graded, r.submitted_at)
            for s, results in fast.results.items() for m, r in results.items()}
    assert flat == {k: (g.score, g.graded, g.submitted_at) for k, g in slow.grades.items()}
    assert len(flat) == len(SUBMISSIONS)


def test_overrides_win_over_grades(sqlite_gradebook: str, tmp_path: Path) -> None:
    at = datetime(2025, 6, 1, 18, 30, tzinfo=UTC)  # 2 June in Vietnam
    overrides = {
        ("binh", DS): CompletionOverride("binh", DS, True, "Thi lại trên giấy", "giang", at),
        ("an", DS): CompletionOverride("an", DS, False, "Gian lận", "giang", at),
    }
    records = {(r.username, r.course_id): r for r in completion_records(
        ROSTER, CATALOG, urls_for(sqlite_gradebook, tmp_path), overrides=overrides)}
    binh, an = records[("binh", DS)], records[("an", DS)]
    assert (binh.passed, binh.overridden, binh.completion_date) == (True, True, date(2025, 6, 2))
    assert (an.passed, an.overridden, an.completion_date) == (False, True, None)
    assert binh.score == 10 and an.score == 17  # the grades themselves are unchanged
    assert records[("cuong", DS)].overridden is False


def test_filters(sqlite_gradebook: str, tmp_path: Path) -> None:
    urls = urls_for(sqlite_gradebook, tmp_path)

    def keys(where: RecordFilter) -> list[tuple[str, str]]:
        return [(r.username, r.course_id)
                for r in completion_records(ROSTER, CATALOG, urls, where=where)]

    assert keys(RecordFilter(course_ids=(EO,))) == [("an", EO)]
    assert keys(RecordFilter(agency="sở nội vụ tỉnh quảng bình")) == [("dung", DS)]
    assert keys(RecordFilter(agency="Sở Nội vụ")) == []  # exact name, not a prefix
    assert keys(RecordFilter(since=date(2025, 3, 6), until=date(2025, 3, 10))) == [
        ("an", DS), ("cuong", DS)]  # inclusive at both ends
    assert keys(RecordFilter(since=date(2025, 3, 7))) == [("cuong", DS), ("an", EO)]
    with pytest.raises(RecordsError, match=r"unknown course 'nope' \(known courses: "
                       r"digital-signatures, eoffice-basics, security-basics\)"):
        iter_completion_records(ROSTER, CATALOG, urls, where=RecordFilter(course_ids=("nope",)))


def test_csv_export_has_exact_rows(gradebook_url: str, tmp_path: Path) -> None:
    out = tmp_path / "hr.csv"
    write_csv(completion_records(ROSTER, CATALOG, urls_for(gradebook_url, tmp_path)), out)
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    text = raw.decode("utf-8-sig")
    assert text.count("\r\n") == len(EXPECTED_ROWS) + 1 and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(COLUMNS)
    assert rows[1:] == EXPECTED_ROWS
    # RFC 4180 quoting of a comma and of double quotes
    assert '"UBND huyện Lập Thạch, tỉnh Vĩnh Phúc"' in text
    assert '"Trung tâm Phục vụ hành chính công ""một cửa"""' in text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".hr.csv")] == []


def test_gradebook_reads_are_read_only(sqlite_gradebook: str, tmp_path: Path) -> None:
    db = Path(sqlite_gradebook.removeprefix("sqlite:///"))
    before = db.read_bytes()
    assert assignment_names(sqlite_gradebook) == [
        "ds01-what-a-signature-proves",
        "ds02-verify",
        "eo01-incoming",
    ]
    book = read_gradebook(sqlite_gradebook, ["ds02-verify", "not-there"])
    assert book.max_scores == {"ds02-verify": 10.0}
    assert book.grades[("dung", "ds02-verify")].graded is False
    totals = read_course_totals(sqlite_gradebook, ["ds02-verify"])
    assert totals.results["dung"]["ds02-verify"].graded is False
    assert db.read_bytes() == before
    missing = tmp_path / "missing.db"
    assert assignment_names(f"sqlite:///{missing}") == []
    assert read_course_totals(f"sqlite:///{missing}", ["m1"]) == CourseTotals({}, {})
    assert not missing.exists()


def test_unknown_enrolment_is_reported(sqlite_gradebook: str, tmp_path: Path) -> None:
    roster = [
        Person("lan", "Ngô Thị Lan", "learner", "CB-9", "UBND tỉnh Bắc Ninh", courses=("cks-2030",))
    ]
    with pytest.raises(RecordsError, match=r"lan is enrolled in unknown course 'cks-2030'"):
        completion_records(roster, CATALOG, urls_for(sqlite_gradebook, tmp_path))
    roster = [Person("lan", "Ngô Thị Lan", "learner", "CB-9", "UBND", courses=(DS,))]
    with pytest.raises(RecordsError, match=r"no gradebook URL given for course"):
        completion_records(roster, CATALOG, {})


def test_unreadable_gradebook_is_a_clear_error(tmp_path: Path) -> None:
    not_a_db = tmp_path / "gradebook.db"
    not_a_db.write_text("this is not sqlite\n", encoding="utf-8")
    with pytest.raises(GradebookError, match=r"cannot read gradebook sqlite:///.*gradebook\.db"):
        read_gradebook(f"sqlite:///{not_a_db}", ["m1"])
    roster = [Person("lan", "Ngô Thị Lan", "learner", "CB-9", "UBND", courses=(EO,))]
    with pytest.raises(RecordsError, match=r"course 'eoffice-basics': cannot read gradebook"):
        completion_records(roster, CATALOG, {EO: f"sqlite:///{not_a_db}"})


def test_certificates_fill_their_columns_unless_revoked(sqlite_gradebook: str,
                                                        tmp_path: Path) -> None:
    from grading.certificates import IssuedCertificate

    url = "https://academy.example.gov.vn/verify/"
    certificates = {
        ("an", DS): IssuedCertificate("C-1", "an", DS, url + "C-1", False),
        ("cuong", DS): IssuedCertificate("C-2", "cuong", DS, url + "C-2", True),
    }
    records = {(r.username, r.course_id): r for r in completion_records(
        ROSTER, CATALOG, urls_for(sqlite_gradebook, tmp_path), certificates=certificates)}
    an = records[("an", DS)]
    assert (an.certificate_id, an.certificate_url) == ("C-1", url + "C-1")
    assert (records[("cuong", DS)].certificate_id, records[("an", EO)].certificate_id) == ("", "")
