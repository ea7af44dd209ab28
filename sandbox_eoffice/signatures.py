"""Digital signatures in the sandbox: certificates and tokens, signing outgoing documents,
revocation (CRL, OCSP), and verifying received PDFs.

The sandbox training PKI (`signing.training_pki`) lives in the e-office's data directory;
its certificates, tokens and revocations live in the database. Lifecycle, as with the real
specialised CA: the learner requests a certificate and sets the token's PIN; a trainer (the
registration officer) approves and the issuing CA issues it; the learner may change the
PIN; five wrong PINs lock the token until a trainer unlocks it with a new PIN; a lost
token is reported and the certificate revoked (keyCompromise); renewal (after the agency
is renamed or merged, for instance) issues a certificate with the new subject and revokes
the old one (superseded). A trainer's scenario clock (`Tenant.clock_offset_days`) moves a
tenant's time forward so that its certificates expire.

Functions take a session; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ
from sandbox_eoffice.activity import (
    CERTIFICATE,
    CERTIFICATE_ISSUED,
    CERTIFICATE_PIN_CHANGED,
    CERTIFICATE_REQUESTED,
    CERTIFICATE_REVOKED,
    OUTGOING_DOCUMENT,
    OUTGOING_SIGNED,
    TOKEN_LOCKED,
    TOKEN_UNLOCKED,
    record_activity,
)
from sandbox_eoffice.attachments import incoming_attachment_pdf, outgoing_layout, outgoing_pdf
from sandbox_eoffice.incoming_documents import DocumentActionRefused, claim_state
from sandbox_eoffice.models import (
    IncomingDocument,
    OutgoingDelivery,
    OutgoingDocument,
    SignatureSample,
    SigningCertificate,
    Tenant,
    utc_now,
)
from sandbox_eoffice.official_pdf import render_with_signature_space
from sandbox_eoffice.outgoing_documents import approve, issue
from sandbox_eoffice.search import search_text_for
from sandbox_eoffice.vocabulary import CertificateStatus, DocumentStatus, Urgency
from signing import tokens
from signing.authority import (
    CertificateKind,
    OcspAnswer,
    Revocation,
    RevocationReason,
    Subject,
    new_key,
)
from signing.authority import (
    CertificateStatus as OcspStatus,
)
from signing.pdf_signing import (
    Appearance,
    PadesProfile,
    Placement,
    SignatureRole,
    sign_pdf,
    signer_from_key,
    to_asn1,
)
from signing.scenario_documents import SignatureCase, make_scenario_documents
from signing.training_pki import DIRECTORY_NAME, PkiUrls, TrainingPki, ensure_training_pki
from signing.verification import (
    TrustSettings,
    VerificationReport,
    read_pdf,
    verify_pdf,
)

FONTS = Path(__file__).parent / "fonts"
REGULAR_FONT = FONTS / "LiberationSerif-Regular.ttf"
ITALIC_FONT = FONTS / "LiberationSerif-Italic.ttf"
CERTIFICATE_DAYS = 365
PERSONAL_TITLE = "Chuyên viên"

# reasons (translated by sandbox_eoffice.labels)
NO_CERTIFICATE = "no_certificate"
CERTIFICATE_PENDING = "certificate_pending"
CERTIFICATE_REVOKED_REASON = "certificate_revoked"
CERTIFICATE_EXPIRED = "certificate_expired"
TOKEN_IS_LOCKED = "token_locked"  # noqa: S105 (a reason code)
ALREADY_REQUESTED = "already_requested"
ALREADY_HAS_CERTIFICATE = "already_has_certificate"
NOT_PENDING = "not_pending"
NOT_ACTIVE = "not_active"
NOT_LOCKED = "not_locked"
NO_AGENCY = "no_agency"


class WrongPin(DocumentActionRefused):
    """The PIN did not open the token; the failed attempt is counted (the caller commits it
    even though the step is refused)."""

    def __init__(self, attempts_left: int) -> None:
        super().__init__("wrong_pin" if attempts_left else TOKEN_IS_LOCKED)
        self.attempts_left = attempts_left


# --- the PKI ------------------------------------------------------------------------------


def pki_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / DIRECTORY_NAME


def ensure_pki(data_dir: str | Path, base_url: str) -> TrainingPki:
    """The installation's sandbox PKI, created on first use."""
    directory = pki_dir(data_dir)
    ensure_training_pki(directory, PkiUrls(base_url))
    return load_pki(directory)


@cache
def load_pki(directory: Path) -> TrainingPki:
    return TrainingPki.load(directory)


def tenant_now(tenant: Tenant, now: dt.datetime | None = None) -> dt.datetime:
    """The tenant's time: real time moved by the trainer's scenario clock."""
    return (now or utc_now()) + dt.timedelta(days=tenant.clock_offset_days or 0)


def revocations(session: Session) -> list[Revocation]:
    rows = session.execute(
        select(SigningCertificate.serial_number, SigningCertificate.revoked_at,
               SigningCertificate.revocation_reason)
        .where(SigningCertificate.status == CertificateStatus.REVOKED,
               SigningCertificate.serial_number.is_not(None))
        .order_by(SigningCertificate.revoked_at)
    ).all()
    return [Revocation(int(serial, 16), revoked_at, reason or RevocationReason.UNSPECIFIED)
            for serial, revoked_at, reason in rows if serial and revoked_at]


CRL_REUSE = dt.timedelta(seconds=60)
_issued_crls: dict[bytes, tuple[tuple[Revocation, ...], dt.datetime,
                                dict[str, x509.CertificateRevocationList]]] = {}


def current_crls(session: Session, pki: TrainingPki, now: dt.datetime | None = None
                 ) -> dict[str, x509.CertificateRevocationList]:
    """Current CRLs of both authorities: the issuing CA's lists every revoked certificate.
    Issued afresh when a revocation changed the list, otherwise at most once a minute per
    process (each is valid a day, as a CA's CRL is)."""
    now = now or utc_now()
    revoked = tuple(revocations(session))
    authority = pki.issuing.certificate.fingerprint(hashes.SHA256())
    cached = _issued_crls.get(authority)
    if cached is not None and cached[0] == revoked and \
            dt.timedelta(0) <= now - cached[1] < CRL_REUSE:
        return cached[2]
    number = int(now.timestamp() * 1000)
    crls = {"issuing": pki.issuing.crl(revoked, now=now, number=number),
            "root": pki.root.crl([], now=now, number=number)}
    _issued_crls[authority] = (revoked, now, crls)
    return crls


def ocsp_answer(session: Session, pki: TrainingPki, serial_number: int) -> OcspAnswer:
    """What the sandbox's OCSP responder says of a serial number of its issuing CA."""
    if serial_number == pki.tsa_certificate.serial_number:
        return OcspAnswer(OcspStatus.GOOD, pki.tsa_certificate)
    row = session.scalars(select(SigningCertificate).where(
        SigningCertificate.serial_number == format(serial_number, "X"))).one_or_none()
    if row is None or row.certificate_der is None:
        return OcspAnswer(OcspStatus.UNKNOWN)
    certificate = x509.load_der_x509_certificate(row.certificate_der)
    if row.status is CertificateStatus.REVOKED and row.revoked_at:
        return OcspAnswer(OcspStatus.REVOKED, certificate, Revocation(
            serial_number, row.revoked_at, row.revocation_reason or RevocationReason.UNSPECIFIED))
    return OcspAnswer(OcspStatus.GOOD, certificate)


def ocsp_response(session: Session, pki: TrainingPki, request_der: bytes,
                  now: dt.datetime | None = None) -> bytes:
    return pki.ocsp.respond(request_der, lambda serial: ocsp_answer(session, pki, serial),
                            now=now or utc_now())


def trust_settings(session: Session, pki: TrainingPki, *, extra_roots: Sequence[
        x509.Certificate] = (), sandbox_root: bool = True,
        pdf: bytes | None = None) -> TrustSettings:
    """What verification trusts: the sandbox root (unless replaced) and any given roots,
    with the sandbox's current CRLs and, for the signers of `pdf` that the sandbox issued,
    its OCSP responder's answers (asked in-process, as a relying party would ask
    /pki/ocsp); nothing is fetched."""
    roots = [*([pki.root.certificate] if sandbox_root else []), *extra_roots]
    return TrustSettings(roots=roots, crls=list(current_crls(session, pki).values()),
                         ocsp_responses=_ocsp_for_signers(session, pki, pdf) if pdf else [],
                         other_certificates=[pki.issuing.certificate])


def _ocsp_for_signers(session: Session, pki: TrainingPki, pdf: bytes) -> list[bytes]:
    try:
        signers = [x509.load_der_x509_certificate(signature.signer_cert.dump())
                   for signature in read_pdf(pdf).embedded_regular_signatures]
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, verify_pdf says it
        return []
    answers = []
    now = utc_now()
    for certificate in [*signers, pki.tsa_certificate]:  # the timestamps' signer too
        if certificate.issuer != pki.issuing.certificate.subject:
            continue
        answer = ocsp_answer(session, pki, certificate.serial_number)
        if answer.status is not OcspStatus.UNKNOWN:
            answers.append(pki.ocsp.answer(certificate.serial_number, answer, now=now))
    return answers


# --- certificates and tokens ---------------------------------------------------------------


def _to_x509(row: SigningCertificate) -> x509.Certificate:
    assert row.certificate_der is not None
    return x509.load_der_x509_certificate(row.certificate_der)


def personal_subject(tenant: Tenant) -> Subject:
    if tenant.agency is None:
        raise DocumentActionRefused(NO_AGENCY)
    return Subject(full_name=tenant.full_name, title=PERSONAL_TITLE, agency=tenant.agency.name,
                   province=tenant.agency.province)


def organisation_subject(tenant: Tenant) -> Subject:
    if tenant.agency is None:
        raise DocumentActionRefused(NO_AGENCY)
    return Subject(full_name=tenant.agency.name, agency=tenant.agency.name,
                   province=tenant.agency.province)


def personal_certificates(session: Session, tenant: Tenant) -> Sequence[SigningCertificate]:
    return session.scalars(
        select(SigningCertificate)
        .where(SigningCertificate.tenant_id == tenant.id,
               SigningCertificate.kind == CertificateKind.PERSONAL)
        .order_by(SigningCertificate.id.desc())
    ).all()


def current_personal(session: Session, tenant: Tenant) -> SigningCertificate | None:
    """The learner's latest personal certificate (requested, active or revoked)."""
    found = personal_certificates(session, tenant)
    return found[0] if found else None


def signing_certificate(session: Session, tenant: Tenant) -> SigningCertificate | None:
    """The certificate the learner's token holds: the newest active one (a renewal may be
    waiting for approval meanwhile), else the newest of any state (whose state is then the
    reason it cannot sign)."""
    found = personal_certificates(session, tenant)
    active = [row for row in found if row.status is CertificateStatus.ACTIVE]
    return active[0] if active else (found[0] if found else None)


def get_certificate(session: Session, certificate_id: int, *,
                    tenant: Tenant | None = None) -> SigningCertificate | None:
    row = session.get(SigningCertificate, certificate_id)
    if row is None or (tenant is not None and row.tenant_id != tenant.id):
        return None
    return row


def request_certificate(session: Session, pki: TrainingPki, tenant: Tenant, *, actor: str,
                        pin: str, renew: bool = False) -> SigningCertificate:
    """A request for a personal certificate: the key pair is made on the token, sealed, and
    waits for a trainer's approval. `renew`: the active certificate is replaced (and revoked
    as superseded) once the new one is issued; its subject is the agency as it is now."""
    latest = current_personal(session, tenant)
    if latest is not None and latest.status is CertificateStatus.REQUESTED:
        raise DocumentActionRefused(ALREADY_REQUESTED)
    active = latest if latest is not None and latest.status is CertificateStatus.ACTIVE \
        else None
    if active is not None and not renew:
        raise DocumentActionRefused(ALREADY_HAS_CERTIFICATE)
    try:
        pin_hash = tokens.hash_pin(pin, pki.pin_pepper)
    except tokens.PinRefused as refused:
        raise DocumentActionRefused(refused.reason) from refused
    subject = personal_subject(tenant)
    row = SigningCertificate(
        tenant_id=tenant.id, kind=CertificateKind.PERSONAL, status=CertificateStatus.REQUESTED,
        subject=_subject_dict(subject), sealed_key=tokens.seal(new_key(), pki.token_kek),
        pin_hash=pin_hash, requested_by=actor, replaces_id=active.id if active else None)
    savepoint = session.begin_nested()
    session.add(row)
    try:
        savepoint.commit()
    except IntegrityError:  # a parallel request got there first (one request at a time)
        savepoint.rollback()
        raise DocumentActionRefused(ALREADY_REQUESTED) from None
    record_activity(session, tenant, actor, CERTIFICATE_REQUESTED, object_type=CERTIFICATE,
                    object_id=row.id, details={"subject": row.subject, "renewal": bool(active)})
    return row


def pending_requests(session: Session) -> Sequence[SigningCertificate]:
    return session.scalars(
        select(SigningCertificate)
        .where(SigningCertificate.status == CertificateStatus.REQUESTED)
        .order_by(SigningCertificate.requested_at)
    ).all()


def locked_tokens(session: Session) -> Sequence[SigningCertificate]:
    return session.scalars(
        select(SigningCertificate)
        .where(SigningCertificate.locked_at.is_not(None),
               SigningCertificate.status == CertificateStatus.ACTIVE)
        .order_by(SigningCertificate.locked_at)
    ).all()


def approve_request(session: Session, pki: TrainingPki, row: SigningCertificate, *,
                    approver: str, now: dt.datetime | None = None) -> SigningCertificate:
    """The registration officer approves: the issuing CA issues the certificate; a renewal
    supersedes the certificate it replaces. Valid from now (real time: signatures are
    timestamped in real time) for a year of the tenant's time (the scenario clock)."""
    if row.status is not CertificateStatus.REQUESTED or row.sealed_key is None:
        raise DocumentActionRefused(NOT_PENDING)
    if not claim_state(session, SigningCertificate, row.id, CertificateStatus.REQUESTED,
                       CertificateStatus.ACTIVE):
        raise DocumentActionRefused(NOT_PENDING)  # approved by another request meanwhile
    tenant = session.get(Tenant, row.tenant_id) if row.tenant_id else None
    real = now or utc_now()
    _issue(pki, row, not_before=real - dt.timedelta(hours=1),
           not_after=(tenant_now(tenant, real) if tenant else real)
           + dt.timedelta(days=CERTIFICATE_DAYS))
    row.approved_by = approver
    row.status = CertificateStatus.ACTIVE
    session.flush()
    if tenant is not None:
        record_activity(session, tenant, approver, CERTIFICATE_ISSUED, object_type=CERTIFICATE,
                        object_id=row.id, details={"serial_number": row.serial_number})
    if row.replaces_id is not None:
        old = session.get(SigningCertificate, row.replaces_id)
        if old is not None and old.status is CertificateStatus.ACTIVE:
            revoke(session, old, reason=RevocationReason.SUPERSEDED, actor=approver, now=now)
    return row


def _issue(pki: TrainingPki, row: SigningCertificate, *, not_before: dt.datetime,
           not_after: dt.datetime) -> None:
    assert row.sealed_key is not None
    key = tokens.unseal(row.sealed_key, pki.token_kek)
    subject = Subject(**row.subject)
    certificate = pki.issuing.issue(subject.to_x509(), key.public_key(),
                                    not_before=not_before, not_after=not_after)
    row.certificate_der = certificate.public_bytes(serialization.Encoding.DER)
    row.serial_number = format(certificate.serial_number, "X")
    row.not_before, row.not_after = not_before, not_after
    row.issued_at = utc_now()


def revoke(session: Session, row: SigningCertificate, *, reason: RevocationReason, actor: str,
           now: dt.datetime | None = None) -> SigningCertificate:
    if row.status is not CertificateStatus.ACTIVE:
        raise DocumentActionRefused(NOT_ACTIVE)
    row.status = CertificateStatus.REVOKED
    row.revoked_at = now or utc_now()
    row.revocation_reason = reason
    if reason is RevocationReason.KEY_COMPROMISE:
        row.sealed_key = None  # the token is gone: nothing can sign with this key again
    session.flush()
    if row.tenant is not None:
        record_activity(session, row.tenant, actor, CERTIFICATE_REVOKED,
                        object_type=CERTIFICATE, object_id=row.id,
                        details={"serial_number": row.serial_number, "reason": reason.value})
    return row


def report_lost(session: Session, tenant: Tenant, row: SigningCertificate, *,
                actor: str) -> SigningCertificate:
    """The token is lost or stolen: the certificate is revoked at once (keyCompromise), and a
    renewal waiting for approval on the same token is withdrawn (its key is lost too)."""
    _check_own(tenant, row)
    revoked = revoke(session, row, reason=RevocationReason.KEY_COMPROMISE, actor=actor)
    for pending in session.scalars(select(SigningCertificate).where(
            SigningCertificate.replaces_id == row.id,
            SigningCertificate.status == CertificateStatus.REQUESTED)):
        session.delete(pending)
    session.flush()
    return revoked


def _check_own(tenant: Tenant, row: SigningCertificate) -> None:
    if row.tenant_id != tenant.id:
        raise ValueError("certificate of another tenant")


def check_pin(session: Session, pki: TrainingPki, row: SigningCertificate, pin: str) -> None:
    """The token checks the PIN. Every try is counted first, in one guarded UPDATE, so that
    parallel tries cannot pass the lockout: a locked token (or one at five tries) refuses
    even the right PIN. A right PIN sets the count back to 0; the fifth wrong one locks the
    token (WrongPin: the caller commits the count, whatever else it refuses)."""
    assert row.pin_hash is not None
    attempts = session.execute(
        update(SigningCertificate)
        .where(SigningCertificate.id == row.id, SigningCertificate.locked_at.is_(None),
               SigningCertificate.failed_pin_attempts < tokens.MAX_PIN_ATTEMPTS)
        .values(failed_pin_attempts=SigningCertificate.failed_pin_attempts + 1)
        .returning(SigningCertificate.failed_pin_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if attempts is None:
        raise DocumentActionRefused(TOKEN_IS_LOCKED)
    if tokens.pin_matches(pin, row.pin_hash, pki.pin_pepper):
        session.execute(update(SigningCertificate).where(SigningCertificate.id == row.id)
                        .values(failed_pin_attempts=0)
                        .execution_options(synchronize_session=False))
        row.failed_pin_attempts = 0
        return
    row.failed_pin_attempts = attempts
    if attempts >= tokens.MAX_PIN_ATTEMPTS:
        row.locked_at = utc_now()
        if row.tenant is not None:
            record_activity(session, row.tenant, "token", TOKEN_LOCKED,
                            object_type=CERTIFICATE, object_id=row.id)
    session.flush()
    raise WrongPin(max(tokens.MAX_PIN_ATTEMPTS - attempts, 0))


def change_pin(session: Session, pki: TrainingPki, tenant: Tenant, row: SigningCertificate, *,
               actor: str, old_pin: str, new_pin: str) -> None:
    _check_own(tenant, row)
    if row.status is not CertificateStatus.ACTIVE:
        raise DocumentActionRefused(NOT_ACTIVE)
    try:
        tokens.check_new_pin(new_pin)
    except tokens.PinRefused as refused:
        raise DocumentActionRefused(refused.reason) from refused
    check_pin(session, pki, row, old_pin)
    row.pin_hash = tokens.hash_pin(new_pin, pki.pin_pepper)
    session.flush()
    record_activity(session, tenant, actor, CERTIFICATE_PIN_CHANGED, object_type=CERTIFICATE,
                    object_id=row.id)


def unlock_token(session: Session, pki: TrainingPki, row: SigningCertificate, *, officer: str,
                 new_pin: str) -> None:
    """The security officer unlocks a locked token by setting a new PIN (C_InitPIN)."""
    if row.locked_at is None:
        raise DocumentActionRefused(NOT_LOCKED)
    try:
        row.pin_hash = tokens.hash_pin(new_pin, pki.pin_pepper)
    except tokens.PinRefused as refused:
        raise DocumentActionRefused(refused.reason) from refused
    row.locked_at = None
    row.failed_pin_attempts = 0
    session.flush()
    if row.tenant is not None:
        record_activity(session, row.tenant, officer, TOKEN_UNLOCKED, object_type=CERTIFICATE,
                        object_id=row.id)


def usable(row: SigningCertificate | None, tenant: Tenant,
           now: dt.datetime | None = None) -> SigningCertificate:
    """The credential if it can sign now; otherwise why not (a reason the learner can act
    on: request one, wait for approval, renew, report, ask the trainer to unlock)."""
    if row is None:
        raise DocumentActionRefused(NO_CERTIFICATE)
    if row.status is CertificateStatus.REQUESTED:
        raise DocumentActionRefused(CERTIFICATE_PENDING)
    if row.status is CertificateStatus.REVOKED:
        raise DocumentActionRefused(CERTIFICATE_REVOKED_REASON)
    moment = tenant_now(tenant, now)
    if row.not_after is None or moment > row.not_after or (
            row.not_before is not None and moment < row.not_before):
        raise DocumentActionRefused(CERTIFICATE_EXPIRED)
    if row.locked_at is not None:
        raise DocumentActionRefused(TOKEN_IS_LOCKED)
    return row


# --- signing outgoing documents ------------------------------------------------------------


def _chain(pki: TrainingPki) -> list[x509.Certificate]:
    return [pki.issuing.certificate, pki.root.certificate]


def open_credential(session: Session, pki: TrainingPki, tenant: Tenant,
                    pin: str) -> SigningCertificate:
    """The learner's credential, ready to sign: usable now, and the PIN right (a wrong PIN
    raises WrongPin after counting it: commit before anything else is done)."""
    row = usable(signing_certificate(session, tenant), tenant)
    check_pin(session, pki, row, pin)
    return row


def sign_at_approval(session: Session, pki: TrainingPki, tenant: Tenant,
                     document: OutgoingDocument, row: SigningCertificate, *,
                     actor: str) -> None:
    """The approver's personal signature on the approved text (PAdES B-T), placed in the
    signature space between the signer's title and name; `row` from open_credential."""
    _check_own(tenant, row)
    assert row.sealed_key is not None
    key = tokens.unseal(row.sealed_key, pki.token_kek)
    pdf, space = render_with_signature_space(outgoing_layout(document, tenant, for_signing=True))
    holder = str(row.subject["full_name"])
    document.signed_pdf = sign_pdf(
        pdf, signer_from_key(key, _to_x509(row), _chain(pki)), field_name="ChuKyCaNhan",
        appearance=Appearance(SignatureRole.PERSONAL, holder, Placement(space.page, space.box),
                              REGULAR_FONT, ITALIC_FONT),
        timestamper=pki.timestamper, profile=PadesProfile.B_T,
        reason="Phê duyệt văn bản", location=tenant.agency.province if tenant.agency else None)
    document.personal_signer = holder
    session.flush()
    record_activity(session, tenant, actor, OUTGOING_SIGNED, object_type=OUTGOING_DOCUMENT,
                    object_id=document.id, details={"role": SignatureRole.PERSONAL.value,
                                                    "serial_number": row.serial_number,
                                                    "summary": document.summary[:200]})


def approve_and_sign(session: Session, pki: TrainingPki, tenant: Tenant,
                     document: OutgoingDocument, *, pin: str | None, actor: str) -> bool:
    """Approve (outgoing_documents.approve), signing with the approver's token when they
    have a certificate; True if signed. The PIN is checked before anything changes, so on
    WrongPin the caller commits (the attempt counts) and nothing else has happened."""
    credential = None
    if current_personal(session, tenant) is not None:
        credential = open_credential(session, pki, tenant, pin or "")
    approve(session, tenant, document, actor=actor)
    if credential is not None:
        sign_at_approval(session, pki, tenant, document, credential, actor=actor)
    return credential is not None


def issue_and_sign(session: Session, pki: TrainingPki, tenant: Tenant,
                   document: OutgoingDocument, *, actor: str) -> None:
    """Issue (outgoing_documents.issue) with the agency's signature."""
    issue(session, tenant, document, actor=actor)
    sign_at_issue(session, pki, tenant, document, actor=actor)


def organisation_credential(session: Session, pki: TrainingPki,
                            tenant: Tenant) -> SigningCertificate:
    """The agency's organisation certificate, issued with the tenant's first issue (its key
    is held by the e-office, as an agency's seal key is held in the clerk's HSM)."""
    found = session.scalars(
        select(SigningCertificate)
        .where(SigningCertificate.tenant_id == tenant.id,
               SigningCertificate.kind == CertificateKind.ORGANISATION,
               SigningCertificate.status == CertificateStatus.ACTIVE)
        .order_by(SigningCertificate.id.desc())
    ).first()
    subject = _subject_dict(organisation_subject(tenant))
    moment = tenant_now(tenant)
    if found is not None and found.subject == subject and found.not_after and \
            found.not_after > moment:
        return found
    row = SigningCertificate(
        tenant_id=tenant.id, kind=CertificateKind.ORGANISATION,
        status=CertificateStatus.REQUESTED, subject=subject,
        sealed_key=tokens.seal(new_key(), pki.token_kek), requested_by="system",
        replaces_id=found.id if found else None)
    session.add(row)
    session.flush()
    return approve_request(session, pki, row, approver="system")


def sign_at_issue(session: Session, pki: TrainingPki, tenant: Tenant,
                  document: OutgoingDocument, *, actor: str) -> None:
    """The agency's signature when the clerk issues (PAdES B-LT: the revocation information
    travels with the document), with the seal image over the left third of the personal
    signature and the agency name and signing time in ISO 8601, Vietnam time."""
    row = organisation_credential(session, pki, tenant)
    assert row.sealed_key is not None
    key = tokens.unseal(row.sealed_key, pki.token_kek)
    if document.signed_pdf is not None:
        pdf = document.signed_pdf
        _, space = render_with_signature_space(outgoing_layout(document, tenant,
                                                               for_signing=True))
    else:
        pdf, space = render_with_signature_space(outgoing_layout(document, tenant))
    # the seal over the left third of the personal signature; its text to the left of it
    x1, y1, x2, y2 = space.box
    seal_box = (x1 - 90, y1 - 4, x1 + (x2 - x1) * 0.45, y2 + 4)
    crls = current_crls(session, pki)
    context = ValidationContext(
        trust_roots=[to_asn1(pki.root.certificate)],
        other_certs=[to_asn1(pki.issuing.certificate)],
        crls=[crl.public_bytes(serialization.Encoding.DER) for crl in crls.values()],
        allow_fetching=False)
    agency = tenant.agency.name if tenant.agency else tenant.full_name
    document.signed_pdf = sign_pdf(
        pdf, signer_from_key(key, _to_x509(row), _chain(pki)), field_name="ChuKyCoQuan",
        appearance=Appearance(SignatureRole.ORGANISATION, agency,
                              Placement(space.page, seal_box), REGULAR_FONT,
                              note=_issued_note(document)),
        timestamper=pki.timestamper, profile=PadesProfile.B_LT, validation_context=context,
        reason=f"Phát hành văn bản số {document.number_symbol}",
        location=tenant.agency.province if tenant.agency else None)
    session.flush()
    record_activity(session, tenant, actor, OUTGOING_SIGNED, object_type=OUTGOING_DOCUMENT,
                    object_id=document.id, details={"role": SignatureRole.ORGANISATION.value,
                                                    "serial_number": row.serial_number,
                                                    "number_symbol": document.number_symbol})


def _issued_note(document: OutgoingDocument) -> str | None:
    """The number and date the clerk gave, shown with the agency's signature (the page
    content was signed at approval, before the number existed)."""
    if not document.number_symbol or not document.issued_at:
        return None
    issued = document.issued_at.astimezone(VIETNAM_TZ)
    return f"Số: {document.number_symbol}, ngày {issued:%d/%m/%Y}"


def _subject_dict(subject: Subject) -> dict[str, str | None]:
    return {"full_name": subject.full_name, "title": subject.title, "agency": subject.agency,
            "province": subject.province, "unit": subject.unit, "country": subject.country}


# --- the verification exercises -------------------------------------------------------------

SAMPLE_SENDER = "Sở Thông tin và Truyền thông"
SAMPLE_SUMMARY = {
    SignatureCase.VALID: "V/v hướng dẫn sử dụng chữ ký số chuyên dùng (văn bản ký hợp lệ)",
}


def ensure_samples(session: Session, pki: TrainingPki, now: dt.datetime | None = None) -> None:
    """Make the verification exercises once per installation (their signers' certificates
    and revocations go into the sandbox PKI's records, so CRL and OCSP show them). The
    caller commits."""
    if session.scalar(select(SignatureSample.case).limit(1)) is not None:
        return
    now = now or utc_now()
    base, _ = render_with_signature_space(_sample_layout())
    made = make_scenario_documents(pki, base, font_file=REGULAR_FONT, now=now)
    revoked = {revocation.serial_number: revocation for revocation in made.revocations}
    savepoint = session.begin_nested()
    try:
        for certificate in made.certificates:
            revocation = revoked.get(certificate.serial_number)
            subject = Subject.from_x509(certificate.subject)
            session.add(SigningCertificate(
                tenant_id=None, kind=CertificateKind.PERSONAL,
                status=CertificateStatus.REVOKED if revocation else CertificateStatus.ACTIVE,
                subject=_subject_dict(subject),
                serial_number=format(certificate.serial_number, "X"),
                certificate_der=certificate.public_bytes(serialization.Encoding.DER),
                requested_by="system", approved_by="system", issued_at=now,
                not_before=certificate.not_valid_before_utc,
                not_after=certificate.not_valid_after_utc,
                revoked_at=revocation.revoked_at if revocation else None,
                revocation_reason=revocation.reason if revocation else None))
        for case, document in made.documents.items():
            session.add(SignatureSample(case=case.value, pdf=document.pdf))
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()  # another worker made them first: theirs are the ones


def _sample_layout():  # noqa: ANN202
    from sandbox_eoffice.official_pdf import OfficialDocumentLayout

    return OfficialDocumentLayout(
        agency="SỞ THÔNG TIN VÀ TRUYỀN THÔNG", superior_agency="UBND TỈNH QUẢNG BÌNH",
        number_symbol="215/STTTT-BCVT", place="Quảng Bình", issued_on=None,
        document_type="Công văn", summary="V/v hướng dẫn kiểm tra chữ ký số trên văn bản "
        "điện tử", body="Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị kiểm tra "
        "chữ ký số trên văn bản điện tử nhận được trước khi xử lý: văn bản còn nguyên vẹn, "
        "chứng thư số do tổ chức cung cấp dịch vụ chứng thực chữ ký số chuyên dùng công vụ "
        "cấp, còn hiệu lực và không bị thu hồi tại thời điểm ký./.",
        signer_name="Hoàng Minh Đức", signer_title="Giám đốc",
        recipients=("Như trên;", "Lưu: VT, BCVT."))


def sample_pdf_of(session: Session, case: str) -> bytes:
    """The PDF of one exercise (ensure_samples first)."""
    row = session.get(SignatureSample, case)
    if row is None:
        raise KeyError(f"no exercise {case!r}: run ensure_samples first")
    return row.pdf


def received_pdf(session: Session, pki: TrainingPki, tenant: Tenant,
                 document: IncomingDocument) -> bytes:
    """The PDF of a received document: an exercise's signed PDF, the very PDF a classmate's
    agency issued, or the sender's document as generated."""
    if document.signature_case:
        ensure_samples(session, pki)
        row = session.get(SignatureSample, document.signature_case)
        if row is not None:
            return row.pdf
    origin = session.get(OutgoingDelivery, document.origin_delivery_id) \
        if document.origin_delivery_id else None
    if origin is not None:
        sender = session.get(Tenant, origin.tenant_id)
        return outgoing_pdf(origin.document, sender) if sender else b""
    return incoming_attachment_pdf(document, tenant)


@dataclass(frozen=True)
class Verification:
    report: VerificationReport
    filename: str


def verify(session: Session, pki: TrainingPki, data: bytes, *, lang: str,
           now: dt.datetime | None = None) -> VerificationReport:
    """Verify a PDF against the sandbox root with the sandbox's current revocations."""
    return verify_pdf(data, trust_settings(session, pki, pdf=data), lang=lang, now=now)


def add_samples_to_inbox(session: Session, tenant: Tenant) -> list[IncomingDocument]:
    """Put the verification exercises in the learner's inbox (once)."""
    have = set(session.scalars(select(IncomingDocument.signature_case).where(
        IncomingDocument.tenant_id == tenant.id, IncomingDocument.signature_case.is_not(None))))
    today = utc_now().astimezone(VIETNAM_TZ).date()
    added = []
    missing = [(number, case) for number, case in enumerate(SignatureCase, start=1)
               if case.value not in have]
    if not missing:
        return []
    savepoint = session.begin_nested()  # a parallel first request may be adding them too
    for number, case in missing:
        document = IncomingDocument(
            tenant_id=tenant.id, number_symbol=f"{200 + number}/STTTT-BCVT",
            summary=f"V/v kiểm tra chữ ký số trên văn bản điện tử (bài thực hành {number})",
            issuing_agency=SAMPLE_SENDER, document_type="Công văn", urgency=Urgency.NORMAL,
            issued_date=today, received_date=today, status=DocumentStatus.RECEIVED,
            signer_name="Hoàng Minh Đức", signer_title="GIÁM ĐỐC",
            search_text=search_text_for(f"{200 + number}/STTTT-BCVT", "kiểm tra chữ ký số"),
            signature_case=case.value)
        session.add(document)
        added.append(document)
    try:
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()  # the other request put them there: nothing else is lost
        return []
    return added
