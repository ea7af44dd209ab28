"""Digital signature pages, the API and the PKI's public endpoints: a learner requests a
certificate, the trainer approves it, the learner signs at approval with the PIN; only
trainers reach the registration officer's desk; CRL, OCSP and the TSA answer over HTTP;
verifying an upload."""

from __future__ import annotations

import base64
import io
import re

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sandbox_eoffice.models import OutgoingDocument, SigningCertificate, Tenant
from sandbox_eoffice.request_db import db
from sandbox_eoffice.signatures import trust_settings
from sandbox_eoffice.signing_service import training_pki
from signing.verification import verify_pdf
from tests.sandbox_eoffice.blueprints.test_outgoing_blueprint import _draft, _step

PREFIX = "/services/eoffice/"
SIG = PREFIX + "signatures"
API = PREFIX + "api/v1"
ALICE = {"Authorization": "Bearer token-alice"}
TRAINER = {"Authorization": "Bearer token-trainer"}
PIN = "482915"


def _form(client: FlaskClient, url: str, data: dict[str, str], prefix: str,
          csrf_token_from) -> object:
    token = csrf_token_from(client.get(SIG + "/").get_data(as_text=True))
    fields = {f"{prefix}-{name}": value for name, value in data.items()}
    return client.post(url, data={f"{prefix}-csrf_token": token, **fields})


def _request_and_approve(app: Flask, alice: FlaskClient, login, csrf_token_from) -> None:
    response = _form(alice, f"{SIG}/request", {"pin": PIN, "confirm": PIN}, "request",
                     csrf_token_from)
    assert response.status_code == 302
    trainer = app.test_client()
    login(trainer, "trainer")
    desk = trainer.get(f"{SIG}/registration")
    assert desk.status_code == 200
    with app.app_context():
        row = db().scalars(select(SigningCertificate).where(
            SigningCertificate.requested_by == "alice")).one()
    token = csrf_token_from(desk.get_data(as_text=True).replace("approve-csrf_token",
                                                                 "csrf_token"))
    response = trainer.post(f"{SIG}/registration/{row.id}/approve",
                            data={"approve-csrf_token": token})
    assert response.status_code == 302


def test_request_approve_then_sign_at_approval_in_the_pages(
    app: Flask, alice: FlaskClient, login, csrf_token_from
) -> None:
    alice.get(PREFIX)
    _request_and_approve(app, alice, login, csrf_token_from)
    page = alice.get(f"{SIG}/").get_data(as_text=True)
    assert "Nguyễn" in page or "alice" in page
    document_id = int(_draft(alice, app, csrf_token_from).headers["Location"].rsplit("/", 1)[1])
    _step(alice, document_id, "submit", csrf_token_from)
    detail = alice.get(f"{PREFIX}documents/outgoing/{document_id}").get_data(as_text=True)
    assert 'name="pin"' in detail  # the approval asks for the token's PIN
    wrong = _step(alice, document_id, "approve", csrf_token_from, pin="739164")
    flashed = alice.get(wrong.headers["Location"]).get_data(as_text=True)
    assert "4" in flashed and "PIN" in flashed
    with app.app_context():
        document = db().get(OutgoingDocument, document_id)
        assert document.status.value == "submitted" and document.signed_pdf is None
        row = db().scalars(select(SigningCertificate).where(
            SigningCertificate.requested_by == "alice")).one()
        assert row.failed_pin_attempts == 1
    _step(alice, document_id, "approve", csrf_token_from, pin=PIN)
    _step(alice, document_id, "issue", csrf_token_from)
    pdf = alice.get(f"{PREFIX}documents/outgoing/{document_id}/document.pdf").data
    with app.test_request_context(PREFIX):
        session = db()
        report = verify_pdf(pdf, trust_settings(session, training_pki()))
        alice_tenant = session.scalars(select(Tenant).where(Tenant.username == "alice")).one()
        assert [s.signer for s in report.signatures] == [alice_tenant.full_name,
                                                         alice_tenant.agency.name]
    assert report.all_passed


def test_only_trainers_reach_the_registration_desk(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    token = csrf_token_from(alice.get(f"{SIG}/").get_data(as_text=True))
    assert alice.get(f"{SIG}/registration").status_code == 403
    for path in ("registration/1/approve", "registration/1/unlock", "registration/clock/alice"):
        response = alice.post(f"{SIG}/{path}", data={"csrf_token": token, "unlock-pin": PIN,
                                                      "clock-days": "400"})
        assert response.status_code == 403, path
    assert alice.get(f"{API}/registration/requests", headers=ALICE).status_code == 403
    assert alice.post(f"{API}/registration/requests/1/approve",
                      headers=ALICE).status_code == 403
    assert alice.post(f"{API}/registration/tokens/1/unlock", headers=ALICE,
                      json={"pin": PIN}).status_code == 403
    with app.app_context():
        alice_tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        assert alice_tenant.clock_offset_days == 0


def test_the_lifecycle_through_the_api(app: Flask, client: FlaskClient) -> None:
    created = client.post(f"{API}/certificates", headers=ALICE, json={"pin": PIN})
    assert created.status_code == 201 and created.json["status"] == "requested"
    weak = client.post(f"{API}/certificates/renew", headers=ALICE, json={"pin": "111111"})
    assert weak.status_code == 409
    pending = client.get(f"{API}/registration/requests", headers=TRAINER).json
    assert [r["id"] for r in pending] == [created.json["id"]]
    issued = client.post(f"{API}/registration/requests/{created.json['id']}/approve",
                         headers=TRAINER)
    assert issued.status_code == 200 and issued.json["status"] == "active"
    for attempt in range(5):
        wrong = client.post(f"{API}/certificates/current/pin", headers=ALICE,
                            json={"old_pin": "739164", "new_pin": "605182"})
        assert wrong.status_code == 409
        assert wrong.json["attempts_left"] == 4 - attempt
    assert client.get(f"{API}/certificates", headers=ALICE).json[0]["locked"] is True
    unlocked = client.post(f"{API}/registration/tokens/{created.json['id']}/unlock",
                           headers=TRAINER, json={"pin": "605182"})
    assert unlocked.status_code == 200 and unlocked.json["locked"] is False
    lost = client.post(f"{API}/certificates/current/lost", headers=ALICE)
    assert lost.status_code == 200
    assert (lost.json["status"], lost.json["revocation_reason"]) == ("revoked", "keyCompromise")


def test_crl_ocsp_and_tsa_answer_over_http(app: Flask, client: FlaskClient) -> None:
    created = client.post(f"{API}/certificates", headers=ALICE, json={"pin": PIN}).json
    client.post(f"{API}/registration/requests/{created['id']}/approve", headers=TRAINER)
    client.post(f"{API}/certificates/current/lost", headers=ALICE)
    root = x509.load_der_x509_certificate(client.get(f"{PREFIX}pki/root.crt").data)
    issuing = x509.load_der_x509_certificate(client.get(f"{PREFIX}pki/issuing.crt").data)
    assert issuing.issuer == root.subject
    crl = x509.load_der_x509_crl(client.get(f"{PREFIX}pki/crl/issuing.crl").data)
    assert crl.is_signature_valid(issuing.public_key())
    serial = int(created["serial_number"] or "0", 16) if created["serial_number"] else None
    with app.app_context():
        row = db().get(SigningCertificate, created["id"])
        certificate = x509.load_der_x509_certificate(row.certificate_der)
    assert serial is None  # the request had no certificate yet
    entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    assert entry is not None
    request = ocsp.OCSPRequestBuilder().add_certificate(
        certificate, issuing, hashes.SHA1()).build().public_bytes(  # noqa: S303 (CertID)
        serialization.Encoding.DER)
    for response in (
        client.post(f"{PREFIX}pki/ocsp", data=request,
                    content_type="application/ocsp-request"),
        client.get(f"{PREFIX}pki/ocsp/" + base64.b64encode(request).decode()),
    ):
        answer = ocsp.load_der_ocsp_response(response.data)
        assert answer.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
        assert answer.certificate_status is ocsp.OCSPCertStatus.REVOKED
        assert answer.revocation_reason is x509.ReasonFlags.key_compromise
    garbage = ocsp.load_der_ocsp_response(client.post(f"{PREFIX}pki/ocsp", data=b"nonsense").data)
    assert garbage.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    stamp_request = tsp.TimeStampReq({
        "version": 1, "message_imprint": {"hash_algorithm": {"algorithm": "sha256"},
                                          "hashed_message": b"\x01" * 32},
        "cert_req": True})
    reply = tsp.TimeStampResp.load(client.post(f"{PREFIX}pki/tsa", data=stamp_request.dump(),
                                               content_type="application/timestamp-query").data)
    assert reply["status"]["status"].native == "granted"
    info = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == b"\x01" * 32
    assert client.post(f"{PREFIX}pki/tsa", data=b"nonsense").status_code == 400


def test_verify_an_upload_in_the_page_and_the_api(
    app: Flask, alice: FlaskClient, csrf_token_from
) -> None:
    page = alice.get(f"{SIG}/").get_data(as_text=True)
    token = csrf_token_from(page)
    with app.app_context():
        alice_tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        exercise = [d for d in alice_tenant_documents(alice_tenant) if d == "valid"]
    assert exercise
    response = alice.post(f"{SIG}/verify", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(b"not a pdf at all"), "x.pdf")})
    assert response.status_code == 302
    assert "PDF" in alice.get(response.headers["Location"]).get_data(as_text=True)
    listing = alice.get(f"{SIG}/").get_data(as_text=True)
    actions = re.findall(r'action="([^"]*/verify/incoming/\d+)"', listing)
    assert len(actions) == 7
    assert alice.get(actions[0]).status_code == 405  # evidence only from a POST
    forged = alice.post(actions[0], data={})  # another site's page has no CSRF token
    assert forged.status_code == 400
    report = alice.post(actions[0], data={"check-csrf_token": token})
    assert report.status_code == 200 and "TOTAL_" in report.get_data(as_text=True)
    pdf = _exercise_pdf(app, alice, "valid")
    answer = alice.post(f"{API}/signatures/verify?lang=en", headers=ALICE,
                        content_type="multipart/form-data",
                        data={"file": (io.BytesIO(pdf), "valid.pdf")})
    assert answer.status_code == 200
    assert answer.json["all_passed"] is True
    assert answer.json["signatures"][0]["indication"] == "TOTAL_PASSED"
    assert answer.json["signatures"][0]["explanation"].startswith("The signature is valid")
    unusable = alice.post(f"{API}/signatures/verify", headers=ALICE,
                          content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"%PDF-1.7 broken"), "b.pdf")})
    assert unusable.status_code == 422


def alice_tenant_documents(tenant: Tenant) -> list[str]:
    from sandbox_eoffice.models import IncomingDocument

    return list(db().scalars(select(IncomingDocument.signature_case).where(
        IncomingDocument.tenant_id == tenant.id,
        IncomingDocument.signature_case.is_not(None))))


def _exercise_pdf(app: Flask, client: FlaskClient, case: str) -> bytes:
    from sandbox_eoffice.models import IncomingDocument

    with app.app_context():
        document_id = db().scalars(select(IncomingDocument.id).where(
            IncomingDocument.signature_case == case)).first()
    return client.get(f"{PREFIX}documents/incoming/{document_id}/attachment.pdf").data


@pytest.mark.parametrize("authority", ["root", "issuing"])
def test_the_ca_certificates_are_public(client: FlaskClient, authority: str) -> None:
    response = client.get(f"{PREFIX}pki/{authority}.crt")  # no login
    assert response.status_code == 200
    certificate = x509.load_der_x509_certificate(response.data)
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_an_uploaded_file_name_renders_inert(app: Flask, alice: FlaskClient,
                                             csrf_token_from) -> None:
    token = csrf_token_from(alice.get(f"{SIG}/").get_data(as_text=True))
    pdf = _exercise_pdf(app, alice, "valid")
    hostile = '<img src=x onerror="alert(1)">.pdf'
    page = alice.post(f"{SIG}/verify", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(pdf), hostile)}).get_data(as_text=True)
    assert "TOTAL_PASSED" in page
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_any_received_document_can_be_verified_from_its_page(app: Flask,
                                                             alice: FlaskClient) -> None:
    from sandbox_eoffice.models import IncomingDocument

    alice.get(f"{SIG}/")
    with app.app_context():
        alice_tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        document_id = db().scalars(select(IncomingDocument.id).where(
            IncomingDocument.tenant_id == alice_tenant.id,
            IncomingDocument.signature_case == "tampered")).one()
    page = alice.get(f"{PREFIX}documents/incoming/{document_id}").get_data(as_text=True)
    token = re.search(r'name="check-csrf_token" value="([^"]+)"', page).group(1)
    report = alice.post(f"{SIG}/verify/incoming/{document_id}",
                        data={"check-csrf_token": token}).get_data(as_text=True)
    assert "TOTAL_FAILED" in report and "HASH_FAILURE" in report
