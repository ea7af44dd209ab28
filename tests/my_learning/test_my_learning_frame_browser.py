"""The module page's frame in headless Chromium, on a learner's server configured like the
platform's (My learning, Voila and the academy's template): a learner reading English
starts the module on My learning and gets its English version; the frame shows the course
and module titles, the way back and "0 of 4 questions answered"; one answer later it says
1 of 4; Submit asks first (a modal dialog, from the keyboard: Escape keeps working, then
"Submit anyway"), and the learner lands on My learning with the module submitted."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from ml_academy import TOKEN
from playwright.sync_api import Browser, expect
from test_my_learning_frame_lib import (
    COURSE_ID,
    COURSE_TITLE,
    MODULE_ID,
    MODULE_TITLE,
    NOTEBOOK_EN,
    QUESTIONS_ASKED,
    FrameSite,
    LearnerServer,
)

from common.i18n import LANGUAGE_COOKIE

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time
RENDER_TIMEOUT = 90_000  # Voila starts a kernel and runs the module's cells


@pytest.fixture(scope="module")
def released_site(tmp_path_factory: pytest.TempPathFactory) -> FrameSite:
    site = FrameSite.create(tmp_path_factory.mktemp("frame-browser") / "site")
    site.release()
    return site


@pytest.fixture(scope="module")
def learner_server(released_site: FrameSite) -> Iterator[LearnerServer]:
    server = LearnerServer(released_site).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.timeout(300)
def test_the_frame_counts_answers_and_submits_after_asking(
    browser: Browser, learner_server: LearnerServer, released_site: FrameSite
) -> None:
    context = browser.new_context()
    context.set_default_timeout(STATE_TIMEOUT)
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "en", "url": learner_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{learner_server.url}learning?token={TOKEN}")
        row = page.locator(f"li.module[data-module='{MODULE_ID}']")
        expect(row.get_by_role("heading", level=3)).to_have_text(MODULE_TITLE)
        expect(row.locator(".minutes")).to_have_text("About 25 minutes")
        row.get_by_role("button", name="Start").click()

        # the English version, in English
        page.wait_for_url(re.compile(rf"/voila/render/{COURSE_ID}/{MODULE_ID}/"
                                     rf"{re.escape(NOTEBOOK_EN)}\?lang=en$"),
                          timeout=RENDER_TIMEOUT)
        frame = page.get_by_role("banner", name="The module and your progress")
        expect(frame).to_be_visible()
        expect(frame.locator(".academy-course")).to_have_text(COURSE_TITLE)
        expect(frame.locator(".academy-module")).to_have_text(MODULE_TITLE)
        back = frame.get_by_role("link", name="Back to My learning")
        expect(back).to_have_attribute("href", "/learning")
        count = frame.get_by_role("status")
        expect(count).to_have_text(f"0 of {QUESTIONS_ASKED} questions answered")
        expect(page.locator("html")).to_have_attribute("lang", "en")

        # one answer: the kernel saves it, the frame counts it
        choice = page.get_by_role("radio", name="The document was not changed after signing")
        choice.wait_for(timeout=RENDER_TIMEOUT)
        assert page.locator(".jp-InputArea-editor, .cm-editor").count() == 0  # no code
        choice.check()
        expect(count).to_have_text(f"1 of {QUESTIONS_ASKED} questions answered")
        answers = json.loads((released_site.module_folder / "responses.json").read_text())
        assert answers["answers"]["q1"]["value"] == "integrity"  # the key, in either language

        # Submit asks first; Escape keeps working, with the keyboard only
        submit = frame.get_by_role("button", name="Submit")
        submit.focus()
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog", name="3 questions are not answered yet. "
                                                  "Submit anyway?")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("button", name="Keep working")).to_be_focused()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(submit).to_be_focused()
        expect(page).to_have_url(re.compile(rf"{re.escape(NOTEBOOK_EN)}\?lang=en$"))

        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        page.keyboard.press("Tab")
        expect(dialog.get_by_role("button", name="Submit anyway")).to_be_focused()
        page.keyboard.press("Enter")

        # My learning, the module submitted
        page.wait_for_url(re.compile(r"/learning\?(?:.*&)?done=submitted(?:&|$)"),
                          timeout=RENDER_TIMEOUT)
        expect(row).to_have_attribute("data-status", "submitted")
        expect(page.locator(".banner.success")).to_contain_text(f"Your work on “{MODULE_TITLE}”")
        # nbgrader's inbound: <student>+<module>+<timestamp>, the answers file in it
        inbound = released_site.exchange / COURSE_ID / "inbound"
        (submission,) = [p for p in inbound.iterdir() if f"+{MODULE_ID}+" in p.name]
        saved = json.loads((submission / "responses.json").read_text(encoding="utf-8"))
        assert set(saved["answers"]) == {"q1"}
    finally:
        context.close()
