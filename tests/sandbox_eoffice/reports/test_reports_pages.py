"""The reports pages: list and history, fill from the data, save, validate (nothing saved),
submit (refused as a whole, naming the indicator; late flagged), the lock after submission."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from common.clock import vietnam_now
from sandbox_eoffice.models import ActivityLog, Tenant
from sandbox_eoffice.reports.catalogue import INDICATORS
from sandbox_eoffice.reports.models import PeriodicReport, ReportStatus, ReportValue
from sandbox_eoffice.reports.periods import ReportKind, current_period
from sandbox_eoffice.reports.service import REPORT_ACTION_REFUSED, REPORT_SUBMITTED
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import evaluate_tasks

PREFIX = "/services/eoffice"
REPORTS = f"{PREFIX}/reports"
MANUAL = "VNEID_ACTIVATED"
TASK = "submit-valid-periodic-report"


def _report_id(app: Flask, *, overdue: bool = False) -> int:
    period = current_period(ReportKind.MONTH, vietnam_now().date())
    if overdue:
        period = period.previous()
    with app.app_context():
        tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        return db().scalars(select(PeriodicReport.id).where(
            PeriodicReport.tenant_id == tenant.id, PeriodicReport.kind == ReportKind.MONTH,
            PeriodicReport.period_start == period.start)).one()


def _values(app: Flask, report_id: int) -> dict[str, tuple[Any, ...]]:
    with app.app_context():
        report = db().get(PeriodicReport, report_id)
        assert report is not None
        return {"status": (report.status, report.late)} | {
            row.indicator: (row.value, row.system_value, row.note, row.out_of_range,
                            row.differs) for row in report.values}


def _form(client: FlaskClient, report_id: int, csrf_token_from) -> dict[str, str]:
    """The report's form as the page shows it (the typed figures and notes)."""
    html = client.get(f"{REPORTS}/{report_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html)}
    for indicator in INDICATORS:
        for field in ("value", "note"):
            name = f"{field}-{indicator.code}"
            match = re.search(rf'name="{name}" id="{name}" value="([^"]*)"', html)
            assert match, name
            data[name] = match.group(1)
    return data


def _fill(client: FlaskClient, report_id: int, csrf_token_from) -> None:
    token = csrf_token_from(client.get(f"{REPORTS}/{report_id}").get_data(as_text=True))
    response = client.post(f"{REPORTS}/{report_id}/fill", data={"csrf_token": token})
    assert response.status_code == 302


def test_the_list_shows_what_to_submit_and_the_history(app: Flask, alice: FlaskClient) -> None:
    html = alice.get(REPORTS + "/").get_data(as_text=True)
    assert "Báo cáo định kỳ" in html or "Periodic reports" in html
    current, overdue = _report_id(app), _report_id(app, overdue=True)
    to_submit = html.split('id="history"')[0]
    assert f"/reports/{current}" in to_submit and f"/reports/{overdue}" in to_submit
    with app.app_context():
        submitted = db().scalars(select(PeriodicReport.id).where(
            PeriodicReport.status == ReportStatus.SUBMITTED)).all()
    history = html.split('id="history"')[1]
    assert len(submitted) == 5 and all(f"/reports/{i}" in history for i in submitted)


def test_fill_validate_and_submit(app: Flask, alice: FlaskClient, csrf_token_from) -> None:
    report_id = _report_id(app)
    _fill(alice, report_id, csrf_token_from)
    filled = _values(app, report_id)
    assert filled["TTHC_RECEIVED"][0] is not None
    data = _form(alice, report_id, csrf_token_from)
    assert data[f"value-{MANUAL}"] == ""
    # validate: the missing manual figure is named, nothing is saved
    page = alice.post(f"{REPORTS}/{report_id}/validate", data=data | {f"value-{MANUAL}": "70000"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-indicator="VNEID_ACTIVATED" data-kind="out_of_range"' in html
    assert "VNeID" in html and "70.000" in html  # named, and the figure as read in Vietnamese
    assert _values(app, report_id) == filled
    page = alice.post(f"{REPORTS}/{report_id}/validate", data=data | {f"value-{MANUAL}": "abc"})
    html = page.get_data(as_text=True).split('id="problems"')[1].split("</section>")[0]
    assert re.findall(r'data-indicator="(\w+)" data-kind="(\w+)"', html) == [
        (MANUAL, "not_a_number")]
    page = alice.post(f"{REPORTS}/{report_id}/validate", data=data | {f"value-{MANUAL}": "1250"})
    assert 'id="problems"' not in page.get_data(as_text=True)
    assert _values(app, report_id) == filled
    # submit
    response = alice.post(f"{REPORTS}/{report_id}/submit", data=data | {f"value-{MANUAL}": "1250"})
    assert response.status_code == 302
    after = _values(app, report_id)
    assert after["status"] == (ReportStatus.SUBMITTED, False)
    assert after[MANUAL][0] == Decimal(1250)
    html = alice.get(f"{REPORTS}/{report_id}").get_data(as_text=True)
    assert 'id="report-form"' not in html and "1.250" in html
    with app.app_context():
        assert db().scalars(select(ActivityLog).where(
            ActivityLog.action == REPORT_SUBMITTED, ActivityLog.actor == "alice")).one()
        assert evaluate_tasks(db(), "alice")[TASK].done


def test_a_refused_submission_names_the_indicator_and_saves_nothing(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    report_id = _report_id(app)
    _fill(alice, report_id, csrf_token_from)
    data = _form(alice, report_id, csrf_token_from)
    before = _values(app, report_id)
    for typed, kind in (("60000", "out_of_range"), ("một nghìn", "not_a_number"),
                        ("", "missing")):
        response = alice.post(f"{REPORTS}/{report_id}/submit",
                              data=data | {f"value-{MANUAL}": typed,
                                           "note-TTHC_RECEIVED": "thay đổi"})
        html = response.get_data(as_text=True)
        assert response.status_code == 400, typed
        assert f'data-indicator="{MANUAL}" data-kind="{kind}"' in html
        assert "8. " in html and "VNeID" in html
        assert f'value="{typed}"' in html  # what was typed stays on the page
        assert _values(app, report_id) == before
    with app.app_context():
        refusals = db().scalars(select(ActivityLog).where(
            ActivityLog.action == REPORT_ACTION_REFUSED)).all()
        assert [r.details["reason"] for r in refusals] == [
            "not_ready", "invalid_input", "not_ready"]
        assert not evaluate_tasks(db(), "alice")[TASK].done


def test_save_keeps_a_draft_and_flags_it(app: Flask, alice: FlaskClient,
                                         csrf_token_from) -> None:
    report_id = _report_id(app)
    _fill(alice, report_id, csrf_token_from)
    data = _form(alice, report_id, csrf_token_from)
    received = _values(app, report_id)["TTHC_RECEIVED"][0]
    response = alice.post(f"{REPORTS}/{report_id}/save", data=data | {
        f"value-{MANUAL}": "99999", "value-TTHC_RECEIVED": str(received + 1),
        "note-TTHC_RECEIVED": "Thêm 1 hồ sơ giấy"})
    assert response.status_code == 302
    values = _values(app, report_id)
    assert values[MANUAL][0] == 99999 and values[MANUAL][3] is True
    assert values["TTHC_RECEIVED"][0] == received + 1 and values["TTHC_RECEIVED"][4] is True
    html = alice.get(f"{REPORTS}/{report_id}").get_data(as_text=True)
    assert 'value="99999"' in html and "Thêm 1 hồ sơ giấy" in html
    # not a number: nothing of the form is saved
    response = alice.post(f"{REPORTS}/{report_id}/save", data=data | {
        f"value-{MANUAL}": "1000", "value-TTHC_ONLINE_RATE": "abc"})
    assert response.status_code == 400
    assert 'data-indicator="TTHC_ONLINE_RATE" data-kind="not_a_number"' in \
        response.get_data(as_text=True)
    assert _values(app, report_id) == values


def test_late_submission_is_flagged(app: Flask, alice: FlaskClient, csrf_token_from) -> None:
    report_id = _report_id(app, overdue=True)
    html = alice.get(f"{REPORTS}/{report_id}").get_data(as_text=True)
    assert "badge-very-urgent" in html  # overdue, said before submitting
    _fill(alice, report_id, csrf_token_from)
    data = _form(alice, report_id, csrf_token_from)
    response = alice.post(f"{REPORTS}/{report_id}/submit", data=data | {
        f"value-{MANUAL}": "300"}, follow_redirects=True)
    assert response.status_code == 200
    assert 'id="late-flag"' in response.get_data(as_text=True)
    assert _values(app, report_id)["status"] == (ReportStatus.SUBMITTED, True)
    with app.app_context():
        result = evaluate_tasks(db(), "alice")[TASK]
        assert not result.done and "due date" in result.detail


def test_every_write_to_a_submitted_report_is_refused(app: Flask, alice: FlaskClient,
                                                      csrf_token_from) -> None:
    report_id = _report_id(app)
    _fill(alice, report_id, csrf_token_from)
    data = _form(alice, report_id, csrf_token_from)
    alice.post(f"{REPORTS}/{report_id}/submit", data=data | {f"value-{MANUAL}": "1250"})
    before = _values(app, report_id)
    assert before["status"][0] is ReportStatus.SUBMITTED
    for step in ("fill", "save", "validate", "submit"):
        response = alice.post(f"{REPORTS}/{report_id}/{step}",
                              data=data | {f"value-{MANUAL}": "2000"})
        html = response.get_data(as_text=True)
        assert response.status_code == 409, step
        assert 'id="refusal"' in html and 'id="report-form"' not in html
        assert _values(app, report_id) == before
    with app.app_context():
        rows = db().scalars(select(ReportValue).where(ReportValue.report_id == report_id)).all()
        assert {row.indicator: row.value for row in rows}[MANUAL] == 1250


def test_an_unknown_report_is_404(alice: FlaskClient) -> None:
    assert alice.get(f"{REPORTS}/999999").status_code == 404


def test_the_indicators_read_in_the_page_language(app: Flask, alice: FlaskClient) -> None:
    report_id = _report_id(app)
    html = alice.get(f"{REPORTS}/{report_id}").get_data(as_text=True)
    assert "Số tài khoản định danh điện tử (VNeID)" in html and "Tháng " in html
    alice.get(f"{PREFIX}/language/en?next=/services/eoffice/reports/")
    html = alice.get(f"{REPORTS}/{report_id}").get_data(as_text=True)
    assert "Electronic identification (VNeID) accounts activated" in html
    assert "0 to 50,000 accounts" in html
