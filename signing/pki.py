"""The academy's own signing identity: a root CA and the signer of completion certificates.

Keys are generated per installation into `<data>/pki/` (0700, owner only); they sign the
completion certificates that HR files in personnel records. Nothing here is ever committed.
A separate authority from the sandbox training PKI (`signing.training_pki`), made with the
same code (`signing.authority`); in production the signer is a real organisation
certificate on a token or HSM (docs/signatures.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from common.files import atomic_write
from signing.authority import CertificateAuthority, cert_pem, key_pem, new_key

ORGANISATION = "Digital Civil Service Academy"
SIGNER_DAYS = 825


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def ensure_pki(pki_dir: Path, now: dt.datetime | None = None) -> None:
    """Create root CA and signer keys/certificates in `pki_dir` unless they exist."""
    if (pki_dir / "signer.key.pem").exists():
        return
    pki_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = now or dt.datetime.now(dt.UTC)
    root = CertificateAuthority.new_root(_name("Academy Root CA"), now=now, years=10)
    signer_key = new_key()
    # digital signature + non-repudiation: pyhanko's default validation wants both
    signer = root.issue(_name("Academy completion certificates"), signer_key.public_key(),
                        not_before=now - dt.timedelta(minutes=5),
                        not_after=now + dt.timedelta(days=SIGNER_DAYS))
    atomic_write(pki_dir / "root.key.pem", key_pem(root.key).decode())
    atomic_write(pki_dir / "root.cert.pem", cert_pem(root.certificate).decode(), mode=0o644)
    atomic_write(pki_dir / "signer.cert.pem", cert_pem(signer).decode(), mode=0o644)
    atomic_write(pki_dir / "signer.key.pem", key_pem(signer_key).decode())
