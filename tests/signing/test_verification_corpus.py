"""signing.scenario_documents checked by signing.verification: every practice document gets
the ETSI EN 319 102-1 verdict it is there to teach; B-LT signatures carry their own
revocation information; unusable input is refused."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader, PdfWriter

from signing.authority import (
    CertificateAuthority,
    CertificateStatus,
    OcspAnswer,
    RevocationReason,
    Subject,
    new_key,
)
from signing.pdf_signing import (
    PadesProfile,
    sign_pdf,
    signer_from_key,
    timestamper_from_key,
    to_asn1,
)
from signing.scenario_documents import (
    RECEIPT_FIELD,
    ScenarioSet,
    SignatureCase,
    make_scenario_documents,
)
from signing.training_pki import TrainingPki
from signing.verification import (
    SignatureReport,
    TrustSettings,
    UnusablePdf,
    verify_pdf,
)

C = SignatureCase

# (indication, sub-indication, modification) that verify_pdf really gives (pyhanko 0.38's
# AdES validation with time); why each is the right ETSI answer: signing/scenario_documents.py
EXPECTED = {
    C.VALID: ("TOTAL_PASSED", None, "none"),
    C.TAMPERED: ("TOTAL_FAILED", "HASH_FAILURE", "none"),
    C.REVOKED: ("TOTAL_FAILED", "REVOKED", "none"),
    C.EXPIRED: ("INDETERMINATE", "EXPIRED", "none"),
    C.UNTRUSTED: ("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE", "none"),
    C.CONTENT_CHANGED_LATER: ("TOTAL_FAILED", "CONTENT_MODIFIED_AFTER_SIGNING", "content"),
    C.FORM_FILLED_LATER: ("TOTAL_PASSED", None, "form_filling"),
}

SIGNERS = {
    C.VALID: "Lê Minh Tuấn",
    C.TAMPERED: "Phạm Thị Lan Anh",
    C.REVOKED: "Hoàng Văn Bình",
    C.EXPIRED: "Đỗ Thị Mai",
    C.UNTRUSTED: "Nguyễn Văn Hùng",
    C.CONTENT_CHANGED_LATER: "Vũ Quốc Khánh",
    C.FORM_FILLED_LATER: "Bùi Thị Hồng Nhung",
}


@pytest.fixture(scope="module")
def corpus(pki: TrainingPki, base_pdf: bytes, font_file: Path, now: dt.datetime
           ) -> ScenarioSet:
    return make_scenario_documents(pki, base_pdf, font_file=font_file, now=now)


@pytest.fixture(scope="module")
def trust(pki: TrainingPki, corpus: ScenarioSet, now: dt.datetime) -> TrustSettings:
    """What the e-office publishes: the sandbox root, the issuing CA's CRL with the corpus's
    revocation, the root's CRL."""
    return TrustSettings(roots=pki.trust_roots,
                         crls=[pki.issuing.crl(corpus.revocations, now=now, number=1),
                               pki.root.crl([], now=now, number=1)])


@pytest.fixture(scope="module")
def reports(corpus: ScenarioSet, trust: TrustSettings) -> dict[SignatureCase, SignatureReport]:
    found = {}
    for document in corpus:
        report = verify_pdf(document.pdf, trust, lang="vi")
        assert len(report.signatures) == 1, document.case
        found[document.case] = report.signatures[0]
    return found


def _page_text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def _when(iso: str | None) -> dt.datetime:
    assert iso is not None
    return dt.datetime.fromisoformat(iso)


@pytest.mark.parametrize("case", list(SignatureCase))
def test_each_practice_document_gets_the_verdict_it_teaches(
        case: SignatureCase, corpus: ScenarioSet,
        reports: dict[SignatureCase, SignatureReport]) -> None:
    report = reports[case]
    assert (report.indication, report.sub_indication, report.modification) == EXPECTED[case]
    assert report.passed is (EXPECTED[case][0] == "TOTAL_PASSED")
    # the answer key handed to the e-office says the same
    document = corpus[case]
    assert (document.expected_indication, document.expected_sub_indication,
            document.expected_modification) == EXPECTED[case]
    assert report.signer == SIGNERS[case]


def test_the_corpus_has_every_case_once_with_its_titles(corpus: ScenarioSet) -> None:
    assert [document.case for document in corpus] == list(SignatureCase)
    titles_vi = [document.title_vi for document in corpus]
    titles_en = [document.title_en for document in corpus]
    assert len(set(titles_vi)) == len(titles_vi) and len(set(titles_en)) == len(titles_en)
    assert all(not title.isascii() for title in titles_vi)  # Vietnamese, with diacritics
    assert all(title.isascii() and title for title in titles_en)
    assert all(document.pdf.startswith(b"%PDF-") for document in corpus)


def test_signers_are_fixed_fictitious_officials_of_vietnamese_agencies(
        corpus: ScenarioSet, pki: TrainingPki) -> None:
    for document in corpus:
        subject = Subject.from_x509(document.signer_certificate.subject)
        assert subject.full_name == SIGNERS[document.case]
        assert subject.country == "VN" and subject.title and subject.province
        assert subject.province in subject.agency  # "Sở ... tỉnh Phú Thọ", province Phú Thọ
    issued = {c.serial_number for c in corpus.certificates}
    untrusted = corpus[C.UNTRUSTED].signer_certificate
    assert issued == {d.signer_certificate.serial_number for d in corpus} - {
        untrusted.serial_number}
    assert all(c.issuer == pki.issuing.name for c in corpus.certificates)
    for certificate in corpus.certificates:
        certificate.verify_directly_issued_by(pki.issuing.certificate)


def test_revoked_is_revoked_for_key_compromise_days_before_it_was_signed(
        corpus: ScenarioSet, reports: dict[SignatureCase, SignatureReport],
        now: dt.datetime) -> None:
    [revocation] = corpus.revocations
    certificate = corpus[C.REVOKED].signer_certificate
    assert revocation.serial_number == certificate.serial_number
    assert revocation.reason is RevocationReason.KEY_COMPROMISE
    assert certificate.not_valid_before_utc < revocation.revoked_at < now
    report = reports[C.REVOKED]
    assert report.revoked and report.revocation_reason == "key_compromise"
    assert _when(report.revocation_time) == revocation.revoked_at
    assert "thu hồi" in report.explanation_vi
    assert "khóa bí mật bị mất hoặc bị lộ" in report.explanation_vi
    assert "the private key was lost or exposed" in report.explanation_en


def test_expired_was_signed_after_its_certificate_ended(
        corpus: ScenarioSet, reports: dict[SignatureCase, SignatureReport],
        now: dt.datetime) -> None:
    certificate = corpus[C.EXPIRED].signer_certificate
    assert certificate.not_valid_after_utc < now  # and the corpus is signed after `now`
    assert not reports[C.EXPIRED].revoked and not reports[C.EXPIRED].trusted


def test_signatures_that_pass_report_their_timestamped_signing_time(
        reports: dict[SignatureCase, SignatureReport], now: dt.datetime) -> None:
    for case in (C.VALID, C.CONTENT_CHANGED_LATER, C.FORM_FILLED_LATER):
        assert reports[case].signing_time_source == "timestamp"
        assert now <= _when(reports[case].signing_time) <= now + dt.timedelta(minutes=5)


def test_untrusted_is_self_signed_and_not_trusted(
        corpus: ScenarioSet, reports: dict[SignatureCase, SignatureReport]) -> None:
    certificate = corpus[C.UNTRUSTED].signer_certificate
    assert certificate.issuer == certificate.subject
    certificate.verify_directly_issued_by(certificate)
    assert reports[C.UNTRUSTED].intact and not reports[C.UNTRUSTED].trusted


def test_tampered_shows_another_number_and_its_signature_is_untouched(
        corpus: ScenarioSet, reports: dict[SignatureCase, SignatureReport]) -> None:
    valid, tampered = _page_text(corpus[C.VALID].pdf), _page_text(corpus[C.TAMPERED].pdf)
    assert "125/SNV-VP" in valid
    assert tampered == valid.replace("125/SNV-VP", "215/SNV-VP")
    report = reports[C.TAMPERED]
    assert not report.intact and report.signer == SIGNERS[C.TAMPERED]


def test_content_changed_later_adds_a_bank_account_to_a_signature_that_is_intact(
        corpus: ScenarioSet, reports: dict[SignatureCase, SignatureReport]) -> None:
    assert "1903 6868 2468" not in _page_text(corpus[C.VALID].pdf)
    assert "tài khoản số 1903 6868 2468" in _page_text(corpus[C.CONTENT_CHANGED_LATER].pdf)
    report = reports[C.CONTENT_CHANGED_LATER]
    assert report.intact and report.trusted and report.modified_after_signing


def test_form_filled_later_fills_the_field_after_the_signature(
        corpus: ScenarioSet, reports: dict[SignatureCase, SignatureReport]) -> None:
    pdf = corpus[C.FORM_FILLED_LATER].pdf
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    assert str(fields[RECEIPT_FIELD].get("/V")).startswith("Đã tiếp nhận: số đến 125")
    report = reports[C.FORM_FILLED_LATER]
    assert report.intact and report.trusted and report.modified_after_signing
    # the signed revision had the field, empty: the value came in a later revision
    signed_revision = pdf[:pdf.index(b"%%EOF", pdf.index(b"/ByteRange")) + 5]
    before = PdfReader(io.BytesIO(signed_revision)).get_fields() or {}
    assert RECEIPT_FIELD in before and before[RECEIPT_FIELD].get("/V") is None


def test_revocation_is_found_through_ocsp_as_well(
        pki: TrainingPki, corpus: ScenarioSet, now: dt.datetime) -> None:
    """The e-office may answer by OCSP instead of the issuing CA's CRL."""
    [revocation] = corpus.revocations
    revoked = corpus[C.REVOKED].signer_certificate
    valid = corpus[C.VALID].signer_certificate
    answers = [
        pki.ocsp.answer(revoked.serial_number, OcspAnswer(CertificateStatus.REVOKED, revoked,
                                                          revocation), now=now),
        pki.ocsp.answer(valid.serial_number, OcspAnswer(CertificateStatus.GOOD, valid),
                        now=now),
        pki.ocsp.answer(pki.tsa_certificate.serial_number,
                        OcspAnswer(CertificateStatus.GOOD, pki.tsa_certificate), now=now),
    ]
    trust = TrustSettings(roots=pki.trust_roots, crls=[pki.root.crl([], now=now, number=1)],
                          ocsp_responses=answers)
    [report] = verify_pdf(corpus[C.REVOKED].pdf, trust).signatures
    assert (report.indication, report.sub_indication) == ("TOTAL_FAILED", "REVOKED")
    [report] = verify_pdf(corpus[C.VALID].pdf, trust).signatures
    assert (report.indication, report.sub_indication) == ("TOTAL_PASSED", None)


# --- B-LT: the revocation information travels with the document ---------------------------


def _official(pki: TrainingPki, now: dt.datetime, *, not_after: dt.datetime | None = None):
    key = new_key()
    certificate = pki.issuing.issue(
        Subject("Trần Thu Trang", "Sở Tư pháp tỉnh Phú Thọ", "Phú Thọ",
                title="Phó Giám đốc").to_x509(),
        key.public_key(), not_before=now - dt.timedelta(days=400),
        not_after=not_after or now + dt.timedelta(days=300))
    return signer_from_key(key, certificate, [pki.issuing.certificate, pki.root.certificate])


def _timestamper(pki: TrainingPki):
    return timestamper_from_key(pki.tsa_key, pki.tsa_certificate,
                                [pki.issuing.certificate, pki.root.certificate])


def test_b_lt_verifies_from_what_it_carries_and_b_t_does_not(
        pki: TrainingPki, base_pdf: bytes, now: dt.datetime) -> None:
    der = serialization.Encoding.DER
    context = ValidationContext(
        trust_roots=[to_asn1(pki.root.certificate)],
        crls=[pki.issuing.crl([], now=now, number=1).public_bytes(der),
              pki.root.crl([], now=now, number=1).public_bytes(der)],
        ocsps=[], allow_fetching=False)
    signer = _official(pki, now)
    b_lt = sign_pdf(base_pdf, signer, field_name="ChuKySo", appearance=None,
                    timestamper=_timestamper(pki), profile=PadesProfile.B_LT,
                    validation_context=context)
    b_t = sign_pdf(base_pdf, signer, field_name="ChuKySo", appearance=None,
                   timestamper=_timestamper(pki), profile=PadesProfile.B_T)
    no_revocation_information = TrustSettings(roots=pki.trust_roots)
    [report] = verify_pdf(b_lt, no_revocation_information).signatures
    assert (report.indication, report.sub_indication) == ("TOTAL_PASSED", None)
    assert report.modification in ("none", "validation_data")
    assert b"/DSS" in b_lt and b"/DSS" not in b_t
    [report] = verify_pdf(b_t, no_revocation_information).signatures
    # no revocation information at all for the issuing CA's certificate: pyhanko-certvalidator
    # raises InsufficientRevinfoError, which pyhanko maps to this sub-indication
    assert (report.indication, report.sub_indication) == (
        "INDETERMINATE", "CERTIFICATE_CHAIN_GENERAL_FAILURE")
    assert report.intact and not report.trusted


def test_b_lt_refuses_to_sign_without_revocation_information(
        pki: TrainingPki, base_pdf: bytes, now: dt.datetime) -> None:
    with pytest.raises(ValueError, match="B-LT"):
        sign_pdf(base_pdf, _official(pki, now), field_name="ChuKySo", appearance=None,
                 timestamper=_timestamper(pki), profile=PadesProfile.B_LT)


def test_a_certificate_from_an_unknown_ca_has_no_chain(
        pki: TrainingPki, base_pdf: bytes, now: dt.datetime, trust: TrustSettings) -> None:
    """The other way to be untrusted: a CA of one's own, not the sandbox root."""
    fake_root = CertificateAuthority.new_root(Subject(
        "Root CA chuyên dùng công vụ", "Cơ quan chứng thực", "Hà Nội").to_x509(), now=now)
    key = new_key()
    certificate = fake_root.issue(Subject("Nguyễn Văn Hùng", "Sở Nội vụ tỉnh Khánh Hòa",
                                          "Khánh Hòa", title="Giám đốc").to_x509(),
                                  key.public_key(), not_before=now - dt.timedelta(days=1),
                                  not_after=now + dt.timedelta(days=30))
    pdf = sign_pdf(base_pdf, signer_from_key(key, certificate, [fake_root.certificate]),
                   field_name="ChuKySo", appearance=None, timestamper=_timestamper(pki))
    [report] = verify_pdf(pdf, trust).signatures
    assert (report.indication, report.sub_indication) == (
        "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    assert not report.trusted


def test_a_plain_b_t_signature_with_an_expired_certificate_does_not_pass(
        pki: TrainingPki, base_pdf: bytes, now: dt.datetime, trust: TrustSettings) -> None:
    """pyhanko 0.38 alone passes it (it checks only the start of validity when there is no
    content timestamp); verification.py adds the ETSI answer."""
    signer = _official(pki, now, not_after=now - dt.timedelta(days=10))
    pdf = sign_pdf(base_pdf, signer, field_name="ChuKySo", appearance=None,
                   timestamper=_timestamper(pki))
    [report] = verify_pdf(pdf, trust).signatures
    assert (report.indication, report.sub_indication) == ("INDETERMINATE",
                                                          "OUT_OF_BOUNDS_NO_POE")
    assert report.signing_time_source == "timestamp"
    assert "hết hiệu lực" in report.explanation_vi or "hết hạn" in report.explanation_vi


# --- what cannot be verified -------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"hello, not a PDF", b"%PDF-1.7\n garbage \n%%EOF",
                                  b"\x89PNG\r\n\x1a\n"])
def test_what_is_not_a_readable_pdf_is_refused(data: bytes, trust: TrustSettings) -> None:
    with pytest.raises(UnusablePdf):
        verify_pdf(data, trust)


def test_an_encrypted_pdf_is_refused(base_pdf: bytes, trust: TrustSettings) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(base_pdf))
    writer.encrypt(user_password="", owner_password="secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UnusablePdf, match="encrypted"):
        verify_pdf(out.getvalue(), trust)


def test_a_pdf_without_signatures_gives_an_empty_report(
        base_pdf: bytes, trust: TrustSettings) -> None:
    report = verify_pdf(base_pdf, trust)
    assert report.signatures == []
    assert report.all_passed is False
    assert report.as_dict()["signature_count"] == 0

