"""Certificate authorities: keys, certificates, CRLs and OCSP responses (X.509, RFC 5280/6960).

One code path for both authorities of the platform, never mixed: the sandbox training PKI
(`signing.training_pki`) and the academy's own signing identity (`signing.pki`). Subjects
carry what a Vietnamese official recognises on a certificate: name, title, agency, province
and country VN. End-entity certificates have digitalSignature and nonRepudiation, which
pyhanko's default validation requires of a document signer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


class CertificateKind(StrEnum):
    """What a certificate is for."""

    PERSONAL = "personal"  # chứng thư số cá nhân: a named official
    ORGANISATION = "organisation"  # chứng thư số cơ quan, tổ chức: the agency's seal


class RevocationReason(StrEnum):
    """RFC 5280 reason codes the sandbox uses (values are the RFC names)."""

    KEY_COMPROMISE = "keyCompromise"  # a lost or stolen token
    SUPERSEDED = "superseded"  # renewed, e.g. after the agency was renamed or merged
    AFFILIATION_CHANGED = "affiliationChanged"
    CESSATION_OF_OPERATION = "cessationOfOperation"
    UNSPECIFIED = "unspecified"

    @property
    def x509_flag(self) -> x509.ReasonFlags:
        return x509.ReasonFlags(self.value)


@dataclass(frozen=True)
class Subject:
    """Who a certificate names. For an organisation certificate, `full_name` is the agency."""

    full_name: str
    agency: str
    province: str
    title: str | None = None
    unit: str | None = None
    country: str = "VN"

    def to_x509(self) -> x509.Name:
        attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, self.country),
                      x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, self.province),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.agency[:64])]
        if self.unit:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME,
                                                 self.unit[:64]))
        if self.title:
            attributes.append(x509.NameAttribute(NameOID.TITLE, self.title[:64]))
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, self.full_name[:64]))
        return x509.Name(attributes)

    @classmethod
    def from_x509(cls, name: x509.Name) -> Subject:
        def first(oid: x509.ObjectIdentifier) -> str | None:
            found = name.get_attributes_for_oid(oid)
            return str(found[0].value) if found else None

        return cls(full_name=first(NameOID.COMMON_NAME) or "", agency=first(
            NameOID.ORGANIZATION_NAME) or "", province=first(
            NameOID.STATE_OR_PROVINCE_NAME) or "", title=first(NameOID.TITLE),
            unit=first(NameOID.ORGANIZATIONAL_UNIT_NAME),
            country=first(NameOID.COUNTRY_NAME) or "")


@dataclass(frozen=True)
class Endpoints:
    """Where relying parties find revocation information for an authority's certificates."""

    crl_url: str | None = None
    ocsp_url: str | None = None
    issuer_url: str | None = None


def new_key() -> ec.EllipticCurvePrivateKey:
    """ECDSA P-256: what the sandbox's people, agencies and authorities sign with."""
    return ec.generate_private_key(ec.SECP256R1())


def new_rsa_key() -> rsa.RSAPrivateKey:
    """RSA 2048, for the sandbox timestamp authority (pyhanko's in-process TSA is RSA-only)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_pem(key: PrivateKey, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password
        else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             encryption)


def load_key_pem(data: bytes, password: bytes | None = None) -> PrivateKey:
    key = serialization.load_pem_private_key(data, password)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError("only EC and RSA keys are used here")
    return key


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_usage(*, signature: bool = False, content: bool = False, cert_sign: bool = False,
               crl_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signature, content_commitment=content,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=cert_sign, crl_sign=crl_sign, encipher_only=False,
                         decipher_only=False)


@dataclass
class CertificateAuthority:
    """A CA's key and certificate, with the chain above it (root last)."""

    key: PrivateKey
    certificate: x509.Certificate
    chain: list[x509.Certificate] = field(default_factory=list)
    endpoints: Endpoints = Endpoints()

    @property
    def name(self) -> x509.Name:
        return self.certificate.subject

    @classmethod
    def new_root(cls, name: x509.Name, *, now: dt.datetime, years: int = 20,
                 endpoints: Endpoints = Endpoints()) -> CertificateAuthority:
        key = new_key()
        certificate = (
            _builder(name, name, key.public_key(), now - dt.timedelta(hours=1),
                     now + dt.timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(_key_usage(cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate, [], endpoints)

    def issue_subordinate(self, name: x509.Name, *, now: dt.datetime, years: int = 10,
                          endpoints: Endpoints = Endpoints()) -> CertificateAuthority:
        key = new_key()
        builder = (self._issuing(name, key.public_key(), now - dt.timedelta(hours=1),
                                 now + dt.timedelta(days=365 * years))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .add_extension(_key_usage(cert_sign=True, crl_sign=True), critical=True))
        return CertificateAuthority(key, builder.sign(self.key, hashes.SHA256()),
                                    [self.certificate, *self.chain], endpoints)

    def issue(self, subject: x509.Name, public_key: PublicKey, *,
              not_before: dt.datetime, not_after: dt.datetime,
              serial_number: int | None = None) -> x509.Certificate:
        """A document-signing certificate (personal or organisation)."""
        return (self._issuing(subject, public_key, not_before, not_after, serial_number)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_key_usage(signature=True, content=True), critical=True)
                .sign(self.key, hashes.SHA256()))

    def issue_timestamping(self, name: x509.Name, public_key: PublicKey, *,
                           now: dt.datetime, years: int = 10) -> x509.Certificate:
        """A timestamp authority's certificate (RFC 3161: critical timeStamping EKU)."""
        return (self._issuing(name, public_key, now - dt.timedelta(hours=1),
                              now + dt.timedelta(days=365 * years))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_key_usage(signature=True, content=True), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                               critical=True)
                .sign(self.key, hashes.SHA256()))

    def issue_ocsp_responder(self, name: x509.Name, public_key: PublicKey, *,
                             now: dt.datetime, years: int = 10) -> x509.Certificate:
        """A delegated OCSP responder (RFC 6960 4.2.2.2), not itself checked (ocsp-nocheck)."""
        return (self._issuing(name, public_key, now - dt.timedelta(hours=1),
                              now + dt.timedelta(days=365 * years), with_endpoints=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_key_usage(signature=True), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]),
                               critical=False)
                .add_extension(x509.OCSPNoCheck(), critical=False)
                .sign(self.key, hashes.SHA256()))

    def _issuing(self, subject: x509.Name, public_key: PublicKey,
                 not_before: dt.datetime, not_after: dt.datetime, serial: int | None = None, *,
                 with_endpoints: bool = True) -> x509.CertificateBuilder:
        builder = (
            _builder(subject, self.name, public_key, not_before, not_after, serial)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.key.public_key()), critical=False)
        )
        if with_endpoints and self.endpoints.crl_url:
            builder = builder.add_extension(x509.CRLDistributionPoints([
                x509.DistributionPoint([x509.UniformResourceIdentifier(self.endpoints.crl_url)],
                                       None, None, None)]), critical=False)
        access = []
        if with_endpoints and self.endpoints.ocsp_url:
            access.append(x509.AccessDescription(x509.AuthorityInformationAccessOID.OCSP,
                                                 x509.UniformResourceIdentifier(
                                                     self.endpoints.ocsp_url)))
        if with_endpoints and self.endpoints.issuer_url:
            access.append(x509.AccessDescription(x509.AuthorityInformationAccessOID.CA_ISSUERS,
                                                 x509.UniformResourceIdentifier(
                                                     self.endpoints.issuer_url)))
        if access:
            builder = builder.add_extension(x509.AuthorityInformationAccess(access),
                                            critical=False)
        return builder

    def crl(self, revoked: Sequence[Revocation], *, now: dt.datetime, number: int,
            valid_for: dt.timedelta = dt.timedelta(days=1)) -> x509.CertificateRevocationList:
        """A CRL listing `revoked`, valid from `now` for `valid_for`."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.name)
            .last_update(now)
            .next_update(now + valid_for)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.key.public_key()), critical=False)
        )
        for entry in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(entry.serial_number)
                .revocation_date(entry.revoked_at)
                .add_extension(x509.CRLReason(entry.reason.x509_flag), critical=False)
                .build())
        return builder.sign(self.key, hashes.SHA256())


@dataclass(frozen=True)
class Revocation:
    serial_number: int
    revoked_at: dt.datetime
    reason: RevocationReason


def _builder(subject: x509.Name, issuer: x509.Name, public_key: PublicKey,
             not_before: dt.datetime, not_after: dt.datetime,
             serial: int | None = None) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(serial or x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after))


class CertificateStatus(StrEnum):
    """What an OCSP responder says of a serial number."""

    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class OcspAnswer:
    status: CertificateStatus
    certificate: x509.Certificate | None = None
    revocation: Revocation | None = None


@dataclass
class OcspResponder:
    """Signs OCSP answers for one CA with a delegated responder certificate."""

    issuer: CertificateAuthority
    key: PrivateKey
    certificate: x509.Certificate

    def respond(self, request_der: bytes, lookup: Callable[[int], OcspAnswer], *,
                now: dt.datetime, valid_for: dt.timedelta = dt.timedelta(hours=12)) -> bytes:
        """The DER OCSP response to a DER request (RFC 6960); malformed → malformedRequest."""
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
                serialization.Encoding.DER)
        try:
            ours = request.issuer_key_hash == _key_hash(self.issuer.certificate,
                                                        request.hash_algorithm)
        except (UnsupportedAlgorithm, ValueError):  # a CertID hash we do not answer for
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
                serialization.Encoding.DER)
        if not ours:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
        return self.answer(request.serial_number, lookup(request.serial_number), now=now,
                           valid_for=valid_for, nonce=_nonce(request),
                           cert_id_hash=request.hash_algorithm)

    def answer(self, serial_number: int, answer: OcspAnswer, *, now: dt.datetime,
               valid_for: dt.timedelta = dt.timedelta(hours=12), nonce: bytes | None = None,
               cert_id_hash: hashes.HashAlgorithm | None = None) -> bytes:
        """A signed answer about one certificate; the CertID uses the request's hash (RFC 6960
        clients mostly ask with SHA-1, which identifies, it does not sign)."""
        if answer.certificate is None or answer.status is CertificateStatus.UNKNOWN:
            # an unknown serial: answered "unknown" about a stand-in certificate is not
            # possible with cryptography's builder; RFC 6960 allows "unauthorized" here
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
        revocation = answer.revocation
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=answer.certificate, issuer=self.issuer.certificate,
            algorithm=cert_id_hash or hashes.SHA256(),
            cert_status=(ocsp.OCSPCertStatus.REVOKED if revocation
                         else ocsp.OCSPCertStatus.GOOD),
            this_update=now, next_update=now + valid_for,
            revocation_time=revocation.revoked_at if revocation else None,
            revocation_reason=revocation.reason.x509_flag if revocation else None,
        ).responder_id(ocsp.OCSPResponderEncoding.HASH, self.certificate).certificates(
            [self.certificate])
        if nonce:
            builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _key_hash(certificate: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(certificate, certificate, algorithm)
    return builder.build().issuer_key_hash


def _nonce(request: ocsp.OCSPRequest) -> bytes | None:
    try:
        return request.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return None
