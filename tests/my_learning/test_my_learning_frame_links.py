"""My learning with a module in two languages: the link opens the learner's language
version (the English notebook when the learner reads English and it is in their folder,
else the Vietnamese, graded one), titles follow the language, the estimated time is shown,
and the feedback link is the graded notebook's only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup
from test_my_learning_frame_lib import (
    CATALOG_TOML,
    COURSE_ID,
    MODULE_ID,
    MODULE_TITLE,
    MODULE_TITLE_VI,
    NOTEBOOK,
    NOTEBOOK_EN,
)

from common.i18n import Language
from course_kit.catalog import Course, load_course
from grading.completion import Score
from my_learning.handlers import make_jinja_env, module_voila_url
from my_learning.progress import CourseProgress, ModuleProgress, Status, build_progress

TIMESTAMP = "2026-11-24 07:05:12.000000 UTC"


@pytest.fixture
def catalog(tmp_path: Path) -> dict[str, Course]:
    path = tmp_path / "catalog" / f"{COURSE_ID}.toml"
    path.parent.mkdir()
    path.write_text(CATALOG_TOML, encoding="utf-8")
    return {COURSE_ID: load_course(path)}


def fetched(home: Path, *notebooks: str) -> dict[str, Any]:
    """nbgrader's released listing of the module, fetched into the learner's folder (the
    files are there too)."""
    folder = home / COURSE_ID / MODULE_ID
    folder.mkdir(parents=True, exist_ok=True)
    for name in notebooks:
        (folder / name).write_text("{}", encoding="utf-8")
    return {
        "course_id": COURSE_ID, "assignment_id": MODULE_ID, "status": "fetched",
        "path": str(folder),
        "notebooks": [{"notebook_id": Path(n).stem, "path": str(folder / n)} for n in notebooks],
    }


def graded_submission(home: Path) -> dict[str, Any]:
    """The learner's submission cache with feedback fetched: nbgrader generated one page per
    notebook of the submission, the English one with nothing graded."""
    feedback = home / COURSE_ID / MODULE_ID / "feedback" / TIMESTAMP
    feedback.mkdir(parents=True)
    for notebook_id, score in (("lesson", "3.0 / 4.0"), ("lesson.en", "0.0 / 0.0")):
        (feedback / f"{notebook_id}.html").write_text(
            f'<div class="panel-heading"><h4>{notebook_id} (Score: {score})</h4></div>',
            encoding="utf-8",
        )
    return {
        "course_id": COURSE_ID, "assignment_id": MODULE_ID,
        "submissions": [{"timestamp": TIMESTAMP, "has_local_feedback": True,
                         "local_feedback_path": str(feedback)}],
    }


def the_module(released: list[dict[str, Any]], submitted: list[dict[str, Any]],
               catalog: dict[str, Course], home: Path) -> tuple[CourseProgress, ModuleProgress]:
    (course,) = build_progress(released, submitted, catalog, home)
    module = course.module(MODULE_ID)
    assert module is not None
    return course, module


def test_the_link_opens_the_version_in_the_learners_language(
    tmp_path: Path, catalog: dict[str, Course]
) -> None:
    home = tmp_path / "home"
    _, module = the_module([fetched(home, NOTEBOOK, NOTEBOOK_EN)], [], catalog, home)
    assert module.status is Status.IN_PROGRESS
    base = f"/user/hoa/voila/render/{COURSE_ID}/{MODULE_ID}/"
    assert module_voila_url("/user/hoa/", module, Language.VIETNAMESE) == (
        f"{base}{NOTEBOOK}?lang=vi")
    assert module_voila_url("/user/hoa/", module, Language.ENGLISH) == (
        f"{base}{NOTEBOOK_EN}?lang=en")


def test_without_the_english_notebook_in_the_folder_english_opens_the_graded_one(
    tmp_path: Path, catalog: dict[str, Course]
) -> None:
    home = tmp_path / "home"
    # fetched before the trainer added the English version: only the Vietnamese one
    _, module = the_module([fetched(home, NOTEBOOK)], [], catalog, home)
    assert module.open_path_en is None
    assert module_voila_url("/", module, Language.ENGLISH) == (
        f"/voila/render/{COURSE_ID}/{MODULE_ID}/{NOTEBOOK}?lang=en")
    # not started yet: no link in any language
    (course,) = build_progress([{**fetched(home, NOTEBOOK, NOTEBOOK_EN), "status": "released"}],
                               [], catalog, home)
    assert course.modules[0].status is Status.NOT_STARTED
    assert module_voila_url("/", course.modules[0], Language.ENGLISH) is None


def test_the_feedback_is_the_graded_notebooks_only(
    tmp_path: Path, catalog: dict[str, Course]
) -> None:
    home = tmp_path / "home"
    _, module = the_module([fetched(home, NOTEBOOK, NOTEBOOK_EN)], [graded_submission(home)],
                           catalog, home)
    assert module.status is Status.GRADED
    assert module.feedback_notebooks == ("lesson",)
    assert module.score == Score(3, 4)


def render(language: Language, course: CourseProgress) -> str:
    env = make_jinja_env(language)
    return env.get_template("learning.html").render(
        user_name="Nguyễn Thị Thu Hà",
        language_urls={lang: f"/learning/language/{lang.value}" for lang in Language},
        xsrf_form_html=Markup('<input type="hidden" name="_xsrf" value="x">'),
        learning_url="/learning", fetch_url="/learning/fetch", submit_url="/learning/submit",
        logout_url="/logout", eoffice_url="/services/eoffice/",
        certificates_url="/services/dashboards/certificates/",
        voila_url=lambda m: module_voila_url("/", m, language),
        feedback_url=lambda m, n: f"/learning/feedback/{m.course_id}/{m.assignment_id}/{n}",
        courses=[course], submitted_module=None, errors=[],
    )


@pytest.mark.parametrize(
    ("language", "title", "minutes", "notebook"),
    [
        (Language.VIETNAMESE, MODULE_TITLE_VI, "Khoảng 25 phút", NOTEBOOK),
        (Language.ENGLISH, MODULE_TITLE, "About 25 minutes", NOTEBOOK_EN),
    ],
)
def test_the_page_in_each_language(
    tmp_path: Path, catalog: dict[str, Course], language: Language, title: str, minutes: str,
    notebook: str
) -> None:
    home = tmp_path / "home"
    course, _ = the_module([fetched(home, NOTEBOOK, NOTEBOOK_EN)], [graded_submission(home)],
                           catalog, home)
    page = render(language, course)
    row = re.search(rf'<li class="module[^"]*" data-module="{MODULE_ID}".*?</li>', page, re.S)
    assert row is not None
    html = row.group(0)
    assert f"<h3>{title}</h3>" in html
    assert f'<span class="minutes" data-minutes="25">{minutes}</span>' in html
    assert f'href="/voila/render/{COURSE_ID}/{MODULE_ID}/{notebook}?lang={language.value}"' in html
    feedback = re.findall(r'data-action="feedback" href="([^"]+)"', html)
    assert feedback == [f"/learning/feedback/{COURSE_ID}/{MODULE_ID}/lesson"]


def test_no_estimated_time_no_line(tmp_path: Path) -> None:
    path = tmp_path / "course.toml"
    path.write_text(CATALOG_TOML.replace("minutes = 25\n", ""), encoding="utf-8")
    home = tmp_path / "home"
    course, module = the_module([fetched(home, NOTEBOOK)], [], {COURSE_ID: load_course(path)},
                                home)
    assert module.minutes is None
    assert 'class="minutes"' not in render(Language.VIETNAMESE, course)
