"""My learning in headless Chromium: the learner switches the language on the page, with
the keyboard, and sees it in English; the platform's cookie is set; and back again."""

from __future__ import annotations

import time

from ml_academy import FRESH_TITLE, FULL_NAME, TOKEN, Server
from playwright.sync_api import Browser, expect

from common.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time


def test_the_learner_switches_to_english_and_back(browser: Browser, server: Server) -> None:
    context = browser.new_context()
    context.set_default_timeout(STATE_TIMEOUT)
    page = context.new_page()
    try:
        page.goto(f"{server.url}learning?token={TOKEN}")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.get_by_role("heading", level=1)).to_have_text("Học tập của tôi")
        expect(page.locator(".greeting")).to_have_text(f"Xin chào {FULL_NAME}.")
        assert not [c for c in context.cookies() if c["name"] == LANGUAGE_COOKIE]

        # with the keyboard: focus the switch's link and press Enter
        switch = page.get_by_role("navigation", name="Ngôn ngữ")
        switch.get_by_role("link", name="English").focus()
        page.keyboard.press("Enter")

        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
        expect(page.locator(".greeting")).to_have_text(f"Hello, {FULL_NAME}.")
        assert page.url == f"{server.url}learning"  # the same page, the token left out
        step = page.locator("[data-next-step]")
        expect(step.get_by_role("heading", level=3)).to_have_text("What to do next")
        expect(step).to_contain_text(f"Start “{FRESH_TITLE}”.")
        expect(step.get_by_role("button", name="Start")).to_be_visible()
        progress = page.get_by_role("progressbar", name="1 of 3 modules done")
        expect(progress).to_have_attribute("value", "1")
        expect(progress).to_have_attribute("max", "3")
        english = page.get_by_role("navigation", name="Language")
        expect(english.locator("[aria-current=true]")).to_have_text("English")

        (cookie,) = [c for c in context.cookies() if c["name"] == LANGUAGE_COOKIE]
        assert (cookie["value"], cookie["path"], cookie["sameSite"]) == ("en", "/", "Lax")
        assert cookie["expires"] > time.time() + LANGUAGE_COOKIE_MAX_AGE - 3600

        english.get_by_role("link", name="Tiếng Việt").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Học tập của tôi")
        (cookie,) = [c for c in context.cookies() if c["name"] == LANGUAGE_COOKIE]
        assert cookie["value"] == "vi"
    finally:
        context.close()
