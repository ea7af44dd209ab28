"""One module of each course of the catalogue, opened in Voila from My learning in
Chromium, in Vietnamese and then in English: the page shows the module's questions in the
chosen language, a question answered in one version is saved, and the other version shows
that same answer (one answers file, the same question ids and keys). And a module page
walked with the keyboard alone: every kind of question card is reached with Tab and
answered with keys."""

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


#: a module whose page has a card of every kind of question the kit has (cs05: true/false,
#: single and multiple choice, ordering, matching, short text, numeric, spot the signs)
KEYBOARD_COURSE, KEYBOARD_MODULE = "cybersecurity", "cs05-safe-online-meetings"
#: per kind of card: its first control a keyboard user reaches, and the keys that answer
KEYBOARD_ANSWERS = {
    "ck-true-false": ("input[type=radio]", ["Space"]),
    "ck-single": ("input[type=radio]", ["Space"]),
    "ck-multiple": ("input[type=checkbox]", ["Space"]),
    "ck-ordering": ("button:not([disabled])", ["Enter"]),  # the first item moved down
    "ck-matching": ("select", ["ArrowDown"]),
    "ck-short-text": ("input[type=text]", ["x", "y", "z"]),
    "ck-numeric": ("input[type=text], input[type=number]", ["4"]),
    "ck-spot-the-signs": ("button", ["Space"]),
}
MAX_TABS = 600  # a bound on the walk through the page, not a wait


def _tab_to(page: Page, target) -> None:
    """Tab forward from where the focus is until ``target`` has it, as a keyboard user
    walks a page; fails if the walk never reaches it."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{target} is never reached with the Tab key")


def test_every_kind_of_question_card_answers_from_the_keyboard(isolated_platform,
                                                                browser) -> None:
    """Walking the module page with Tab alone reaches a card of each kind, and the keys a
    keyboard user presses there (Space, Enter, arrows, typing) answer it: the card says it
    saved the answer, no mouse involved."""
    module = next(m for m in _course(KEYBOARD_COURSE).modules if m.id == KEYBOARD_MODULE)
    page = log_in(browser, isolated_platform, LEARNER)
    _switch_language(page, isolated_platform.url, "vi")
    row = page.locator(f"li.module[data-module='{module.id}']")
    row.locator("[data-action=start], [data-action=open]").first.click()
    page.wait_for_url(VOILA, timeout=120_000)
    expect(page.locator(".ck-question").first).to_be_visible(timeout=120_000)
    kinds_in_page = page.locator(".ck-question").evaluate_all(
        "cards => cards.map(c => [...c.classList].find(k => k.startsWith('ck-')"
        " && !['ck-card', 'ck-question'].includes(k)))")
    answered: list[str] = []
    cards = page.locator(".ck-question")
    for index, kind in enumerate(kinds_in_page):
        if kind not in KEYBOARD_ANSWERS or kind in answered:
            continue
        card = cards.nth(index)
        control, keys = KEYBOARD_ANSWERS[kind]
        _tab_to(page, card.locator(control).first)
        for key in keys:
            page.keyboard.press(key)
        expect(card.locator(".ck-status-ok")).to_be_visible(timeout=STATE_TIMEOUT)
        answered.append(kind)
    assert sorted(answered) == sorted(KEYBOARD_ANSWERS), kinds_in_page
    page.close()
