"""Serve the app under the hub's service prefix (the proxy forwards the full path)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class PrefixMiddleware:
    """Move the URL prefix from PATH_INFO into SCRIPT_NAME, so url_for builds full links.

    Requests outside the prefix get a plain 404.
    """

    def __init__(self, app: WSGIApplication, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not self.prefix:
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.prefix
            environ["PATH_INFO"] = path[len(self.prefix) :] or "/"
            return self.app(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [f"Not found: this service lives under {self.prefix}/\n".encode()]


def normalise_prefix(prefix: str) -> str:
    """'/services/eoffice/' style: leading and trailing slash."""
    prefix = "/" + prefix.strip("/")
    return prefix if prefix == "/" else prefix + "/"
