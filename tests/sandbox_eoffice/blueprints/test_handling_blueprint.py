"""The incoming pages beyond registering: find, assign, forward, comment, complete, the PDF,
and the language switch."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from common.i18n import LANGUAGE_COOKIE
from sandbox_eoffice.incoming_documents import list_colleagues, list_units
from sandbox_eoffice.models import IncomingDocument, Tenant
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import evaluate_tasks
from sandbox_eoffice.vocabulary import DocumentStatus

PREFIX = "/services/eoffice/"


def _document(app: Flask, username: str, status: DocumentStatus) -> IncomingDocument:
    with app.app_context():
        return db().scalars(
            select(IncomingDocument)
            .join(Tenant, Tenant.id == IncomingDocument.tenant_id)
            .where(Tenant.username == username, IncomingDocument.status == status)
            .order_by(IncomingDocument.id)
        ).first()


def _finance(app: Flask, username: str) -> IncomingDocument:
    with app.app_context():
        return db().scalars(
            select(IncomingDocument)
            .join(Tenant, Tenant.id == IncomingDocument.tenant_id)
            .where(Tenant.username == username,
                   IncomingDocument.issuing_agency.startswith("Sở Tài chính"))
        ).one()


def _choices(app: Flask, username: str) -> tuple[list[int], list[int]]:
    with app.app_context():
        tenant = db().scalars(select(Tenant).where(Tenant.username == username)).one()
        return ([u.id for u in list_units(db(), tenant)],
                [c.id for c in list_colleagues(db(), tenant)])


def _post(client: FlaskClient, document_id: int, step: str, csrf_token_from, **data):
    page = client.get(f"{PREFIX}documents/incoming/{document_id}").get_data(as_text=True)
    return client.post(f"{PREFIX}documents/incoming/{document_id}/{step}",
                       data={"csrf_token": csrf_token_from(page), **data})


@pytest.mark.both_databases
def test_register_assign_complete_the_finance_document(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    alice.get(PREFIX)
    finance = _finance(app, "alice")
    units, colleagues = _choices(app, "alice")
    _post(alice, finance.id, "register", csrf_token_from)
    response = _post(alice, finance.id, "assign", csrf_token_from, lead_unit=units[1],
                     assignee=colleagues[-1], coordinating_units=[units[0]], deadline_days=5,
                     instruction="Tham mưu dự toán.")
    assert response.status_code == 302
    page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã giao xử lý. Hạn xử lý:" in page and "Tham mưu dự toán." in page
    response = _post(alice, finance.id, "complete", csrf_token_from, result_note="Đã xong.")
    page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã hoàn thành" in page
    assert _finance(app, "alice").status is DocumentStatus.DONE
    with app.app_context():
        results = evaluate_tasks(db(), "alice")
    assert results["register-incoming-from-so-tai-chinh"].done
    assert results["assign-incoming-from-so-tai-chinh"].done
    assert results["complete-incoming-from-so-tai-chinh"].done
    assert not results["forward-incoming-document"].done


def test_an_invalid_form_is_shown_again_with_what_was_typed(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    alice.get(PREFIX)
    document = _document(app, "alice", DocumentStatus.REGISTERED)
    units, _ = _choices(app, "alice")
    response = _post(alice, document.id, "assign", csrf_token_from, lead_unit=units[1],
                     deadline_days=999, instruction="Giữ nguyên nội dung này")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Từ 1 đến 60 ngày làm việc." in page
    assert "Giữ nguyên nội dung này" in page  # nothing typed is lost
    assert _document(app, "alice", DocumentStatus.REGISTERED).id == document.id


def test_a_refused_step_changes_nothing_and_says_why(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    alice.get(PREFIX)
    finance = _finance(app, "alice")  # not registered yet
    units, _ = _choices(app, "alice")
    response = _post(alice, finance.id, "assign", csrf_token_from, lead_unit=units[1],
                     deadline_days=5)
    page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hãy vào sổ văn bản trước" in page
    assert _finance(app, "alice").status is DocumentStatus.RECEIVED
    with app.app_context():
        assert not evaluate_tasks(db(), "alice")["assign-incoming-from-so-tai-chinh"].done


def test_forward_and_comment(app: Flask, alice: FlaskClient, csrf_token_from) -> None:
    alice.get(PREFIX)
    document = _document(app, "alice", DocumentStatus.REGISTERED)
    _, colleagues = _choices(app, "alice")
    _post(alice, document.id, "forward", csrf_token_from, colleagues=colleagues[:2],
          note="Để biết")
    _post(alice, document.id, "comment", csrf_token_from, body="<b>Ý kiến</b> của tôi")
    page = alice.get(f"{PREFIX}documents/incoming/{document.id}").get_data(as_text=True)
    assert "&lt;b&gt;Ý kiến&lt;/b&gt; của tôi" in page  # escaped, in the history
    assert "Để biết" in page
    with app.app_context():
        results = evaluate_tasks(db(), "alice")
    assert results["forward-incoming-document"].done
    assert results["comment-on-incoming-document"].done


def test_the_attachment_is_a_real_pdf_of_the_document(app: Flask, alice: FlaskClient) -> None:
    alice.get(PREFIX)
    finance = _finance(app, "alice")
    response = alice.get(f"{PREFIX}documents/incoming/{finance.id}/attachment.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert f"Số: {finance.number_symbol}" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert finance.summary in text


def test_list_filters_search_and_pages(app: Flask, alice: FlaskClient) -> None:
    alice.get(PREFIX)
    first = alice.get(PREFIX + "documents/incoming").get_data(as_text=True)
    assert 'aria-current="page">1<' in first and 'rel="next"' in first
    finance = _finance(app, "alice")
    found = alice.get(PREFIX + "documents/incoming?q=ngan+sach+du+toan").get_data(as_text=True)
    assert finance.number_symbol in found
    assert ">1 văn bản<" in found  # only the Sở Tài chính document matches
    overdue = alice.get(PREFIX + "documents/incoming?overdue=y").get_data(as_text=True)
    assert "row-overdue" in overdue and "Quá hạn" in overdue
    bad = alice.get(PREFIX + "documents/incoming?received_from=31-02-2026")
    assert bad.status_code == 200
    assert "Một số điều kiện lọc không hợp lệ" in bad.get_data(as_text=True)


def test_english_on_switch_and_back(alice: FlaskClient) -> None:
    response = alice.get(f"{PREFIX}language/en?next={PREFIX}documents/incoming")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{PREFIX}documents/incoming")
    cookie = alice.get_cookie(LANGUAGE_COOKIE, path="/")
    assert cookie is not None and cookie.value == "en"
    page = alice.get(PREFIX + "documents/incoming").get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Incoming documents</h1>" in page
    assert "Văn bản đến" not in page  # one clean language
    alice.get(f"{PREFIX}language/vi")
    assert "<h1>Văn bản đến</h1>" in alice.get(PREFIX + "documents/incoming").get_data(
        as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil",
                                    "/\t/evil.example", "/\n/evil.example", "/\u3000/x"])
def test_the_language_switch_never_leaves_the_site(client: FlaskClient, target: str) -> None:
    response = client.get(f"{PREFIX}language/en", query_string={"next": target})
    assert response.headers["Location"] == f"{PREFIX}"


def test_no_checkbox_of_a_group_is_required_in_html(app: Flask, alice: FlaskClient) -> None:
    """`required` on one box of a group means that box must be ticked: the browser would
    silently refuse to send a forward with any other colleague chosen."""
    alice.get(PREFIX)
    document = _document(app, "alice", DocumentStatus.REGISTERED)
    page = alice.get(f"{PREFIX}documents/incoming/{document.id}").get_data(as_text=True)
    boxes = [tag for tag in page.split("<input") if 'type="checkbox"' in tag]
    assert len(boxes) > 3
    assert not [tag for tag in boxes if " required" in tag.split(">")[0]]
