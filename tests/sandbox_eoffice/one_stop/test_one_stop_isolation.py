"""Tenant isolation of the one-stop desk, enumerated from the app: every route of the
`one_stop` pages and the `one_stop_api` operations that takes a dossier refuses learner bob
on alice's dossiers (each status), for reads and writes, and changes nothing of alice's; the
population lookup refuses bob on alice's dossier; lists never show alice's."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sandbox_eoffice.models import ActivityLog, Tenant
from sandbox_eoffice.one_stop.models import (
    Dossier,
    DossierDocument,
    DossierStatus,
    PopulationLookup,
)
from sandbox_eoffice.request_db import db
from tests.sandbox_eoffice.test_uploads import a_pdf

PREFIX = "/services/eoffice"
API = f"{PREFIX}/api/v1"
ALICE = {"Authorization": "Bearer token-alice"}
BOB = {"Authorization": "Bearer token-bob"}
BLUEPRINTS = ("one_stop.", "one_stop_api.")


def _alices_dossiers(app: Flask, client: FlaskClient) -> list[int]:
    """One of alice's dossiers in each status, and one she looked a citizen up for."""
    client.get(f"{API}/one-stop/dossiers", headers=ALICE)  # her sandbox exists
    with app.app_context():
        alice = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        ids = [db().scalars(select(Dossier.id).where(Dossier.tenant_id == alice.id,
                                                     Dossier.status == status)).first()
               for status in DossierStatus]
    assert all(ids)
    lookup = client.post(f"{API}/one-stop/population/lookups", headers=ALICE, json={
        "citizen_id": "044190123456", "purpose": "verify_applicant", "dossier_id": ids[0]})
    assert lookup.status_code == 200
    return ids


def _snapshot(app: Flask) -> tuple[Any, ...]:
    with app.app_context():
        session = db()
        alice = session.scalars(select(Tenant).where(Tenant.username == "alice")).one()
        dossiers = session.execute(select(
            Dossier.id, Dossier.status, Dossier.due_date, Dossier.unit_id, Dossier.approved_at,
            Dossier.paid_at, Dossier.paid_online, Dossier.result_digitised,
            Dossier.result_returned_at, Dossier.rejection_reason, Dossier.additional_request,
            Dossier.completeness_checked_at, Dossier.satisfaction_rating)
            .where(Dossier.tenant_id == alice.id).order_by(Dossier.id)).all()
        documents = session.execute(select(DossierDocument.id, DossierDocument.provided).where(
            DossierDocument.tenant_id == alice.id).order_by(DossierDocument.id)).all()
        counts = [session.scalar(select(func.count()).select_from(model).where(
            model.tenant_id == alice.id)) for model in (PopulationLookup, ActivityLog)]
        return tuple(dossiers), tuple(documents), tuple(counts)


def _api_body(rule: str, method: str) -> dict[str, Any] | None:
    """A body that passes validation, so that only the tenant check can refuse."""
    if method == "GET":
        return None
    last = rule.rstrip("/").rsplit("/", 1)[-1]
    return {"transfer": {"unit_id": 1}, "reject": {"reason": "x"},
            "payment": {"online": True}, "request-additional": {"note": "x"}}.get(last, {})


@pytest.mark.both_databases
def test_bob_gets_404_on_every_one_stop_route_for_alices_dossiers(
        app: Flask, client: FlaskClient, login, csrf_token_from) -> None:
    alices = _alices_dossiers(app, client)
    bob = app.test_client()
    login(bob, "bob")
    token = csrf_token_from(bob.get(f"{PREFIX}/one-stop/dossiers/new?procedure=HT-KS")
                            .get_data(as_text=True))
    before = _snapshot(app)

    checked = 0
    routes = [rule for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith(BLUEPRINTS) and "dossier_id" in rule.arguments]
    assert len(routes) >= 24  # 12 pages, 12 API operations
    for rule in routes:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for dossier_id in alices:
                path = PREFIX + rule.rule.replace("<int:dossier_id>", str(dossier_id))
                upload = rule.rule.endswith("/digitise")
                if rule.endpoint.startswith("one_stop_api."):
                    if upload:
                        response = bob.post(path, headers=BOB,
                                            content_type="multipart/form-data",
                                            data={"file": (io.BytesIO(a_pdf(1)), "b.pdf")})
                    else:
                        response = bob.open(path, method=method, headers=BOB,
                                            json=_api_body(rule.rule, method))
                elif upload:
                    response = bob.post(path, content_type="multipart/form-data", data={
                        "csrf_token": token, "file": (io.BytesIO(a_pdf(1)), "b.pdf")})
                else:
                    response = bob.open(path, method=method, data={
                        "csrf_token": token, "unit": "1", "reason": "x", "note": "x",
                        "method": "online", "citizen_id": "044190123456",
                        "purpose": "verify_applicant"})
                assert response.status_code in (403, 404), (method, path, response.status_code)
                checked += 1
    assert checked >= 24 * len(alices)

    # the lookup operation takes the dossier in its body
    for dossier_id in alices:
        response = bob.post(f"{API}/one-stop/population/lookups", headers=BOB, json={
            "citizen_id": "044190123456", "purpose": "verify_applicant",
            "dossier_id": dossier_id})
        assert response.status_code == 404
    assert _snapshot(app) == before

    # and bob's lists never show alice's dossiers or lookups
    for page in ("/one-stop/", "/one-stop/lookups", "/activity"):
        html = bob.get(PREFIX + page).get_data(as_text=True)
        for dossier_id in alices:
            assert not re.search(rf'one-stop/dossiers/{dossier_id}["/#]', html), page
    listing = bob.get(f"{API}/one-stop/dossiers", headers=BOB).json
    assert not {d["id"] for d in listing} & set(alices)
    assert bob.get(f"{API}/one-stop/population/lookups", headers=BOB).json == []
