"""signing.pkcs11_tokens: signing a PDF with a key held on a PKCS#11 token (SoftHSM2).

The production path of `sign_pdf` (docs/signatures.md): the same function, with pyhanko's
PKCS11Signer on a token instead of a key in memory. SoftHSM2 is a software token that speaks
real PKCS#11 through its module (.so); a physical USB token or HSM is not tested here.
SoftHSM2 is a declared test dependency (scripts/test-deps.sh): without it the test fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fpdf import FPDF
from pkcs11 import Attribute, KeyType
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
from pkcs11.util.x509 import decode_x509_certificate

from signing.authority import CertificateAuthority, Subject, new_rsa_key
from signing.pdf_signing import sign_pdf, timestamper_from_key
from signing.pkcs11_tokens import open_pkcs11_signer
from signing.verification import Indication, TrustSettings, verify_pdf

TOKEN_LABEL = "Test token"
USER_PIN = "246813"
SO_PIN = "97531864"
KEY_LABEL = "Chu ky so ca nhan"
KEY_ID = b"\x01"
SIGNER = Subject(full_name="Nguyễn Thị Hoa", agency="Sở Nội vụ tỉnh Phú Thọ",
                 province="Phú Thọ", title="Chuyên viên")


def softhsm2_module() -> str:
    """SoftHSM2's PKCS#11 module: where Debian's libsofthsm2 (pulled in by the softhsm2
    package) installs it; SOFTHSM2_MODULE names it on other systems."""
    module = os.environ.get("SOFTHSM2_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
    if not Path(module).is_file() or shutil.which("softhsm2-util") is None:
        pytest.fail(f"SoftHSM2 is missing ({module}, softhsm2-util): run scripts/test-deps.sh")
    return module


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test PKI (PKCS#11)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass
class ProvisionedToken:
    module: str
    root: CertificateAuthority
    issuing: CertificateAuthority
    certificate: x509.Certificate  # the signer's, issued for the key generated on the token
    now: dt.datetime


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ProvisionedToken]:
    """A fresh SoftHSM2 token in tmp_path holding an EC P-256 key pair generated on the token
    (private key sensitive, not extractable) and the certificate a test CA issued for it."""
    module = softhsm2_module()
    (tmp_path / "tokens").mkdir()
    config = tmp_path / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\n"
                      "objectstore.backend = file\nlog.level = ERROR\n")
    # before the module is loaded: SoftHSM2 reads its configuration in C_Initialize
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL,
                    "--pin", USER_PIN, "--so-pin", SO_PIN], check=True, capture_output=True)
    now = dt.datetime.now(dt.UTC)
    root = CertificateAuthority.new_root(_name("Test Root CA"), now=now)
    issuing = root.issue_subordinate(_name("Test Issuing CA"), now=now)
    try:
        library = pkcs11.lib(module)
        with library.get_token(token_label=TOKEN_LABEL).open(rw=True,
                                                              user_pin=USER_PIN) as session:
            parameters = session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
                local=True)
            public, private = parameters.generate_keypair(
                store=True, label=KEY_LABEL, id=KEY_ID,
                private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False})
            with pytest.raises(pkcs11.AttributeSensitive):
                private[Attribute.VALUE]  # the private key cannot be read off the token
            public_key = serialization.load_der_public_key(encode_ec_public_key(public))
            assert isinstance(public_key, ec.EllipticCurvePublicKey)
            assert public_key.curve.name == "secp256r1"
            certificate = issuing.issue(SIGNER.to_x509(), public_key,
                                        not_before=now - dt.timedelta(hours=1),
                                        not_after=now + dt.timedelta(days=365))
            session.create_object({
                **decode_x509_certificate(certificate.public_bytes(serialization.Encoding.DER)),
                Attribute.LABEL: KEY_LABEL, Attribute.ID: KEY_ID, Attribute.TOKEN: True})
        yield ProvisionedToken(module, root, issuing, certificate, now)
    finally:
        # C_Finalize: the next test loads the module again with its own SOFTHSM2_CONF
        pkcs11.unload(module)


def _base_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Cong van thu nghiem: ky so qua PKCS#11 (SoftHSM2)")
    return bytes(pdf.output())


def test_a_pdf_signed_with_a_key_on_a_pkcs11_token_verifies(token: ProvisionedToken) -> None:
    tsa_key = new_rsa_key()
    tsa_certificate = token.issuing.issue_timestamping(_name("Test TSA"), tsa_key.public_key(),
                                                       now=token.now)
    chain = [token.issuing.certificate, token.root.certificate]
    # SoftHSM2 2.6 signs EC keys with the raw CKM_ECDSA mechanism only
    with open_pkcs11_signer(token.module, TOKEN_LABEL, USER_PIN, KEY_LABEL, chain=chain,
                            raw_mechanism=True) as signer:
        # the certificate was read from the token, next to the key
        assert signer.signing_cert.dump() == token.certificate.public_bytes(
            serialization.Encoding.DER)
        signed = sign_pdf(
            _base_pdf(), signer, field_name="Signature1", appearance=None,
            timestamper=timestamper_from_key(tsa_key, tsa_certificate, chain))

    crls = [token.root.crl([], now=token.now, number=1),
            token.issuing.crl([], now=token.now, number=1)]
    report = verify_pdf(signed, TrustSettings(roots=[token.root.certificate], crls=crls),
                        lang="en")
    [signature] = report.signatures
    assert signature.indication == Indication.TOTAL_PASSED, signature
    assert signature.signer == "Nguyễn Thị Hoa"
    assert signature.signer_subject["agency"] == "Sở Nội vụ tỉnh Phú Thọ"
    assert signature.signer_certificate_serial == format(token.certificate.serial_number, "X")
    assert signature.signing_time_source == "timestamp"
    assert signature.chain == ["Test Root CA", "Test Issuing CA", "Nguyễn Thị Hoa"]
    assert signature.intact and signature.valid and signature.trusted

    # trusted only under the root it chains to: another root (e.g. the sandbox's) does not do
    other_root = CertificateAuthority.new_root(_name("Other Root CA"), now=token.now)
    elsewhere = verify_pdf(signed, TrustSettings(roots=[other_root.certificate], crls=crls))
    assert elsewhere.signatures[0].indication != Indication.TOTAL_PASSED
    assert not elsewhere.signatures[0].trusted


def test_the_token_refuses_a_wrong_pin(token: ProvisionedToken) -> None:
    with pytest.raises(pkcs11.PinIncorrect), \
            open_pkcs11_signer(token.module, TOKEN_LABEL, "000000", KEY_LABEL):
        pytest.fail("a wrong PIN opened the token")
    # one wrong try does not lock it: the right PIN still opens it
    with open_pkcs11_signer(token.module, TOKEN_LABEL, USER_PIN, KEY_LABEL) as signer:
        assert signer.signing_cert.dump() == token.certificate.public_bytes(
            serialization.Encoding.DER)
    with pytest.raises(pkcs11.PKCS11Error,
                       match="Could not find private key with label 'no such key'"), \
            open_pkcs11_signer(token.module, TOKEN_LABEL, USER_PIN, "no such key",
                               cert_label=KEY_LABEL):
        pytest.fail("a key that is not on the token was found")
