"""Completion certificates: the PDF (text, font), the academy's signature, the registry, ids,
issuing once, revoking (who may), and verification refusing what it must."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import shutil
import stat
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from course_kit.catalog import Course, Module
from grading.certificate_pdf import CertificateContent, font_dir, render_certificate
from grading.certificates import (
    ALPHABET,
    CertificateError,
    IssueOptions,
    MalformedCertificateId,
    RevocationRefused,
    VerificationStatus,
    _check_character,
    _grouped,
    certificate_index,
    course_competencies,
    find_certificate,
    issue_for_completed,
    load_registry,
    new_certificate_id,
    normalise_certificate_id,
    revoke_certificate,
    verify_certificate,
)
from grading.competencies import load_framework
from grading.records import CompletionRecord
from people.roster import AccountStatus, Person
from signing.academy_identity import academy_trust, load_identity, sign_with_identity
from signing.authority import Subject, new_key
from signing.pdf_signing import sign_pdf, signer_from_key
from signing.training_pki import PkiUrls, TrainingPki
from signing.verification import verify_pdf

DS = "digital-signatures"


def _record(**values: object) -> CompletionRecord:
    """A record with what certificates use; the HR export's other columns left empty."""
    empty = {f.name: None for f in dataclasses.fields(CompletionRecord)
             if f.default is dataclasses.MISSING}
    return CompletionRecord(**(empty | values))  # type: ignore[arg-type]


TUYET = _record(
    employee_id="CB-0001", full_name="Nguyễn Thị Ánh Tuyết",
    agency="Sở Thông tin và Truyền thông tỉnh Cao Bằng", course_id=DS,
    course_title="Chữ ký số trong hoạt động công vụ", score=18, max_score=20, passed=True,
    completion_date=dt.date(2026, 11, 20), username="tuyet")
DUC = dataclasses.replace(TUYET, employee_id="CB-0002", full_name="Phạm Đức Thắng",
                          agency="UBND huyện Lập Thạch", username="thang")
FAILED = dataclasses.replace(TUYET, employee_id="CB-0003", full_name="Lê Văn Cường",
                             username="cuong", passed=False, completion_date=None, score=5)
COMPETENCIES = {DS: [("sign.use", 3), ("edoc.handling", 1)]}
ADMIN = Person("quantri", "Quản Trị Viên", "admin")
HR = Person("hoa", "Vũ Thị Hoa", "hr")


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """A PKI, a registry with two certificates, and their PDFs by username."""
    root = tmp_path_factory.mktemp("certificates")
    pki_dir, registry = root / "pki", root / "registry"
    made = issue_for_completed([TUYET, DUC, FAILED], registry, IssueOptions(pki_dir=pki_dir),
                               COMPETENCIES)
    assert [c.username for c in made] == ["tuyet", "thang"]
    pdfs = {c.username: (registry / "pdf" / f"{c.certificate_id}.pdf").read_bytes()
            for c in made}
    return pki_dir, registry, pdfs


@pytest.fixture
def registry_copy(issued, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The registry, for a test that changes it."""
    return Path(shutil.copytree(issued[1], tmp_path / "registry"))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# --- ids ----------------------------------------------------------------------------------


def test_ids_are_twelve_characters_with_a_check_character() -> None:
    ids = {new_certificate_id() for _ in range(200)}
    assert len(ids) == 200
    for cid in ids:
        assert len(cid) == 14 and cid[4] == cid[9] == "-"
        assert normalise_certificate_id(cid) == cid
        plain = cid.replace("-", "")
        assert all(c in ALPHABET for c in plain)


# Luhn mod 32's one blind spot: the values 0 and 31 swapped ("0" and "Z")
BLIND_SPOT = {ALPHABET[0], ALPHABET[-1]}


@pytest.mark.parametrize("body", ["0Z7K3MQ9TZR", "ABCDEFGHJKM", "Z0Z0Z0Z0Z0Z", "NPQRSTVWXY0"])
def test_every_single_typing_mistake_and_neighbour_swap_is_caught(body: str) -> None:
    plain = body + _check_character(body)
    for position in range(len(plain)):
        for char in ALPHABET:
            if char != plain[position]:
                typo = plain[:position] + char + plain[position + 1:]
                with pytest.raises(MalformedCertificateId):
                    normalise_certificate_id(typo)
    for position in range(len(plain) - 1):
        a, b = plain[position], plain[position + 1]
        swapped = plain[:position] + b + a + plain[position + 2:]
        if a == b:
            continue
        if {a, b} == BLIND_SPOT:  # documented: this one swap reads as another valid id
            assert normalise_certificate_id(swapped) == _grouped(swapped)
            continue
        with pytest.raises(MalformedCertificateId, match="check character"):
            normalise_certificate_id(swapped)


def test_reading_an_id_is_forgiving() -> None:
    cid = new_certificate_id()
    sloppy = cid.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalise_certificate_id(sloppy) == cid
    for bad in ("", "ABC", cid + "X", "UUUU-UUUU-UUUU"):
        with pytest.raises(MalformedCertificateId):
            normalise_certificate_id(bad)


# --- the PDF ------------------------------------------------------------------------------


def test_the_pdf_shows_learner_course_date_competencies_and_id(issued) -> None:  # type: ignore[no-untyped-def]
    _, registry, pdfs = issued
    text = _text(pdfs["tuyet"])
    [entry] = [r for r in load_registry(registry) if r.username == "tuyet"]
    for expected in ("GIẤY CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC", "Certificate of Course Completion",
                     "Nguyễn Thị Ánh Tuyết", "CB-0001",
                     "Sở Thông tin và Truyền thông tỉnh Cao Bằng",
                     "Chữ ký số trong hoạt động công vụ", "20/11/2026", "HỌC VIỆN CÔNG VỤ SỐ",
                     f"{load_framework().platform['sign.use'].label.vi}: mức 3 (Trung cấp)",
                     "Xử lý văn bản đến, văn bản đi", entry.certificate_id,
                     entry.verification_url):
        assert expected in text, expected
    assert "Phạm Đức Thắng" in _text(pdfs["thang"])
    [page] = PdfReader(io.BytesIO(pdfs["tuyet"])).pages
    links = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])
             if a.get_object().get("/Subtype") == "/Link"]
    assert links == [entry.verification_url]  # the address under the QR code is a link


def test_the_font_is_embedded_and_the_page_is_a4_landscape(issued) -> None:  # type: ignore[no-untyped-def]
    reader = PdfReader(io.BytesIO(issued[2]["tuyet"]))
    [page] = reader.pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    fonts = page["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]
        embedded.append(str(font["/BaseFont"]))
    assert any("LiberationSerif" in name for name in embedded)
    assert reader.metadata is not None and "academy-certificate-id:" in reader.metadata.keywords


def test_the_font_is_the_e_office_s_without_importing_it() -> None:
    assert (font_dir() / "LiberationSerif-Regular.ttf").is_file()
    assert font_dir().parent.name == "sandbox_eoffice"


def test_a_long_course_title_and_name_still_fit(tmp_path: Path) -> None:
    content = CertificateContent(
        certificate_id=new_certificate_id(), full_name="Tôn Nữ Thị Hoàng Phương Quỳnh Anh Thư",
        employee_id="CB-9", agency="Trung tâm Phục vụ hành chính công tỉnh Quảng Bình",
        course_title="Quản lý văn bản và hồ sơ điện tử, chữ ký số và giải quyết thủ tục "
                     "hành chính trên môi trường mạng cho cán bộ cấp xã",
        completion_date=dt.date(2026, 1, 5), issued_at=dt.datetime(2026, 1, 6, tzinfo=dt.UTC),
        verification_url="https://hocvien.example.gov.vn/verify/x")
    pdf, placement = render_certificate(content)
    text = " ".join(_text(pdf).split())  # the title wraps onto two lines
    assert "Tôn Nữ Thị Hoàng Phương Quỳnh Anh Thư" in text
    assert "cho cán bộ cấp xã" in text and "05/01/2026" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    x1, y1, x2, y2 = placement.box
    assert 0 < x1 < x2 < 842 and 0 < y1 < y2 < 595


# --- signature and registry ---------------------------------------------------------------


def test_the_signature_validates_against_the_academy_root(issued) -> None:  # type: ignore[no-untyped-def]
    pki_dir, _, pdfs = issued
    [signature] = verify_pdf(pdfs["tuyet"], academy_trust(pki_dir)).signatures
    assert signature.passed and signature.trusted and signature.intact
    assert signature.chain == ["Academy Root CA", "Academy completion certificates"]
    assert signature.root == "Academy Root CA"
    assert signature.signing_time_source == "timestamp"


def test_the_registry_keeps_hash_and_modes(issued) -> None:  # type: ignore[no-untyped-def]
    _, registry, pdfs = issued
    entries = {r.username: r for r in load_registry(registry)}
    assert set(entries) == {"tuyet", "thang"}
    tuyet = entries["tuyet"]
    assert tuyet.sha256 == hashlib.sha256(pdfs["tuyet"]).hexdigest()
    assert tuyet.completion_date == "2026-11-20" and not tuyet.revoked
    assert tuyet.competencies == (("sign.use", 3), ("edoc.handling", 1))
    for path in (registry / "registry.json", registry / tuyet.pdf_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640  # the folder's group reads
    raw = json.loads((registry / "registry.json").read_text(encoding="utf-8"))
    assert raw["format"] == 1 and len(raw["certificates"]) == 2


def test_issuing_again_issues_nothing_new(issued) -> None:  # type: ignore[no-untyped-def]
    pki_dir, registry, _ = issued
    before = (registry / "registry.json").read_bytes()
    again = issue_for_completed([TUYET, DUC, FAILED], registry, IssueOptions(pki_dir=pki_dir),
                                COMPETENCIES)
    assert again == []
    assert (registry / "registry.json").read_bytes() == before
    assert len(list((registry / "pdf").iterdir())) == 2


def test_certificate_index_by_learner_and_course(issued) -> None:  # type: ignore[no-untyped-def]
    index = certificate_index(issued[1])
    assert set(index) == {("tuyet", DS), ("thang", DS)}
    entry = index[("tuyet", DS)]
    assert entry.verification_url.endswith(entry.certificate_id) and not entry.revoked
    assert certificate_index(issued[1].parent / "nothing-here") == {}


def test_course_competencies_take_the_highest_level() -> None:
    course = Course(DS, "Digital signatures", "Chữ ký số", 70, modules=(
        Module("m1", "One", "m1.ipynb", competencies=(("sign.use", 2), ("edoc.handling", 1))),
        Module("m2", "Two", "m2.ipynb", competencies=(("sign.use", 4),))))
    assert course_competencies(course) == [("sign.use", 4), ("edoc.handling", 1)]


def test_an_unknown_competency_is_a_clear_error(tmp_path: Path, issued) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CertificateError, match="'sign.nothing' is not in the framework"):
        issue_for_completed([TUYET], tmp_path / "registry", IssueOptions(pki_dir=issued[0]),
                            {DS: [("sign.nothing", 2)]})


# --- verification -------------------------------------------------------------------------


def test_a_valid_certificate_file_and_its_id(issued) -> None:  # type: ignore[no-untyped-def]
    pki_dir, registry, pdfs = issued
    result = verify_certificate(pdfs["tuyet"], registry, pki_dir)
    assert result.status is VerificationStatus.VALID and result.valid
    assert all(result.checks.values()) and len(result.checks) == 6
    assert "hợp lệ" in result.message_vi and "Nguyễn Thị Ánh Tuyết" in result.message_vi
    assert "is valid" in result.message_en and "20/11/2026" in result.message_en
    by_id = verify_certificate(result.certificate_id.lower(), registry, pki_dir)
    assert by_id.status is VerificationStatus.VALID
    assert by_id.as_dict("en")["message"] == by_id.message_en


def test_changed_bytes_are_caught(issued) -> None:  # type: ignore[no-untyped-def]
    pki_dir, registry, pdfs = issued
    data = bytearray(pdfs["tuyet"])
    start = data.index(b"stream") + 40  # inside the first content stream, signed
    data[start] ^= 0x01
    result = verify_certificate(bytes(data), registry, pki_dir)
    assert result.status is VerificationStatus.ALTERED, result
    assert not result.checks["signature_intact"]
    assert "changed after the academy signed it" in result.message_en


def test_an_update_appended_after_signing_is_caught(issued) -> None:  # type: ignore[no-untyped-def]
    pki_dir, registry, pdfs = issued
    writer = IncrementalPdfFileWriter(io.BytesIO(pdfs["tuyet"]), strict=False)
    overlay = generic.StreamObject(stream_data=b"BT /F1 40 Tf 100 300 Td (DIEM 10) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(overlay))
    out = io.BytesIO()
    writer.write(out)
    result = verify_certificate(out.getvalue(), registry, pki_dir)
    assert result.status is VerificationStatus.ALTERED, result
    assert not result.checks["unchanged_since_signing"]
    assert "đã bị thay đổi" in result.message_vi


def test_a_revoked_certificate_says_when_and_why(issued, registry_copy: Path) -> None:  # type: ignore[no-untyped-def]
    pki_dir, _, pdfs = issued
    entry = next(r for r in load_registry(registry_copy) if r.username == "tuyet")
    moment = dt.datetime(2026, 12, 1, 20, 30, tzinfo=dt.UTC)  # 2 December in Vietnam
    revoke_certificate(registry_copy, entry.certificate_id, reason="Cấp nhầm người",
                       by=HR, now=moment)
    for source in (pdfs["tuyet"], entry.certificate_id):
        result = verify_certificate(source, registry_copy, pki_dir)
        assert result.status is VerificationStatus.REVOKED
        assert result.message_en == (f"Certificate {entry.certificate_id} was revoked on "
                                     "02/12/2026: Cấp nhầm người")
        assert "đã bị thu hồi ngày 02/12/2026: Cấp nhầm người" in result.message_vi
    assert certificate_index(registry_copy)[("tuyet", DS)].revoked
    revoked = find_certificate(registry_copy, entry.certificate_id)
    assert revoked is not None and revoked.revoked_by == "hoa"
    with pytest.raises(CertificateError, match="revoked already on 02/12/2026"):
        revoke_certificate(registry_copy, entry.certificate_id, reason="again", by=ADMIN)


def test_an_unknown_id_is_refused(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pki_dir, _, pdfs = issued
    empty = tmp_path / "other-registry"
    result = verify_certificate(pdfs["tuyet"], empty, pki_dir)
    assert result.status is VerificationStatus.UNKNOWN_ID
    assert result.message_en == (f"No certificate {result.certificate_id} is in the academy's "
                                 "registry: the academy did not issue it.")
    unknown = new_certificate_id()
    by_id = verify_certificate(unknown, empty, pki_dir)
    assert by_id.status is VerificationStatus.UNKNOWN_ID and unknown in by_id.message_vi
    typo = verify_certificate("7K3M-Q9TZ-R2X", empty, pki_dir)
    assert typo.status is VerificationStatus.MALFORMED_ID
    assert not typo.status.usable_input


def _content(certificate_id: str) -> CertificateContent:
    return CertificateContent(
        certificate_id=certificate_id, full_name=TUYET.full_name,
        employee_id=TUYET.employee_id, agency=TUYET.agency, course_title=TUYET.course_title,
        completion_date=dt.date(2026, 11, 20), issued_at=dt.datetime.now(dt.UTC),
        verification_url="http://127.0.0.1:8000/verify/" + certificate_id)


def test_a_copy_signed_by_the_sandbox_training_ca_is_refused(issued) -> None:  # type: ignore[no-untyped-def]
    pki_dir, registry, _ = issued
    entry = next(r for r in load_registry(registry) if r.username == "tuyet")
    pdf, _ = render_certificate(_content(entry.certificate_id))
    now = dt.datetime.now(dt.UTC)
    pki = TrainingPki.create(PkiUrls("http://127.0.0.1:8000/services/eoffice/pki/"), now)
    key = new_key()
    cert = pki.issuing.issue(Subject("Học viện Công vụ số", "Học viện Công vụ số", "Hà Nội")
                             .to_x509(), key.public_key(), not_before=now - dt.timedelta(1),
                             not_after=now + dt.timedelta(300))
    signed = sign_pdf(pdf, signer_from_key(key, cert, [pki.issuing.certificate,
                                                       pki.root.certificate]),
                      field_name="Sig", appearance=None, timestamper=pki.timestamper)
    result = verify_certificate(signed, registry, pki_dir)
    assert result.status is VerificationStatus.NOT_ACADEMY_SIGNATURE, result
    assert not result.checks["academy_signature"]
    assert "not signed by the Digital Civil Service Academy" in result.message_en


def test_a_copy_signed_by_another_academy_installation_is_refused(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Same names as ours (Academy Root CA, Academy completion certificates), other keys."""
    pki_dir, registry, _ = issued
    entry = next(r for r in load_registry(registry) if r.username == "tuyet")
    pdf, placement = render_certificate(_content(entry.certificate_id))
    other = load_identity(tmp_path / "other-pki")
    signed = sign_with_identity(pdf, other, holder="Học viện Công vụ số", placement=placement,
                                font_file=font_dir() / "LiberationSerif-Regular.ttf",
                                reason="forged")
    result = verify_certificate(signed, registry, pki_dir)
    assert result.status is VerificationStatus.NOT_ACADEMY_SIGNATURE, result


def test_unsigned_and_unusable_files(issued) -> None:  # type: ignore[no-untyped-def]
    pki_dir, registry, _ = issued
    unsigned, _ = render_certificate(_content(new_certificate_id()))
    assert verify_certificate(unsigned, registry, pki_dir).status is \
        VerificationStatus.NOT_SIGNED
    garbage = verify_certificate(b"hello, not a pdf", registry, pki_dir)
    assert garbage.status is VerificationStatus.UNUSABLE and not garbage.status.usable_input
    assert "not a PDF" in garbage.message_en


# --- revoking: who may --------------------------------------------------------------------


@pytest.mark.parametrize("person", [
    Person("an", "Nguyễn Văn An", "learner"),
    Person("giang", "Đỗ Thị Giang", "trainer"),
    Person("cu", "Hồ Văn Cũ", "hr", status=AccountStatus.DEACTIVATED),
], ids=["learner", "trainer", "deactivated-hr"])
def test_only_active_admins_and_hr_may_revoke(person: Person, issued,  # type: ignore[no-untyped-def]
                                              registry_copy: Path) -> None:
    entry = load_registry(registry_copy)[0]
    with pytest.raises(RevocationRefused, match="only an active admin or HR officer"):
        revoke_certificate(registry_copy, entry.certificate_id, reason="x", by=person)
    assert not load_registry(registry_copy)[0].revoked


def test_revoking_needs_a_reason_and_a_known_id(registry_copy: Path) -> None:
    entry = load_registry(registry_copy)[0]
    with pytest.raises(CertificateError, match="reason"):
        revoke_certificate(registry_copy, entry.certificate_id, reason="  ", by=ADMIN)
    with pytest.raises(CertificateError, match="no certificate"):
        revoke_certificate(registry_copy, new_certificate_id(), reason="x", by=ADMIN)
    done = revoke_certificate(registry_copy, entry.certificate_id, reason="sai  tên", by=ADMIN)
    assert done.revoked and done.revocation_reason == "sai tên" and done.revoked_by == "quantri"


def test_a_damaged_registry_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "registry.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CertificateError, match="registry.json: line 1"):
        load_registry(tmp_path)


def test_a_certificate_still_verifies_after_the_signer_expired(issued) -> None:  # type: ignore[no-untyped-def]
    """Filed for years: the signature timestamp proves it was signed while the signer's
    certificate (825 days) was valid."""
    pki_dir, registry, pdfs = issued
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=900)
    result = verify_certificate(pdfs["thang"], registry, pki_dir, now=later)
    assert result.status is VerificationStatus.VALID, result


def test_without_a_list_the_learner_s_reached_levels_are_shown(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record = dataclasses.replace(TUYET, competencies=(("edoc.handling", 2),))
    [made] = issue_for_completed([record], tmp_path / "registry", IssueOptions(pki_dir=issued[0]))
    entry = find_certificate(tmp_path / "registry", made.certificate_id)
    assert entry is not None and entry.competencies == (("edoc.handling", 2),)
    text = " ".join(_text((tmp_path / "registry" / entry.pdf_file).read_bytes()).split())
    assert "Xử lý văn bản đến, văn bản đi" in text and "mức 2 (Cơ bản)" in text
    assert "Ký số và kiểm tra" not in text


def test_the_qr_code_draws_exactly_the_verification_address_s_modules() -> None:
    import segno

    from grading.certificate_pdf import qr_code

    class Recorder:
        def __init__(self) -> None:
            self.rects: list[tuple[float, float, float, float]] = []

        def set_fill_color(self, *_: int) -> None:
            pass

        def rect(self, x: float, y: float, w: float, h: float, style: str) -> None:
            assert style == "F"
            self.rects.append((x, y, w, h))

    url = "https://hocvien.example.gov.vn/verify/7K3M-Q9TZ-R2XA"
    expected = [list(row) for row in segno.make_qr(url, error="m").matrix]
    recorder = Recorder()
    qr_code(recorder, url, 10.0, 20.0, 33.0)  # type: ignore[arg-type]
    module = 33.0 / len(expected)
    drawn = [[0] * len(expected) for _ in expected]
    for x, y, w, _ in recorder.rects:
        row, first = round((y - 20.0) / module), round((x - 10.0) / module)
        for column in range(first, first + round((w - 0.01) / module)):
            drawn[row][column] = 1
    assert drawn == expected


def test_a_course_no_longer_completed_withdraws_its_certificate(registry_copy: Path) -> None:
    """A regrade below the pass mark (or an override to "no"): the learner's valid
    certificate is revoked with the reason; the other learners' stay valid."""
    from grading.certificates import load_registry, withdraw_uncompleted

    regraded = dataclasses.replace(TUYET, passed=False, completion_date=None, score=9,
                                   modules_completed=1, modules_total=1, overridden=False)
    # a module added to the course since (not graded yet) withdraws nothing
    grown = dataclasses.replace(DUC, passed=False, completion_date=None,
                                modules_completed=1, modules_total=2, overridden=False)
    assert withdraw_uncompleted([grown], registry_copy, reason="x", by="y") == []
    withdrawn = withdraw_uncompleted([regraded, DUC], registry_copy,
                                     reason="Chấm lại: chưa đạt", by="academy (grading)")
    assert [(c.username, c.revocation_reason, c.revoked_by) for c in withdrawn] == [
        ("tuyet", "Chấm lại: chưa đạt", "academy (grading)")]
    state = {c.username: c.revoked for c in load_registry(registry_copy)}
    assert state == {"tuyet": True, "thang": False}
    # once withdrawn, nothing more to withdraw
    assert withdraw_uncompleted([regraded], registry_copy, reason="x", by="y") == []
