"""Each role's pages refuse every other role: every route of the trainer, HR, admin and
export blueprints, found in the app's URL map (a route added later is covered too), for
every method it answers, asked by a person of each other role; and each role's home page
opens for its own role."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.dashboards.conftest import make_app
from tests.dashboards.site_for_dashboards import PREFIX

#: blueprint -> the roster's usernames allowed in (tests.dashboards.site_for_dashboards.py)
ALLOWED = {
    "trainer": {"giang", "khoa"},
    "hr": {"hoa"},
    "admin": {"minh"},
    "records_export": {"hoa", "minh"},  # the export: HR officers and admins, as the CLI
}
EVERYONE = {"an", "giang", "hoa", "minh"}  # a learner, a trainer, an HR officer, an admin
HOME_PAGES = {"giang": "/trainer/", "hoa": "/hr/", "minh": "/admin/"}


@pytest.fixture
def app(installation: Path) -> Flask:
    """Without CSRF checks, which would refuse a POST before the role check is reached: the
    role check is what these tests prove (CSRF has its tests with each form)."""
    return make_app(installation, WTF_CSRF_ENABLED=False)


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(blueprint, method, url) of every route of the role blueprints, arguments filled."""
    routes = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if blueprint not in ALLOWED:
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"x-\1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((blueprint, method, url))
    return routes


def test_every_role_blueprint_has_routes(app: Flask) -> None:
    assert {blueprint for blueprint, _m, _u in _routes(app)} == set(ALLOWED)


def test_every_route_refuses_every_other_role(app: Flask,
                                              login: Callable[[str], FlaskClient]) -> None:
    clients = {name: login(name) for name in EVERYONE}
    checked = 0
    for blueprint, method, url in _routes(app):
        for name in sorted(EVERYONE - ALLOWED[blueprint]):
            response = clients[name].open(f"{PREFIX}{url}", method=method)
            assert response.status_code == 403, (name, method, url, response.status_code)
            checked += 1
    assert checked >= 3 + 3 + 3 + 2  # one route per blueprint at least


def test_every_route_sends_an_anonymous_browser_to_the_hub_login(app: Flask) -> None:
    client = app.test_client()
    for _blueprint, method, url in _routes(app):
        response = client.open(f"{PREFIX}{url}", method=method,
                               headers={"Accept": "text/html"})
        assert response.status_code == 302, (method, url)
        assert "/hub/api/oauth2/authorize" in response.location


@pytest.mark.parametrize(("username", "page"), sorted(HOME_PAGES.items()))
def test_each_role_opens_its_home_page_and_sees_only_its_links(
        login: Callable[[str], FlaskClient], username: str, page: str) -> None:
    response = login(username).get(f"{PREFIX}{page}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for other in set(HOME_PAGES.values()) - {page}:
        assert f'href="{PREFIX}{other}"' not in html
    assert f'href="{PREFIX}{page}"' in html


def test_a_refusal_says_why_in_the_persons_language(
        login: Callable[[str], FlaskClient]) -> None:
    response = login("an").get(f"{PREFIX}/hr/")
    assert response.status_code == 403
    assert "Bạn không có quyền xem trang này" in response.get_data(as_text=True)


@pytest.mark.parametrize(("page", "scope"), [("/hr/", "custom:academy:read:records"),
                                             ("/admin/", "custom:academy:read:platform")])
def test_a_scope_gained_through_the_hub_alone_does_not_open_hr_or_admin_pages(
        app: Flask, monkeypatch: pytest.MonkeyPatch, page: str, scope: str) -> None:
    """The roster decides too: a trainer whose hub token somehow holds HR's or an admin's
    scope (a hub group changed behind HR's back) is still refused."""
    from tests.service_auth import fake_hub

    token = dict(fake_hub.HUB_TOKENS["token-giang"])
    token["scopes"] = [*token["scopes"], scope]
    monkeypatch.setitem(fake_hub.HUB_TOKENS, "token-giang", token)
    from tests.dashboards.conftest import log_in

    assert log_in(app, "giang").get(f"{PREFIX}{page}").status_code == 403
