"""signing.authority: CRLs, OCSP answers to real requests, subjects and key usages."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from signing.authority import (
    CertificateAuthority,
    CertificateStatus,
    OcspAnswer,
    Revocation,
    RevocationReason,
    Subject,
    new_key,
)
from signing.training_pki import TrainingPki

DER = serialization.Encoding.DER
OFFICIAL = Subject(full_name="Nguyễn Thị Thu Hà", agency="Sở Nội vụ tỉnh Phú Thọ",
                   province="Phú Thọ", title="Phó Giám đốc", unit="Phòng Công chức, viên chức")


@pytest.fixture(scope="module")
def issued(pki: TrainingPki, now: dt.datetime) -> tuple[x509.Certificate, x509.Certificate]:
    """Two certificates of the issuing CA: one stays good, one is revoked."""
    def one(name: str) -> x509.Certificate:
        subject = Subject(name, "Sở Tài chính tỉnh Lâm Đồng", "Lâm Đồng", title="Chuyên viên")
        return pki.issuing.issue(subject.to_x509(), new_key().public_key(),
                                 not_before=now - dt.timedelta(days=10),
                                 not_after=now + dt.timedelta(days=365))
    return one("Trần Văn Nam"), one("Lý Thị Hoa")


@pytest.fixture(scope="module")
def revocation(issued: tuple[x509.Certificate, x509.Certificate], now: dt.datetime
               ) -> Revocation:
    return Revocation(issued[1].serial_number, now - dt.timedelta(days=2),
                      RevocationReason.KEY_COMPROMISE)


def test_the_crl_lists_the_revoked_serial_with_reason_and_date(
        pki: TrainingPki, issued: tuple[x509.Certificate, x509.Certificate],
        revocation: Revocation, now: dt.datetime) -> None:
    good, revoked = issued
    crl = x509.load_der_x509_crl(pki.issuing.crl([revocation], now=now, number=7)
                                 .public_bytes(DER))
    assert crl.is_signature_valid(pki.issuing.certificate.public_key())
    assert not crl.is_signature_valid(pki.root.certificate.public_key())
    assert crl.issuer == pki.issuing.name
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 7
    assert crl.last_update_utc == now and crl.next_update_utc == now + dt.timedelta(days=1)
    entry = crl.get_revoked_certificate_by_serial_number(revoked.serial_number)
    assert entry is not None
    assert entry.revocation_date_utc == revocation.revoked_at
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason \
        is x509.ReasonFlags.key_compromise
    assert crl.get_revoked_certificate_by_serial_number(good.serial_number) is None
    assert len(crl) == 1


def _request(certificate: x509.Certificate, issuer: x509.Certificate,
             nonce: bytes | None) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA1())
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(DER)


@pytest.fixture(scope="module")
def lookup(issued: tuple[x509.Certificate, x509.Certificate], revocation: Revocation):
    good, revoked = issued

    def answer(serial: int) -> OcspAnswer:
        if serial == good.serial_number:
            return OcspAnswer(CertificateStatus.GOOD, good)
        if serial == revoked.serial_number:
            return OcspAnswer(CertificateStatus.REVOKED, revoked, revocation)
        return OcspAnswer(CertificateStatus.UNKNOWN)
    return answer


def _check_signed_by_responder(response: ocsp.OCSPResponse, pki: TrainingPki) -> None:
    responder = pki.ocsp.certificate
    assert response.responder_key_hash == x509.SubjectKeyIdentifier.from_public_key(
        responder.public_key()).digest
    assert responder in response.certificates
    public_key = responder.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    public_key.verify(response.signature, response.tbs_response_bytes,
                      ec.ECDSA(response.signature_hash_algorithm))
    responder.verify_directly_issued_by(pki.issuing.certificate)


def test_ocsp_answers_good_for_a_good_certificate(
        pki: TrainingPki, issued: tuple[x509.Certificate, x509.Certificate], lookup,
        now: dt.datetime) -> None:
    good, _ = issued
    nonce = os.urandom(16)
    response = ocsp.load_der_ocsp_response(pki.ocsp.respond(
        _request(good, pki.issuing.certificate, nonce), lookup, now=now))
    assert response.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert response.serial_number == good.serial_number
    assert isinstance(response.hash_algorithm, hashes.SHA1)  # the request's CertID hash
    assert response.this_update_utc == now
    assert response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce
    _check_signed_by_responder(response, pki)


def test_ocsp_answers_revoked_with_key_compromise_for_a_revoked_certificate(
        pki: TrainingPki, issued: tuple[x509.Certificate, x509.Certificate], lookup,
        revocation: Revocation, now: dt.datetime) -> None:
    _, revoked = issued
    nonce = os.urandom(20)
    response = ocsp.load_der_ocsp_response(pki.ocsp.respond(
        _request(revoked, pki.issuing.certificate, nonce), lookup, now=now))
    assert response.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert response.serial_number == revoked.serial_number
    assert response.revocation_reason is x509.ReasonFlags.key_compromise
    assert response.revocation_time_utc == revocation.revoked_at
    assert response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce
    _check_signed_by_responder(response, pki)


def test_ocsp_without_a_nonce_answers_without_one(
        pki: TrainingPki, issued: tuple[x509.Certificate, x509.Certificate], lookup,
        now: dt.datetime) -> None:
    response = ocsp.load_der_ocsp_response(pki.ocsp.respond(
        _request(issued[0], pki.issuing.certificate, None), lookup, now=now))
    assert response.certificate_status is ocsp.OCSPCertStatus.GOOD
    with pytest.raises(x509.ExtensionNotFound):
        response.extensions.get_extension_for_class(x509.OCSPNonce)


@pytest.mark.parametrize("request_der", [b"", b"not DER at all", b"\x30\x03\x02\x01\x01"])
def test_a_malformed_ocsp_request_gets_malformed_request(
        pki: TrainingPki, lookup, now: dt.datetime, request_der: bytes) -> None:
    response = ocsp.load_der_ocsp_response(pki.ocsp.respond(request_der, lookup, now=now))
    assert response.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_ocsp_refuses_to_answer_for_another_issuer_or_an_unknown_serial(
        pki: TrainingPki, issued: tuple[x509.Certificate, x509.Certificate], lookup,
        now: dt.datetime) -> None:
    # asked about the issuing CA's own certificate, whose issuer is the root
    other = pki.ocsp.respond(_request(pki.issuing.certificate, pki.root.certificate, None),
                             lookup, now=now)
    assert ocsp.load_der_ocsp_response(other).response_status \
        is ocsp.OCSPResponseStatus.UNAUTHORIZED
    stranger = pki.issuing.issue(OFFICIAL.to_x509(), new_key().public_key(),
                                 not_before=now, not_after=now + dt.timedelta(days=1))
    unknown = pki.ocsp.respond(_request(stranger, pki.issuing.certificate, None), lookup,
                               now=now)
    assert ocsp.load_der_ocsp_response(unknown).response_status \
        is ocsp.OCSPResponseStatus.UNAUTHORIZED


def test_subject_fields_round_trip_through_a_certificate(
        pki: TrainingPki, now: dt.datetime) -> None:
    certificate = pki.issuing.issue(OFFICIAL.to_x509(), new_key().public_key(),
                                    not_before=now, not_after=now + dt.timedelta(days=30))
    again = x509.load_der_x509_certificate(certificate.public_bytes(DER))
    assert Subject.from_x509(again.subject) == OFFICIAL
    name = again.subject
    assert name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Nguyễn Thị Thu Hà"
    assert name.get_attributes_for_oid(NameOID.TITLE)[0].value == "Phó Giám đốc"
    assert name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value \
        == "Sở Nội vụ tỉnh Phú Thọ"
    assert name.get_attributes_for_oid(NameOID.STATE_OR_PROVINCE_NAME)[0].value == "Phú Thọ"
    assert name.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"


def test_an_organisation_subject_has_no_title() -> None:
    seal = Subject(full_name="Sở Nội vụ tỉnh Phú Thọ", agency="Sở Nội vụ tỉnh Phú Thọ",
                   province="Phú Thọ")
    name = seal.to_x509()
    assert name.get_attributes_for_oid(NameOID.TITLE) == []
    assert Subject.from_x509(name) == seal


def test_end_entity_certificates_are_for_signing_with_non_repudiation(
        pki: TrainingPki, now: dt.datetime) -> None:
    certificate = pki.issuing.issue(OFFICIAL.to_x509(), new_key().public_key(),
                                    not_before=now, not_after=now + dt.timedelta(days=30))
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign and not usage.value.crl_sign
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca is False
    certificate.verify_directly_issued_by(pki.issuing.certificate)
    # and the authorities are authorities
    for authority in (pki.root, pki.issuing):
        ca_usage = authority.certificate.extensions.get_extension_for_class(x509.KeyUsage)
        assert ca_usage.value.key_cert_sign and ca_usage.value.crl_sign
        assert not ca_usage.value.content_commitment


def test_end_entity_certificates_point_to_the_sandbox_crl_and_ocsp(
        pki: TrainingPki, now: dt.datetime) -> None:
    certificate = pki.issuing.issue(OFFICIAL.to_x509(), new_key().public_key(),
                                    not_before=now, not_after=now + dt.timedelta(days=30))
    points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value.endswith("/pki/crl/issuing.crl")
    access = certificate.extensions.get_extension_for_class(
        x509.AuthorityInformationAccess).value
    assert {d.access_method for d in access} == {
        x509.AuthorityInformationAccessOID.OCSP, x509.AuthorityInformationAccessOID.CA_ISSUERS}


def test_a_root_is_self_signed_and_a_subordinate_chains_to_it(now: dt.datetime) -> None:
    root = CertificateAuthority.new_root(
        Subject("Root", "Học viện", "Hà Nội").to_x509(), now=now)
    sub = root.issue_subordinate(Subject("Issuing", "Học viện", "Hà Nội").to_x509(), now=now)
    root.certificate.verify_directly_issued_by(root.certificate)
    sub.certificate.verify_directly_issued_by(root.certificate)
    assert sub.chain == [root.certificate]
    with pytest.raises(ValueError, match="[Ii]ssuer"):
        root.certificate.verify_directly_issued_by(sub.certificate)
