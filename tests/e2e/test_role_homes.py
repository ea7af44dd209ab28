"""Each role lands on its own home page after logging in at the real hub, and the pages of
the other roles refuse it: the hub's roles give the scopes, the dashboards' OAuth login
carries them (hub_config.rbac, hub_config.landing), in Chromium on a running platform."""

from __future__ import annotations

import re

import pytest

from tests.e2e.journey import MY_LEARNING, log_in

HOMES = {
    "trainer1": "/services/dashboards/trainer/",
    "hr1": "/services/dashboards/hr/",
    "admin1": "/services/dashboards/admin/",
}


@pytest.mark.parametrize("username", sorted(HOMES))
def test_each_role_lands_on_its_home_page_and_no_other(isolated_platform, browser,
                                                       username: str) -> None:
    url, home = isolated_platform.url, HOMES[username]
    page = log_in(browser, isolated_platform, username,
                  lands_on=re.compile("^" + re.escape(url + home) + "$"))
    # the page is the role's own: its link in the header is the current page, and no
    # other role's page is offered
    assert page.locator("nav.roles a[aria-current=page]").get_attribute("href") == home
    assert page.locator("nav.roles a").count() == 1
    for other in set(HOMES.values()) - {home}:
        response = page.goto(f"{url}{other}")
        assert response is not None and response.status == 403, (username, other)
    page.close()


def test_a_learner_lands_on_my_learning_and_no_role_page(isolated_platform, browser) -> None:
    page = log_in(browser, isolated_platform, "learner1", lands_on=MY_LEARNING)
    for other in HOMES.values():
        response = page.goto(f"{isolated_platform.url}{other}")
        assert response is not None and response.status == 403, other
    page.close()
