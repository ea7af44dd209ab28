"""`AcademyHubOAuth.groups_with_prefix`: the hub's groups read with the service's own token,
against a stand-in of the hub's REST API on 127.0.0.1 (a real HTTP server, a free port)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from service_auth.hub_login import AcademyHubOAuth, HubUnavailable

TOKEN = "service-token-" + "x" * 20
GROUPS = [
    {"kind": "group", "name": "nbgrader-digital-signatures", "users": ["lan", "an", "binh"]},
    {"kind": "group", "name": "formgrade-digital-signatures", "users": ["thu"]},
    {"kind": "group", "name": "nbgrader-cybersecurity", "users": []},
    {"kind": "group", "name": "learner", "users": ["lan", "an", "binh"]},
]


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def _hub_api(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    if environ.get("HTTP_AUTHORIZATION") != f"token {TOKEN}":
        start_response("403 Forbidden", [("Content-Type", "application/json")])
        return [b'{"status": 403, "message": "no"}']
    if environ["PATH_INFO"] != "/hub/api/groups":
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b"{}"]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(GROUPS).encode()]


@pytest.fixture
def hub_url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _hub_api, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="hub-api-stand-in")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hub/api"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_each_course_and_its_learners(hub_url: str) -> None:
    hub = AcademyHubOAuth(api_url=hub_url, api_token=TOKEN, oauth_client_id="service-x")
    assert hub.groups_with_prefix("nbgrader-") == {
        "digital-signatures": ["an", "binh", "lan"], "cybersecurity": []}


def test_a_refusing_or_absent_hub_is_unavailable(hub_url: str) -> None:
    refused = AcademyHubOAuth(api_url=hub_url, api_token="wrong", oauth_client_id="service-x")
    with pytest.raises(HubUnavailable):
        refused.groups_with_prefix("nbgrader-")
    gone = AcademyHubOAuth(api_url="http://127.0.0.1:9/hub/api", api_token=TOKEN,
                           oauth_client_id="service-x")
    with pytest.raises(HubUnavailable):
        gone.groups_with_prefix("nbgrader-")
