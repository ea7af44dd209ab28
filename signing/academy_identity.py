"""The academy's own signing identity in use: sign a completion certificate, and the trust
to verify one with.

`signing.pki` makes the identity at `academy init` (`<data>/pki/`: root CA and the
"Academy completion certificates" signer). This module adds what signing and verifying
need around it, kept in the same directory:

- a timestamp authority under the academy root (`tsa.key.pem`, `tsa.cert.pem`, RSA, made on
  first use), so every certificate carries a signature timestamp (PAdES B-T) and still
  verifies after the signer's certificate has expired;
- the root's certificate revocation list (`root.crl.pem`, valid a year, signed again when
  it runs out): the platform's validation asks for revocation information on every
  certificate of the chain, and a service that verifies without the root's key (a public
  page) reads it from the file.

A separate authority from the sandbox training PKI (`signing.training_pki`): nothing here
trusts or reads the sandbox's root.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from common.files import atomic_write
from signing.authority import (
    CertificateAuthority,
    PrivateKey,
    cert_pem,
    key_pem,
    load_key_pem,
    new_rsa_key,
)
from signing.pdf_signing import (
    Appearance,
    Placement,
    SignatureRole,
    sign_pdf,
    signer_from_key,
    timestamper_from_key,
)
from signing.pki import ORGANISATION, ensure_pki
from signing.verification import TrustSettings, read_pdf

ROOT_CERT = "root.cert.pem"
ROOT_KEY = "root.key.pem"
SIGNER_CERT = "signer.cert.pem"
SIGNER_KEY = "signer.key.pem"
TSA_CERT = "tsa.cert.pem"
TSA_KEY = "tsa.key.pem"
ROOT_CRL = "root.crl.pem"
CRL_VALIDITY = dt.timedelta(days=365)
CRL_REFRESH_BEFORE = dt.timedelta(days=7)
FIELD_NAME = "AcademySignature"


class IdentityError(RuntimeError):
    """The academy's signing identity is missing, unreadable or out of date."""


@dataclass(frozen=True)
class AcademyIdentity:
    """The signer's key and certificate, the root above it, and the timestamp authority."""

    root: x509.Certificate
    signer_key: PrivateKey
    signer: x509.Certificate
    tsa_key: PrivateKey
    tsa: x509.Certificate


def _read_cert(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as error:
        raise IdentityError(f"{path}: cannot be read ({error}); `academy init` makes the "
                            "academy's signing identity") from error


def _read_key(path: Path) -> PrivateKey:
    try:
        return load_key_pem(path.read_bytes())
    except (OSError, ValueError) as error:
        raise IdentityError(f"{path}: cannot be read ({error})") from error


def _root_authority(pki_dir: Path) -> CertificateAuthority:
    return CertificateAuthority(_read_key(pki_dir / ROOT_KEY), _read_cert(pki_dir / ROOT_CERT))


def load_identity(pki_dir: Path, now: dt.datetime | None = None) -> AcademyIdentity:
    """The identity in `pki_dir` (made if missing, as `academy init` does), with its
    timestamp authority made on first use. IdentityError when the signer's certificate is
    not valid at `now`: a new one must be issued before certificates can be signed."""
    now = now or dt.datetime.now(dt.UTC)
    ensure_pki(pki_dir, now)
    if not (pki_dir / TSA_KEY).exists():
        root = _root_authority(pki_dir)
        key = new_rsa_key()
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
                          x509.NameAttribute(NameOID.COMMON_NAME, "Academy timestamps")])
        certificate = root.issue_timestamping(name, key.public_key(), now=now)
        atomic_write(pki_dir / TSA_CERT, cert_pem(certificate).decode(), mode=0o644)
        atomic_write(pki_dir / TSA_KEY, key_pem(key).decode())
    identity = AcademyIdentity(
        root=_read_cert(pki_dir / ROOT_CERT), signer_key=_read_key(pki_dir / SIGNER_KEY),
        signer=_read_cert(pki_dir / SIGNER_CERT), tsa_key=_read_key(pki_dir / TSA_KEY),
        tsa=_read_cert(pki_dir / TSA_CERT))
    if not identity.signer.not_valid_before_utc <= now <= identity.signer.not_valid_after_utc:
        raise IdentityError(
            f"{pki_dir / SIGNER_CERT}: the signer's certificate is valid from "
            f"{identity.signer.not_valid_before_utc:%Y-%m-%d} to "
            f"{identity.signer.not_valid_after_utc:%Y-%m-%d}, not now: renew it before "
            "issuing certificates")
    return identity


def sign_with_identity(pdf: bytes, identity: AcademyIdentity, *, holder: str,
                       placement: Placement | None, font_file: Path, reason: str,
                       now: dt.datetime | None = None) -> bytes:
    """`pdf` signed by the academy (PAdES B-T, timestamped by the academy's TSA), with the
    organisation's visible appearance at `placement` (invisible when None)."""
    signer = signer_from_key(identity.signer_key, identity.signer, [identity.root])
    timestamper = timestamper_from_key(identity.tsa_key, identity.tsa, [identity.root])
    appearance = Appearance(role=SignatureRole.ORGANISATION, holder=holder,
                            placement=placement, font_file=font_file) if placement else None
    return sign_pdf(pdf, signer, field_name=FIELD_NAME, appearance=appearance,
                    timestamper=timestamper, reason=reason, now=now)


def academy_trust(pki_dir: Path, now: dt.datetime | None = None) -> TrustSettings:
    """Trust in the academy root only, with the root's current revocation list: read from
    `root.crl.pem`, or signed again first (`keep_crl_current`) when it runs out within a week
    and the root's key is readable by this process. IdentityError without a usable root
    certificate or CRL. The dashboards service may not read the key (isolated mode): it
    reads the CRL that `academy init` and the grading service keep current."""
    now = now or dt.datetime.now(dt.UTC)
    root = _read_cert(pki_dir / ROOT_CERT)
    crl = keep_crl_current(pki_dir, now, root=root)
    if crl is None:
        raise IdentityError(f"{pki_dir / ROOT_CRL}: missing or out of date, and the root's "
                            "key is not readable here to sign a new one: the grading "
                            "service (or `academy init`) signs it again")
    return TrustSettings(roots=[root], crls=[crl])


def keep_crl_current(pki_dir: Path, now: dt.datetime | None = None, *,
                     root: x509.Certificate | None = None
                     ) -> x509.CertificateRevocationList | None:
    """The root's valid CRL, signed again (and written, 0644) when it is missing or runs
    out within a week and this process may read the root's key; None when there is no
    valid one and it cannot be signed here."""
    now = now or dt.datetime.now(dt.UTC)
    root = root or _read_cert(pki_dir / ROOT_CERT)
    crl = _valid_crl(pki_dir / ROOT_CRL, root, now)
    refresh = crl is None or _expires(crl) - CRL_REFRESH_BEFORE < now
    if refresh and os.access(pki_dir / ROOT_KEY, os.R_OK):
        authority = _root_authority(pki_dir)
        crl = authority.crl([], now=now - dt.timedelta(minutes=5),
                            number=_crl_number(pki_dir / ROOT_CRL) + 1, valid_for=CRL_VALIDITY)
        atomic_write(pki_dir / ROOT_CRL,
                     crl.public_bytes(serialization.Encoding.PEM).decode(), mode=0o644)
    return crl


def _expires(crl: x509.CertificateRevocationList) -> dt.datetime:
    return crl.next_update_utc or dt.datetime.min.replace(tzinfo=dt.UTC)


def _valid_crl(path: Path, root: x509.Certificate,
               now: dt.datetime) -> x509.CertificateRevocationList | None:
    """The root's CRL in `path` if it is the root's and current at `now`."""
    try:
        crl = x509.load_pem_x509_crl(path.read_bytes())
    except (OSError, ValueError):
        return None
    if crl.issuer != root.subject or not crl.is_signature_valid(
            root.public_key()):  # type: ignore[arg-type]
        return None
    return crl if crl.last_update_utc <= now < _expires(crl) else None


def _crl_number(path: Path) -> int:
    try:
        crl = x509.load_pem_x509_crl(path.read_bytes())
        return int(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except (OSError, ValueError, x509.ExtensionNotFound):
        return 0


def issued_by_root(pdf: bytes, root: x509.Certificate) -> list[bool]:
    """For each signature of `pdf`: is its signer's certificate issued by `root` (its
    signature checked with the root's key, not only its issuer's name)? A certificate made
    by another CA with the same names, the sandbox training CA's, or a damaged one: False.
    UnusablePdf for a file that cannot be read."""
    found = []
    for signature in read_pdf(pdf).embedded_regular_signatures:
        try:
            certificate = x509.load_der_x509_certificate(signature.signer_cert.dump())
            certificate.verify_directly_issued_by(root)
            found.append(True)
        except Exception:  # noqa: BLE001 - any failure means: not issued by this root
            found.append(False)
    return found
