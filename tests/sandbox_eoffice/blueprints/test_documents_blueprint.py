"""Incoming documents pages: list, detail, register; CSRF; tenant isolation."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sandbox_eoffice.models import IncomingDocument, Tenant
from sandbox_eoffice.request_db import db
from sandbox_eoffice.vocabulary import DocumentStatus

PREFIX = "/services/eoffice/"


def _documents_of(app: Flask, username: str) -> list[IncomingDocument]:
    with app.app_context():
        return list(
            db().scalars(
                select(IncomingDocument)
                .join(Tenant, Tenant.id == IncomingDocument.tenant_id)
                .where(Tenant.username == username)
                .order_by(IncomingDocument.id)
            )
        )


def _finance(app: Flask, username: str) -> IncomingDocument:
    return next(
        d for d in _documents_of(app, username) if d.issuing_agency.startswith("Sở Tài chính")
    )


def _register(client: FlaskClient, document_id: int, csrf_token_from) -> object:
    page = client.get(f"{PREFIX}documents/incoming/{document_id}").get_data(as_text=True)
    token = csrf_token_from(page)
    return client.post(
        f"{PREFIX}documents/incoming/{document_id}/register",
        data={"csrf_token": token},
        follow_redirects=True,
    )


def test_first_visit_creates_the_sandbox(app: Flask, alice: FlaskClient) -> None:
    page = alice.get(PREFIX).get_data(as_text=True)
    assert ">Văn bản đến</a>" in page
    assert "Chờ vào sổ" in page
    assert 30 <= len(_documents_of(app, "alice")) <= 100


def test_list_shows_the_documents(app: Flask, alice: FlaskClient) -> None:
    response = alice.get(PREFIX + "documents/incoming")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    finance = _finance(app, "alice")
    assert finance.number_symbol in page
    assert "Sở Tài chính tỉnh" in page
    assert "Số, ký hiệu" in page and "Trích yếu" in page


def test_list_can_filter_by_status(app: Flask, alice: FlaskClient) -> None:
    page = alice.get(PREFIX + "documents/incoming?status=done").get_data(as_text=True)
    finance = _finance(app, "alice")
    assert finance.number_symbol not in page
    assert alice.get(PREFIX + "documents/incoming?status=bogus").status_code == 200


def test_detail_shows_the_register_form(app: Flask, alice: FlaskClient) -> None:
    alice.get(PREFIX)
    finance = _finance(app, "alice")
    page = alice.get(f"{PREFIX}documents/incoming/{finance.id}").get_data(as_text=True)
    assert finance.summary in page
    assert f'action="{PREFIX}documents/incoming/{finance.id}/register"' in page
    assert ">Vào sổ</button>" in page


@pytest.mark.both_databases
def test_register_flow(app: Flask, alice: FlaskClient, csrf_token_from) -> None:
    alice.get(PREFIX)
    finance = _finance(app, "alice")
    response = _register(alice, finance.id, csrf_token_from)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    registered = _finance(app, "alice")
    assert registered.status is DocumentStatus.REGISTERED
    assert registered.register_number is not None
    assert f"có số đến {registered.register_number} trong Sổ văn bản đến" in page
    assert ">Vào sổ</button>" not in page


@pytest.mark.both_databases
def test_double_register_is_refused_with_a_message(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    alice.get(PREFIX)
    finance = _finance(app, "alice")
    page = alice.get(f"{PREFIX}documents/incoming/{finance.id}").get_data(as_text=True)
    token = csrf_token_from(page)
    url = f"{PREFIX}documents/incoming/{finance.id}/register"
    alice.post(url, data={"csrf_token": token})
    number = _finance(app, "alice").register_number
    again = alice.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "Không vào sổ: văn bản này đã có trong sổ" in again.get_data(as_text=True)
    assert _finance(app, "alice").register_number == number


def test_register_without_csrf_token_is_rejected(app: Flask, alice: FlaskClient) -> None:
    alice.get(PREFIX)
    finance = _finance(app, "alice")
    response = alice.post(f"{PREFIX}documents/incoming/{finance.id}/register")
    assert response.status_code == 400
    assert "mã bảo mật" in response.get_data(as_text=True)
    assert _finance(app, "alice").register_number is None


def test_register_with_a_wrong_csrf_token_is_rejected(app: Flask, alice: FlaskClient) -> None:
    alice.get(PREFIX)
    finance = _finance(app, "alice")
    response = alice.post(
        f"{PREFIX}documents/incoming/{finance.id}/register", data={"csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert _finance(app, "alice").register_number is None


@pytest.mark.both_databases
def test_learner_cannot_open_or_register_another_tenants_document(
    app: Flask, client: FlaskClient, login, csrf_token_from
) -> None:
    login(client, "bob")
    bobs = _finance(app, "bob")
    alice = app.test_client()
    login(alice, "alice")
    assert alice.get(f"{PREFIX}documents/incoming/{bobs.id}").status_code == 404
    # a valid CSRF token from alice's own page does not help
    own_page = alice.get(PREFIX).get_data(as_text=True)
    response = alice.post(
        f"{PREFIX}documents/incoming/{bobs.id}/register",
        data={"csrf_token": csrf_token_from(own_page)},
    )
    assert response.status_code == 404
    assert "không có trong hệ thống của cơ quan bạn" in response.get_data(as_text=True)
    assert _finance(app, "bob").register_number is None
    listing = alice.get(PREFIX + "documents/incoming").get_data(as_text=True)
    assert f'documents/incoming/{bobs.id}"' not in listing
    # bob still sees and can register his own document
    assert client.get(f"{PREFIX}documents/incoming/{bobs.id}").status_code == 200


def test_unknown_document_is_404(alice: FlaskClient) -> None:
    assert alice.get(PREFIX + "documents/incoming/999999").status_code == 404


def test_links_carry_the_service_prefix(alice: FlaskClient) -> None:
    page = alice.get(PREFIX).get_data(as_text=True)
    hrefs = re.findall(r'(?:href|action)="([^"]+)"', page)
    assert f"{PREFIX}documents/incoming" in hrefs
    assert f"{PREFIX}static/eoffice.css" in hrefs
    assert all(href.startswith(PREFIX) for href in hrefs), hrefs


def test_pages_escape_document_text(app: Flask, alice: FlaskClient) -> None:
    alice.get(PREFIX)
    finance = _finance(app, "alice")
    with app.app_context():
        document = db().get(IncomingDocument, finance.id)
        assert document is not None
        document.summary = "<script>alert(1)</script>"
        db().commit()
    page = alice.get(f"{PREFIX}documents/incoming/{finance.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
