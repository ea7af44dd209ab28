"""Outgoing pages: draft (errors keep the text), approve or return, issue, send, the PDF."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from sandbox_eoffice.incoming_documents import list_units
from sandbox_eoffice.models import OutgoingDocument, Tenant
from sandbox_eoffice.outgoing_documents import axis_directory, signers
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import evaluate_tasks
from sandbox_eoffice.vocabulary import OutgoingStatus

PREFIX = "/services/eoffice/"
OUT = PREFIX + "documents/outgoing"


def _ids(app: Flask) -> tuple[int, int, list[str]]:
    with app.app_context():
        tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        return (list_units(db(), tenant)[0].id, signers(db(), tenant)[0].id,
                axis_directory(db(), tenant))


def _token(client: FlaskClient, url: str, csrf_token_from) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def _draft(client: FlaskClient, app: Flask, csrf_token_from, **changes):
    unit, signer, _ = _ids(app)
    data = {"csrf_token": _token(client, f"{OUT}/new", csrf_token_from),
            "document_type": "Công văn", "drafting_unit": unit, "signer": signer,
            "urgency": "normal", "confidentiality": "normal",
            "summary": "V/v báo cáo kết quả chuyển đổi số quý IV",
            "body": "Thực hiện Kế hoạch số 12/KH-UBND, Sở báo cáo như sau.",
            "recipients": "Như trên;\nLưu: VT."} | changes
    return client.post(f"{OUT}/new", data=data)


def _step(client: FlaskClient, document_id: int, step: str, csrf_token_from, **data):
    url = f"{OUT}/{document_id}"
    return client.post(f"{url}/{step}",
                       data={"csrf_token": _token(client, url, csrf_token_from), **data})


def test_draft_approve_issue_send_in_the_browser_flow(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    alice.get(PREFIX)
    response = _draft(alice, app, csrf_token_from)
    assert response.status_code == 302
    document_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    draft_pdf = alice.get(f"{OUT}/{document_id}/document.pdf")
    text = " ".join(PdfReader(io.BytesIO(draft_pdf.data)).pages[0].extract_text().split())
    assert "DỰ THẢO" in text and "báo cáo kết quả chuyển đổi số quý IV" in text
    _step(alice, document_id, "submit", csrf_token_from)
    _step(alice, document_id, "approve", csrf_token_from)
    page = alice.get(_step(alice, document_id, "issue", csrf_token_from).headers["Location"])
    assert "Đã phát hành với số, ký hiệu 1/" in page.get_data(as_text=True)
    _, _, directory = _ids(app)
    response = _step(alice, document_id, "send", csrf_token_from, recipients=directory[:2])
    page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã gửi qua Trục liên thông đến 2 cơ quan." in page
    assert page.count("Đã xác nhận nhận văn bản") >= 2
    issued_pdf = alice.get(f"{OUT}/{document_id}/document.pdf")
    text = " ".join(PdfReader(io.BytesIO(issued_pdf.data)).pages[0].extract_text().split())
    assert "DỰ THẢO" not in text and "Số: 1/" in text
    with app.app_context():
        assert evaluate_tasks(db(), "alice")["issue-and-send-outgoing-document"].done


def test_a_bad_draft_is_refused_and_keeps_the_text(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    alice.get(PREFIX)
    response = _draft(alice, app, csrf_token_from, summary="", body="Nội dung cần giữ lại")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Hãy nhập trích yếu." in page and "Nội dung cần giữ lại" in page
    with app.app_context():
        assert db().scalars(select(OutgoingDocument)).first() is None


def test_return_then_issue_out_of_order_is_refused(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    alice.get(PREFIX)
    document_id = int(_draft(alice, app, csrf_token_from).headers["Location"].split("/")[-1])
    refused = _step(alice, document_id, "issue", csrf_token_from)
    assert "Chỉ văn bản đã được duyệt mới được phát hành" in alice.get(
        refused.headers["Location"]).get_data(as_text=True)
    _step(alice, document_id, "submit", csrf_token_from)
    _step(alice, document_id, "return", csrf_token_from, comment="Bổ sung số liệu quý IV.")
    with app.app_context():
        document = db().get(OutgoingDocument, document_id)
        assert document.status is OutgoingStatus.RETURNED
        assert document.issue_number is None


def test_a_classified_document_is_refused_at_the_axis(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    alice.get(PREFIX)
    document_id = int(_draft(alice, app, csrf_token_from,
                             confidentiality="confidential").headers["Location"].split("/")[-1])
    for step in ("submit", "approve", "issue"):
        _step(alice, document_id, step, csrf_token_from)
    _, _, directory = _ids(app)
    response = _step(alice, document_id, "send", csrf_token_from, recipients=directory[:1])
    page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "văn bản mật (mật, tối mật, tuyệt mật) không bao giờ được gửi" in page
    with app.app_context():
        assert db().get(OutgoingDocument, document_id).deliveries == []


def test_another_learner_cannot_see_or_act_on_the_draft(
    app: Flask, alice: FlaskClient, login, csrf_token_from
) -> None:
    alice.get(PREFIX)
    document_id = int(_draft(alice, app, csrf_token_from).headers["Location"].split("/")[-1])
    bob = app.test_client()
    login(bob, "bob")
    assert bob.get(f"{OUT}/{document_id}").status_code == 404
    assert bob.get(f"{OUT}/{document_id}/document.pdf").status_code == 404
    token = _token(bob, OUT, csrf_token_from) if "csrf_token" in bob.get(OUT).get_data(
        as_text=True) else _token(bob, PREFIX, csrf_token_from)
    for step in ("submit", "approve", "issue", "edit"):
        assert bob.post(f"{OUT}/{document_id}/{step}",
                        data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db().get(OutgoingDocument, document_id).status is OutgoingStatus.DRAFT
