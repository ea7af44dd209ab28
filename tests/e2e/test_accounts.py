"""Accounts in the real hub, in Chromium: an admin's reset, the activation page, lockout."""

from __future__ import annotations

import re
import shutil

from tests.e2e.platform_process import run_academy

# an HR officer lands on the HR dashboard after logging in (hub_config.landing)
HR_HOME = re.compile(r"^https?://[^/]+/services/dashboards/hr/")


def _log_in_form(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/hub/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def test_reset_activate_and_lockout_in_the_browser(shared_platform, browser):
    url = shared_platform.url
    old_password = shared_platform.accounts()["hr1"].password

    # the admin resets hr1: a new code, shown once
    admin_context = browser.new_context()
    admin = admin_context.new_page()
    admin.set_default_timeout(60_000)
    _log_in_form(admin, url, "admin1", shared_platform.accounts()["admin1"].password)
    admin.wait_for_url(re.compile(r"^https?://[^/]+/services/dashboards/admin/"))
    admin.goto(f"{url}/hub/reset-account/hr1")
    admin.click("#reset-submit")
    code = admin.inner_text("#reset-code").strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    admin_context.close()

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    # the old password no longer works, and the login page says why (in Vietnamese, the
    # default: hub_config.page_language)
    _log_in_form(page, url, "hr1", old_password)
    assert "Tài khoản chưa được kích hoạt" in page.inner_text("p.login_error")
    assert page.locator("#academy-activate-link a").first.get_attribute("href") \
        == "/hub/activate"

    # the activation link from the sheet: a common password is refused, with the reason
    page.goto(f"{url}/hub/activate?username=hr1&code={code.lower()}")
    assert page.input_value("#activate-code") == code.lower()
    for field in ("#activate-password", "#activate-confirmation"):
        page.fill(field, "password123")
    page.click("#activate-submit")
    assert page.inner_text("#activate-error").strip() == "Mật khẩu này quá phổ biến, dễ bị đoán."
    new_password = "Sen-hong-nở-giữa-hè"
    for field in ("#activate-password", "#activate-confirmation"):
        page.fill(field, new_password)
    page.click("#activate-submit")
    page.wait_for_url(HR_HOME, timeout=120_000)  # activated, logged in, on the HR dashboard
    # not an admin: the reset page is refused, for GET and POST
    assert page.goto(f"{url}/hub/reset-account/admin1").status == 403
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_xsrf")
    posted = page.request.post(f"{url}/hub/reset-account/admin1", form={"_xsrf": xsrf})
    assert posted.status == 403 and "reset-code" not in posted.text()
    listed = run_academy(shared_platform.data_dir, "roster", "list",
                         run_as=shared_platform.run_as, check=True).stdout
    assert re.search(r"^admin1\s+\S+\s+active", listed, re.M), listed
    context.close()

    # five wrong passwords lock the account; even the right one is then refused
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    for _ in range(5):
        _log_in_form(page, url, "hr1", "not-the-password")
        # the login page speaks Vietnamese by default (hub_config.page_language)
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.inner_text("p.login_error")
    _log_in_form(page, url, "hr1", new_password)
    assert "Tài khoản tạm khoá do nhập sai nhiều lần" in page.inner_text("p.login_error")
    listed = run_academy(shared_platform.data_dir, "roster", "list",
                         run_as=shared_platform.run_as, check=True).stdout
    assert re.search(r"^hr1\s+\S+\s+locked", listed, re.M), listed
    run_academy(shared_platform.data_dir, "accounts", "unlock", "hr1",
                run_as=shared_platform.run_as, check=True)
    _log_in_form(page, url, "hr1", new_password)
    page.wait_for_url(HR_HOME, timeout=120_000)
    context.close()


def test_the_idle_culler_runs_with_its_scopes(shared_platform):
    """The culler is a hub service: its first pass lists the users (HTTP 200, not 403)."""
    import time

    log = shared_platform.layout.logs_dir / "hub.log"
    deadline = time.monotonic() + 120  # a deadline only: the loop ends when the line is there
    pattern = re.compile(r"200 GET /hub/api/users\S* \(idle-culler@127\.0\.0\.1\)")
    while not pattern.search(log.read_text(errors="replace")):
        assert time.monotonic() < deadline, "the idle culler never listed the users"
        assert "403 GET /hub/api/users" not in log.read_text(errors="replace")
        time.sleep(0.5)


def test_a_person_imported_while_the_hub_runs_activates_without_a_restart(
    shared_platform, browser
):
    import json

    import requests
    from openpyxl import load_workbook

    from installation.settings import read_secret
    from people.roster_import import COLUMNS

    folder = shared_platform.data_dir / "roster-import"  # reachable by the platform's account
    folder.mkdir()
    staff = folder / "staff.csv"
    staff.write_text(",".join(COLUMNS) + "\nCB-77001,Phạm Thu Trang,02/09/1991,Nữ,Sở Tư pháp,"
                     "Phòng Hành chính,Chuyên viên,,,digital-signatures\n", encoding="utf-8")
    if shared_platform.run_as:  # the platform's own account reads the file and writes codes
        for path in (folder, staff):
            shutil.chown(path, shared_platform.run_as)
    imported = run_academy(shared_platform.data_dir, "roster", "import", "--partial", str(staff),
                           run_as=shared_platform.run_as, check=True).stdout
    assert "the running hub knows the roster now" in imported
    sheet = folder / "codes.xlsx"
    run_academy(shared_platform.data_dir, "accounts", "codes", "--out", str(sheet),
                "--username", "cb-77001", "--url", shared_platform.url,
                run_as=shared_platform.run_as, check=True)
    rows = list(load_workbook(sheet).active.iter_rows(values_only=True))
    link = dict(zip(rows[0], rows[1], strict=True))["activation_link"]

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(link)
    for field in ("#activate-password", "#activate-confirmation"):
        page.fill(field, "Trang-tu-phap-1991")
    page.click("#activate-submit")
    # no restart: the hub lets the new person in and starts their server
    page.wait_for_url(re.compile(r"^https?://[^/]+/user/cb-77001/"), timeout=120_000)
    context.close()
    # and the course's group has them (what nbgrader's hub plugin reads)
    ports = json.loads(
        (shared_platform.layout.hub_dir / "running.json").read_text())["ports"]
    token = read_secret(shared_platform.layout, "roster_api_token")
    user = requests.get(f"http://127.0.0.1:{ports['hub']}/hub/api/users/cb-77001",
                        headers={"Authorization": f"token {token}"}, timeout=30).json()
    assert {"learner", "nbgrader-digital-signatures"} <= set(user["groups"])
