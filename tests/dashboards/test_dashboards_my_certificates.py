"""A learner's own certificates, behind the hub login: listed, downloaded; nobody else's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboards import create_app
from grading.certificates import IssueOptions, issue_for_completed, revoke_certificate
from grading.records import CompletionRecord
from installation.layout import DataLayout
from people.roster import Person
from tests.service_auth.fake_hub import make_fake_hub_auth

PREFIX = "/services/dashboards"
COURSE = "digital-signatures"


def _record(username: str, full_name: str, course: str = COURSE) -> CompletionRecord:
    empty = {f.name: None for f in dataclasses.fields(CompletionRecord)
             if f.default is dataclasses.MISSING}
    return CompletionRecord(**(empty | dict(  # type: ignore[arg-type]
        employee_id=f"CB-{username}", full_name=full_name, agency="UBND huyện Lập Thạch",
        course_id=course, course_title=f"Khóa {course}", score=9, max_score=10,
        passed=True, completion_date=dt.date(2026, 11, 20), username=username)))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """alice: two certificates, one revoked; bob: one."""
    root = tmp_path_factory.mktemp("academy")
    layout = DataLayout(root)
    made = issue_for_completed(
        [_record("alice", "Nguyễn Thị An"), _record("alice", "Nguyễn Thị An", "cybersecurity"),
         _record("bob", "Trần Văn Bình")],
        layout.certificates_dir, IssueOptions(pki_dir=layout.pki_dir), {})
    revoke_certificate(layout.certificates_dir, made[1].certificate_id,
                       reason="Hoàn thành bị hủy", by=Person("hoa", "Vũ Thị Hoa", "hr"))
    return root


@pytest.fixture
def app(data_dir: Path) -> Iterator[Flask]:
    yield create_app({"TESTING": True, "DATA_DIR": str(data_dir), "URL_PREFIX": PREFIX,
                      "SECRET_KEY": "test-only", "HUB_AUTH": make_fake_hub_auth("dashboards")})


def _logged_in(app: Flask, username: str) -> FlaskClient:
    """The real OAuth dance against the fake hub: page -> hub -> callback -> page."""
    client = app.test_client()
    response = client.get(f"{PREFIX}/certificates/")
    assert response.status_code == 302 and "/hub/api/oauth2/authorize" in response.location
    state = parse_qs(urlsplit(response.location).query)["state"][0]
    callback = client.get(f"{PREFIX}/oauth_callback?code=code-{username}&state={state}")
    assert callback.status_code == 302 and callback.location.endswith(f"{PREFIX}/certificates/")
    return client


def _ids(data_dir: Path) -> dict[tuple[str, str], str]:
    from grading.certificates import load_registry

    return {(c.username, c.course_id): c.certificate_id
            for c in load_registry(DataLayout(data_dir).certificates_dir)}


def test_a_learner_sees_and_downloads_their_own(app: Flask, data_dir: Path) -> None:
    alice = _logged_in(app, "alice")
    html = alice.get(f"{PREFIX}/certificates/").get_data(as_text=True)
    ids = _ids(data_dir)
    valid, revoked = ids[("alice", COURSE)], ids[("alice", "cybersecurity")]
    assert valid in html and revoked in html and ids[("bob", COURSE)] not in html
    assert "Hoàn thành bị hủy" in html  # the revoked one says why, and offers no download
    links = re.findall(r'href="([^"]+\.pdf)"', html)
    assert links == [f"{PREFIX}/certificates/{valid}.pdf"]
    pdf = alice.get(links[0])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"


def test_nobody_downloads_another_learners(app: Flask, data_dir: Path) -> None:
    bob = _logged_in(app, "bob")
    alices = _ids(data_dir)[("alice", COURSE)]
    assert bob.get(f"{PREFIX}/certificates/{alices}.pdf").status_code == 404
    assert app.test_client().get(f"{PREFIX}/certificates/{alices}.pdf").status_code == 302


def test_without_the_service_access_it_is_refused(app: Flask) -> None:
    outsider = app.test_client()
    response = outsider.get(f"{PREFIX}/certificates/",
                            headers={"Authorization": "token token-outsider"})
    assert response.status_code == 403
