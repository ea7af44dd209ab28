"""The one-stop pages: the desk and its indicators, receiving at the counter (and refusing a
malformed citizen ID), every step with its refusals, the result PDF, the population lookup
and the lookup log. The pages are read in English (the source strings), so that the
assertions hold whatever the Vietnamese catalogue says."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from common.i18n import LANGUAGE_COOKIE
from sandbox_eoffice.models import ActivityLog, Tenant, Unit
from sandbox_eoffice.one_stop import dossiers as service
from sandbox_eoffice.one_stop.models import (
    Dossier,
    DossierStatus,
    PopulationLookup,
    PopulationRecord,
)
from sandbox_eoffice.request_db import db

PREFIX = "/services/eoffice"
DESK = f"{PREFIX}/one-stop/"


@pytest.fixture
def clerk(alice: FlaskClient) -> FlaskClient:
    alice.set_cookie(LANGUAGE_COOKIE, "en")
    alice.get(DESK)  # the sandbox exists from here on
    return alice


def _tenant(app: Flask) -> Tenant:
    return db().scalars(select(Tenant).where(Tenant.username == "alice")).one()


def _dossier(app: Flask, dossier_id: int) -> Dossier:
    with app.app_context():
        dossier = db().get(Dossier, dossier_id)
        assert dossier is not None
        db().expunge(dossier)
        return dossier


def _seeded(app: Flask, status: DossierStatus, *, missing: bool | None = None,
            fee: bool | None = None) -> int:
    with app.app_context():
        for dossier in service.list_dossiers(db(), _tenant(app), status):
            if missing is not None and bool(dossier.missing_documents) != missing:
                continue
            if fee is not None and bool(dossier.fee) != fee:
                continue
            return dossier.id
    raise AssertionError("no such seeded dossier")


def _token(client: FlaskClient, url: str, csrf_token_from) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def _step(client: FlaskClient, dossier_id: int, step: str, csrf_token_from, **data):
    url = f"{PREFIX}/one-stop/dossiers/{dossier_id}"
    return client.post(f"{url}/{step}",
                       data={"csrf_token": _token(client, url, csrf_token_from), **data})


def _follow(client: FlaskClient, response) -> str:  # noqa: ANN001
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _receive(client: FlaskClient, csrf_token_from, **changes: object):  # noqa: ANN202
    token = _token(client, f"{DESK}dossiers/new?procedure=KD-HKD", csrf_token_from)
    data = {"csrf_token": token, "procedure": "KD-HKD", "applicant_name": "Trần Thị Mai",
            "citizen_id": "044190123456", "date_of_birth": "1990-05-17",
            "address": "Số 12 đường Lý Thường Kiệt, Đồng Hới", "phone": "0912345678",
            "provided": ["0", "1", "2"]} | changes
    return client.post(f"{DESK}dossiers/new", data=data)


def test_the_desk_shows_indicators_dossiers_overdue_in_red_and_the_queue(
        app: Flask, clerk: FlaskClient) -> None:
    page = clerk.get(DESK).get_data(as_text=True)
    assert "Indicators of the desk" in page
    assert "Received online" in page and "Satisfied citizens" in page
    assert re.search(r"\(\d+/16\)", page)  # the counts behind the percentages
    assert page.count('class="row-overdue"') >= 2
    assert "Citizens waiting at the counter" in page
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(ActivityLog).where(
            ActivityLog.action == service.DESK_VIEWED)) >= 1
    overdue = clerk.get(f"{DESK}?overdue=1").get_data(as_text=True)
    assert overdue.count("<tr class=") == overdue.count('class="row-overdue"') >= 2
    returned = clerk.get(f"{DESK}?status=returned").get_data(as_text=True)
    assert "Result returned" in returned and "row-overdue" not in returned


def test_the_indicator_period_can_be_chosen(clerk: FlaskClient) -> None:
    page = clerk.get(f"{DESK}?start=2020-01-01&end=2020-01-31").get_data(as_text=True)
    assert "0 dossiers received in the period" in page
    assert "01/01/2020" in page
    bad = clerk.get(f"{DESK}?start=yesterday&end=2020-13-45")
    assert bad.status_code == 200  # unreadable dates fall back to the last 90 days


def test_receiving_a_counter_dossier(app: Flask, clerk: FlaskClient, csrf_token_from) -> None:
    choose = clerk.get(f"{DESK}dossiers/new").get_data(as_text=True)
    assert "Which procedure?" in choose and "Business household registration" in choose
    response = _receive(clerk, csrf_token_from, provided=["0", "1"])
    page = _follow(clerk, response)
    assert "received. Due date:" in page
    assert "Biên bản họp thành viên hộ gia đình" in page and "missing" in page
    dossier = _dossier(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert dossier.status is DossierStatus.RECEIVED and dossier.channel.value == "counter"
    assert dossier.citizen_id == "044190123456"


def test_a_visitor_at_the_counter_fills_the_form(app: Flask, clerk: FlaskClient) -> None:
    with app.app_context():
        visitor = service.counter_queue(db(), _tenant(app))[0]
    page = clerk.get(f"{DESK}dossiers/new?visitor={visitor.record.citizen_id}")
    html = page.get_data(as_text=True)
    assert visitor.record.citizen_id in html and visitor.declared_name in html
    assert visitor.procedure.documents[0] in html


@pytest.mark.parametrize(("citizen_id", "message"), [
    ("04419012345", "must be exactly 12 digits"),
    ("04419012345x", "must be exactly 12 digits"),
    ("003190123456", "first 3 digits must be the code of a province"),
    ("044590123456", "4th digit gives the century of birth and the sex"),
    ("044299123456", "a year of birth after this year"),
    ("044180123456", "The date of birth does not agree with the citizen ID"),
])
def test_a_malformed_citizen_id_is_refused_with_a_clear_message(
        app: Flask, clerk: FlaskClient, csrf_token_from, citizen_id: str, message: str) -> None:
    with app.app_context():
        before = db().scalar(select(func.count()).select_from(Dossier))
    response = _receive(clerk, csrf_token_from, citizen_id=citizen_id)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Trần Thị Mai" in page  # what was typed stays
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(Dossier)) == before


def test_the_whole_workflow_through_the_pages(app: Flask, clerk: FlaskClient,
                                              csrf_token_from) -> None:
    dossier_id = int(_receive(clerk, csrf_token_from).headers["Location"].rsplit("/", 1)[1])
    assert "the dossier is complete" in _follow(
        clerk, _step(clerk, dossier_id, "check", csrf_token_from))
    with app.app_context():
        unit = db().scalars(select(Unit).where(Unit.tenant_id == _tenant(app).id)).first()
    assert "Transferred to" in _follow(
        clerk, _step(clerk, dossier_id, "transfer", csrf_token_from, unit=str(unit.id)))
    assert "Approved." in _follow(clerk, _step(clerk, dossier_id, "approve", csrf_token_from))
    paper = clerk.get(f"{DESK}dossiers/{dossier_id}/result.pdf")
    assert paper.status_code == 200 and paper.data.startswith(b"%PDF-")
    assert "online payment" in _follow(
        clerk, _step(clerk, dossier_id, "payment", csrf_token_from, method="online"))
    url = f"{DESK}dossiers/{dossier_id}"
    digitised = clerk.post(f"{url}/digitise", content_type="multipart/form-data", data={
        "csrf_token": _token(clerk, url, csrf_token_from),
        "file": (io.BytesIO(paper.data), "giay-chung-nhan.pdf")})
    assert "The result is digitised" in _follow(clerk, digitised)
    page = _follow(clerk, _step(clerk, dossier_id, "return", csrf_token_from))
    assert "Result returned on time" in page
    dossier = _dossier(app, dossier_id)
    assert dossier.status is DossierStatus.RETURNED and dossier.result_digitised
    assert dossier.paid_online and dossier.satisfaction_rating in (4, 5)
    assert "Citizen&#39;s rating" in page or "Citizen's rating" in page


def test_a_step_out_of_order_is_refused_with_the_reason(
        app: Flask, clerk: FlaskClient, csrf_token_from) -> None:
    dossier_id = _seeded(app, DossierStatus.RECEIVED, missing=True)
    before = _dossier(app, dossier_id)
    page = _follow(clerk, _step(clerk, dossier_id, "approve", csrf_token_from))
    assert "Only a dossier processed by the specialist unit can be approved" in page
    after = _dossier(app, dossier_id)
    assert (after.status, after.approved_at) == (before.status, before.approved_at)
    _step(clerk, dossier_id, "check", csrf_token_from)
    page = _follow(clerk, _step(clerk, dossier_id, "transfer", csrf_token_from, unit="1"))
    assert "request the additional documents from the citizen first" in page
    with app.app_context():
        reasons = db().scalars(select(ActivityLog.details).where(
            ActivityLog.action == service.DOSSIER_ACTION_REFUSED)).all()
    assert [r["reason"] for r in reasons] == [service.NOT_IN_REVIEW, service.INCOMPLETE]
    page = _follow(clerk, _step(clerk, dossier_id, "request-additional", csrf_token_from,
                                note="Nộp bổ sung tại bộ phận một cửa."))
    assert "The legal time stops" in page and "Stopped: waiting for" in page


def test_a_text_file_named_result_pdf_is_refused(app: Flask, clerk: FlaskClient,
                                                 csrf_token_from) -> None:
    dossier_id = _seeded(app, DossierStatus.APPROVED)
    url = f"{DESK}dossiers/{dossier_id}"
    response = clerk.post(f"{url}/digitise", content_type="multipart/form-data", data={
        "csrf_token": _token(clerk, url, csrf_token_from),
        "file": (io.BytesIO(b"KET QUA GIAI QUYET HO SO\n"), "result.pdf")})
    assert "Only PDF files can be attached" in _follow(clerk, response)
    assert not _dossier(app, dossier_id).result_digitised


def test_a_post_without_its_csrf_token_is_refused(app: Flask, clerk: FlaskClient) -> None:
    dossier_id = _seeded(app, DossierStatus.IN_REVIEW)
    response = clerk.post(f"{DESK}dossiers/{dossier_id}/approve")
    assert response.status_code == 400
    assert _dossier(app, dossier_id).status is DossierStatus.IN_REVIEW


def test_no_result_before_approval(app: Flask, clerk: FlaskClient) -> None:
    dossier_id = _seeded(app, DossierStatus.IN_REVIEW)
    assert clerk.get(f"{DESK}dossiers/{dossier_id}/result.pdf").status_code == 404


def test_the_lookup_needs_a_purpose_and_shows_the_difference(
        app: Flask, clerk: FlaskClient, csrf_token_from) -> None:
    with app.app_context():
        tenant = _tenant(app)
        records = {r.citizen_id: r for r in db().scalars(select(PopulationRecord).where(
            PopulationRecord.tenant_id == tenant.id))}
        dossier = next(d for d in service.list_dossiers(db(), tenant, DossierStatus.RECEIVED)
                       if service.compare_with_dossier(records[d.citizen_id], d)
                       == ("date_of_birth",))
        dossier_id, citizen_id = dossier.id, dossier.citizen_id
    url = f"{DESK}dossiers/{dossier_id}"
    refused = clerk.post(f"{url}/lookup", data={
        "csrf_token": _token(clerk, url, csrf_token_from), "citizen_id": citizen_id,
        "purpose": ""})
    assert "Choose the purpose of the lookup" in _follow(clerk, refused)
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(PopulationLookup)) == 0
    found = clerk.post(f"{url}/lookup", data={
        "csrf_token": _token(clerk, url, csrf_token_from), "citizen_id": citizen_id,
        "purpose": "verify_applicant", "note": "Đối chiếu trước khi tiếp nhận"})
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert "National population database" in page
    assert 'id="mismatch-warning"' in page and "Date of birth" in page
    log = clerk.get(f"{DESK}lookups").get_data(as_text=True)
    assert citizen_id in log and "Verify the identity of this dossier" in log
    assert "Đối chiếu trước khi tiếp nhận" in log


def test_a_malformed_id_is_not_looked_up(app: Flask, clerk: FlaskClient,
                                         csrf_token_from) -> None:
    dossier_id = _seeded(app, DossierStatus.IN_REVIEW)
    url = f"{DESK}dossiers/{dossier_id}"
    response = clerk.post(f"{url}/lookup", data={
        "csrf_token": _token(clerk, url, csrf_token_from), "citizen_id": "12345",
        "purpose": "verify_applicant"})
    assert "must be exactly 12 digits" in _follow(clerk, response)
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(PopulationLookup)) == 0
        refusals = db().scalars(select(ActivityLog).where(
            ActivityLog.action == service.CITIZEN_LOOKUP_REFUSED)).all()
        assert [r.details["reason"] for r in refusals] == ["citizen_id_not_twelve_digits"]


def test_an_unknown_dossier_is_404(clerk: FlaskClient) -> None:
    assert clerk.get(f"{DESK}dossiers/999999").status_code == 404


def test_the_pages_are_in_vietnamese_by_default(alice: FlaskClient) -> None:
    page = alice.get(DESK).get_data(as_text=True)
    assert 'lang="vi"' in page


def test_what_the_clerk_types_is_shown_as_text(app: Flask, clerk: FlaskClient,
                                               csrf_token_from) -> None:
    hostile = '<script>window.__xss=1</script>"><img src=x onerror=alert(1)> {{7*7}}'
    response = _receive(clerk, csrf_token_from, applicant_name=hostile, address=hostile)
    page = _follow(clerk, response)
    assert "<script>window.__xss" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page and "{{7*7}}" in page
    dossier_id = int(response.headers["Location"].rsplit("/", 1)[1])
    refused = _follow(clerk, _step(clerk, dossier_id, "reject", csrf_token_from,
                                   reason=hostile))
    assert "<img src=x" not in refused and "&lt;img src=x onerror=alert(1)&gt;" in refused
    desk = clerk.get(DESK).get_data(as_text=True)
    assert "<script>window.__xss" not in desk
