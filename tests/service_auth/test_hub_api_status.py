"""`AcademyHubOAuth.hub_api_get`: GETs on the hub's REST API with the service's own token,
against a stand-in of JupyterHub 6.1's API on 127.0.0.1 (a real HTTP server, a free port)
answering as its apihandlers do: ``/`` the version, ``/info``, ``/services``, ``/users``
paginated with the pagination media type (and its own page limit, like api_page_max_limit).
The stand-in is shared with the admin page's tests (tests/dashboards/test_dashboards_admin.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from service_auth.hub_login import AcademyHubOAuth, HubUnavailable

TOKEN = "dashboards-token-" + "y" * 20
PAGINATION = "application/jupyterhub-pagination+json"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class StandInHub:
    """The answers (by path below /hub/api) and every request it got."""

    version: str = "6.1.1"
    services: dict[str, Any] = field(default_factory=dict)
    active_users: list[dict[str, Any]] = field(default_factory=list)
    max_limit: int = 2  # JupyterHub's api_page_max_limit, small to make several pages
    seen: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.seen.append({"path": path, "auth": environ.get("HTTP_AUTHORIZATION", ""),
                              "accept": environ.get("HTTP_ACCEPT", ""), **query})
        if path == "/hub/api/":  # not authenticated, like the real hub
            return self._json(start_response, {"version": self.version})
        if environ.get("HTTP_AUTHORIZATION") != f"token {TOKEN}":
            return self._json(start_response, {"status": 403, "message": "no"},
                              "403 Forbidden")
        if path == "/hub/api/info":
            return self._json(start_response, {
                "version": self.version, "python": "3.11.2 (main, Mar 13 2023) [GCC 12.2.0]",
                "sys_executable": "/opt/academy/bin/python",
                "spawner": {"class": "hub_config.spawner.IsolatedSpawner", "version": "unknown"},
                "authenticator": {"class": "hub_config.authenticator.AcademyAuthenticator",
                                  "version": "1.3.0"}})
        if path == "/hub/api/services":
            return self._json(start_response, self.services)
        if path == "/hub/api/users":
            users = self.active_users if query.get("state") == "active" else []
            offset = int(query.get("offset", 0))
            limit = min(int(query.get("limit", self.max_limit)), self.max_limit)
            items = users[offset:offset + limit]
            if PAGINATION not in environ.get("HTTP_ACCEPT", ""):
                return self._json(start_response, items)
            after = offset + limit
            return self._json(start_response, {"items": items, "_pagination": {
                "offset": offset, "limit": limit, "total": len(users),
                "next": {"offset": after, "limit": limit, "url": "ignored"}
                if after < len(users) else None}})
        if path == "/hub/api/not-json":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<html>a proxy's page</html>"]
        return self._json(start_response, {"status": 404}, "404 Not Found")

    @staticmethod
    def _json(start_response: Any, body: Any, status: str = "200 OK") -> list[bytes]:
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


@pytest.fixture
def stand_in_hub() -> Iterator[StandInHub]:
    hub = StandInHub()
    server = make_server("127.0.0.1", 0, hub, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="hub-api-stand-in")
    thread.start()
    hub.url = f"http://127.0.0.1:{server.server_port}/hub/api"
    try:
        yield hub
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def hub_client(api_url: str, token: str = TOKEN) -> AcademyHubOAuth:
    return AcademyHubOAuth(api_url=api_url, api_token=token, oauth_client_id="service-x")


def test_the_hubs_answers_read_with_the_services_own_token(stand_in_hub: StandInHub) -> None:
    hub = hub_client(stand_in_hub.url)
    assert hub.hub_api_get("/") == {"version": "6.1.1"}
    assert hub.hub_api_get("/info")["authenticator"]["version"] == "1.3.0"
    assert stand_in_hub.seen[-1]["auth"] == f"token {TOKEN}"
    assert stand_in_hub.seen[-1]["accept"] != PAGINATION


def test_paginated_asks_for_the_pagination_form(stand_in_hub: StandInHub) -> None:
    stand_in_hub.active_users = [{"kind": "user", "name": n, "servers": {}}
                                 for n in ("an", "binh", "chi")]
    hub = hub_client(stand_in_hub.url)
    page = hub.hub_api_get("/users", {"state": "active", "offset": 2, "limit": 200},
                           paginated=True)
    assert [u["name"] for u in page["items"]] == ["chi"]
    assert page["_pagination"]["next"] is None
    assert stand_in_hub.seen[-1] | {"auth": ""} == {
        "path": "/hub/api/users", "auth": "", "accept": PAGINATION, "state": "active",
        "offset": "2", "limit": "200"}
    assert hub.hub_api_get("/users", {"state": "active"}) == stand_in_hub.active_users[:2]


def test_the_environments_proxy_is_not_used(stand_in_hub: StandInHub,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The token goes to the hub, never to a proxy named in the environment."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    assert hub_client(stand_in_hub.url).hub_api_get("/") == {"version": "6.1.1"}


def test_a_refusing_absent_or_strange_hub_is_unavailable_and_says_why(
        stand_in_hub: StandInHub) -> None:
    with pytest.raises(HubUnavailable) as refused:
        hub_client(stand_in_hub.url, token="wrong").hub_api_get("/services")
    assert isinstance(refused.value.__cause__, requests.HTTPError)
    assert refused.value.__cause__.response.status_code == 403
    with pytest.raises(HubUnavailable) as gone:
        hub_client("http://127.0.0.1:9/hub/api").hub_api_get("/", timeout=2)
    assert isinstance(gone.value.__cause__, requests.ConnectionError)
    with pytest.raises(HubUnavailable) as strange:
        hub_client(stand_in_hub.url).hub_api_get("/not-json")
    assert isinstance(strange.value.__cause__, requests.JSONDecodeError)
