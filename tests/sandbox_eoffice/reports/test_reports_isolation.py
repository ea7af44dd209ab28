"""Tenant isolation of the reports, enumerated from the app: every route of the `reports`
pages and the `reports_api` operations refuses learner B on learner A's reports (a draft
and a submitted one), for reads and writes, and changes nothing of A's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sandbox_eoffice.models import ActivityLog, Tenant
from sandbox_eoffice.reports.models import PeriodicReport, ReportStatus, ReportValue
from sandbox_eoffice.request_db import db

PREFIX = "/services/eoffice"
BOB = {"Authorization": "Bearer token-bob"}
MANUAL = "VNEID_ACTIVATED"


def _alices_reports(app: Flask) -> list[int]:
    with app.app_context():
        alice = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        reports = db().scalars(select(PeriodicReport).where(
            PeriodicReport.tenant_id == alice.id).order_by(PeriodicReport.id)).all()
        draft = next(r.id for r in reports if r.status is ReportStatus.DRAFT)
        submitted = next(r.id for r in reports if r.status is ReportStatus.SUBMITTED)
        return [draft, submitted]


def _snapshot(app: Flask) -> tuple[Any, ...]:
    with app.app_context():
        session = db()
        alice = session.scalars(select(Tenant).where(Tenant.username == "alice")).one()
        reports = session.execute(select(
            PeriodicReport.id, PeriodicReport.status, PeriodicReport.filled_at,
            PeriodicReport.submitted_at, PeriodicReport.late).where(
            PeriodicReport.tenant_id == alice.id).order_by(PeriodicReport.id)).all()
        values = session.execute(select(
            ReportValue.id, ReportValue.value, ReportValue.system_value, ReportValue.note,
            ReportValue.out_of_range, ReportValue.differs).where(
            ReportValue.tenant_id == alice.id).order_by(ReportValue.id)).all()
        log = session.scalar(select(func.count()).select_from(ActivityLog).where(
            ActivityLog.tenant_id == alice.id))
        return tuple(reports), tuple(values), log


@pytest.mark.both_databases
def test_learner_b_cannot_read_or_change_learner_a_reports(
    app: Flask, client: FlaskClient, login, csrf_token_from
) -> None:
    login(client, "alice")
    client.get(f"{PREFIX}/reports/")
    reports = _alices_reports(app)
    bob = app.test_client()
    login(bob, "bob")
    token = csrf_token_from(bob.get(f"{PREFIX}/reports/").get_data(as_text=True))
    bob.get(f"{PREFIX}/api/v1/reports", headers=BOB)
    before = _snapshot(app)

    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint.split(".")[0] in ("reports", "reports_api")]
    assert len(rules) >= 13
    checked = 0
    for rule in rules:
        if "report_id" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for report_id in reports:
                path = PREFIX + rule.rule.replace("<int:report_id>", str(report_id))
                if rule.endpoint.startswith("reports_api."):
                    body = {"values": [{"indicator": MANUAL, "value": "5"}]} \
                        if method == "PUT" else None
                    response = bob.open(path, method=method, headers=BOB, json=body)
                else:
                    response = bob.open(path, method=method, data={
                        "csrf_token": token, f"value-{MANUAL}": "5",
                        f"note-{MANUAL}": "x"})
                assert response.status_code in (403, 404), (method, path,
                                                            response.status_code)
                checked += 1
    assert checked == 20  # 5 pages and 5 operations, on a draft and a submitted report
    assert _snapshot(app) == before
    # the lists never show alice's reports to bob
    html = bob.get(f"{PREFIX}/reports/").get_data(as_text=True)
    for report_id in reports:
        assert not re.search(rf'/reports/{report_id}["/]', html)
    listing = bob.get(f"{PREFIX}/api/v1/reports", headers=BOB).json
    assert not {r["id"] for r in listing} & set(reports)
    assert _snapshot(app) == before
