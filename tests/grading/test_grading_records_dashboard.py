"""The HR dashboard's numbers (grading.records_dashboard): the fold over completion records,
the due dates and submissions read from a gradebook (SQLite and PostgreSQL), and an
installation's dashboard and source stamps.

The installation is tests/dashboards/site_for_dashboards.py; its numbers, by hand:

    digital-signatures (ds01; sign.use 2, edoc.handling 1; pass 70 %):
        an 9/10 completed 02/03/2026 (sign.use, edoc.handling), binh 3/10, chi nothing
    cybersecurity (cs01 security.devices 2, cs02 security.phishing 2; pass 60 %):
        an cs01 8/10 + cs02 waiting (security.devices), dung 10 + 9 completed 06/03/2026
        (security.devices, security.phishing), chi nothing
    Sở Tài chính (an, dung): 3 enrolments, 2 completed; Sở Nội vụ (binh, chi): 3, 0
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from common.clock import VIETNAM_TZ
from course_kit.catalog import Course, Module
from grading.records import CompletionRecord, RecordFilter, RecordsError
from grading.records_dashboard import (
    NO_SCHEDULE,
    CourseSchedule,
    PendingKind,
    competency_codes,
    installation_dashboard,
    read_course_schedule,
    source_stamps,
    summarise,
)
from installation.layout import DataLayout
from installation.settings import InstallSettings
from tests.dashboards.site_for_dashboards import (
    CYBER,
    CYBER_MODULES,
    DS,
    DS_MODULE,
    NOI_VU,
    TAI_CHINH,
    build_installation,
)

NOW = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)  # 10:00 on 20/03/2026 in Vietnam

CATALOG = {
    "c1": Course("c1", "Course one", "Khóa một", 70, (
        Module("m1", "Module one", "m1.ipynb", competencies=(("sign.use", 2),)),
        Module("m2", "Module two", "m2.ipynb", competencies=(("edoc.handling", 1),)),
    )),
    "c2": Course("c2", "Course two", "Khóa hai", 60, (
        Module("n1", "Lesson", "n1.ipynb", competencies=(("security.devices", 1),
                                                         ("sign.use", 1))),
    )),
}


def record(username: str, agency: str, course: str, *, passed: bool = False,
           completed_on: date | None = None, competencies: tuple[tuple[str, int], ...] = (),
           graded: int = 0) -> CompletionRecord:
    total = len(CATALOG[course].modules) if course in CATALOG else 1
    return CompletionRecord(
        f"CB-{username}", username.title(), None, agency, "", "", course,
        CATALOG[course].title_vi if course in CATALOG else course, graded, total, 0.0, 10.0,
        0.0, passed, False, completed_on if passed else None, competencies,
        username=username)


def test_rates_coverage_and_lists_from_hand_made_records() -> None:
    schedule_c1 = CourseSchedule(
        due={"m1": datetime(2026, 3, 10, 16, 0, tzinfo=UTC),  # 23:00 10/03 in Vietnam
             "m2": datetime(2026, 4, 1, 0, 0, tzinfo=UTC)},  # ahead
        started=frozenset({"an", "binh"}),
        submitted={"m1": frozenset({"an"}), "m2": frozenset({"an", "binh"})})
    rows = [
        (record("an", "A", "c1", passed=True, completed_on=date(2026, 3, 5),
                competencies=(("sign.use", 2), ("edoc.handling", 1)), graded=2), schedule_c1),
        (record("binh", "B", "c1", graded=1), schedule_c1),  # m1 overdue (submitted m2 only)
        (record("chi", "B", "c1"), schedule_c1),  # not started, and m1 overdue
        (record("an", "A", "c2", competencies=(("sign.use", 1),), graded=1), NO_SCHEDULE),
        (record("dung", "A", "c2", passed=True, completed_on=date(2026, 2, 1),
                competencies=(("security.devices", 1),), graded=1), NO_SCHEDULE),
    ]
    codes = ("sign.use", "edoc.handling", "security.devices")
    board = summarise(rows, CATALOG, codes, now=NOW)

    assert (board.enrolments, board.completed, board.learners) == (5, 2, 4)
    assert board.completion_rate == pytest.approx(0.4)
    assert [(r.key, r.enrolled, r.completed) for r in board.by_agency] == [
        ("A", 3, 2), ("B", 2, 0)]
    assert [(r.key, r.label, r.enrolled, r.completed) for r in board.by_course] == [
        ("c1", "Khóa một", 3, 1), ("c2", "Khóa hai", 2, 1)]
    assert board.by_agency[0].rate == pytest.approx(2 / 3)
    # distinct learners: an reached sign.use in two courses and counts once
    assert [(r.agency, r.learners, r.reached) for r in board.coverage] == [
        ("A", 2, (1, 1, 1)), ("B", 2, (0, 0, 0))]
    assert board.coverage[0].share(0) == pytest.approx(0.5)

    assert [(n.learner.username, n.course_id, n.kind) for n in board.not_started.items] == [
        ("chi", "c1", PendingKind.NOT_STARTED)]
    assert board.not_started.total == 1
    overdue = board.overdue.items
    assert [(o.learner.username, o.module_id) for o in overdue] == [("binh", "m1"), ("chi", "m1")]
    assert overdue[0].due == datetime(2026, 3, 10, 23, 0, tzinfo=VIETNAM_TZ)
    assert overdue[0].days_overdue == 10  # 10/03 to 20/03, Vietnam calendar days
    assert overdue[0].learner.full_name == "Binh" and overdue[0].module_title == "Module one"
    assert board.next_due == datetime(2026, 4, 1, tzinfo=UTC)


def test_a_period_counts_completions_in_it_and_keeps_every_enrolment() -> None:
    rows = [(record("an", "A", "c1", passed=True, completed_on=date(2026, 3, 5)), NO_SCHEDULE),
            (record("binh", "A", "c1", passed=True, completed_on=date(2026, 1, 5)), NO_SCHEDULE),
            (record("chi", "A", "c1"), NO_SCHEDULE)]
    board = summarise(rows, CATALOG, (), period=RecordFilter(since=date(2026, 3, 1),
                                                             until=date(2026, 3, 31)), now=NOW)
    assert (board.enrolments, board.completed) == (3, 1)
    assert board.by_agency[0].completed == 1
    # a completed course is nobody's worry, whatever the period
    assert [n.learner.username for n in board.not_started.items] == ["chi"]


def test_lists_are_capped_with_the_most_overdue_first_and_the_rest_counted() -> None:
    due = {f"m{i}": NOW - timedelta(days=i) for i in (1, 2)}
    catalog = {"c1": Course("c1", "C", "C", 70, (
        Module("m1", "M1", "m1.ipynb"), Module("m2", "M2", "m2.ipynb")))}
    schedule = CourseSchedule(due=due)
    rows = [(record(f"u{i}", "A", "c1"), schedule) for i in range(5)]
    board = summarise(rows, catalog, (), now=NOW, cap=3)
    assert board.overdue.total == 10 and board.overdue.more == 7
    assert [(o.learner.username, o.module_id, o.days_overdue) for o in board.overdue.items] == [
        ("u0", "m2", 2), ("u1", "m2", 2), ("u2", "m2", 2)]
    assert board.not_started.total == 5 and board.not_started.more == 2
    assert [n.learner.username for n in board.not_started.items] == ["u0", "u1", "u2"]
    assert board.next_due is None


def test_a_completed_course_is_not_overdue_and_a_submitted_module_is_not() -> None:
    schedule = CourseSchedule(due={"n1": NOW - timedelta(days=3)}, started=frozenset({"binh"}),
                              submitted={"n1": frozenset({"binh"})})
    rows = [(record("an", "A", "c2", passed=True, completed_on=date(2026, 3, 1)), schedule),
            (record("binh", "A", "c2"), schedule), (record("chi", "A", "c2"), schedule)]
    board = summarise(rows, CATALOG, (), now=NOW)
    assert [o.learner.username for o in board.overdue.items] == ["chi"]
    assert [n.learner.username for n in board.not_started.items] == ["chi"]


def test_competency_codes_in_the_frameworks_order_for_the_chosen_courses() -> None:
    order = ("edoc.handling", "sign.use", "security.devices")
    assert competency_codes(CATALOG, None, order) == order
    assert competency_codes(CATALOG, ["c2"], order) == ("sign.use", "security.devices")
    assert competency_codes(CATALOG, None, ()) == ("sign.use", "edoc.handling",
                                                    "security.devices")


# --- gradebooks ----------------------------------------------------------------------------

def _build_schedule_gradebook(url: str) -> None:
    with Gradebook(url, "c1") as gb:
        gb.add_assignment("m1", duedate=datetime(2026, 3, 10, 16, 0))  # naive UTC
        gb.add_assignment("m2")
        gb.add_assignment("other", duedate=datetime(2026, 3, 1))
        for module in ("m1", "m2", "other"):
            gb.add_notebook("nb", module)
        for student, module in (("an", "m1"), ("an", "m2"), ("binh", "m2"), ("chi", "other")):
            gb.update_or_create_student(student)
            with gb.db.no_autoflush:
                gb.add_submission(module, student, timestamp=datetime(2026, 3, 2))


@pytest.fixture(scope="module")
def sqlite_schedule(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('schedule') / 'gradebook.db'}"
    _build_schedule_gradebook(url)
    return url


@pytest.fixture(scope="module")
def postgres_schedule(postgres_server_url: str) -> str:
    _build_schedule_gradebook(postgres_server_url)
    return postgres_server_url


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_due_dates_and_submissions_are_read_from_the_gradebook(
        backend: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(f"{backend}_schedule")
    schedule = read_course_schedule(url, ["m1", "m2"])
    assert schedule.due == {"m1": datetime(2026, 3, 10, 16, 0, tzinfo=UTC)}
    assert schedule.started == {"an", "binh"}  # chi submitted another module only
    assert schedule.submitted == {"m1": frozenset({"an"})}  # the modules with a due date


def test_a_gradebook_not_made_yet_has_no_schedule_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none" / "gradebook.db"
    assert read_course_schedule(f"sqlite:///{path}", ["m1"]) == NO_SCHEDULE
    assert not path.exists()


def test_a_gradebook_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    from grading.gradebook import GradebookError

    bad = tmp_path / "gradebook.db"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(GradebookError, match="cannot read gradebook"):
        read_course_schedule(f"sqlite:///{bad}", ["m1"])


# --- an installation ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> DataLayout:
    return build_installation(tmp_path_factory.mktemp("site"))


@pytest.fixture
def fresh_site(site: DataLayout, tmp_path: Path) -> DataLayout:
    shutil.copytree(site.root, tmp_path / "site")
    return DataLayout.at(tmp_path / "site")


def test_the_site_dashboard_has_the_numbers_worked_out_by_hand(site: DataLayout) -> None:
    board = installation_dashboard(site, RecordFilter(), NOW)
    assert (board.enrolments, board.completed, board.learners) == (6, 2, 4)
    assert [(r.key, r.enrolled, r.completed) for r in board.by_agency] == [
        (NOI_VU, 3, 0), (TAI_CHINH, 3, 2)]
    assert [(r.key, r.enrolled, r.completed) for r in board.by_course] == [
        (CYBER, 3, 1), (DS, 3, 1)]  # catalog order: the catalog's files by name
    # the framework file's order
    assert board.competency_codes == ("edoc.handling", "sign.use", "security.devices",
                                      "security.phishing")
    assert [(r.agency, r.learners, r.reached) for r in board.coverage] == [
        (NOI_VU, 2, (0, 0, 0, 0)), (TAI_CHINH, 2, (1, 1, 2, 1))]
    # binh submitted (3/10), an's cs02 waits for a grade: both started
    assert sorted((n.learner.username, n.course_id) for n in board.not_started.items) == [
        ("chi", CYBER), ("chi", DS)]
    assert board.overdue.total == 0 and board.next_due is None


def test_filters_narrow_the_records_and_the_period_the_completions(site: DataLayout) -> None:
    board = installation_dashboard(site, RecordFilter(agency=TAI_CHINH.upper()), NOW)
    assert [(r.key, r.enrolled, r.completed) for r in board.by_agency] == [(TAI_CHINH, 3, 2)]
    board = installation_dashboard(site, RecordFilter(course_ids=(DS,)), NOW)
    assert [(r.key, r.enrolled) for r in board.by_course] == [(DS, 3)]
    assert board.competency_codes == ("edoc.handling", "sign.use")
    board = installation_dashboard(site, RecordFilter(since=date(2026, 3, 5)), NOW)
    assert (board.enrolments, board.completed) == (6, 1)  # dung's 06/03, not an's 02/03
    with pytest.raises(RecordsError, match="unknown course"):
        installation_dashboard(site, RecordFilter(course_ids=("nope",)), NOW)


def _set_due(layout: DataLayout, course: str, module: str, due: datetime) -> None:
    with Gradebook(f"sqlite:///{layout.gradebook_file(course)}", course) as gb:
        gb.update_or_create_assignment(module, duedate=due)


def test_due_dates_set_by_trainers_make_modules_overdue(fresh_site: DataLayout) -> None:
    _set_due(fresh_site, DS, DS_MODULE, datetime(2026, 3, 15, 10, 0))
    _set_due(fresh_site, CYBER, CYBER_MODULES[1], datetime(2026, 3, 18, 10, 0))
    _set_due(fresh_site, CYBER, CYBER_MODULES[0], datetime(2026, 3, 25, 10, 0))  # ahead
    board = installation_dashboard(fresh_site, RecordFilter(), NOW)
    # ds01: chi (an and binh submitted); cs02: chi (an waits for a grade, dung completed)
    assert [(o.learner.username, o.course_id, o.module_id, o.days_overdue)
            for o in board.overdue.items] == [
        ("chi", DS, DS_MODULE, 5), ("chi", CYBER, CYBER_MODULES[1], 2)]
    assert board.next_due == datetime(2026, 3, 25, 10, 0, tzinfo=UTC)


def test_source_stamps_change_with_what_the_dashboard_reads(fresh_site: DataLayout) -> None:
    before = source_stamps(fresh_site)
    assert before.complete
    assert str(fresh_site.gradebook_file(DS)) in {path for path, _m, _s in before.files}
    assert source_stamps(fresh_site) == before
    _set_due(fresh_site, DS, DS_MODULE, datetime(2026, 3, 15, 10, 0))
    after_gradebook = source_stamps(fresh_site)
    assert after_gradebook != before
    text = fresh_site.roster_file.read_text(encoding="utf-8")
    fresh_site.roster_file.write_text(text + " ", encoding="utf-8")
    assert source_stamps(fresh_site) != after_gradebook


def test_gradebooks_on_a_database_server_make_the_stamps_incomplete(
        fresh_site: DataLayout) -> None:
    settings = InstallSettings.load(fresh_site)
    settings.gradebook_db_url = "postgresql+psycopg://academy@127.0.0.1/gradebook_{course_id}"
    settings.save(fresh_site)
    assert not source_stamps(fresh_site).complete


def test_a_schedule_that_cannot_be_read_is_a_records_error(
        site: DataLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    import grading.records_dashboard
    from grading.gradebook import GradebookError

    def broken(url: str, _modules: object) -> CourseSchedule:
        raise GradebookError(f"cannot read gradebook {url}: disk I/O error")

    monkeypatch.setattr(grading.records_dashboard, "read_course_schedule", broken)
    with pytest.raises(RecordsError, match=f"course '{CYBER}': cannot read gradebook"):
        installation_dashboard(site, RecordFilter(), NOW)
