"""The hub's login page speaks Vietnamese by default and English on switch, and the choice is
the platform's one cookie: the learner who switched at login reads My learning in English
(hub_config.page_language, common.i18n), in Chromium on a running platform."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from common.i18n import LANGUAGE_COOKIE
from tests.e2e.journey import MY_LEARNING

LEARNER = "learner3"


def test_the_login_page_switches_language_and_my_learning_follows(isolated_platform,
                                                                  browser) -> None:
    url = isolated_platform.url
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/hub/login")
    expect(page.locator("#academy-welcome h1")).to_have_text("Học viện Công vụ số")
    expect(page.locator("#login_submit")).to_have_attribute("value", "Đăng nhập")
    expect(page.locator("label[for=username_input]")).to_have_text("Tên đăng nhập:")
    # a wrong login says so in the page's language (nobody has this name: no lockout)
    page.fill("input[name=username]", "khong-co-nguoi-nay")
    page.fill("input[name=password]", "sai-mat-khau")
    page.click("#login_submit")
    expect(page.locator("p.login_error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng")

    page.locator("#academy-languages a", has_text="English").click()
    page.wait_for_url(re.compile(r"/hub/login\?(.*&)?lang=en$"))
    expect(page.locator("#login_submit")).to_have_attribute("value", "Sign in")
    expect(page.locator("#academy-welcome h1")).to_have_text("Digital Civil Service Academy")
    expect(page.locator("#academy-languages strong")).to_have_text("English")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies[LANGUAGE_COOKIE]["value"] == "en" and cookies[LANGUAGE_COOKIE]["path"] == "/"

    page.fill("input[name=username]", LEARNER)
    page.fill("input[name=password]", isolated_platform.accounts()[LEARNER].password)
    page.click("#login_submit")
    page.wait_for_url(MY_LEARNING, timeout=120_000)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    context.close()
