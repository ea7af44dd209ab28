"""A learner's whole journey through the real running academy, in both modes."""

import re

from tests.e2e.journey import run_journey
from tests.e2e.platform_process import install_mode, printed_accounts


def _check_start_output(platform, mode):
    assert install_mode(platform) == mode
    printed = printed_accounts(platform)
    roles = [role for role, *_ in printed]
    assert roles.count("learner") >= 3 and {"trainer", "hr", "admin"} <= set(roles)
    # the printed passwords are the installation's own, and they are not all the same
    accounts = platform.accounts()
    assert all(accounts[user].password == password for _, user, password, _ in printed)
    assert len({password for _, _, password, _ in printed}) == len(printed)
    accounts_file = platform.layout.accounts_file
    assert oct(accounts_file.stat().st_mode & 0o777) == "0o600"


def test_isolated_journey(isolated_platform, browser, tmp_path):
    _check_start_output(isolated_platform, "isolated")
    run_journey(browser, isolated_platform, "learner1", tmp_path)


def test_shared_mode_journey_warns_loudly(shared_platform, browser, tmp_path):
    _check_start_output(shared_platform, "shared")
    assert "NOT ISOLATED" in shared_platform.output_path.read_text()
    page = browser.new_page()
    page.goto(f"{shared_platform.url}/hub/login")
    assert "NOT ISOLATED" in page.inner_text("#academy-shared-mode-warning")
    page.close()
    # and on the admin's page
    admin = shared_platform.accounts()["admin1"]
    page = browser.new_page()
    page.goto(f"{shared_platform.url}/hub/login?next=/hub/admin")
    page.fill("input[name=username]", "admin1")
    page.fill("input[name=password]", admin.password)
    page.click("input[type=submit], button[type=submit]")
    # "**/hub/admin**" also matched the login page itself (/hub/login?next=/hub/admin), which
    # shows the same warning: wait for the admin page, by its path and its own content
    page.wait_for_url(re.compile(r"^https?://[^/]+/hub/admin(?:[/?#].*)?$"), timeout=60_000)
    page.locator("#react-admin-hook").wait_for(state="attached", timeout=60_000)
    assert "never for real learners" in page.inner_text("#academy-shared-mode-warning")
    page.close()
    run_journey(browser, shared_platform, "learner2", tmp_path)
