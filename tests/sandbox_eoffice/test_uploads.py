"""Uploads: only readable PDFs within the size limit; anything else is refused with a message
and nothing is stored (pages and API)."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfWriter
from sqlalchemy import func, select

from sandbox_eoffice.models import OutgoingAttachment
from sandbox_eoffice.request_db import db
from sandbox_eoffice.uploads import MAX_UPLOAD_BYTES, clean_filename

API = "/services/eoffice/api/v1"
OUT = "/services/eoffice/documents/outgoing"
ALICE = {"Authorization": "Bearer token-alice"}


def a_pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _draft(client: FlaskClient) -> int:
    units = client.get(f"{API}/units", headers=ALICE).json
    leaders = [c for c in client.get(f"{API}/colleagues", headers=ALICE).json
               if c["position"] in ("head", "deputy_head")]
    return client.post(f"{API}/outgoing", headers=ALICE, json={
        "document_type": "Tờ trình", "summary": "Tờ trình kèm phụ lục", "body": "Nội dung.",
        "drafting_unit_id": units[0]["id"], "signer_id": leaders[0]["id"]}).json["id"]


def _stored(app: Flask) -> int:
    with app.app_context():
        return db().scalar(select(func.count()).select_from(OutgoingAttachment))


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body made by hand: the test client would spool a big form to a temporary
    file that it never closes."""
    boundary = "academy-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _upload(client: FlaskClient, document_id: int, name: str, data: bytes):
    body, content_type = _multipart(name, data)
    return client.post(f"{API}/outgoing/{document_id}/attachments", headers=ALICE,
                       data=body, content_type=content_type)


def test_a_pdf_is_attached_and_served_inline(app: Flask, client: FlaskClient) -> None:
    document_id = _draft(client)
    response = _upload(client, document_id, "Phụ lục số liệu.pdf", a_pdf(3))
    assert response.status_code == 201
    assert (response.json["filename"], response.json["pages"]) == ("Phụ lục số liệu.pdf", 3)
    served = client.get(f"{API}/outgoing/{document_id}/attachments/{response.json['id']}",
                        headers=ALICE)
    assert served.data == a_pdf(3) and served.headers["Content-Type"] == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    document = client.get(f"{API}/outgoing/{document_id}", headers=ALICE).json
    assert [a["filename"] for a in document["attachments"]] == ["Phụ lục số liệu.pdf"]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.pdf", b"", "empty_file"),
    ("report.docx", b"PK\x03\x04 a word file", "not_a_pdf"),
    ("renamed.pdf", b"MZ\x90\x00 an executable", "not_a_pdf"),
    ("page.pdf", b"<html><script>alert(1)</script></html>", "not_a_pdf"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "malformed_pdf"),
    ("cut.pdf", a_pdf(2)[:300], "malformed_pdf"),
    ("big.pdf", b"%PDF-1.7\n" + b"0" * (MAX_UPLOAD_BYTES + 1), "too_large"),
])
def test_anything_else_is_refused_and_nothing_is_stored(
    app: Flask, client: FlaskClient, name: str, data: bytes, reason: str
) -> None:
    document_id = _draft(client)
    response = _upload(client, document_id, name, data)
    assert response.status_code == 409 and response.json["reason"] == reason
    assert "Không có gì được lưu" in response.json["error"] or reason == "empty_file"
    assert _stored(app) == 0


def test_a_request_over_the_limit_is_refused_before_it_is_read(
    app: Flask, client: FlaskClient
) -> None:
    document_id = _draft(client)
    response = _upload(client, document_id, "huge.pdf", b"%PDF-" + b"0" * (7 * 1024 * 1024))
    assert response.status_code == 413
    assert "5 MB" in response.json["error"]
    assert _stored(app) == 0


def test_the_page_form_attaches_and_explains_refusals(
    app: Flask, alice: FlaskClient, client: FlaskClient, csrf_token_from
) -> None:
    document_id = _draft(alice)  # alice's client carries her token too
    page = alice.get(f"{OUT}/{document_id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'accept="application/pdf,.pdf"' in page
    token = csrf_token_from(page)
    refused = alice.post(f"{OUT}/{document_id}/attachments", content_type="multipart/form-data",
                         data={"csrf_token": token, "file": (io.BytesIO(b"hello"), "x.pdf")})
    shown = alice.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Chỉ được đính kèm tệp PDF" in shown and _stored(app) == 0
    attached = alice.post(f"{OUT}/{document_id}/attachments", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(a_pdf(1)), "pl.pdf")})
    shown = alice.get(attached.headers["Location"]).get_data(as_text=True)
    assert "Đã đính kèm pl.pdf (1 trang)." in shown and _stored(app) == 1


def test_file_names_lose_folders_and_control_characters() -> None:
    assert clean_filename("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_filename("C:\\\\Users\\\\a\\\\Tờ trình.pdf") == "Tờ trình.pdf"
    assert clean_filename("a\x00b\u202e.pdf") == "ab.pdf"
    assert clean_filename("") == "tai-lieu.pdf"
