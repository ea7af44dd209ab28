"""The sandbox training PKI: a root CA, an issuing CA for specialised digital signatures for
public service, a timestamp authority and an OCSP responder.

It imitates the hierarchy of the Government Cipher Committee's specialised CA (root, then
the issuing CA that certifies officials and agencies) with plainly fictitious names, so that
no certificate made here can be taken for a real one. Created once per installation
(`academy init`, or the e-office's first start) into a directory only the e-office's
account can read; the certificates are public and served by the e-office.

Never mixed with the academy's own signing identity (`signing.pki`): a different root.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.sign.timestamps import TimeStamper

from signing.authority import (
    CertificateAuthority,
    Endpoints,
    OcspResponder,
    PrivateKey,
    cert_pem,
    key_pem,
    load_key_pem,
    new_key,
    new_rsa_key,
)
from signing.pdf_signing import timestamper_from_key
from signing.tokens import new_kek, pin_pepper

ROOT_NAME = "Sandbox Root CA chuyên dùng công vụ (ĐÀO TẠO)"
ISSUING_NAME = "Sandbox CA phục vụ cơ quan Nhà nước (ĐÀO TẠO)"
TSA_NAME = "Sandbox Timestamp Authority (ĐÀO TẠO)"
OCSP_NAME = "Sandbox OCSP Responder (ĐÀO TẠO)"
ORGANISATION = "Học viện Công vụ số - Môi trường thực hành"

# file names in the PKI directory: (certificate, key)
FILES = {
    "root": ("root.cert.pem", "root.key.pem"),
    "issuing": ("issuing.cert.pem", "issuing.key.pem"),
    "tsa": ("tsa.cert.pem", "tsa.key.pem"),
    "ocsp": ("ocsp.cert.pem", "ocsp.key.pem"),
}

KEK_FILE = "token-kek"
DIRECTORY_NAME = "training-pki"  # in the e-office's data directory


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass(frozen=True)
class PkiUrls:
    """Where the e-office serves the sandbox PKI (printed into certificates, for relying
    parties such as a PDF reader; the platform's own validation never fetches)."""

    base: str  # e.g. http://127.0.0.1:8000/services/eoffice/pki/

    def crl(self, authority: str) -> str:
        return f"{self.base}crl/{authority}.crl"

    def certificate(self, authority: str) -> str:
        return f"{self.base}{authority}.crt"

    @property
    def ocsp(self) -> str:
        return f"{self.base}ocsp"

    @property
    def tsa(self) -> str:
        return f"{self.base}tsa"


@dataclass
class TrainingPki:
    """The loaded sandbox PKI."""

    root: CertificateAuthority
    issuing: CertificateAuthority
    tsa_key: PrivateKey
    tsa_certificate: x509.Certificate
    ocsp: OcspResponder
    token_kek: bytes  # seals the sandbox tokens' keys (signing.tokens)

    @property
    def trust_roots(self) -> list[x509.Certificate]:
        return [self.root.certificate]

    @property
    def pin_pepper(self) -> bytes:
        return pin_pepper(self.token_kek)

    @cached_property
    def timestamper(self) -> TimeStamper:
        """The in-process timestamp authority, made once (pyhanko caches per instance)."""
        return timestamper_from_key(self.tsa_key, self.tsa_certificate,
                                    [self.issuing.certificate, self.root.certificate])

    @classmethod
    def create(cls, urls: PkiUrls, now: dt.datetime | None = None) -> TrainingPki:
        now = now or dt.datetime.now(dt.UTC)
        root = CertificateAuthority.new_root(_name(ROOT_NAME), now=now, endpoints=Endpoints(
            crl_url=urls.crl("root"), issuer_url=urls.certificate("root")))
        issuing = root.issue_subordinate(_name(ISSUING_NAME), now=now, endpoints=Endpoints(
            crl_url=urls.crl("issuing"), ocsp_url=urls.ocsp,
            issuer_url=urls.certificate("issuing")))
        tsa_key = new_rsa_key()
        tsa_certificate = issuing.issue_timestamping(_name(TSA_NAME), tsa_key.public_key(),
                                                     now=now)
        ocsp_key = new_key()
        ocsp_certificate = issuing.issue_ocsp_responder(_name(OCSP_NAME),
                                                        ocsp_key.public_key(), now=now)
        return cls(root, issuing, tsa_key, tsa_certificate,
                   OcspResponder(issuing, ocsp_key, ocsp_certificate), new_kek())

    def save(self, directory: Path) -> None:
        pairs = {"root": (self.root.certificate, self.root.key),
                 "issuing": (self.issuing.certificate, self.issuing.key),
                 "tsa": (self.tsa_certificate, self.tsa_key),
                 "ocsp": (self.ocsp.certificate, self.ocsp.key)}
        for role, (certificate, key) in pairs.items():
            cert_file, key_file = FILES[role]
            (directory / cert_file).write_bytes(cert_pem(certificate))
            key_path = directory / key_file
            key_path.touch(mode=0o600)
            key_path.write_bytes(key_pem(key))
        kek_path = directory / KEK_FILE
        kek_path.touch(mode=0o600)
        kek_path.write_text(self.token_kek.hex() + "\n")

    @classmethod
    def load(cls, directory: Path) -> TrainingPki:
        loaded: dict[str, tuple[x509.Certificate, PrivateKey]] = {}
        for role, (cert_file, key_file) in FILES.items():
            try:
                certificate = x509.load_pem_x509_certificate((directory / cert_file).read_bytes())
                key = load_key_pem((directory / key_file).read_bytes())
            except FileNotFoundError as missing:
                raise FileNotFoundError(
                    f"the sandbox PKI in {directory} is incomplete: {missing.filename} is "
                    "missing (run `academy init`)") from missing
            loaded[role] = (certificate, key)
        root = CertificateAuthority(loaded["root"][1], loaded["root"][0])
        root.endpoints = _endpoints_of(root.certificate, loaded["issuing"][0])
        issuing = CertificateAuthority(loaded["issuing"][1], loaded["issuing"][0],
                                       [root.certificate],
                                       _endpoints_of(loaded["issuing"][0], loaded["tsa"][0]))
        kek = bytes.fromhex((directory / KEK_FILE).read_text().strip())
        return cls(root, issuing, loaded["tsa"][1], loaded["tsa"][0],
                   OcspResponder(issuing, loaded["ocsp"][1], loaded["ocsp"][0]), kek)


def _endpoints_of(authority: x509.Certificate, issued: x509.Certificate) -> Endpoints:
    """The endpoints `authority` printed into a certificate it issued."""
    crl_url = ocsp_url = issuer_url = None
    try:
        points = issued.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        crl_url = str(points[0].full_name[0].value) if points[0].full_name else None
    except x509.ExtensionNotFound:
        pass
    try:
        access = issued.extensions.get_extension_for_class(
            x509.AuthorityInformationAccess).value
        for description in access:
            if description.access_method == x509.AuthorityInformationAccessOID.OCSP:
                ocsp_url = str(description.access_location.value)
            elif description.access_method == x509.AuthorityInformationAccessOID.CA_ISSUERS:
                issuer_url = str(description.access_location.value)
    except x509.ExtensionNotFound:
        pass
    return Endpoints(crl_url, ocsp_url, issuer_url)


def ensure_training_pki(directory: Path, urls: PkiUrls, now: dt.datetime | None = None) -> bool:
    """Create the sandbox PKI in `directory` unless it exists; True if it was created.

    Made in a private temporary folder and renamed into place, so that two processes
    starting at once (gunicorn workers) never see half of it, and one of them wins.
    """
    if (directory / FILES["root"][0]).exists():
        return False
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pki-", dir=directory.parent))
    try:
        os.chmod(staging, 0o700)
        TrainingPki.create(urls, now).save(staging)
        try:
            os.rename(staging, directory)
        except OSError:
            if (directory / FILES["root"][0]).exists():
                return False  # another process made it first
            raise
        return True
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
