"""The public certificate verification page: no login, an id (the QR code's link) or the PDF,
the same answers as `academy certificate verify`, in Vietnamese by default and in English."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

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


def _record(username: str, full_name: str) -> CompletionRecord:
    empty = {f.name: None for f in dataclasses.fields(CompletionRecord)
             if f.default is dataclasses.MISSING}
    return CompletionRecord(**(empty | dict(  # type: ignore[arg-type]
        employee_id=f"CB-{username}", full_name=full_name,
        agency="Sở Nội vụ tỉnh Quảng Bình", course_id=COURSE,
        course_title="Chữ ký số trong hoạt động công vụ", score=19, max_score=20,
        passed=True, completion_date=dt.date(2026, 11, 20), username=username)))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An academy data directory with two certificates issued, one of them revoked."""
    root = tmp_path_factory.mktemp("academy")
    layout = DataLayout(root)
    made = issue_for_completed(
        [_record("lan", "Trần Thị Lan"), _record("minh", "Hoàng Văn Minh")],
        layout.certificates_dir, IssueOptions(pki_dir=layout.pki_dir),
        {COURSE: [("sign.use", 3)]})
    assert len(made) == 2
    revoke_certificate(layout.certificates_dir, made[1].certificate_id,
                       reason="Hoàn thành bị hủy sau khi chấm lại",
                       by=Person("hoa", "Vũ Thị Hoa", "hr"))
    return root


@pytest.fixture
def app(data_dir: Path, tmp_path: Path) -> Iterator[Flask]:
    yield create_app({"TESTING": True, "DATA_DIR": str(data_dir), "URL_PREFIX": PREFIX,
                      "SECRET_KEY": "test-only", "WTF_CSRF_ENABLED": True,
                      "HUB_AUTH": make_fake_hub_auth("dashboards")})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _ids(data_dir: Path) -> dict[str, str]:
    from grading.certificates import load_registry

    return {c.username: c.certificate_id
            for c in load_registry(DataLayout(data_dir).certificates_dir)}


def _pdf(data_dir: Path, username: str) -> bytes:
    layout = DataLayout(data_dir)
    return (layout.certificates_dir / "pdf" / f"{_ids(data_dir)[username]}.pdf").read_bytes()


def _csrf(client: FlaskClient) -> str:
    page = client.get(f"{PREFIX}/verify/").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_the_qr_link_shows_a_valid_certificate_without_login(client: FlaskClient,
                                                             data_dir: Path) -> None:
    certificate_id = _ids(data_dir)["lan"]
    page = client.get(f"{PREFIX}/verify/{certificate_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Giấy chứng nhận hợp lệ" in html  # Vietnamese by default
    assert "Trần Thị Lan" in html and "Chữ ký số trong hoạt động công vụ" in html
    assert certificate_id in html
    assert "<dd>20/11/2026</dd>" in html  # the completion date, as Vietnamese dates read
    # an id alone proves the certificate exists; the page says the file proves the copy
    assert "kiểm tra cả tệp PDF" in html


def test_a_mistyped_id_is_read_forgivingly(client: FlaskClient, data_dir: Path) -> None:
    certificate_id = _ids(data_dir)["lan"].lower().replace("-", "").replace("0", "o")
    html = client.get(f"{PREFIX}/verify/{certificate_id}").get_data(as_text=True)
    assert "Giấy chứng nhận hợp lệ" in html


def test_a_revoked_certificate_says_when_and_why(client: FlaskClient, data_dir: Path) -> None:
    html = client.get(f"{PREFIX}/verify/{_ids(data_dir)['minh']}").get_data(as_text=True)
    assert "Giấy chứng nhận đã bị thu hồi" in html
    assert "Hoàn thành bị hủy sau khi chấm lại" in html
    assert "Giấy chứng nhận hợp lệ" not in html


def test_an_unknown_or_malformed_id(client: FlaskClient) -> None:
    unknown = client.get(f"{PREFIX}/verify/0000-0000-0000")
    assert unknown.status_code == 200  # a well-formed id: the answer is "not ours"
    assert "Không phải giấy chứng nhận hợp lệ" in unknown.get_data(as_text=True)
    malformed = client.get(f"{PREFIX}/verify/<b onclick=alert(1)>x")
    html = malformed.get_data(as_text=True)
    assert malformed.status_code == 400
    assert "Không phải giấy chứng nhận hợp lệ" in html
    assert "<b onclick" not in html  # shown, if at all, escaped


def test_the_pdf_itself_is_checked(client: FlaskClient, data_dir: Path) -> None:
    token = _csrf(client)
    good = client.post(f"{PREFIX}/verify/", content_type="multipart/form-data", data={
        "csrf_token": token, "certificate_file": (io.BytesIO(_pdf(data_dir, "lan")), "c.pdf")})
    assert good.status_code == 200
    html = good.get_data(as_text=True)
    assert "Giấy chứng nhận hợp lệ" in html and "Trần Thị Lan" in html
    assert "kiểm tra cả tệp PDF" not in html


def test_an_altered_pdf_fails(client: FlaskClient, data_dir: Path) -> None:
    data = bytearray(_pdf(data_dir, "lan"))
    where = data.index(b"/Producer") if b"/Producer" in data else len(data) // 3
    data[where + 2] ^= 0x01
    response = client.post(f"{PREFIX}/verify/", content_type="multipart/form-data", data={
        "csrf_token": _csrf(client), "certificate_file": (io.BytesIO(bytes(data)), "c.pdf")})
    html = response.get_data(as_text=True)
    assert "Không phải giấy chứng nhận hợp lệ" in html
    assert "đã bị thay đổi sau khi Học viện ký" in html  # said as what it is: altered


def test_a_file_that_is_no_pdf_is_refused_with_a_message(client: FlaskClient) -> None:
    response = client.post(f"{PREFIX}/verify/", content_type="multipart/form-data", data={
        "csrf_token": _csrf(client),
        "certificate_file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "certificate.pdf")})
    assert response.status_code == 400
    assert "Không phải giấy chứng nhận hợp lệ" in response.get_data(as_text=True)


def test_the_form_needs_an_id_or_a_file_and_a_csrf_token(client: FlaskClient) -> None:
    empty = client.post(f"{PREFIX}/verify/", data={"csrf_token": _csrf(client)})
    assert empty.status_code == 400
    assert "Nhập mã của giấy chứng nhận" in empty.get_data(as_text=True)
    forged = client.post(f"{PREFIX}/verify/", data={"certificate_id": "0000-0000-0000"})
    assert forged.status_code == 400


def test_english_on_switch(client: FlaskClient, data_dir: Path) -> None:
    target = f"{PREFIX}/verify/{_ids(data_dir)['lan']}"
    switched = client.get(f"{PREFIX}/language/en", query_string={"next": target})
    assert switched.status_code == 302 and switched.headers["Location"].endswith(target)
    html = client.get(target).get_data(as_text=True)
    assert "Valid certificate" in html and "Trần Thị Lan" in html
    assert client.get(f"{PREFIX}/language/vi", query_string={
        "next": "//evil.example/"}).headers["Location"] == f"{PREFIX}/verify/"
