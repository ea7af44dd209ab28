"""Check my work (GET /api/v1/tasks/<task_id>/check): the grader's own evaluator, for the
token's learner on their own sandbox agency, in plain words and the request's language, never
an expected value; 404 for an unknown task; tokens only; in the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlalchemy import select

from common.clock import vietnam_now
from common.i18n import LANGUAGE_COOKIE
from sandbox_eoffice.blueprints.task_check import STILL_MISSING
from sandbox_eoffice.models import IncomingDocument, Tenant
from sandbox_eoffice.reports.periods import ReportKind, current_period
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import TASKS, evaluate_tasks

API = "/services/eoffice/api/v1"
ALICE = {"Authorization": "token token-alice"}
BOB = {"Authorization": "Bearer token-bob"}
REGISTER = "register-incoming-from-so-tai-chinh"
REPORT = "submit-valid-periodic-report"
MANUAL = "VNEID_ACTIVATED"


def _check(client: FlaskClient, task_id: str, headers: dict[str, str] = ALICE,
           lang: str | None = "en"):
    query = f"?lang={lang}" if lang else ""
    return client.get(f"{API}/tasks/{task_id}/check{query}", headers=headers)


def _finance_document(app: Flask, username: str) -> IncomingDocument:
    with app.app_context():
        document = db().scalars(
            select(IncomingDocument).join(Tenant, Tenant.id == IncomingDocument.tenant_id)
            .where(Tenant.username == username,
                   IncomingDocument.issuing_agency.startswith("Sở Tài chính"))).one()
        db().expunge(document)
        return document


def test_the_openapi_document_lists_the_check(client: FlaskClient) -> None:
    spec = client.get(f"{API}/openapi.json").json
    validate(spec)
    operation = spec["paths"]["/api/v1/tasks/{task_id}/check"]["get"]
    assert set(operation["responses"]) >= {"200", "404"}
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["lang"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    shape = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert set(shape["properties"]) == {"task_id", "done", "missing"}
    assert "get" in spec["paths"]["/api/v1/tasks/{task_id}/check"]
    assert not {"post", "put", "delete"} & set(spec["paths"]["/api/v1/tasks/{task_id}/check"])


@pytest.mark.both_databases
def test_not_done_then_done_as_the_grader_sees_it(app: Flask, client: FlaskClient) -> None:
    before = _check(client, REGISTER)
    assert before.status_code == 200
    assert before.json == {"task_id": REGISTER, "done": False, "missing": [
        "You have not registered the incoming document from Sở Tài chính in the register "
        "book yet."]}
    document = _finance_document(app, "alice")
    # the answer key of this task: which document, its number and symbol
    for key in (document.number_symbol, str(document.id)):
        assert key not in before.get_data(as_text=True).replace(REGISTER, "")
    registered = client.post(f"{API}/incoming/{document.id}/register", headers=ALICE)
    assert registered.status_code == 200
    after = _check(client, REGISTER)
    assert after.json == {"task_id": REGISTER, "done": True, "missing": []}
    with app.app_context():  # the very result the grader's evidence API reads
        assert evaluate_tasks(db(), "alice")[REGISTER].done is True


def test_a_wrong_figure_is_not_done_and_the_right_one_is_not_told(
    app: Flask, client: FlaskClient
) -> None:
    start = current_period(ReportKind.MONTH, vietnam_now().date()).start.isoformat()
    report_id = next(r["id"] for r in client.get(f"{API}/reports", headers=ALICE).json
                     if r["kind"] == "month" and r["period_start"] == start)
    filled = client.post(f"{API}/reports/{report_id}/fill", headers=ALICE).json
    right = next(v["system_value"] for v in filled["values"]
                 if v["indicator"] == "TTHC_RECEIVED")
    wrong = str(int(right) + 5)
    saved = client.put(f"{API}/reports/{report_id}/values", headers=ALICE, json={"values": [
        {"indicator": MANUAL, "value": "640"},
        {"indicator": "TTHC_RECEIVED", "value": wrong, "note": "ước tính"}]})
    assert saved.status_code == 200
    assert client.post(f"{API}/reports/{report_id}/submit", headers=ALICE).status_code == 200
    with app.app_context():  # the grader's detail names the right figure...
        detail = evaluate_tasks(db(), "alice")[REPORT].detail
    assert re.search(rf"TTHC_RECEIVED \({wrong}(\.0+)?\) differs .* \({right}(\.0+)?\)",
                     detail), detail
    for lang in ("en", "vi"):
        answer = _check(client, REPORT, lang=lang)
        assert answer.json["done"] is False and len(answer.json["missing"]) == 1
        said = answer.json["missing"][0]  # ...the learner's answer does not
        assert not re.search(r"\d", said) and "TTHC_RECEIVED" not in said, said
        assert said not in detail and "differs" not in said


def test_each_learner_gets_their_own_agency(app: Flask, client: FlaskClient) -> None:
    assert _check(client, REGISTER).json["done"] is False  # alice's agency exists now
    alices = _finance_document(app, "alice")
    client.post(f"{API}/incoming/{alices.id}/register", headers=ALICE)
    assert _check(client, REGISTER).json["done"] is True
    # bob asks about the same task: his own agency, where nothing is registered
    assert _check(client, REGISTER, BOB).json["done"] is False
    # bob cannot register alice's document, but his own completes his task
    assert client.post(f"{API}/incoming/{alices.id}/register", headers=BOB).status_code == 404
    bobs = _finance_document(app, "bob")
    assert client.post(f"{API}/incoming/{bobs.id}/register", headers=BOB).status_code == 200
    assert _check(client, REGISTER, BOB).json["done"] is True
    # and a task alice has not done stays not done for her whatever bob does
    assert _check(client, "forward-incoming-document").json["done"] is False


def test_an_unknown_task_is_404_with_a_clear_message(client: FlaskClient) -> None:
    response = _check(client, "register-everything")
    assert response.status_code == 404
    assert response.json["reason"] == "unknown_task"
    assert response.json["error"] == ("There is no practical task called “register-everything” "
                                      "in the e-office.")


def test_the_answer_is_in_the_requests_language(client: FlaskClient) -> None:
    vietnamese = ["Bạn chưa vào sổ văn bản đến của Sở Tài chính."]
    assert _check(client, REGISTER, lang="vi").json["missing"] == vietnamese
    # without a choice: the platform's language cookie, else Vietnamese
    assert _check(client, REGISTER, lang=None).json["missing"] == vietnamese
    client.set_cookie(LANGUAGE_COOKIE, "en", path="/")
    assert _check(client, REGISTER, lang=None).json["missing"][0].startswith("You have not")
    assert _check(client, "nothing", lang="vi").json["error"].startswith("Không có")
    assert _check(client, REGISTER, lang="fr").status_code == 422


def test_tokens_only_and_learners_only(alice: FlaskClient, client: FlaskClient) -> None:
    assert client.get(f"{API}/tasks/{REGISTER}/check").status_code == 401
    assert alice.get(f"{API}/tasks/{REGISTER}/check").status_code == 401  # a cookie: no
    for token, status in (("wrong", 401), ("token-outsider", 403), ("token-grading", 403)):
        assert _check(client, REGISTER, {"Authorization": f"token {token}"}).status_code == status


def test_every_task_has_a_plain_sentence_without_figures(app: Flask) -> None:
    assert set(STILL_MISSING) == set(TASKS)
    with app.test_request_context():
        from flask_babel import force_locale

        for lang in ("en", "vi"):
            with force_locale(lang):
                sentences = [str(text) for text in STILL_MISSING.values()]
            assert not [s for s in sentences if re.search(r"\d", s)], lang
            assert len(set(sentences)) == len(sentences)
