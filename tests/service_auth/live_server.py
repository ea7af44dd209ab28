"""A Flask service over real HTTP on 127.0.0.1 (a free port of its own), with the fake hub's
authorize URL answered so that a browser is logged in as one FakeHubOAuth user; for the
browser tests of the e-office and the dashboards. Every server is stopped by whoever
started it (``LiveServers.stop_all``)."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qs, urlencode

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def with_fake_hub(app: Flask, username: str) -> Any:
    """The app, plus the hub's authorize URL: it approves `username` at once and sends the
    browser back to the service's callback with a code FakeHubOAuth accepts."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/hub/api/oauth2/authorize":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            location = query["redirect_uri"][0] + "?" + urlencode(
                {"code": f"code-{username}", "state": query["state"][0]})
            start_response("302 Found", [("Location", location), ("Content-Length", "0")])
            return [b""]
        return app(environ, start_response)

    return wsgi


class LiveServers:
    """``serve(username)`` -> the service's URL (with `prefix`) where the browser is logged
    in as `username`; ``stop_all()`` stops every server this object started."""

    def __init__(self, app: Flask, prefix: str) -> None:
        self.app = app
        self.prefix = prefix
        self._servers: list[tuple[Any, threading.Thread]] = []

    def serve(self, username: str) -> str:
        server = make_server("127.0.0.1", 0, with_fake_hub(self.app, username), threaded=True,
                             request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name=f"live-{username}")
        thread.start()
        self._servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}{self.prefix}"

    def stop_all(self) -> None:
        for server, thread in self._servers:
            server.shutdown()
            thread.join()
            server.server_close()
        self._servers.clear()
