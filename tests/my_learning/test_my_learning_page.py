"""The page's templates rendered in-process, in both languages: every text looked up is in
the catalogue, names and titles are escaped inside translated sentences, numbers follow the
language; the greeting's name and the language switch's redirect rule."""

from __future__ import annotations

import dataclasses
import gettext
import re
from datetime import datetime
from typing import Any

import pytest
from babel.messages.pofile import read_po
from markupsafe import Markup

from common.i18n import Language
from grading.completion import Score
from my_learning.handlers import (
    FULL_NAME_ENV,
    format_percent,
    format_score,
    learner_name,
    make_jinja_env,
)
from my_learning.i18n import TRANSLATIONS_DIR, safe_local_path, translations
from my_learning.next_step import NextStepKind, next_step
from my_learning.progress import CourseProgress, ModuleProgress, Status

PO = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po"
SUBMITTED_AT = datetime(2026, 11, 23, 7, 5)  # naive UTC: 14:05 in Vietnam


def module(assignment_id: str, status: Status, score: Score | None = None,
           title: str | None = None) -> ModuleProgress:
    started = status not in (Status.NOT_OPEN, Status.NOT_STARTED)
    return ModuleProgress(
        course_id="digital-signatures",
        assignment_id=assignment_id,
        title=title or f"Module {assignment_id}",
        status=status,
        notebook="lesson.ipynb",
        open_path=f"digital-signatures/{assignment_id}/lesson.ipynb" if started else None,
        last_submitted=SUBMITTED_AT if status in (
            Status.SUBMITTED, Status.GRADED, Status.NOT_GRADED) else None,
        score=score,
        feedback_notebooks=("lesson",) if status in (Status.GRADED, Status.NOT_GRADED) else (),
        passed=None if score is None else score.points * 10 >= 7 * score.max_points,
    )


def course(*modules: ModuleProgress, pass_percent: float | None = 70,
           grade_on_submit: bool = False) -> CourseProgress:
    return CourseProgress(
        course_id="digital-signatures",
        title="Digital signatures in public service",
        title_vi="Chữ ký số trong hoạt động công vụ",
        modules=modules,
        grade_on_submit=grade_on_submit,
        pass_percent=pass_percent,
    )


def graded(assignment_id: str, points: float) -> ModuleProgress:
    return module(assignment_id, Status.GRADED, Score(points, 10))


#: one course per next step, and every status and score line between them
COURSES = [
    course(),
    course(module("d1", Status.NOT_STARTED), module("d2", Status.NOT_OPEN)),
    course(module("d1", Status.IN_PROGRESS), module("d2", Status.NOT_STARTED)),
    course(module("d1", Status.NOT_GRADED)),
    course(graded("d1", 9), module("d2", Status.SUBMITTED, Score(2, 10)), grade_on_submit=True),
    course(graded("d1", 9), module("d2", Status.SUBMITTED)),
    course(graded("d1", 3), graded("d2", 5)),
    course(graded("d1", 3), graded("d2", 5), pass_percent=None),
    course(graded("d1", 9), module("d2", Status.NOT_OPEN)),
    course(graded("d1", 9), module("d2", Status.GRADED)),
    course(graded("d1", 9), graded("d2", 8)),
    course(module("d1", Status.GRADED, Score(0, 0))),
    # graded automatically, a trainer still grades by hand, in a grade-on-submit course
    course(graded("d1", 9), dataclasses.replace(
        module("d2", Status.SUBMITTED), awaiting_manual_grade=True,
        feedback_notebooks=("lesson",)), grade_on_submit=True),
]


def context(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "user_name": "Nguyễn Thị Thu Hà",
        "language_urls": {lang: f"/learning/language/{lang.value}" for lang in Language},
        "xsrf_form_html": Markup('<input type="hidden" name="_xsrf" value="x">'),
        "learning_url": "/learning",
        "fetch_url": "/learning/fetch",
        "submit_url": "/learning/submit",
        "logout_url": "/logout",
        "eoffice_url": "/services/eoffice/",
        "certificates_url": "/services/dashboards/certificates/",
        "voila_url": lambda m: f"/voila/render/{m.open_path}",
        "feedback_url": lambda m, n: f"/learning/feedback/{m.course_id}/{m.assignment_id}/{n}",
        "courses": COURSES,
        "submitted_module": COURSES[4].modules[1],
        "errors": [],
    }
    values.update(overrides)
    return values


def render(language: Language, template: str = "learning.html", **overrides: Any) -> str:
    return make_jinja_env(language).get_template(template).render(**context(**overrides))


class Recording(gettext.NullTranslations):
    """Answers like the Vietnamese catalogue and remembers every msgid asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()
        self.real = translations(Language.VIETNAMESE)

    def gettext(self, message: str) -> str:
        self.asked.add(message)
        return self.real.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self.asked.add(singular)
        return self.real.ngettext(singular, plural, n)


def test_the_courses_cover_every_next_step() -> None:
    assert {next_step(c).kind for c in COURSES} == set(NextStepKind)


def test_every_text_the_page_asks_for_is_in_the_catalogue() -> None:
    """The msgids the templates look up at run time are the ones Babel extracted (the
    environment's options and babel.cfg's agree), and all are translated."""
    with PO.open("rb") as handle:
        catalogue = {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(handle)}
    recording = Recording()
    env = make_jinja_env(Language.VIETNAMESE)
    env.install_gettext_translations(recording, newstyle=True)  # type: ignore[attr-defined]
    env.get_template("learning.html").render(**context())
    env.get_template("message.html").render(**context(message="x"))
    assert len(recording.asked) > 40
    missing = sorted(m for m in recording.asked if m not in catalogue or not catalogue[m].string)
    assert missing == []


def test_the_vietnamese_page_has_no_english_left() -> None:
    page = render(Language.VIETNAMESE)
    visible = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S)
    assert '<html lang="vi">' in page
    for msgid in ("My learning", "What to do next", "Start", "Submit", "Graded", "Score",
                  "Pass mark", "module", "feedback", "certificate", "Log out"):
        assert msgid not in visible, msgid
    for text in ("Việc cần làm tiếp theo", "Đã hoàn thành 1/2 học phần", "Mức điểm đạt: 70%.",
                 "Chưa đạt yêu cầu", "Đã hoàn thành khóa học", "Giấy chứng nhận của tôi"):
        assert text in page, text


def test_names_and_titles_are_escaped_inside_translated_sentences() -> None:
    evil = '<img src=x onerror="alert(1)">'
    for language in Language:
        page = render(
            language,
            user_name=f"Hà {evil}",
            courses=[course(module("d1", Status.IN_PROGRESS, title=f"Ký số {evil}"))],
            submitted_module=module("d1", Status.SUBMITTED, title=f"Ký số {evil}"),
        )
        assert "<img" not in page
        assert "Hà &lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page


def test_progress_bar_and_score_in_the_page_language() -> None:
    half = course(module("d1", Status.GRADED, Score(7.5, 10)), module("d2", Status.NOT_STARTED))
    vi = render(Language.VIETNAMESE, courses=[half], submitted_module=None)
    assert '<progress max="2" value="1" aria-labelledby="course-1-done">1 / 2</progress>' in vi
    assert "Điểm các học phần đã chấm: <strong>7,5 / 10</strong> (75%)." in vi
    en = render(Language.ENGLISH, courses=[half], submitted_module=None)
    assert "1 of 2 modules done" in en
    assert "Score of the graded modules: <strong>7.5 / 10</strong> (75%)." in en
    assert format_score(Score(1234.5, 2000), Language.VIETNAMESE) == "1.234,5 / 2.000"
    # a share just under the pass mark never shows as the pass mark
    assert format_percent(69.96, Language.VIETNAMESE) == "69,9"
    assert format_percent(70.0, Language.ENGLISH) == "70"


def test_the_completed_course_links_to_the_certificates() -> None:
    page = render(Language.ENGLISH, courses=[COURSES[10]], submitted_module=None)
    step = page[page.index('data-next-step="completed"'):]
    step = step[:step.index("</div>")]
    assert "Course completed: download your certificate." in step
    assert 'href="/services/dashboards/certificates/"' in step
    assert "Course score: <strong>17 / 20</strong> (85%)." in page


def test_the_language_switch_shows_each_language_in_its_own_words() -> None:
    vi = render(Language.VIETNAMESE)
    assert '<strong lang="vi" aria-current="true">Tiếng Việt</strong>' in vi
    assert '<a lang="en" hreflang="en" href="/learning/language/en">English</a>' in vi
    en = render(Language.ENGLISH)
    assert '<a lang="vi" hreflang="vi" href="/learning/language/vi">Tiếng Việt</a>' in en
    assert '<strong lang="en" aria-current="true">English</strong>' in en


def test_the_error_page_in_both_languages() -> None:
    assert "Quay lại Học tập của tôi" in render(Language.VIETNAMESE, "message.html", message="m")
    assert "Back to My learning" in render(Language.ENGLISH, "message.html", message="m")


# --- the greeting's name ------------------------------------------------------------------


def test_the_learner_is_greeted_by_the_full_name_from_the_spawner() -> None:
    env = {FULL_NAME_ENV: "Nguyễn  Thị Thu Hà\n", "JUPYTERHUB_USER": "ha.ntt"}
    assert learner_name("ha.ntt", env) == "Nguyễn Thị Thu Hà"
    # somebody else looking (an admin): their own username, not the owner's name
    assert learner_name("admin1", env) == "admin1"
    # no full name passed (a person missing from the roster): the username
    assert learner_name("ha.ntt", {"JUPYTERHUB_USER": "ha.ntt"}) == "ha.ntt"
    assert learner_name("ha.ntt", {FULL_NAME_ENV: "  ", "JUPYTERHUB_USER": "ha.ntt"}) == "ha.ntt"


# --- the switch's redirect: a path of this site only --------------------------------------


@pytest.mark.parametrize("target", [
    "/user/ha.ntt/learning", "/user/ha.ntt/learning?done=submitted&course=ds",
    "/services/eoffice/", "/learning#top",
])
def test_paths_of_the_site_are_safe(target: str) -> None:
    assert safe_local_path(target)


@pytest.mark.parametrize("target", [
    None, "", "learning", "https://evil.example/", "//evil.example", "///evil.example",
    "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example",
    "/\u00a0/evil.example", "/\u200b/evil.example", "javascript:alert(1)",
    "http:/evil.example", " /learning",
])
def test_anything_else_is_not(target: str | None) -> None:
    assert not safe_local_path(target)


def test_a_module_waiting_for_a_manual_grade_says_so_and_the_page_does_not_refresh() -> None:
    awaiting = COURSES[-1]
    page = render(Language.VIETNAMESE, courses=[awaiting], submitted_module=None)
    assert "giảng viên còn phải chấm tay một số câu trả lời" in page
    assert "Chờ giảng viên chấm xong “Module d2”" in page
    assert "trong vòng một phút" not in page  # not "graded automatically within a minute"
    assert 'http-equiv="refresh"' not in page and not awaiting.grading_now
    assert "/learning/feedback/digital-signatures/d2/lesson" in page
    english = render(Language.ENGLISH, courses=[awaiting], submitted_module=None)
    assert "some answers are graded by hand" in english
