"""Fixtures for the course kit and the course notebooks (see courses_testlib)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
from courses_testlib import EvidenceServer

from tests.json_http import JsonHandler


@pytest.fixture
def evidence_server() -> Iterator[EvidenceServer]:
    yield from _serve()


@pytest.fixture(scope="module")
def module_evidence_server() -> Iterator[EvidenceServer]:
    yield from _serve()


def _serve() -> Iterator[EvidenceServer]:
    state = EvidenceServer(url="", token="test-evidence-token")  # noqa: S106

    class Handler(JsonHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            state.requests.append((self.path, self.headers.get("Authorization")))
            prefix = "/services/eoffice/api/evidence/"
            if self.headers.get("Authorization") != f"token {state.token}":
                return self.send_json(401, {"error": "bad token"})
            if not self.path.startswith(prefix):
                return self.send_json(404, {"error": "not found"})
            record = state.records.get(self.path[len(prefix) :])
            if record is None:
                return self.send_json(404, {"error": "unknown user"})
            return self.send_json(200, record)


    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/services/eoffice"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
