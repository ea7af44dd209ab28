"""Digital signatures in the e-office (service layer), on SQLite and PostgreSQL: the
certificate lifecycle (request, approve, PIN lockout and unlock, lost token, renewal after a
rename, expiry by the scenario clock), revocation seen in the CRL and in OCSP, and signing
outgoing documents at approval (personal) and issue (organisation)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.orm import Session

from sandbox_eoffice import signatures
from sandbox_eoffice.incoming_documents import DocumentActionRefused, list_units
from sandbox_eoffice.models import OutgoingDocument, Tenant
from sandbox_eoffice.outgoing_documents import save_draft, signers, submit_for_approval
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.vocabulary import CertificateStatus, OutgoingStatus
from signing.authority import RevocationReason
from signing.training_pki import TrainingPki
from signing.verification import verify_pdf

PIN, OTHER_PIN = "482915", "739164"
URL = "http://127.0.0.1:8000/services/eoffice/pki/"


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("eoffice-data")
    signatures.ensure_pki(data, URL)
    return data


@pytest.fixture
def pki(pki_dir: Path) -> TrainingPki:
    return signatures.ensure_pki(pki_dir, URL)


@pytest.fixture
def alice(session: Session) -> Tenant:
    tenant = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=7)
    session.commit()
    return tenant


def _certified(session: Session, pki: TrainingPki, tenant: Tenant, pin: str = PIN):
    row = signatures.request_certificate(session, pki, tenant, actor=tenant.username, pin=pin)
    signatures.approve_request(session, pki, row, approver="trainer")
    session.commit()
    return row


def _ocsp_status(session: Session, pki: TrainingPki, row) -> ocsp.OCSPResponse:
    certificate = x509.load_der_x509_certificate(row.certificate_der)
    request = ocsp.OCSPRequestBuilder().add_certificate(
        certificate, pki.issuing.certificate, hashes.SHA1()).build()  # noqa: S303 (CertID)
    answer = signatures.ocsp_response(session, pki, request.public_bytes(
        serialization.Encoding.DER))
    return ocsp.load_der_ocsp_response(answer)


def test_request_then_approval_issues_a_certificate_naming_the_official(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    row = signatures.request_certificate(session, pki, alice, actor="alice", pin=PIN)
    assert row.status is CertificateStatus.REQUESTED and row.certificate_der is None
    with pytest.raises(DocumentActionRefused) as refused:
        signatures.usable(row, alice)
    assert refused.value.reason == signatures.CERTIFICATE_PENDING
    signatures.approve_request(session, pki, row, approver="trainer")
    certificate = x509.load_der_x509_certificate(row.certificate_der)
    subject = {a.oid: a.value for a in certificate.subject}
    assert subject[x509.NameOID.COMMON_NAME] == "Nguyễn Thị Lan"
    assert subject[x509.NameOID.ORGANIZATION_NAME] == alice.agency.name
    assert subject[x509.NameOID.STATE_OR_PROVINCE_NAME] == alice.agency.province
    assert subject[x509.NameOID.COUNTRY_NAME] == "VN"
    assert subject[x509.NameOID.TITLE]
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and usage.digital_signature  # non-repudiation
    assert certificate.issuer == pki.issuing.certificate.subject
    assert row.status is CertificateStatus.ACTIVE and signatures.usable(row, alice) is row
    with pytest.raises(DocumentActionRefused) as twice:
        signatures.request_certificate(session, pki, alice, actor="alice", pin=PIN)
    assert twice.value.reason == signatures.ALREADY_HAS_CERTIFICATE


def test_a_weak_pin_is_refused_and_nothing_is_requested(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    for pin, reason in (("123456", "pin_too_simple"), ("12a456", "pin_not_digits"),
                        ("1234", "pin_length")):
        with pytest.raises(DocumentActionRefused) as refused:
            signatures.request_certificate(session, pki, alice, actor="alice", pin=pin)
        assert refused.value.reason == reason
    assert signatures.current_personal(session, alice) is None


def test_five_wrong_pins_lock_the_token_and_only_a_trainer_unlocks_it(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    row = _certified(session, pki, alice)
    for attempt in range(1, 5):
        with pytest.raises(signatures.WrongPin) as wrong:
            signatures.open_credential(session, pki, alice, OTHER_PIN)
        session.commit()
        assert wrong.value.attempts_left == 5 - attempt
    assert signatures.open_credential(session, pki, alice, PIN) is row  # right PIN resets the count
    assert row.failed_pin_attempts == 0
    for _ in range(5):
        with pytest.raises(signatures.WrongPin):
            signatures.open_credential(session, pki, alice, OTHER_PIN)
        session.commit()
    session.refresh(row)
    assert row.locked_at is not None and row.failed_pin_attempts == 5
    with pytest.raises(DocumentActionRefused) as locked:
        signatures.open_credential(session, pki, alice, PIN)  # even the right PIN
    assert locked.value.reason == signatures.TOKEN_IS_LOCKED
    assert row in signatures.locked_tokens(session)
    signatures.unlock_token(session, pki, row, officer="trainer", new_pin=OTHER_PIN)
    session.commit()
    assert signatures.open_credential(session, pki, alice, OTHER_PIN) is row
    with pytest.raises(signatures.WrongPin):
        signatures.open_credential(session, pki, alice, PIN)  # the old PIN no longer opens it


def test_change_pin_needs_the_current_pin(session: Session, pki: TrainingPki,
                                          alice: Tenant) -> None:
    row = _certified(session, pki, alice)
    with pytest.raises(signatures.WrongPin):
        signatures.change_pin(session, pki, alice, row, actor="alice", old_pin=OTHER_PIN,
                              new_pin="605182")
    signatures.change_pin(session, pki, alice, row, actor="alice", old_pin=PIN, new_pin="605182")
    session.commit()
    assert signatures.open_credential(session, pki, alice, "605182") is row


def test_a_lost_token_is_revoked_for_key_compromise_in_the_crl_and_ocsp(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    row = _certified(session, pki, alice)
    serial = int(row.serial_number, 16)
    assert _ocsp_status(session, pki, row).certificate_status is ocsp.OCSPCertStatus.GOOD
    assert pki.issuing.crl(signatures.revocations(session), now=signatures.utc_now(),
                           number=1).get_revoked_certificate_by_serial_number(serial) is None
    signatures.report_lost(session, alice, row, actor="alice")
    session.commit()
    assert row.sealed_key is None  # the token is gone
    crl = signatures.current_crls(session, pki)["issuing"]
    assert crl.is_signature_valid(pki.issuing.key.public_key())
    entry = crl.get_revoked_certificate_by_serial_number(serial)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is \
        x509.ReasonFlags.key_compromise
    answer = _ocsp_status(session, pki, row)
    assert answer.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_reason is x509.ReasonFlags.key_compromise
    with pytest.raises(DocumentActionRefused) as refused:
        signatures.open_credential(session, pki, alice, PIN)
    assert refused.value.reason == signatures.CERTIFICATE_REVOKED_REASON


def test_renewal_after_the_agency_is_renamed_supersedes_the_old_certificate(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    old = _certified(session, pki, alice)
    alice.agency.name = "Sở Khoa học, Công nghệ và Chuyển đổi số"  # merged and renamed
    new = signatures.request_certificate(session, pki, alice, actor="alice", pin=OTHER_PIN,
                                         renew=True)
    assert old.status is CertificateStatus.ACTIVE  # still valid until the new one is issued
    signatures.approve_request(session, pki, new, approver="trainer")
    session.commit()
    certificate = x509.load_der_x509_certificate(new.certificate_der)
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[
        0].value == "Sở Khoa học, Công nghệ và Chuyển đổi số"
    assert old.status is CertificateStatus.REVOKED
    assert old.revocation_reason is RevocationReason.SUPERSEDED
    entry = signatures.current_crls(session, pki)["issuing"] \
        .get_revoked_certificate_by_serial_number(int(old.serial_number, 16))
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is \
        x509.ReasonFlags.superseded
    assert _ocsp_status(session, pki, old).certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert signatures.open_credential(session, pki, alice, OTHER_PIN) is new


def test_the_scenario_clock_expires_the_certificate(session: Session, pki: TrainingPki,
                                                   alice: Tenant) -> None:
    row = _certified(session, pki, alice)
    alice.clock_offset_days = signatures.CERTIFICATE_DAYS + 1
    with pytest.raises(DocumentActionRefused) as refused:
        signatures.open_credential(session, pki, alice, PIN)
    assert refused.value.reason == signatures.CERTIFICATE_EXPIRED
    alice.clock_offset_days = signatures.CERTIFICATE_DAYS - 1
    assert signatures.open_credential(session, pki, alice, PIN) is row


def _submitted(session: Session, tenant: Tenant) -> OutgoingDocument:
    document = save_draft(
        session, tenant, actor="alice", drafted_by="Nguyễn Thị Lan", document_type="Công văn",
        summary="V/v triển khai chữ ký số chuyên dùng", body="Đề nghị các đơn vị triển khai.",
        recipients=["Như trên;", "Lưu: VT."],
        drafting_unit_id=list_units(session, tenant)[0].id,
        signer_id=signers(session, tenant)[0].id)
    submit_for_approval(session, tenant, document, actor="alice")
    return document


def test_approval_signs_personally_and_issue_adds_the_agency_signature(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    _certified(session, pki, alice)
    document = _submitted(session, alice)
    assert signatures.approve_and_sign(session, pki, alice, document, pin=PIN, actor="alice")
    session.commit()
    trust = signatures.trust_settings(session, pki)
    approved = verify_pdf(document.signed_pdf, trust)
    assert [s.signer for s in approved.signatures] == ["Nguyễn Thị Lan"]
    assert approved.all_passed and approved.signatures[0].signing_time_source == "timestamp"
    signatures.issue_and_sign(session, pki, alice, document, actor="alice")
    session.commit()
    assert document.status is OutgoingStatus.ISSUED
    issued = verify_pdf(document.signed_pdf, signatures.trust_settings(session, pki))
    personal, agency = issued.signatures
    assert agency.signer == alice.agency.name and agency.passed
    # the agency's signature came after: an allowed change for the personal one
    assert personal.passed and personal.modification == "form_filling"
    # B-LT: it verifies with no revocation information given, from what the PDF carries
    from signing.verification import TrustSettings

    carried = verify_pdf(document.signed_pdf, TrustSettings(roots=[pki.root.certificate]))
    assert carried.signatures[1].passed


def test_a_wrong_pin_at_approval_changes_nothing_but_the_count(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    row = _certified(session, pki, alice)
    document = _submitted(session, alice)
    session.commit()
    with pytest.raises(signatures.WrongPin):
        signatures.approve_and_sign(session, pki, alice, document, pin=OTHER_PIN,
                                    actor="alice")
    session.commit()
    session.refresh(document)
    assert document.status is OutgoingStatus.SUBMITTED and document.signed_pdf is None
    assert row.failed_pin_attempts == 1


def test_a_revoked_certificate_refuses_to_sign_with_the_reason(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    row = _certified(session, pki, alice)
    signatures.report_lost(session, alice, row, actor="alice")
    document = _submitted(session, alice)
    session.commit()
    with pytest.raises(DocumentActionRefused) as refused:
        signatures.approve_and_sign(session, pki, alice, document, pin=PIN, actor="alice")
    assert refused.value.reason == signatures.CERTIFICATE_REVOKED_REASON


def test_without_a_certificate_approval_is_unsigned_and_issue_still_seals_it(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    document = _submitted(session, alice)
    assert not signatures.approve_and_sign(session, pki, alice, document, pin=None,
                                           actor="alice")
    assert document.signed_pdf is None
    signatures.issue_and_sign(session, pki, alice, document, actor="alice")
    session.commit()
    report = verify_pdf(document.signed_pdf, signatures.trust_settings(session, pki))
    assert [s.signer for s in report.signatures] == [alice.agency.name]
    assert report.all_passed


def test_the_exercises_arrive_in_every_inbox_and_verify_as_expected(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    from signing.scenario_documents import SignatureCase

    added = signatures.add_samples_to_inbox(session, alice)
    assert {d.signature_case for d in added} == {case.value for case in SignatureCase}
    assert signatures.add_samples_to_inbox(session, alice) == []  # once
    session.commit()
    verdicts = {}
    for document in added:
        pdf = signatures.received_pdf(session, pki, alice, document)
        report = signatures.verify(session, pki, pdf, lang="vi",
                                   now=dt.datetime.now(dt.UTC))
        verdicts[document.signature_case] = report.signatures[0].indication
    assert verdicts["valid"] == "TOTAL_PASSED"
    assert verdicts["form_filled_later"] == "TOTAL_PASSED"
    assert verdicts["tampered"] == "TOTAL_FAILED"
    assert verdicts["content_changed_later"] == "TOTAL_FAILED"
    assert verdicts["revoked"] != "TOTAL_PASSED"  # the revocation comes from our CRL
    assert verdicts["expired"] != "TOTAL_PASSED"
    assert verdicts["untrusted"] == "INDETERMINATE"


def test_verification_uses_the_sandbox_ocsp_responder(session: Session, pki: TrainingPki,
                                                      alice: Tenant) -> None:
    from signing.verification import TrustSettings

    row = _certified(session, pki, alice)
    document = _submitted(session, alice)
    signatures.approve_and_sign(session, pki, alice, document, pin=PIN, actor="alice")
    session.commit()

    def ocsp_only() -> TrustSettings:
        given = signatures.trust_settings(session, pki, pdf=document.signed_pdf)
        assert len(given.ocsp_responses) == 2  # the signer and the timestamp authority
        # the issuing CA's own status from the root's CRL; the signer's from OCSP alone
        return TrustSettings(roots=[pki.root.certificate],
                             crls=[signatures.current_crls(session, pki)["root"]],
                             ocsp_responses=given.ocsp_responses,
                             other_certificates=[pki.issuing.certificate])

    assert verify_pdf(document.signed_pdf, ocsp_only()).all_passed
    signatures.report_lost(session, alice, row, actor="alice")
    session.commit()
    [after] = verify_pdf(document.signed_pdf, ocsp_only()).signatures
    assert after.revoked and after.revocation_reason == "key_compromise"


def test_the_signature_tasks_are_scored_from_what_the_e_office_recorded(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    from sandbox_eoffice.activity import INCOMING_DOCUMENT, SIGNATURE_VERIFIED, record_activity
    from sandbox_eoffice.tasks import evaluate_tasks

    tasks = ("request-signature-certificate", "sign-and-issue-outgoing-document",
             "verify-received-signatures", "report-lost-token", "renew-certificate")
    assert not any(evaluate_tasks(session, "alice")[task].done for task in tasks)
    row = signatures.request_certificate(session, pki, alice, actor="alice", pin=PIN)
    assert not evaluate_tasks(session, "alice")["request-signature-certificate"].done
    signatures.approve_request(session, pki, row, approver="trainer")
    assert evaluate_tasks(session, "alice")["request-signature-certificate"].done
    document = _submitted(session, alice)
    signatures.approve_and_sign(session, pki, alice, document, pin=PIN, actor="alice")
    assert not evaluate_tasks(session, "alice")["sign-and-issue-outgoing-document"].done
    signatures.issue_and_sign(session, pki, alice, document, actor="alice")
    assert evaluate_tasks(session, "alice")["sign-and-issue-outgoing-document"].done
    # what the learner verifies in the e-office counts, not what anyone else logs for them
    exercises = signatures.add_samples_to_inbox(session, alice)
    for exercise in exercises[:-1]:
        record_activity(session, alice, "alice", SIGNATURE_VERIFIED,
                        object_type=INCOMING_DOCUMENT, object_id=exercise.id,
                        details={"case": exercise.signature_case})
    record_activity(session, alice, "trainer", SIGNATURE_VERIFIED,
                    object_type=INCOMING_DOCUMENT, object_id=exercises[-1].id,
                    details={"case": exercises[-1].signature_case})
    result = evaluate_tasks(session, "alice")["verify-received-signatures"]
    assert not result.done and "1 still to check" in result.detail
    record_activity(session, alice, "alice", SIGNATURE_VERIFIED, object_type=INCOMING_DOCUMENT,
                    object_id=exercises[-1].id, details={"case": exercises[-1].signature_case})
    assert evaluate_tasks(session, "alice")["verify-received-signatures"].done
    alice.agency.name = "Sở Khoa học, Công nghệ và Chuyển đổi số"
    renewal = signatures.request_certificate(session, pki, alice, actor="alice",
                                             pin=OTHER_PIN, renew=True)
    assert not evaluate_tasks(session, "alice")["renew-certificate"].done
    signatures.approve_request(session, pki, renewal, approver="trainer")
    assert evaluate_tasks(session, "alice")["renew-certificate"].done
    assert not evaluate_tasks(session, "alice")["report-lost-token"].done  # superseded only
    signatures.report_lost(session, alice, renewal, actor="alice")
    assert evaluate_tasks(session, "alice")["report-lost-token"].done


def test_a_stale_request_cannot_pass_the_lockout(session: Session, engine, pki: TrainingPki,
                                                 alice: Tenant) -> None:
    """Requests already under way when the token locks (they loaded it unlocked) are refused
    too, even with the right PIN: every try is counted in the database before the PIN is
    compared."""
    from sandbox_eoffice.database import make_session_factory

    _certified(session, pki, alice)
    stale_session = make_session_factory(engine)()
    try:
        stale_tenant = stale_session.get(Tenant, alice.id)
        stale = signatures.usable(signatures.signing_certificate(stale_session, stale_tenant),
                                  stale_tenant)
        assert stale.locked_at is None
        stale_session.commit()  # what it loaded stays in memory (expire_on_commit=False)
        for _ in range(5):
            with pytest.raises(signatures.WrongPin):
                signatures.open_credential(session, pki, alice, OTHER_PIN)
            session.commit()
        with pytest.raises(DocumentActionRefused) as refused:
            signatures.check_pin(stale_session, pki, stale, PIN)
        assert refused.value.reason == signatures.TOKEN_IS_LOCKED
    finally:
        stale_session.close()


def test_the_scenario_clock_never_makes_a_certificate_not_yet_valid(
    session: Session, pki: TrainingPki, alice: Tenant
) -> None:
    """Certificates start in real time (signatures are timestamped in real time) and end a
    year after the tenant's time: issuing works with the clock ahead, an expired one can be
    renewed, and the renewed one signs."""
    _certified(session, pki, alice)
    alice.clock_offset_days = 400
    document = _submitted(session, alice)
    with pytest.raises(DocumentActionRefused):  # expired in the scenario's time
        signatures.approve_and_sign(session, pki, alice, document, pin=PIN, actor="alice")
    renewal = signatures.request_certificate(session, pki, alice, actor="alice",
                                             pin=OTHER_PIN, renew=True)
    signatures.approve_request(session, pki, renewal, approver="trainer")
    assert signatures.approve_and_sign(session, pki, alice, document, pin=OTHER_PIN,
                                       actor="alice")
    signatures.issue_and_sign(session, pki, alice, document, actor="alice")  # a new seal
    session.commit()
    report = verify_pdf(document.signed_pdf, signatures.trust_settings(session, pki))
    assert [s.indication for s in report.signatures] == ["TOTAL_PASSED", "TOTAL_PASSED"]


def test_a_lost_token_is_reported_while_a_renewal_waits(session: Session, pki: TrainingPki,
                                                        alice: Tenant) -> None:
    old = _certified(session, pki, alice)
    signatures.request_certificate(session, pki, alice, actor="alice", pin=OTHER_PIN,
                                   renew=True)
    assert signatures.signing_certificate(session, alice) is old  # still the one that signs
    signatures.report_lost(session, alice, old, actor="alice")
    session.commit()
    assert old.status is CertificateStatus.REVOKED
    assert old.revocation_reason is RevocationReason.KEY_COMPROMISE
    # the renewal on the lost token is withdrawn; a new request is possible
    assert [row.status for row in signatures.personal_certificates(session, alice)] == [
        CertificateStatus.REVOKED]
    signatures.request_certificate(session, pki, alice, actor="alice", pin=OTHER_PIN)


def test_one_request_at_a_time_even_when_two_arrive_together(
    session: Session, engine, pki: TrainingPki, alice: Tenant
) -> None:
    """The check in request_certificate reads before it writes; the database's partial
    unique index is what refuses the second of two simultaneous requests."""
    from sandbox_eoffice.database import make_session_factory
    from sandbox_eoffice.models import SigningCertificate
    from signing.authority import CertificateKind

    session.add(SigningCertificate(tenant_id=alice.id, kind=CertificateKind.PERSONAL,
                                   subject={}, requested_by="alice"))  # the other request
    session.commit()
    other = make_session_factory(engine)()
    try:
        with pytest.raises(sqlalchemy_exc.IntegrityError):
            other.add(SigningCertificate(tenant_id=alice.id, kind=CertificateKind.PERSONAL,
                                         subject={}, requested_by="alice"))
            other.commit()
    finally:
        other.rollback()
        other.close()
