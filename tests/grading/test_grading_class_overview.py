"""The trainer's class overview (``grading.class_overview``): a cell's status from the
gradebook and the exchange, a learner's filter statuses, the rows of a course in roster and
catalog order with the one completion rule's result, the trainer's courses, the override
history; and the whole overview read from a real installation (real nbgrader gradebooks)."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from course_kit.catalog import Course, Module, load_catalog
from grading.class_overview import (
    CellStatus,
    LearnerStatus,
    build_class_overview,
    course_learners,
    learner_statuses,
    load_class_overview,
    module_cell,
    override_history,
    taught_courses,
)
from grading.completion import CompletionOverride
from grading.completion_overrides import OverrideError, append_override, new_override
from grading.gradebook_totals import CourseTotals, ModuleResult
from grading.records import completion_records
from people.roster import Person, load_roster
from tests.dashboards.site_for_dashboards import (
    CYBER,
    CYBER_MODULES,
    DS,
    DS_MODULE,
    build_installation,
)

M1, M2 = "m1-intro", "m2-practice"
COURSE = Course("course-a", "Course A", "Khóa học A", 50,
                (Module(M1, "Intro", "m1.ipynb"), Module(M2, "Practice", "m2.ipynb")))
SUBMITTED = datetime(2026, 3, 2, 2, 0)  # naive UTC, as nbgrader's
LEARNERS = [
    Person("lan", "Hoàng Thị Lan", "learner", "CB-1", "Sở Y tế", courses=("course-a",)),
    Person("minh", "Đặng Văn Minh", "learner", "CB-2", "Ủy ban nhân dân huyện Ba Vì",
           courses=("course-a",)),
    Person("nga", "Bùi Thị Nga", "learner", "CB-3", "Sở Y tế", courses=("course-a",)),
    Person("oanh", "Vũ Thị Oanh", "learner", "CB-4", "Sở Y tế", courses=("course-b",)),
]
TOTALS = CourseTotals(
    {M1: 10.0, M2: 10.0},
    {"lan": {M1: ModuleResult(9, True, SUBMITTED), M2: ModuleResult(8, True, SUBMITTED)},
     "minh": {M1: ModuleResult(4, True, SUBMITTED), M2: ModuleResult(2, False, SUBMITTED)}})


def _overview(overrides: dict[tuple[str, str], CompletionOverride] | None = None,
              waiting: dict[str, dict[str, datetime]] | None = None):  # type: ignore[no-untyped-def]
    learners = course_learners(LEARNERS, COURSE.id)
    records = completion_records(learners, {COURSE.id: COURSE}, {COURSE.id: "unused"},
                                 overrides=overrides or {},
                                 read_totals=lambda _url, _modules: TOTALS)
    return build_class_overview(COURSE, learners, TOTALS, records, overrides, waiting)


# --- one cell ------------------------------------------------------------------------------


def test_a_cell_says_what_the_gradebook_and_the_exchange_say() -> None:
    graded = module_cell(M1, ModuleResult(7.5, True, SUBMITTED), 10)
    assert (graded.status, graded.score, graded.max_score) == (CellStatus.GRADED, 7.5, 10)
    manual = module_cell(M1, ModuleResult(3, False, SUBMITTED), 10)
    assert manual.status is CellStatus.WAITING_FOR_MANUAL_GRADING
    nothing = module_cell(M1, None, 10)
    assert (nothing.status, nothing.score) == (CellStatus.NOT_SUBMITTED, None)
    waiting = module_cell(M1, None, None, waiting_since=SUBMITTED)
    assert (waiting.status, waiting.submitted_at) == (CellStatus.WAITING_FOR_GRADING, SUBMITTED)


def test_a_new_submission_after_a_grade_waits_and_an_already_graded_one_does_not() -> None:
    result = ModuleResult(6, True, SUBMITTED)
    again = module_cell(M1, result, 10, waiting_since=SUBMITTED + timedelta(hours=1))
    assert (again.status, again.score) == (CellStatus.WAITING_FOR_GRADING, 6)
    # graded already, its feedback not written yet: the gradebook has it, it is graded
    same = module_cell(M1, result, 10, waiting_since=SUBMITTED)
    assert same.status is CellStatus.GRADED
    # the exchange's time aware, the gradebook's naive UTC: compared as UTC
    aware = module_cell(M1, result, 10, waiting_since=SUBMITTED.replace(tzinfo=UTC))
    assert aware.status is CellStatus.GRADED


# --- rows ------------------------------------------------------------------------------------


def test_rows_are_the_course_learners_in_roster_order_with_cells_in_catalog_order() -> None:
    overview = _overview()
    assert [r.username for r in overview.rows] == ["lan", "minh", "nga"]  # oanh: another course
    lan, minh, nga = overview.rows
    assert [c.module_id for c in lan.cells] == [M1, M2]
    assert [c.status for c in lan.cells] == [CellStatus.GRADED, CellStatus.GRADED]
    assert [c.status for c in minh.cells] == [CellStatus.GRADED,
                                              CellStatus.WAITING_FOR_MANUAL_GRADING]
    assert [c.status for c in nga.cells] == [CellStatus.NOT_SUBMITTED] * 2
    assert (lan.employee_id, lan.full_name, lan.agency) == ("CB-1", "Hoàng Thị Lan", "Sở Y tế")
    # the course's result is the one rule's: 17/20 = 85 % >= 50 %, every module graded
    assert (lan.record.modules_completed, lan.record.score, lan.record.percent,
            lan.record.passed) == (2, 17, 85, True)
    assert (minh.record.modules_completed, minh.record.passed) == (1, False)
    assert overview.title == "Khóa học A"


def test_each_learner_has_the_statuses_a_trainer_filters_by() -> None:
    lan, minh, nga = _overview().rows
    assert lan.statuses == {LearnerStatus.COMPLETED}
    assert minh.statuses == {LearnerStatus.NOT_COMPLETED, LearnerStatus.WAITING_FOR_GRADING,
                             LearnerStatus.WAITING_FOR_MANUAL_GRADING}
    assert nga.statuses == {LearnerStatus.NOT_COMPLETED, LearnerStatus.NOT_STARTED}


def test_a_submission_in_the_exchange_is_waiting_and_the_learner_has_started() -> None:
    _, _, nga = _overview(waiting={M2: {"nga": SUBMITTED}}).rows
    assert [c.status for c in nga.cells] == [CellStatus.NOT_SUBMITTED,
                                             CellStatus.WAITING_FOR_GRADING]
    assert nga.statuses == {LearnerStatus.NOT_COMPLETED, LearnerStatus.WAITING_FOR_GRADING}


def test_an_override_wins_and_is_marked() -> None:
    override = CompletionOverride("nga", COURSE.id, True, "Học bù trực tiếp", "giang",
                                  datetime(2026, 3, 5, 9, tzinfo=UTC))
    _, _, nga = _overview(overrides={("nga", COURSE.id): override}).rows
    assert nga.record.passed and nga.record.overridden and nga.override == override
    assert nga.statuses == {LearnerStatus.COMPLETED, LearnerStatus.OVERRIDDEN,
                            LearnerStatus.NOT_STARTED}
    assert learner_statuses(nga.cells, nga.record) == nga.statuses


def test_filters_by_agency_and_status_and_the_agencies_offered() -> None:
    overview = _overview()
    assert overview.agencies == ("Sở Y tế", "Ủy ban nhân dân huyện Ba Vì")  # folded order
    names = lambda rows: [r.username for r in rows]  # noqa: E731
    assert names(overview.filtered()) == ["lan", "minh", "nga"]
    assert names(overview.filtered(agency="Sở Y tế")) == ["lan", "nga"]
    assert names(overview.filtered(status=LearnerStatus.NOT_STARTED)) == ["nga"]
    assert names(overview.filtered(status=LearnerStatus.NOT_COMPLETED)) == ["minh", "nga"]
    assert names(overview.filtered("Sở Y tế", LearnerStatus.NOT_COMPLETED)) == ["nga"]
    assert names(overview.filtered(status=LearnerStatus.OVERRIDDEN)) == []
    assert overview.modules_waiting_for_manual_grading() == (M2,)


def test_the_courses_a_trainer_teaches_in_catalog_order() -> None:
    catalog = {"course-b": COURSE, "course-a": COURSE, "course-c": COURSE}
    roster = [Person("thu", "Lý Thu", "trainer", courses=("course-a", "course-b")),
              Person("an", "An", "learner", courses=("course-a",)),
              Person("ha", "Hà", "admin", courses=("course-a",))]
    assert [c for c in taught_courses(roster, catalog, "thu")] == [COURSE, COURSE]
    assert taught_courses(roster, catalog, "an") == []  # a learner teaches nothing
    assert taught_courses(roster, catalog, "ha") == []  # nor does an admin
    assert taught_courses(roster, catalog, "nobody") == []


def test_the_override_history_is_every_override_of_the_courses_newest_first(
        tmp_path: Path) -> None:
    path = tmp_path / "overrides.jsonl"
    assert override_history(path, [DS]) == []
    for user, course, completed in (("an", DS, True), ("an", CYBER, True), ("an", DS, False)):
        append_override(path, new_override(user, course, completed, f"lý do {completed}",
                                           "giang"))
    history = override_history(path, [DS])
    assert [(o.username, o.completed) for o in history] == [("an", False), ("an", True)]
    assert history[0].reason == "lý do False" and history[0].by == "giang"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"username": "an"}) + "\n")
    with pytest.raises(OverrideError, match="line 4"):
        override_history(path, [DS])


# --- from an installation ----------------------------------------------------------------


def test_the_overview_of_a_real_installation(tmp_path: Path) -> None:
    """site_for_dashboards: real nbgrader gradebooks, and one submission of chi's waiting in
    nbgrader's exchange (not collected, no feedback yet)."""
    layout = build_installation(tmp_path / "academy")
    inbound = layout.exchange_dir / DS / "inbound"
    (inbound / f"chi+{DS_MODULE}+2026-03-10 02:00:00.000000 UTC+f00d").mkdir(parents=True)
    roster = load_roster(layout.roster_file)
    catalog = load_catalog(layout.catalog_dir)
    [ds] = taught_courses(roster, catalog, "giang")
    overview = load_class_overview(layout, ds, roster)
    cells = {r.username: [(c.status, c.score) for c in r.cells] for r in overview.rows}
    assert cells == {"an": [(CellStatus.GRADED, 9)], "binh": [(CellStatus.GRADED, 3)],
                     "chi": [(CellStatus.WAITING_FOR_GRADING, None)]}
    assert {r.username: r.record.passed for r in overview.rows} == {
        "an": True, "binh": False, "chi": False}

    [cyber] = taught_courses(roster, catalog, "khoa")
    overview = load_class_overview(layout, cyber, roster)
    _check_cyber(overview)


def test_the_overview_where_the_exchange_cannot_be_listed_is_as_the_grading_service_published(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboards' own account may not list nbgrader's inbound (isolated mode): what
    waits comes from the grading service's index (``publish_waiting``), not from a listing.
    Root lists everything, so the refusal is played back here; the real one is the
    isolated journey's class overview (tests/e2e/journey.py)."""
    import grading.on_submit as on_submit
    from grading.nbgrader_runner import CourseWorkspace

    layout = build_installation(tmp_path / "academy")
    inbound = layout.exchange_dir / DS / "inbound"
    (inbound / f"chi+{DS_MODULE}+2026-03-10 02:00:00.000000 UTC+f00d").mkdir(parents=True)
    roster = load_roster(layout.roster_file)
    [ds] = taught_courses(roster, load_catalog(layout.catalog_dir), "giang")
    real_scandir = os.scandir

    def refused(path):  # type: ignore[no-untyped-def]
        if str(path).startswith(str(layout.exchange_dir)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(on_submit.os, "scandir", refused)
    chi = [r for r in load_class_overview(layout, ds, roster).rows if r.username == "chi"][0]
    assert chi.cells[0].status is CellStatus.NOT_SUBMITTED  # nothing published yet
    monkeypatch.setattr(on_submit.os, "scandir", real_scandir)
    on_submit.publish_waiting(layout, [CourseWorkspace(DS, layout.course_dir(DS),
                                                       exchange_dir=layout.exchange_dir)])
    assert stat.S_IMODE(on_submit.waiting_index_file(layout).stat().st_mode) == 0o640
    monkeypatch.setattr(on_submit.os, "scandir", refused)
    chi = [r for r in load_class_overview(layout, ds, roster).rows if r.username == "chi"][0]
    assert (chi.cells[0].status, chi.cells[0].score) == (CellStatus.WAITING_FOR_GRADING, None)


def _check_cyber(overview) -> None:  # type: ignore[no-untyped-def]
    an = overview.rows[0]
    assert [c.status for c in an.cells] == [CellStatus.GRADED,
                                            CellStatus.WAITING_FOR_MANUAL_GRADING]
    assert overview.modules_waiting_for_manual_grading() == (CYBER_MODULES[1],)
    assert [r.username for r in overview.filtered(status=LearnerStatus.COMPLETED)] == ["dung"]
