"""The one-stop REST API: a notebook can do the whole workflow, refusals are 409 with the
reason, bad input 422, the population lookup needs a purpose, the OpenAPI document
describes every route."""

from __future__ import annotations

import io
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlalchemy import func, select

from sandbox_eoffice.one_stop.indicators import desk_indicators
from sandbox_eoffice.one_stop.models import PopulationLookup
from sandbox_eoffice.request_db import db
from tests.sandbox_eoffice.test_uploads import a_pdf

PREFIX = "/services/eoffice"
API = f"{PREFIX}/api/v1"
ONE_STOP = f"{API}/one-stop"
ALICE = {"Authorization": "Bearer token-alice"}
APPLICANT = {"procedure_code": "KD-HKD", "applicant_name": "Trần Thị Mai",
             "citizen_id": "044190123456", "date_of_birth": "1990-05-17",
             "address": "Số 12 đường Lý Thường Kiệt, Đồng Hới", "provided": [0, 1, 2]}


def _post(client: FlaskClient, path: str, body: dict | None = None):  # noqa: ANN202
    return client.post(ONE_STOP + path, json=body or {}, headers=ALICE)


def test_every_one_stop_route_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    spec = client.get(f"{API}/openapi.json").json
    validate(spec)
    documented = {
        (path.replace("{", "<int:").replace("}", ">"), method.upper())
        for path, operations in spec["paths"].items() for method in operations
        if method != "parameters"}
    served = {(rule.rule, method) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("one_stop_api.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert len(served) >= 16
    assert served <= documented


def test_a_notebook_processes_a_dossier(app: Flask, client: FlaskClient) -> None:
    procedures = client.get(f"{ONE_STOP}/procedures", headers=ALICE).json
    assert {p["code"] for p in procedures} >= {"HT-KS", "KD-HKD", "CT-BS", "DD-GCN"}
    created = _post(client, "/dossiers", APPLICANT)
    assert created.status_code == 201, created.json
    dossier = created.json
    assert dossier["status"] == "received" and dossier["channel"] == "counter"
    assert dossier["due_date"] and len(dossier["documents"]) == 3
    path = f"/dossiers/{dossier['id']}"
    lookup = _post(client, "/population/lookups", {
        "citizen_id": APPLICANT["citizen_id"], "purpose": "verify_applicant",
        "dossier_id": dossier["id"], "note": "Đối chiếu"})
    assert lookup.status_code == 200
    assert lookup.json["lookup"]["found"] is False and lookup.json["record"] is None
    assert _post(client, f"{path}/check").json["completeness_checked_at"]
    unit = client.get(f"{API}/units", headers=ALICE).json[0]
    assert _post(client, f"{path}/transfer", {"unit_id": unit["id"]}).json["status"] == \
        "in_review"
    assert _post(client, f"{path}/approve").json["status"] == "approved"
    result = client.get(f"{ONE_STOP}{path}/result", headers=ALICE)
    assert result.status_code == 200 and result.data.startswith(b"%PDF-")
    assert _post(client, f"{path}/payment", {"online": True}).json["paid_online"] is True
    digitised = client.post(f"{ONE_STOP}{path}/digitise", headers=ALICE,
                            content_type="multipart/form-data",
                            data={"file": (io.BytesIO(a_pdf(1)), "ket-qua.pdf")})
    assert digitised.status_code == 200 and digitised.json["result_digitised"] is True
    returned = _post(client, f"{path}/return").json
    assert returned["status"] == "returned" and returned["satisfaction_rating"] in (4, 5)
    history = client.get(f"{ONE_STOP}{path}/history", headers=ALICE).json
    assert [h["action"] for h in history if h["actor"] == "alice"] == [
        "dossier.received", "population.looked_up", "dossier.checked", "dossier.transferred",
        "dossier.approved", "dossier.fee_paid", "dossier.result_digitised",
        "dossier.result_returned"]
    listing = client.get(f"{ONE_STOP}/dossiers?status=returned", headers=ALICE).json
    assert dossier["id"] in {d["id"] for d in listing}
    assert all(d["status"] == "returned" for d in listing)
    lookups = client.get(f"{ONE_STOP}/population/lookups", headers=ALICE).json
    assert [entry["dossier_id"] for entry in lookups] == [dossier["id"]]


def test_indicators_match_the_service(app: Flask, client: FlaskClient) -> None:
    response = client.get(f"{ONE_STOP}/indicators?start=2020-01-01&end=2030-12-31",
                          headers=ALICE)
    assert response.status_code == 200
    body = response.json
    assert body["received"] == 16
    with app.app_context():
        from sandbox_eoffice.models import Tenant

        tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        expected = desk_indicators(db(), tenant, date(2020, 1, 1), date(2030, 12, 31))
    assert body["resolved_on_time"] == expected.resolved_on_time
    assert body["online_percent"] == expected.online_percent
    assert client.get(f"{ONE_STOP}/indicators?start=2026-02-01&end=2026-01-01",
                      headers=ALICE).status_code == 422
    assert client.get(f"{ONE_STOP}/indicators", headers=ALICE).status_code == 422


def test_refusals_are_409_with_the_reason(client: FlaskClient) -> None:
    dossier = _post(client, "/dossiers", APPLICANT | {"provided": [0]}).json
    path = f"/dossiers/{dossier['id']}"
    approve = _post(client, f"{path}/approve")
    assert approve.status_code == 409 and approve.json["reason"] == "dossier_not_in_review"
    transfer = _post(client, f"{path}/transfer", {"unit_id": 1})
    assert transfer.json["reason"] == "dossier_incomplete"
    assert _post(client, f"{path}/request-additional", {"note": "Bổ sung"}).status_code == 200
    assert client.get(f"{ONE_STOP}{path}", headers=ALICE).json["due_date"] is None
    assert _post(client, f"{path}/supplement").json["status"] == "received"
    digitise = client.post(f"{ONE_STOP}{path}/digitise", headers=ALICE,
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"not a pdf"), "result.pdf")})
    assert digitise.status_code == 409 and digitise.json["reason"] == "dossier_not_approved"
    malformed = _post(client, "/dossiers", APPLICANT | {"citizen_id": "044490123456"})
    assert malformed.status_code == 409
    assert malformed.json["reason"] == "citizen_id_bad_century"
    assert malformed.json["error"]  # the sentence, in the language of the catalogue


def test_a_lookup_without_purpose_or_dossier_is_refused(app: Flask, client: FlaskClient) -> None:
    dossier = _post(client, "/dossiers", APPLICANT).json
    no_purpose = _post(client, "/population/lookups", {
        "citizen_id": APPLICANT["citizen_id"], "dossier_id": dossier["id"]})
    assert no_purpose.status_code == 409 and no_purpose.json["reason"] == "lookup_no_purpose"
    no_dossier = _post(client, "/population/lookups", {
        "citizen_id": APPLICANT["citizen_id"], "purpose": "verify_applicant"})
    assert no_dossier.json["reason"] == "lookup_no_dossier"
    bad_purpose = _post(client, "/population/lookups", {
        "citizen_id": APPLICANT["citizen_id"], "purpose": "curiosity",
        "dossier_id": dossier["id"]})
    assert bad_purpose.status_code == 422
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(PopulationLookup)) == 0


def test_invalid_requests_get_422(client: FlaskClient) -> None:
    bad = _post(client, "/dossiers", {"procedure_code": "XX"})
    assert bad.status_code == 422
    assert {"procedure_code", "applicant_name", "citizen_id"} <= set(bad.json["errors"]["json"])
    assert client.get(f"{ONE_STOP}/dossiers?status=lost", headers=ALICE).status_code == 422


def test_the_api_takes_tokens_only(alice: FlaskClient) -> None:
    assert alice.get(f"{ONE_STOP}/dossiers").status_code == 401
