"""The admin's home page (dashboards/admin.py, dashboards/platform_status.py): the hub and its
services, up or down as a real probe on 127.0.0.1 finds them, the versions, the counts of
tests/dashboards/site_for_dashboards.py, and a hub that cannot be reached.

The fake hub (tests/service_auth/fake_hub.py) answers the hub's API; a test that needs other
answers sets ``hub_api_answers`` on the app's FakeHubOAuth (None: the hub is unreachable)."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import WSGIRequestHandler, make_server

from common.i18n import LANGUAGE_COOKIE
from dashboards import platform_status
from dashboards.platform_status import (
    PACKAGES,
    HubProblem,
    ServiceState,
    loopback_target,
    read_hub_status,
)
from grading.audit import AuditAction, append_entry
from grading.certificates import REGISTRY_FILE, REGISTRY_FORMAT, CertificateRecord
from installation.layout import DataLayout
from people.roster import AccountStatus, load_roster, save_roster
from service_auth.hub_login import EXTENSION_KEY
from tests.dashboards.conftest import log_in, make_app
from tests.dashboards.site_for_dashboards import PREFIX
from tests.service_auth import fake_hub
from tests.service_auth.test_hub_api_status import StandInHub, hub_client, stand_in_hub

__all__ = ["stand_in_hub"]  # the fixture, imported to be used here

PAGE = f"{PREFIX}/admin/"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LoopbackServices:
    """A real HTTP server on 127.0.0.1 standing in for services: the e-office's prefix
    answers a redirect (to a site that must never be asked), a course's a server error."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.port = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.paths.append(environ["PATH_INFO"])
        if environ["PATH_INFO"].startswith("/services/cybersecurity/"):
            start_response("503 Service Unavailable", [("Content-Length", "0")])
        else:
            start_response("302 Found", [("Location", "http://192.0.2.1/elsewhere"),
                                         ("Content-Length", "0")])
        return [b""]


@pytest.fixture
def services() -> Iterator[LoopbackServices]:
    stand_in = LoopbackServices()
    server = make_server("127.0.0.1", 0, stand_in, threaded=True, request_handler=_Quiet)
    stand_in.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, name="services-stand-in")
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound once, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def _fake(app: Flask) -> fake_hub.FakeHubOAuth:
    hub: fake_hub.FakeHubOAuth = app.extensions[EXTENSION_KEY]
    return hub


def _answers(**changes: Any) -> dict[str, Any]:
    answers = dict(fake_hub.HUB_API)
    answers.update({"/" + k.strip("_"): v for k, v in changes.items()})
    return answers


def _html(client: FlaskClient, url: str = PAGE) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _states(html: str) -> dict[str, str]:
    """data-service -> data-state of the services table."""
    import re

    return dict(re.findall(r'data-service="([^"]+)" data-state="([^"]+)"', html))


def _count(html: str, name: str) -> str:
    import re

    match = re.search(rf'data-count="{re.escape(name)}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


# --- the page with the fake hub's answers ---------------------------------------------------


def test_status_of_the_hub_and_every_service(login: Callable[[str], FlaskClient]) -> None:
    html = _html(login("minh"))
    assert _states(html) == {
        "hub": "up",
        "eoffice": "down",  # fake hub: port 1, where nothing listens
        "dashboards": ServiceState.THIS_SERVICE,  # answering this page: not probed
        "grading": ServiceState.STARTED,  # managed, no URL: the hub's pid, said as such
        "idle-culler": ServiceState.STARTED,
        "roster-sync": ServiceState.API_CLIENT,
        "cybersecurity": "down",
        "digital-signatures": "down",
    }
    # the platform's services first, then the courses
    assert html.index('data-service="roster-sync"') < html.index('data-service="cybersecurity"')
    assert "4103" in html  # the grading service's process id, as the hub says it
    assert 'data-testid="hub-unreachable"' not in html
    # the hub's own admin page, from the HubOAuth's hub prefix
    assert 'href="/hub/admin" data-testid="hub-admin-link"' in html
    assert f'href="{PREFIX}/admin/audit"' in html


def test_the_hubs_admin_link_follows_its_prefix(app: Flask,
                                                login: Callable[[str], FlaskClient]) -> None:
    _fake(app).hub_prefix = "/academy/hub/"
    assert 'href="/academy/hub/admin"' in _html(login("minh"))


def test_the_page_is_wide_and_in_vietnamese(login: Callable[[str], FlaskClient]) -> None:
    html = _html(login("minh"))
    assert '<main class="wide">' in html
    assert '<html lang="vi">' in html
    # Vietnamese texts: these pass once the catalogue has /tmp/tr/admin.json merged
    assert "Quản trị nền tảng" in html
    assert "Nhật ký kiểm toán" in html
    assert "Học viên" in html


def test_services_up_or_down_as_a_real_probe_finds_them(
        app: Flask, login: Callable[[str], FlaskClient], services: LoopbackServices,
        closed_port: int, silent_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    probed: list[str] = []
    real_probe = platform_status.probe

    def recording_probe(target: str, timeout: float) -> platform_status.ProbeResult:
        probed.append(target)
        return real_probe(target, timeout)

    monkeypatch.setattr(platform_status, "probe", recording_probe)
    app.config["ADMIN_PROBE_TIMEOUT"] = 0.5
    live = f"http://127.0.0.1:{services.port}"
    _fake(app).hub_api_answers = _answers(services={
        "eoffice": fake_hub._service("eoffice", live, pid=1),
        "digital-signatures": fake_hub._service(
            "digital-signatures", f"http://127.0.0.1:{closed_port}", pid=2),
        "cybersecurity": fake_hub._service("cybersecurity", live, pid=3),
        "outside": fake_hub._service("outside", "http://192.0.2.7:80", pid=4),
        "tls": fake_hub._service("tls", f"https://127.0.0.1:{services.port}", pid=5),
        "by-name": fake_hub._service("by-name", f"http://localhost:{services.port}", pid=6),
        "silent": fake_hub._service("silent", f"http://127.0.0.1:{silent_port}", pid=7),
    })
    html = _html(login("minh"))
    assert _states(html) == {
        "hub": "up",
        "eoffice": "up",  # answered 302: any status below 500 is up; not followed
        "digital-signatures": "down",  # nothing listens
        "cybersecurity": "down",  # answered 503
        "outside": ServiceState.NOT_PROBED,  # not loopback: never asked
        "tls": ServiceState.NOT_PROBED,  # not plain http
        "by-name": "up",  # localhost, asked as 127.0.0.1
        "silent": "down",  # no answer within the timeout
    }
    assert "HTTP 302" in html and "HTTP 503" in html
    # at its hub prefix, as the hub's proxy sends requests; the redirect was not followed
    assert sorted(services.paths) == ["/services/by-name/", "/services/cybersecurity/",
                                      "/services/eoffice/"]
    assert all(target.startswith("http://127.0.0.1:") for target in probed)
    assert len(probed) == 5


def test_only_plain_http_on_loopback_is_ever_probed() -> None:
    assert loopback_target("http://127.0.0.1:8000", "/services/eoffice/") == \
        "http://127.0.0.1:8000/services/eoffice/"
    assert loopback_target("http://127.1.2.3:80/x") == "http://127.1.2.3:80/x"
    assert loopback_target("http://[::1]:81") == "http://[::1]:81/"
    assert loopback_target("http://localhost:82") == "http://127.0.0.1:82/"
    for url in ("http://10.0.0.1:80", "http://hub:8081", "https://127.0.0.1:443",
                "http://127.0.0.1.example.org/", "ftp://127.0.0.1/", "http://[::2]/",
                "http://0.0.0.0:80", "http://127.0.0.1:99999", "", "127.0.0.1:80"):
        assert loopback_target(url) is None, url
    with pytest.raises(ValueError, match="refusing"):
        platform_status.probe("http://192.0.2.1/", 0.1)


# --- versions ---------------------------------------------------------------------------------


def test_versions_of_the_academy_its_parts_python_and_the_running_hub(
        login: Callable[[str], FlaskClient]) -> None:
    import platform
    import re

    html = _html(login("minh"))
    for package in PACKAGES:
        row = re.search(rf'data-package="{package}">(.*?)</tr>', html, re.S)
        assert row, package
        assert f"<code>{metadata.version(package)}</code>" in row.group(1), package
    python = re.search(r'data-package="python">(.*?)</tr>', html, re.S)
    assert python and platform.python_version() in python.group(1)
    hub = re.search(r'data-package="hub-reported">(.*?)</tr>', html, re.S)
    assert hub and "<code>6.1.1</code>" in hub.group(1)
    assert "hub_config.spawner.IsolatedSpawner" in html  # GET /info
    assert 'data-testid="hub-version-mismatch"' not in html


def test_a_hub_running_another_version_is_said(app: Flask,
                                               login: Callable[[str], FlaskClient]) -> None:
    _fake(app).hub_api_answers = _answers(_={"version": "5.4.0"})
    html = _html(login("minh"))
    assert 'data-testid="hub-version-mismatch"' in html
    mismatch = html.split('data-testid="hub-version-mismatch"')[1].split("</p>")[0]
    assert "5.4.0" in mismatch and metadata.version("jupyterhub") in mismatch


# --- counts -----------------------------------------------------------------------------------


def test_counts_of_the_installation(login: Callable[[str], FlaskClient]) -> None:
    html = _html(login("minh"))
    expected = {
        "role-learner": "4", "role-trainer": "2", "role-hr": "1", "role-admin": "1",
        "status-active": "8", "status-not-yet-activated": "0", "status-locked": "0",
        "status-deactivated": "0",
        "courses": "2", "modules": "3",  # digital-signatures 1, cybersecurity 2
        # the fake hub: an running, binh starting, giang (a trainer) running
        "learner-servers": "1", "learner-servers-pending": "1", "other-servers": "1",
        "certificates-issued": "0", "certificates-revoked": "0", "audit-entries": "0",
    }
    assert {name: _count(html, name) for name in expected} == expected
    assert 'data-testid="count-problem"' not in html


def _certificate(number: int, revoked: bool) -> dict[str, Any]:
    return CertificateRecord(
        f"ID-{number}", "an", "CB-1", "Nguyễn Văn An", "Sở Tài chính", "cybersecurity",
        "An toàn thông tin", "2026-03-06", "2026-03-06T03:00:00+00:00", "0" * 64,
        f"{number}.pdf", f"https://example.org/verify/{number}", revoked=revoked).to_json()


@pytest.fixture
def copied_installation(installation: Path, tmp_path: Path) -> Path:
    """The module's installation copied, for a test that changes it (faster than a fresh
    one: the gradebooks are copied, not built)."""
    shutil.copytree(installation, tmp_path / "academy", symlinks=True)
    return tmp_path / "academy"


def test_counts_follow_the_roster_registry_and_audit_log(copied_installation: Path) -> None:
    layout = DataLayout.at(copied_installation)
    people = {p.username: p for p in load_roster(layout.roster_file)}
    people["binh"] = replace(people["binh"], status=AccountStatus.NOT_ACTIVATED)
    people["chi"] = replace(people["chi"], status=AccountStatus.DEACTIVATED)
    people["dung"] = replace(people["dung"], status=AccountStatus.LOCKED)
    save_roster(layout.roster_file, people.values())
    layout.certificates_dir.mkdir(parents=True, exist_ok=True)
    (layout.certificates_dir / REGISTRY_FILE).write_text(json.dumps({
        "format": REGISTRY_FORMAT,
        "certificates": [_certificate(1, False), _certificate(2, True),
                         _certificate(3, False)]}), encoding="utf-8")
    for actor in ("hoa", "minh"):
        append_entry(layout.audit_log_file, AuditAction.HR_EXPORT, actor, {"rows": 3})
    html = _html(log_in(make_app(copied_installation), "minh"), PAGE)
    assert _count(html, "status-active") == "5"
    assert _count(html, "status-not-yet-activated") == "1"
    assert _count(html, "status-deactivated") == "1"
    assert _count(html, "status-locked") == "1"
    assert _count(html, "role-learner") == "4"
    assert _count(html, "certificates-issued") == "3"
    assert _count(html, "certificates-revoked") == "1"
    assert _count(html, "audit-entries") == "2"


def test_an_unreadable_source_is_said_and_the_rest_counted(copied_installation: Path) -> None:
    DataLayout.at(copied_installation).roster_file.write_text("{ not json", encoding="utf-8")
    html = _html(log_in(make_app(copied_installation), "minh"), PAGE)
    assert 'data-testid="count-problem" data-source="roster"' in html
    assert 'data-count="role-learner"' not in html
    assert _count(html, "courses") == "2"
    # the hub's servers: a learner is not known without the roster, so all are "others"
    assert _count(html, "learner-servers") == "0"
    assert _count(html, "other-servers") == "3"


def test_count_lines_reads_a_large_log_a_chunk_at_a_time(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    assert platform_status.count_lines(log) == 0
    log.write_bytes(b'{"a": 1}\n' * 300_000 + b'{"cut off')  # 2.7 MB, over several chunks
    assert platform_status.count_lines(log) == 300_001


# --- the hub unreachable, or refusing -------------------------------------------------------


def test_an_unreachable_hub_still_gives_the_page(app: Flask,
                                                 login: Callable[[str], FlaskClient]) -> None:
    _fake(app).hub_api_answers = None
    html = _html(login("minh"))
    assert 'data-testid="hub-unreachable"' in html
    assert _states(html) == {"hub": "down"}  # its services are not known without it
    assert 'data-package="hub-reported"' in html
    assert _count(html, "role-learner") == "4"  # what the data folder says is still there
    assert _count(html, "courses") == "2"
    assert 'href="/hub/admin"' in html


def test_what_the_hub_does_not_answer_is_said(app: Flask,
                                              login: Callable[[str], FlaskClient]) -> None:
    answers = _answers()
    del answers["/users"]
    _fake(app).hub_api_answers = answers
    client = login("minh")
    client.set_cookie(LANGUAGE_COOKIE, "en")
    html = _html(client)
    assert 'data-testid="hub-unreachable"' not in html
    assert 'data-testid="hub-unread"' in html
    assert "the learners' servers" in html
    assert _states(html)["grading"] == ServiceState.STARTED


def test_the_real_hub_client_against_a_stand_in_hub(stand_in_hub: StandInHub) -> None:
    """read_hub_status with AcademyHubOAuth over HTTP: every page of active users read
    (the stand-in gives 2 a page), a refused token and a hub that is gone told apart."""
    stand_in_hub.services = {"grading": fake_hub._service("grading", pid=9)}
    stand_in_hub.active_users = [
        {"kind": "user", "name": name, "admin": False,
         "servers": {"": fake_hub._server(ready)}}
        for name, ready in (("an", True), ("binh", True), ("chi", False), ("giang", True),
                            ("dung", True))]
    status = read_hub_status(hub_client(stand_in_hub.url), {"an", "binh", "chi", "dung"})
    assert status.up and status.version == "6.1.1" and not status.unread
    assert status.info is not None and status.info.python == "3.11.2"
    assert status.info.authenticator == "hub_config.authenticator.AcademyAuthenticator 1.3.0"
    assert [(s.name, s.state, s.pid) for s in status.services] == [
        ("grading", ServiceState.STARTED, 9)]
    assert status.servers is not None
    assert (status.servers.learners_running, status.servers.learners_pending,
            status.servers.others_running, status.servers.complete) == (3, 1, 1, True)
    offsets = [r["offset"] for r in stand_in_hub.seen if r["path"] == "/hub/api/users"]
    assert offsets == ["0", "2", "4"]

    refused = read_hub_status(hub_client(stand_in_hub.url, token="wrong"), set())
    assert refused.up  # the root needs no token
    assert {path: t.problem for path, t in refused.unread.items()} == {
        "/info": HubProblem.REFUSED, "/services": HubProblem.REFUSED,
        "/users": HubProblem.REFUSED}
    assert refused.unread["/services"].http_status == 403

    gone = read_hub_status(hub_client("http://127.0.0.1:9/hub/api"), set())
    assert not gone.up and gone.trouble is not None
    assert gone.trouble.problem is HubProblem.NO_ANSWER
