"""The hub's pages speak Vietnamese by default and English on switch, one language at a time,
and the choice is the platform's one cookie: the learner who switched at login reads My
learning in English; the activation, change-password and reset-account pages, and what they
say when they refuse, follow it too (hub_config.page_language, common.i18n), in Chromium on a
running platform."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from common.i18n import LANGUAGE_COOKIE
from tests.e2e.journey import MY_LEARNING

LEARNER = "learner3"
NOBODY = "khong-co-nguoi-nay"  # no such account: a refusal that counts toward no lockout


def _post_form(page, submit: str, path: str) -> int:
    """Click ``submit`` and return the status of the page the form's POST to ``path`` gives."""
    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.split("?")[0].endswith(path)) as posted:
        page.click(submit)
    return posted.value.status


def _activate(page, username: str, code: str, password: str, confirmation: str) -> int:
    page.fill("#activate-username", username)
    page.fill("#activate-code", code)
    page.fill("#activate-password", password)
    page.fill("#activate-confirmation", confirmation)
    return _post_form(page, "#activate-submit", "/hub/activate")


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


def test_the_activation_page_speaks_one_language_and_refuses_in_it(isolated_platform,
                                                                   browser) -> None:
    url = isolated_platform.url
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/hub/activate")
    expect(page.locator("#academy-activate h1")).to_have_text("Kích hoạt tài khoản")
    expect(page.locator("label[for=activate-code]")).to_have_text("Mã kích hoạt")
    expect(page.locator("#activate-submit")).to_have_text("Kích hoạt và đăng nhập")
    expect(page.locator("#activate-password-help")).to_have_text(
        "Ít nhất 10 ký tự, không phải mật khẩu phổ biến, không chứa tên đăng nhập.")
    expect(page.locator("#academy-languages strong")).to_have_text("Tiếng Việt")
    expect(page.locator("#academy-activate")).not_to_contain_text("Activate")
    # a wrong code: refused (400), saying why in Vietnamese only
    assert _activate(page, NOBODY, "AAAA-BBBB-CCCC", "Mot-mat-khau-dai-1",
                     "Mot-mat-khau-dai-1") == 400
    expect(page.locator("#activate-error")).to_have_text("Sai tên đăng nhập hoặc mã kích hoạt")
    assert _activate(page, NOBODY, "AAAA-BBBB-CCCC", "Mot-mat-khau-dai-1",
                     "Mot-mat-khau-dai-2") == 400
    expect(page.locator("#activate-error")).to_have_text("Hai mật khẩu không khớp")
    # an account that is already active (refused before its code is checked: no lockout)
    assert _activate(page, LEARNER, "AAAA-BBBB-CCCC", "Mot-mat-khau-dai-1",
                     "Mot-mat-khau-dai-1") == 400
    expect(page.locator("#activate-error")).to_have_text(
        "Tài khoản đã được kích hoạt: hãy đăng nhập, hoặc nhờ quản trị viên đặt lại")

    page.locator("#academy-languages a", has_text="English").click()
    page.wait_for_url(re.compile(r"/hub/activate\?lang=en$"))
    expect(page.locator("#academy-activate h1")).to_have_text("Activate your account")
    expect(page.locator("label[for=activate-code]")).to_have_text("Activation code")
    expect(page.locator("#activate-submit")).to_have_text("Activate and log in")
    expect(page.locator("#academy-languages strong")).to_have_text("English")
    expect(page.locator("#academy-activate")).not_to_contain_text("Kích hoạt")
    assert _activate(page, NOBODY, "AAAA-BBBB-CCCC", "Mot-mat-khau-dai-1",
                     "Mot-mat-khau-dai-1") == 400
    expect(page.locator("#activate-error")).to_have_text("Invalid username or activation code")
    assert _activate(page, LEARNER, "AAAA-BBBB-CCCC", "Mot-mat-khau-dai-1",
                     "Mot-mat-khau-dai-1") == 400
    expect(page.locator("#activate-error")).to_have_text(
        "This account is already active: log in, or ask an administrator to reset it")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies[LANGUAGE_COOKIE]["value"] == "en"
    # the choice holds on the next page: the login page is in English too
    page.goto(f"{url}/hub/login")
    expect(page.locator("#login_submit")).to_have_attribute("value", "Sign in")
    context.close()


def _log_in(page, url: str, username: str, password: str, next_path: str) -> None:
    page.goto(f"{url}/hub/login?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_the_change_password_and_reset_pages_speak_the_chosen_language(isolated_platform,
                                                                      browser) -> None:
    url = isolated_platform.url
    accounts = isolated_platform.accounts()
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    _log_in(page, url, LEARNER, accounts[LEARNER].password, "/hub/change-password")
    expect(page.locator("#academy-change-password h1")).to_have_text("Đổi mật khẩu")
    expect(page.locator("label[for=old_password_input]")).to_have_text("Mật khẩu hiện tại")
    page.fill("#old_password_input", "khong-phai-mat-khau")
    page.fill("#new_password_input", "Mot-mat-khau-dai-1")
    page.fill("#new_password_confirmation_input", "Mot-mat-khau-dai-1")
    # a wrong current password is refused (400) and counts toward the lockout like a login;
    # the right one below clears the count again
    assert _post_form(page, "#change-password-submit", "/hub/change-password") == 400
    expect(page.locator("#change-password-result")).to_have_text("Mật khẩu hiện tại không đúng.")
    # the right current password and a common new one: refused with the rule it breaks
    # (nothing changes: other tests log in with this password)
    page.fill("#old_password_input", accounts[LEARNER].password)
    page.fill("#new_password_input", "password123")
    page.fill("#new_password_confirmation_input", "password123")
    _post_form(page, "#change-password-submit", "/hub/change-password")
    expect(page.locator("#change-password-result")).to_have_text(
        "Mật khẩu này quá phổ biến, dễ bị đoán.")

    page.locator("#academy-languages a", has_text="English").click()
    page.wait_for_url(re.compile(r"/hub/change-password\?lang=en$"))
    expect(page.locator("#academy-change-password h1")).to_have_text("Change password")
    expect(page.locator("#change-password-submit")).to_have_text("Change password")
    page.fill("#old_password_input", accounts[LEARNER].password)
    page.fill("#new_password_input", "Mot-mat-khau-dai-1")
    page.fill("#new_password_confirmation_input", "Mot-mat-khau-dai-2")
    _post_form(page, "#change-password-submit", "/hub/change-password")
    expect(page.locator("#change-password-result")).to_have_text(
        "The two passwords do not match")
    context.close()

    # an admin's reset page (only opened: a reset would lock hr1 out of other tests)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    _log_in(page, url, "admin1", accounts["admin1"].password, "/hub/reset-account/hr1")
    expect(page.locator("#academy-reset-account h1")).to_have_text("Đặt lại tài khoản hr1")
    expect(page.locator("#reset-submit")).to_have_text("Đặt lại hr1")
    page.goto(f"{url}/hub/reset-account/hr1?lang=en")
    expect(page.locator("#academy-reset-account h1")).to_have_text("Reset an account hr1")
    expect(page.locator("#reset-submit")).to_have_text("Reset hr1")
    expect(page.locator("#academy-reset-account")).not_to_contain_text("Đặt lại")
    context.close()
