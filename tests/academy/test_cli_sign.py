"""`academy sign verify`: the contract other tools rely on (JSON fields, exit codes 0/1/2),
trusting the installation's sandbox root with the e-office's own revocations, or given
roots."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from pypdf import PdfWriter

from academy.cli import main
from installation.layout import DataLayout
from installation.settings import InstallSettings, Mode
from sandbox_eoffice.database import make_engine, make_session_factory, upgrade
from sandbox_eoffice.official_pdf import OfficialDocumentLayout, render_official_document
from sandbox_eoffice.signatures import ensure_pki, ensure_samples, sample_pdf_of
from signing.authority import CertificateAuthority, cert_pem
from signing.training_pki import ROOT_NAME

REQUIRED = {"signer", "signing_time", "intact", "trusted", "revoked", "modified_after_signing",
            "indication", "sub_indication", "explanation"}


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A data directory with the e-office's database, its sandbox PKI and the exercises."""
    layout = DataLayout.at(tmp_path_factory.mktemp("sign") / "academy")
    layout.root.mkdir()
    InstallSettings(mode=Mode.SHARED, install_seed=5).save(layout)
    url = InstallSettings.load(layout).eoffice_url(layout)
    upgrade(url)
    pki = ensure_pki(layout.eoffice_dir, "http://127.0.0.1:8000/services/eoffice/pki/")
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            ensure_samples(session, pki)
            session.commit()
            pdfs = {case: sample_pdf_of(session, case) for case in
                    ("valid", "tampered", "revoked", "untrusted", "form_filled_later")}
    finally:
        engine.dispose()
    return layout.root, pdfs


def _verify(installation: tuple[Path, dict[str, bytes]], tmp_path: Path, data: bytes,
            *options: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return CliRunner().invoke(main, ["--data-dir", str(installation[0]), "sign", "verify",
                                     str(path), *options])


def test_a_valid_document_exits_0_with_the_json_contract(installation, tmp_path: Path) -> None:
    result = _verify(installation, tmp_path, installation[1]["valid"], "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    [signature] = report["signatures"]
    assert signature.keys() >= REQUIRED
    assert signature["indication"] == "TOTAL_PASSED" and signature["sub_indication"] is None
    assert signature["intact"] and signature["trusted"] and not signature["revoked"]
    assert signature["signing_time"] and signature["signer"]
    assert "hợp lệ" in signature["explanation"]  # Vietnamese by default


def test_a_revoked_signer_is_found_in_the_e_office_s_own_revocations(
    installation, tmp_path: Path
) -> None:
    result = _verify(installation, tmp_path, installation[1]["revoked"], "--json", "--lang",
                     "en")
    assert result.exit_code == 1, result.output
    [signature] = json.loads(result.stdout)["signatures"]
    assert signature["revoked"] is True
    assert signature["revocation_reason"] == "key_compromise"
    assert signature["indication"] == "TOTAL_FAILED" and signature["sub_indication"] == "REVOKED"
    assert "revoked" in signature["explanation"]  # English on request


@pytest.mark.parametrize(("case", "indication"), [("tampered", "TOTAL_FAILED"),
                                                  ("untrusted", "INDETERMINATE")])
def test_failed_or_indeterminate_exits_1(installation, tmp_path: Path, case: str,
                                         indication: str) -> None:
    result = _verify(installation, tmp_path, installation[1][case], "--json")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["signatures"][0]["indication"] == indication


def test_an_allowed_later_change_still_passes(installation, tmp_path: Path) -> None:
    result = _verify(installation, tmp_path, installation[1]["form_filled_later"])
    assert result.exit_code == 0, result.output
    assert "TOTAL_PASSED" in result.stdout and "form_filling" in result.stdout


def test_no_signature_exits_1_and_says_so(installation, tmp_path: Path) -> None:
    unsigned = render_official_document(OfficialDocumentLayout(
        agency="SỞ NỘI VỤ", superior_agency="UBND TỈNH QUẢNG BÌNH", number_symbol="1/SNV-VP",
        place="Quảng Bình", issued_on=None, document_type="Công văn", summary="V/v thử",
        body="Nội dung.", signer_name="Lê Văn A", signer_title="Giám đốc"))
    result = _verify(installation, tmp_path, unsigned, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["signatures"] == []
    assert "no digital signature" in result.stderr


def _encrypted(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt(user_password="", owner_password="secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("data", "message"), [(b"hello", "not a PDF"),
                                               (b"%PDF-1.7\ngarbage", "cannot be read")])
def test_unusable_input_exits_2_with_a_message(installation, tmp_path: Path, data: bytes,
                                               message: str) -> None:
    result = _verify(installation, tmp_path, data)
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_encrypted_pdf_exits_2(installation, tmp_path: Path) -> None:
    result = _verify(installation, tmp_path, _encrypted(installation[1]["valid"]))
    assert result.exit_code == 2 and "encrypted" in result.stderr


def test_a_missing_file_exits_2(installation, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(installation[0]), "sign", "verify",
                                       str(tmp_path / "nowhere.pdf")])
    assert result.exit_code == 2 and "cannot be read" in result.stderr


def test_trust_only_replaces_the_sandbox_root(installation, tmp_path: Path) -> None:
    import datetime as dt

    other = CertificateAuthority.new_root(x509.Name([x509.NameAttribute(
        x509.NameOID.COMMON_NAME, "Another root")]), now=dt.datetime.now(dt.UTC))
    other_pem = tmp_path / "other.pem"
    other_pem.write_bytes(cert_pem(other.certificate))
    valid = installation[1]["valid"]
    added = _verify(installation, tmp_path, valid, "--json", "--trust", str(other_pem))
    assert added.exit_code == 0, added.output  # added to the sandbox root
    replaced = _verify(installation, tmp_path, valid, "--json", "--trust", str(other_pem),
                       "--trust-only")
    assert replaced.exit_code == 1
    assert json.loads(replaced.stdout)["signatures"][0]["trusted"] is False
    sandbox_root = DataLayout.at(installation[0]).eoffice_dir / "training-pki/root.cert.pem"
    chosen = _verify(installation, tmp_path, valid, "--json", "--trust", str(sandbox_root),
                     "--trust-only")
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.stdout)["signatures"][0]["root"] == ROOT_NAME


def test_a_bad_trust_file_is_a_usage_error(installation, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    result = _verify(installation, tmp_path, installation[1]["valid"], "--trust", str(junk))
    assert result.exit_code == 2 and "--trust" in result.output


def test_sandbox_pki_makes_a_pki_for_a_secret(tmp_path: Path) -> None:
    from signing.training_pki import TrainingPki

    out = tmp_path / "pki"
    made = CliRunner().invoke(main, ["sign", "sandbox-pki", "--out", str(out), "--url",
                                     "https://academy.example.gov.vn/services/eoffice/pki/"])
    assert made.exit_code == 0, made.output
    pki = TrainingPki.load(out)
    points = pki.issuing.certificate.extensions.get_extension_for_class(
        x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == \
        "https://academy.example.gov.vn/services/eoffice/pki/crl/root.crl"
    assert (out / "root.key.pem").stat().st_mode & 0o077 == 0
    again = CliRunner().invoke(main, ["sign", "sandbox-pki", "--out", str(out)])
    assert again.exit_code == 2 and "exists already" in again.output


def _with_broken_dss(pdf: bytes) -> bytes:
    """A later update adding a DSS whose CRL entry is not a stream (a damaged file)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    not_a_stream = writer.add_object(generic.DictionaryObject())
    writer.root[generic.pdf_name("/DSS")] = generic.DictionaryObject(
        {generic.pdf_name("/CRLs"): generic.ArrayObject([not_a_stream])})
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_damaged_file_gets_a_report_or_exit_2_never_a_traceback(installation,
                                                                   tmp_path: Path) -> None:
    result = _verify(installation, tmp_path, _with_broken_dss(installation[1]["valid"]),
                     "--json")
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code != 2:
        [signature] = json.loads(result.stdout)["signatures"]
        assert signature.keys() >= REQUIRED
