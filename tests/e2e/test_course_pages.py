"""One module of each course of the catalogue, opened in Voila from My learning in
Chromium, in Vietnamese and then in English: the page shows the module's questions in the
chosen language, a question answered in one version is saved, and the other version shows
that same answer (one answers file, the same question ids and keys)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from course_kit.catalog import Course, load_course
from tests.e2e.journey import STATE_TIMEOUT, log_in
from tests.e2e.platform_process import REPO

LEARNER = "learner3"  # learner1 walks the journey from a fresh start; learner2 is a victim
COURSES = sorted(p.parent.name for p in (REPO / "courses").glob("*/course.toml"))
#: what a question card says once the kernel has written the answer (course_kit, per language)
SAVED = {"vi": "Đã lưu ✓", "en": "Saved ✓"}
EARLIER = {"vi": "câu trả lời trước đây của bạn", "en": "your earlier answer"}
LANGUAGE_LINK = {"vi": "Tiếng Việt", "en": "English"}
VOILA = re.compile(r"/user/[^/?#]+/voila/render/")


def _course(course_id: str) -> Course:
    return load_course(REPO / "courses" / course_id / "course.toml")


def _open_first_module(page: Page, course: Course, language: str) -> Page:
    """My learning, in `language`, then the course's first module: Start or Open."""
    module = course.modules[0]
    row = page.locator(f"li.module[data-module='{module.id}']")
    expect(row).to_contain_text(module.title_vi if language == "vi" else module.title)
    row.locator("[data-action=start], [data-action=open]").first.click()
    page.wait_for_url(VOILA, timeout=120_000)
    expect(page.locator(".ck-question").first).to_be_visible(timeout=120_000)
    return page


def _first_choice_card(page: Page):
    """The first question offering options to pick (a single choice or true/false)."""
    return page.locator(".ck-question").filter(has=page.locator("input[type=radio]")).first


def _switch_language(page: Page, base: str, language: str) -> None:
    page.goto(f"{base}/user/{LEARNER}/learning")
    if page.locator("html").get_attribute("lang") != language:  # else no link: the current
        page.locator("nav.languages a").filter(has_text=LANGUAGE_LINK[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize("course_id", COURSES)
def test_a_module_of_each_course_opens_in_both_languages_and_keeps_an_answer(
        isolated_platform, browser, course_id: str) -> None:
    course = _course(course_id)
    page = log_in(browser, isolated_platform, LEARNER)
    base = isolated_platform.url
    _switch_language(page, base, "vi")  # the default, said again: an earlier test may switch
    _open_first_module(page, course, "vi")
    # the page's frame names the module in the page's language (My learning's catalogue)
    expect(page.locator(".academy-module")).to_have_text(course.modules[0].title_vi,
                                                         timeout=STATE_TIMEOUT)
    assert page.locator(".jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0
    card = _first_choice_card(page)
    card.locator("label").filter(has=page.locator("input[type=radio]")).first.click()
    expect(card).to_contain_text(SAVED["vi"], timeout=STATE_TIMEOUT)
    index = card.locator("input[type=radio]").evaluate_all(
        "inputs => inputs.findIndex(i => i.checked)")
    assert index == 0

    # the English version: its own texts, the same answer read back from the answers file
    _switch_language(page, base, "en")
    _open_first_module(page, course, "en")
    expect(page.locator(".academy-module")).to_have_text(course.modules[0].title,
                                                         timeout=STATE_TIMEOUT)
    card = _first_choice_card(page)
    expect(card).to_contain_text(EARLIER["en"], timeout=STATE_TIMEOUT)
    expect(card.locator("input[type=radio]").first).to_be_checked()
    _switch_language(page, base, "vi")
    page.close()
