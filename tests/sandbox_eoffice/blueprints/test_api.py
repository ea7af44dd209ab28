"""The REST API: its OpenAPI document, tokens only, the whole flow, errors as JSON."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import evaluate_tasks

API = "/services/eoffice/api/v1"
ALICE = {"Authorization": "Bearer token-alice"}


def _get(client: FlaskClient, path: str, headers=ALICE):
    return client.get(API + path, headers=headers)


def _post(client: FlaskClient, path: str, body=None, headers=ALICE):
    return client.post(API + path, json=body or {}, headers=headers)


def test_the_openapi_document_is_valid_and_describes_every_route(
    app: Flask, client: FlaskClient
) -> None:
    spec = client.get(f"{API}/openapi.json").json
    validate(spec)
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items() for method in operations
        if method != "parameters"
    }
    # the API's own operations and the feature packages' (mail, one-stop, reports)
    api_blueprints = {"api", "mail_api", "one_stop_api", "reports_api", "task_check_api"}
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
        and rule.endpoint.split(".", 1)[0] in api_blueprints
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    for feature in ("/api/v1/mail", "/api/v1/one-stop", "/api/v1/reports"):
        assert any(path.startswith(feature) for path, _ in served), feature
    assert served == documented
    assert spec["components"]["securitySchemes"]["hubToken"]["scheme"] == "bearer"


@pytest.mark.both_databases
def test_a_notebook_can_do_the_whole_incoming_flow(app: Flask, client: FlaskClient) -> None:
    listing = _get(client, "/incoming?q=du+toan+ngan+sach").json
    [finance] = [d for d in listing["items"] if d["issuing_agency"].startswith("Sở Tài chính")]
    units = _get(client, "/units").json
    people = _get(client, "/colleagues").json
    assert _post(client, f"/incoming/{finance['id']}/register").json["status"] == "registered"
    assigned = _post(client, f"/incoming/{finance['id']}/assign", {
        "lead_unit_id": units[1]["id"], "assignee_id": people[-1]["id"],
        "coordinating_unit_ids": [units[0]["id"]], "deadline_working_days": 5}).json
    assert assigned["status"] == "assigned" and assigned["coordinating_unit_ids"] == [
        units[0]["id"]]
    assert _post(client, f"/incoming/{finance['id']}/forward", {
        "colleague_ids": [people[0]["id"]], "note": "Để biết"}).status_code == 200
    comment = _post(client, f"/incoming/{finance['id']}/comments", {"body": "Đồng ý."})
    assert comment.status_code == 201 and comment.json["body"] == "Đồng ý."
    done = _post(client, f"/incoming/{finance['id']}/complete", {"result_note": "Đã xong."})
    assert done.json["status"] == "done"
    actions = [e["action"] for e in _get(client, f"/incoming/{finance['id']}/history").json]
    assert actions[-5:] == ["document.registered", "document.assigned", "document.forwarded",
                            "document.commented", "document.completed"]
    with app.app_context():
        results = evaluate_tasks(db(), "alice")
    assert all(results[task].done for task in (
        "register-incoming-from-so-tai-chinh", "assign-incoming-from-so-tai-chinh",
        "complete-incoming-from-so-tai-chinh", "forward-incoming-document",
        "comment-on-incoming-document"))


def test_the_outgoing_flow_and_refusals(client: FlaskClient) -> None:
    units = _get(client, "/units").json
    leaders = [c for c in _get(client, "/colleagues").json
               if c["position"] in ("head", "deputy_head")]
    draft = {"document_type": "Công văn", "summary": "V/v báo cáo", "body": "Nội dung.",
             "recipients": ["Như trên", "Lưu: VT"], "drafting_unit_id": units[0]["id"],
             "signer_id": leaders[0]["id"]}
    created = _post(client, "/outgoing", draft)
    assert created.status_code == 201 and created.json["status"] == "draft"
    document_id = created.json["id"]
    refused = _post(client, f"/outgoing/{document_id}/issue")
    assert refused.status_code == 409 and refused.json["reason"] == "not_approved"
    for step in ("submit", "approve", "issue"):
        assert _post(client, f"/outgoing/{document_id}/{step}").status_code == 200
    agencies = [a["name"] for a in _get(client, "/agencies").json]
    sent = _post(client, f"/outgoing/{document_id}/send", {"recipients": agencies[:1]}).json
    assert sent["number_symbol"].startswith("1/")
    assert [d["status"] for d in sent["deliveries"]] == ["acknowledged"]
    edit = client.put(f"{API}/outgoing/{document_id}", json=draft, headers=ALICE)
    assert edit.status_code == 409 and edit.json["reason"] == "not_editable"


def test_invalid_requests_get_422_with_the_fields(client: FlaskClient) -> None:
    response = _post(client, "/outgoing", {"document_type": "Thư tình", "summary": ""})
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert {"document_type", "summary", "body", "drafting_unit_id", "signer_id"} <= set(errors)
    assert _get(client, "/incoming?received_from=2026-02-31").status_code == 422


def test_only_a_learners_token_is_accepted(alice: FlaskClient, client: FlaskClient) -> None:
    # logged in through the browser (a session cookie), but no token: refused
    response = alice.get(f"{API}/incoming")
    assert response.status_code == 401 and "token" in response.json["error"]
    assert alice.post(f"{API}/outgoing", json={}).status_code == 401
    for blank in ("Bearer \u00a0", "Bearer \x0b", "token \x1c"):  # stripped to nothing
        response = alice.get(f"{API}/units", headers={"Authorization": blank})
        assert response.status_code == 401, blank
    assert _get(client, "/incoming", {"Authorization": "Bearer wrong"}).status_code == 401
    assert _get(client, "/incoming", {"Authorization": "Bearer token-outsider"}
                ).status_code == 403  # no access to the e-office
    assert _get(client, "/incoming", {"Authorization": "Bearer token-grading"}
                ).status_code == 403  # a service, not a learner
