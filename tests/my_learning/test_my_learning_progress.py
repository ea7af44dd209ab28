"""Module statuses from nbgrader's real listings, through a whole nbgrader cycle."""

from __future__ import annotations

from pathlib import Path

import pytest
from ml_academy import (
    COURSE_ID,
    COURSE_TITLE,
    FRESH_ID,
    FRESH_TITLE,
    GRADED_ID,
    GRADED_TITLE,
    NOTEBOOK,
    UNRELEASED_ID,
    UNRELEASED_TITLE,
    Academy,
)

from course_kit.catalog import load_catalog
from grading.completion import Score
from grading.feedback import parse_feedback_score
from my_learning.nbgrader_client import LearningError, NbgraderClient
from my_learning.progress import (
    CourseProgress,
    ModuleProgress,
    Status,
    build_progress,
    parse_timestamp,
)

# nbgrader's ExchangeList hashes feedback files with `open(path, 'rb').read()` and never
# closes them (nbgrader/exchange/default/list.py, `_checksum`): the ResourceWarning is
# raised in that module when the file object is collected.
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning:nbgrader.exchange.default.list")


def course_of(academy: Academy, released: list, submitted: list) -> CourseProgress:
    (course,) = build_progress(released, submitted, load_catalog(academy.catalog), academy.home)
    return course


def page(academy: Academy, client: NbgraderClient) -> CourseProgress:
    """What the page computes: the snapshot (which fetches released feedback) → statuses."""
    snapshot = client.snapshot()
    assert snapshot.enrolled is None  # NoAuthPlugin: every released course is visible
    return course_of(academy, snapshot.released, snapshot.submitted)


def module(course: CourseProgress, module_id: str) -> ModuleProgress:
    found = course.module(module_id)
    assert found is not None
    return found


def test_statuses_follow_the_nbgrader_cycle(
    academy: Academy, monkeypatch: pytest.MonkeyPatch
) -> None:
    academy.apply_env(monkeypatch)
    client = NbgraderClient(str(academy.home))

    # Before feedback is fetched: the graded module is still "submitted".
    raw = course_of(academy, client.list_released(), client.list_submitted())
    assert (raw.course_id, raw.title) == (COURSE_ID, COURSE_TITLE)
    assert [(m.assignment_id, m.title, m.status) for m in raw.modules] == [
        (GRADED_ID, GRADED_TITLE, Status.SUBMITTED),
        (FRESH_ID, FRESH_TITLE, Status.NOT_STARTED),
        (UNRELEASED_ID, UNRELEASED_TITLE, Status.NOT_OPEN),
    ]

    # The page fetches the released feedback (nbgrader fetch_feedback) and reads the score.
    graded = module(page(academy, client), GRADED_ID)
    assert graded.status is Status.GRADED
    assert graded.score == Score(7, 10)
    assert str(graded.score) == "7 / 10"
    assert graded.passed is True  # 70 % meets the catalog's pass mark of 70
    assert graded.feedback_notebooks == ("lesson",)
    assert graded.feedback_dir is not None
    feedback_file = Path(graded.feedback_dir) / "lesson.html"
    assert parse_feedback_score(feedback_file.read_text(encoding="utf-8")) == Score(7, 10)

    # The fresh module: not started → in progress → submitted.
    fresh = module(page(academy, client), FRESH_ID)
    assert fresh.status is Status.NOT_STARTED
    assert fresh.can_start and not fresh.can_open and not fresh.can_submit

    client.fetch_assignment(COURSE_ID, FRESH_ID)
    assert academy.notebook(FRESH_ID).is_file()
    fresh = module(page(academy, client), FRESH_ID)
    assert fresh.status is Status.IN_PROGRESS
    assert fresh.open_path == f"{COURSE_ID}/{FRESH_ID}/{NOTEBOOK}"
    assert fresh.can_submit and not fresh.can_start
    client.fetch_assignment(COURSE_ID, FRESH_ID)  # starting again keeps the learner's copy

    academy.answer(FRESH_ID)
    timestamp = client.submit(COURSE_ID, FRESH_ID)
    fresh = module(page(academy, client), FRESH_ID)
    assert fresh.status is Status.SUBMITTED
    assert fresh.last_submitted == parse_timestamp(timestamp)
    assert fresh.score is None and not fresh.has_feedback

    # Submitting the graded module again: waiting for grading, earlier result kept.
    client.submit(COURSE_ID, GRADED_ID)
    resubmitted = module(page(academy, client), GRADED_ID)
    assert resubmitted.status is Status.SUBMITTED
    assert resubmitted.score == Score(7, 10)
    assert resubmitted.last_submitted is not None and graded.last_submitted is not None
    assert resubmitted.last_submitted > graded.last_submitted


def test_refusals_are_learning_errors(academy: Academy, monkeypatch: pytest.MonkeyPatch) -> None:
    academy.apply_env(monkeypatch)
    client = NbgraderClient(str(academy.home))
    with pytest.raises(LearningError) as unknown:
        client.fetch_assignment(COURSE_ID, "no-such-module")
    assert unknown.value.status == 404
    with pytest.raises(LearningError) as not_started:
        client.submit(COURSE_ID, FRESH_ID)
    assert not_started.value.status == 409
    assert "Start" in not_started.value.message


def test_courses_missing_from_the_catalog_show_their_ids(tmp_path: Path) -> None:
    released = [
        {
            "course_id": "network-security",
            "assignment_id": "ns01",
            "status": "released",
            "path": str(tmp_path / "exchange/network-security/outbound/ns01"),
            "notebooks": [{"notebook_id": "intro", "path": str(tmp_path / "x/intro.ipynb")}],
        }
    ]
    (course,) = build_progress(released, [], {}, tmp_path, enrolled=["e-office"])[1:]
    assert (course.title, course.title_vi) == ("network-security", "")
    assert course.modules[0].title == "ns01"
    assert course.modules[0].notebook == "intro.ipynb"
    courses = build_progress(released, [], {}, tmp_path, enrolled=["e-office"])
    assert [c.course_id for c in courses] == ["e-office", "network-security"]
    assert courses[0].modules == ()


def submitted_with_feedback(feedback: Path) -> list[dict]:
    """nbgrader's cached listing: one submission of ns01, its feedback fetched to ``feedback``."""
    return [{
        "course_id": "network-security", "assignment_id": "ns01", "status": "submitted",
        "submissions": [{
            "timestamp": "2026-11-23 10:00:00.000000 UTC", "has_local_feedback": True,
            "local_feedback_path": str(feedback),
        }],
    }]


def test_a_submission_that_could_not_be_graded_says_so(tmp_path: Path) -> None:
    from grading.feedback import not_graded_page
    from my_learning.progress import Status

    feedback = tmp_path / "ns01" / "feedback" / "2026-11-23 10:00:00.000000 UTC"
    feedback.mkdir(parents=True)
    (feedback / "intro.html").write_text(not_graded_page("intro", "cell c2 ran too long"))
    submitted = submitted_with_feedback(feedback)
    (course,) = build_progress([], submitted, {}, tmp_path)
    (module,) = course.modules
    assert module.status is Status.NOT_GRADED
    assert module.score is None and module.feedback_notebooks == ("intro",)


def test_a_module_waiting_for_a_manual_grade_is_not_done_yet(tmp_path: Path) -> None:
    """Its feedback (released after autograding) says a trainer still grades by hand: the
    module is "submitted", its provisional score not counted, like the records; the
    feedback stays readable."""
    from nbconvert.filters.markdown import markdown2html

    from grading.feedback import FeedbackReport, render_cells
    from my_learning.progress import Status

    feedback = tmp_path / "ns01" / "feedback" / "2026-11-23 10:00:00.000000 UTC"
    feedback.mkdir(parents=True)
    cells = render_cells(FeedbackReport(awaiting_manual_grade=True))
    (feedback / "intro.html").write_text(
        '<div class="panel-heading"><h4>intro (Score: 6.0 / 10.0)</h4></div>'
        + "\n".join(markdown2html(c.source) for c in cells), encoding="utf-8")
    submitted = submitted_with_feedback(feedback)
    (course,) = build_progress([], submitted, {}, tmp_path)
    (module,) = course.modules
    assert module.status is Status.SUBMITTED
    assert module.score is None and module.feedback_notebooks == ("intro",)
    # the same feedback without the notice: graded, 6 / 10
    (feedback / "intro.html").write_text(
        '<div class="panel-heading"><h4>intro (Score: 6.0 / 10.0)</h4></div>'
        + "\n".join(markdown2html(c.source) for c in render_cells(FeedbackReport())),
        encoding="utf-8")
    (course,) = build_progress([], submitted, {}, tmp_path)
    assert course.modules[0].status is Status.GRADED
    assert course.modules[0].score == Score(6, 10)
