"""The reports API (/api/v1/reports): list, one report, fill, put values, validate, submit;
refusals as JSON naming the indicator (422), the lock (409), the OpenAPI document."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from common.clock import vietnam_now
from sandbox_eoffice.reports.periods import ReportKind, current_period
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import evaluate_tasks

API = "/services/eoffice/api/v1"
ALICE = {"Authorization": "Bearer token-alice"}
MANUAL = "VNEID_ACTIVATED"


def _reports(client: FlaskClient) -> list[dict]:
    response = client.get(f"{API}/reports", headers=ALICE)
    assert response.status_code == 200
    return response.json


def _current(client: FlaskClient) -> dict:
    start = current_period(ReportKind.MONTH, vietnam_now().date()).start.isoformat()
    return next(r for r in _reports(client)
                if r["kind"] == "month" and r["period_start"] == start)


def test_the_openapi_document_describes_the_reports(app: Flask, client: FlaskClient) -> None:
    spec = client.get(f"{API}/openapi.json").json
    validate(spec)
    documented = {(path, method.upper()) for path, operations in spec["paths"].items()
                  for method in operations
                  if path.startswith("/api/v1/reports") and method != "parameters"}
    served = {(rule.rule.replace("<int:", "{").replace(">", "}"), method)
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("reports_api.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented and len(served) == 7


def test_indicators_and_the_list(client: FlaskClient) -> None:
    indicators = client.get(f"{API}/reports/indicators", headers=ALICE).json
    assert [i["number"] for i in indicators] == list(range(1, 9))
    manual = indicators[-1]
    assert manual["code"] == MANUAL and manual["source"] == "manual"
    assert (manual["minimum"], manual["maximum"], manual["decimals"]) == ("0", "50000", 0)
    reports = _reports(client)
    assert sum(r["status"] == "submitted" for r in reports) == 5
    assert reports[0]["status"] == "draft"  # what to submit comes first
    assert _current(client)["label"].startswith("Tháng ")


@pytest.mark.both_databases
def test_a_notebook_fills_puts_validates_and_submits(app: Flask, client: FlaskClient) -> None:
    report_id = _current(client)["id"]
    filled = client.post(f"{API}/reports/{report_id}/fill", headers=ALICE).json
    received = next(v for v in filled["values"] if v["indicator"] == "TTHC_RECEIVED")
    assert received["value"] == received["system_value"] and "." not in received["value"]
    check = client.post(f"{API}/reports/{report_id}/validate", headers=ALICE).json
    assert check["valid"] is False
    assert [(p["kind"], p["indicator"]) for p in check["problems"]] == [("missing", MANUAL)]
    assert "VNeID" in check["problems"][0]["message"]
    # not a number: 422, the indicator named, nothing kept
    response = client.put(f"{API}/reports/{report_id}/values", headers=ALICE, json={
        "values": [{"indicator": MANUAL, "value": "1200"},
                   {"indicator": "TTHC_ONLINE_RATE", "value": "sáu mươi"}]})
    assert response.status_code == 422
    assert response.json["reason"] == "invalid_input"
    assert [(p["kind"], p["indicator"]) for p in response.json["problems"]] == [
        ("not_a_number", "TTHC_ONLINE_RATE")]
    assert "sáu mươi" in response.json["problems"][0]["message"]
    assert client.get(f"{API}/reports/{report_id}", headers=ALICE).json == filled
    # out of range: kept in the draft, flagged; submission refused with 422
    response = client.put(f"{API}/reports/{report_id}/values", headers=ALICE, json={
        "values": [{"indicator": MANUAL, "value": 75000}]})
    assert response.status_code == 200
    manual = next(v for v in response.json["values"] if v["indicator"] == MANUAL)
    assert manual["value"] == "75000" and manual["out_of_range"] is True
    response = client.post(f"{API}/reports/{report_id}/submit", headers=ALICE)
    assert response.status_code == 422 and response.json["reason"] == "not_ready"
    assert [(p["kind"], p["indicator"]) for p in response.json["problems"]] == [
        ("out_of_range", MANUAL)]
    assert "50.000" in response.json["problems"][0]["message"]
    # a valid figure: submitted, locked
    client.put(f"{API}/reports/{report_id}/values", headers=ALICE, json={
        "values": [{"indicator": MANUAL, "value": "1200"}]})
    response = client.post(f"{API}/reports/{report_id}/submit", headers=ALICE)
    assert response.status_code == 200
    assert response.json["status"] == "submitted" and response.json["late"] is False
    with app.app_context():
        assert evaluate_tasks(db(), "alice")["submit-valid-periodic-report"].done
    # every later write: 409, nothing changes
    submitted = client.get(f"{API}/reports/{report_id}", headers=ALICE).json
    for method, path, body in (
        ("PUT", "values", {"values": [{"indicator": MANUAL, "value": 1}]}),
        ("POST", "fill", None), ("POST", "submit", None),
    ):
        response = client.open(f"{API}/reports/{report_id}/{path}", method=method,
                                headers=ALICE, json=body)
        assert response.status_code == 409, path
        assert response.json["reason"] == "locked"
    assert client.get(f"{API}/reports/{report_id}", headers=ALICE).json == submitted


def test_bad_requests(client: FlaskClient) -> None:
    report_id = _current(client)["id"]
    response = client.put(f"{API}/reports/{report_id}/values", headers=ALICE,
                          json={"values": [{"value": 3}]})
    assert response.status_code == 422 and "indicator" in str(response.json["errors"])
    response = client.put(f"{API}/reports/{report_id}/values", headers=ALICE,
                          json={"values": [{"indicator": "GDP", "value": 3}]})
    assert response.status_code == 422
    assert response.json["problems"][0]["kind"] == "unknown_indicator"
    assert client.get(f"{API}/reports/999999", headers=ALICE).status_code == 404
    assert client.get(f"{API}/reports").status_code == 401
