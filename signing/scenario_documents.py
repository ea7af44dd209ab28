"""The verification practice corpus: one signed official document per outcome a learner must
recognise, made once per installation from the sandbox PKI and put in every learner's inbox.

Each case is a real PAdES B-T signature on the same base document, with two timestamps by
the sandbox TSA: a content timestamp (the signature was made after it) and the signature
timestamp (the signature existed before it). The only difference a learner can find is the
one the case is about:

- VALID: signed by an official of a (fictitious) agency, certificate from the sandbox CA;
- TAMPERED: after signing, two digits of the page text were swapped in the file itself (the
  signed bytes changed, the signature did not): the digest no longer matches;
- REVOKED: the signer's certificate was revoked (keyCompromise: a lost token) days before
  the signature; the caller publishes the revocation in the sandbox CRL and OCSP;
- EXPIRED: the certificate's validity ended before the signature was made;
- UNTRUSTED: a self-made, self-signed certificate naming a plausible official: it does not
  lead to the sandbox root;
- CONTENT_CHANGED_LATER: a later incremental update adds a line to the page (a bank account
  for a transfer): the signed revision is intact, but what is shown is not what was signed;
- FORM_FILLED_LATER: the document has a text field ("receipt" note) before signing; a later
  incremental update fills it in, which pyhanko's difference analysis allows (form filling).

The certificates the sandbox CA issued here (all but the self-signed one) and the revocation
are returned, so that the e-office records them and its CRL and OCSP answer for them.
Everything but the keys, serial numbers and times is fixed; the names are fictitious.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, BoxConstraints, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign.ades.api import CAdESSignedAttrSpec
from pyhanko.sign.signers.pdf_cms import CAdESSignedAttributeProviderSpec, PdfCMSSignedAttributes
from pyhanko.stamp import TextStamp, TextStampStyle

from signing.authority import (
    PrivateKey,
    Revocation,
    RevocationReason,
    Subject,
    new_key,
)
from signing.pdf_signing import (
    VIETNAM,
    Appearance,
    EmbeddedFont,
    Placement,
    SignatureRole,
    sign_pdf,
    signer_from_key,
    timestamper_from_key,
)
from signing.training_pki import TrainingPki
from signing.verification import Indication, Modification

SIGNATURE_FIELD = "ChuKySo"  # the signature field of every case
RECEIPT_FIELD = "TiepNhan"  # FORM_FILLED_LATER's text field, filled after signing

# where the later additions go on the first page (PDF points from the bottom left): the top
# and bottom margins of Decree 30's layout (20 mm each), which the document leaves blank
RECEIPT_BOX = (292.0, 790.0, 552.0, 810.0)
ADDED_LINE_AT = (85.0, 18.0)
ADDED_LINE = ("Đề nghị chuyển toàn bộ kinh phí vào tài khoản số 1903 6868 2468\n"
              "tại Ngân hàng TMCP Thực Hành, chủ tài khoản: Công ty TNHH Dịch vụ Nhanh.")


class SignatureCase(StrEnum):
    """What a practice document shows (the answer key)."""

    VALID = "valid"
    TAMPERED = "tampered"
    REVOKED = "revoked"
    EXPIRED = "expired"
    UNTRUSTED = "untrusted"
    CONTENT_CHANGED_LATER = "content_changed_later"
    FORM_FILLED_LATER = "form_filled_later"


@dataclass(frozen=True)
class _CaseInfo:
    title_vi: str
    title_en: str
    signer: Subject
    indication: Indication
    sub_indication: str | None
    modification: Modification


# The verdicts: ETSI EN 319 102-1 validation with time (5.5), as pyhanko implements it, with
# the sandbox root trusted and the sandbox CRLs at hand (tests/signing/ checks every one).
# Every signature carries a content timestamp (proof it was made *after* a time) and a
# signature timestamp (proof it existed *before* a time):
# - REVOKED: the content timestamp proves the signature was made after the revocation:
#   TOTAL_FAILED/REVOKED (with only a signature timestamp it would be
#   INDETERMINATE/REVOKED_NO_POE: nothing would prove it was not made before);
# - EXPIRED: the content timestamp is after the certificate's expiry: INDETERMINATE/EXPIRED
#   (EN 319 102-1 v1.3 lists EXPIRED among the INDETERMINATE sub-indications);
# - UNTRUSTED: pyhanko's path builder refuses a self-signed end-entity certificate that is
#   not a trust anchor as an invalid certificate: CHAIN_CONSTRAINTS_FAILURE (a certificate
#   from an unknown CA gives NO_CERTIFICATE_CHAIN_FOUND); both INDETERMINATE, both "not
#   trusted" for the learner;
# - CONTENT_CHANGED_LATER: the signed revision is intact, pyhanko's difference analysis
#   classes the later revision as "other"; signing.verification reports it as TOTAL_FAILED
#   with its own CONTENT_MODIFIED_AFTER_SIGNING.
_CASES: dict[SignatureCase, _CaseInfo] = {
    SignatureCase.VALID: _CaseInfo(
        "Chữ ký số hợp lệ", "Valid signature",
        Subject("Lê Minh Tuấn", "Sở Nội vụ tỉnh Phú Thọ", "Phú Thọ", title="Phó Giám đốc"),
        Indication.TOTAL_PASSED, None, Modification.NONE),
    SignatureCase.TAMPERED: _CaseInfo(
        "Văn bản bị sửa sau khi ký", "Document altered after signing",
        Subject("Phạm Thị Lan Anh", "Sở Tài chính tỉnh Lâm Đồng", "Lâm Đồng",
                title="Giám đốc"),
        Indication.TOTAL_FAILED, "HASH_FAILURE", Modification.NONE),
    SignatureCase.REVOKED: _CaseInfo(
        "Chứng thư số đã bị thu hồi trước khi ký", "Certificate revoked before signing",
        Subject("Hoàng Văn Bình", "Văn phòng Ủy ban nhân dân tỉnh Thái Nguyên",
                "Thái Nguyên", title="Chánh Văn phòng"),
        Indication.TOTAL_FAILED, "REVOKED", Modification.NONE),
    SignatureCase.EXPIRED: _CaseInfo(
        "Chứng thư số đã hết hạn khi ký", "Certificate expired when signing",
        Subject("Đỗ Thị Mai", "Sở Xây dựng tỉnh Gia Lai", "Gia Lai",
                title="Trưởng phòng Hành chính"),
        Indication.INDETERMINATE, "EXPIRED", Modification.NONE),
    SignatureCase.UNTRUSTED: _CaseInfo(
        "Chứng thư số tự tạo, không do tổ chức chứng thực tin cậy cấp",
        "Self-made certificate, not issued by a trusted authority",
        Subject("Nguyễn Văn Hùng", "Sở Nội vụ tỉnh Khánh Hòa", "Khánh Hòa", title="Giám đốc"),
        Indication.INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE", Modification.NONE),
    SignatureCase.CONTENT_CHANGED_LATER: _CaseInfo(
        "Nội dung bị thêm vào sau khi ký", "Content added after signing",
        Subject("Vũ Quốc Khánh", "Văn phòng Ủy ban nhân dân tỉnh Đồng Nai", "Đồng Nai",
                title="Phó Chánh Văn phòng"),
        Indication.TOTAL_FAILED, "CONTENT_MODIFIED_AFTER_SIGNING", Modification.CONTENT),
    SignatureCase.FORM_FILLED_LATER: _CaseInfo(
        "Điền biểu mẫu sau khi ký (thay đổi được phép)",
        "Form filled in after signing (an allowed change)",
        Subject("Bùi Thị Hồng Nhung", "Sở Giáo dục và Đào tạo tỉnh Quảng Ninh", "Quảng Ninh",
                title="Phó Giám đốc"),
        Indication.TOTAL_PASSED, None, Modification.FORM_FILLING),
}


@dataclass(frozen=True)
class ScenarioDocument:
    case: SignatureCase
    pdf: bytes
    title_vi: str  # the answer key, in a few words
    title_en: str
    expected_indication: Indication
    expected_sub_indication: str | None
    expected_modification: Modification
    signer_certificate: x509.Certificate


@dataclass(frozen=True)
class ScenarioSet:
    documents: Mapping[SignatureCase, ScenarioDocument]
    # issued by the sandbox issuing CA (the e-office records them, so OCSP can answer for
    # them); the UNTRUSTED case's self-signed certificate is only in its document
    certificates: tuple[x509.Certificate, ...]
    # to publish in the issuing CA's CRL and OCSP answers
    revocations: tuple[Revocation, ...]

    def __getitem__(self, case: SignatureCase) -> ScenarioDocument:
        return self.documents[case]

    def __iter__(self) -> Iterator[ScenarioDocument]:
        return iter(self.documents.values())


def make_scenario_documents(pki: TrainingPki, base_pdf: bytes, *, font_file: Path,
                            now: dt.datetime, placement: Placement | None = None
                            ) -> ScenarioSet:
    """Sign `base_pdf` once per case (see the module's docstring).

    `now` is the current time: certificate validity and the revocation date are placed
    around it, and the sandbox TSA timestamps the signatures at the time they are made.
    `font_file` (a TrueType font with Vietnamese glyphs) writes the later additions; with a
    `placement`, the signatures are visible there (Decree 30 appearance), else invisible.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    chain = [pki.issuing.certificate, pki.root.certificate]
    timestamper = timestamper_from_key(pki.tsa_key, pki.tsa_certificate, chain)
    issued: list[x509.Certificate] = []
    revocations: list[Revocation] = []
    documents: dict[SignatureCase, ScenarioDocument] = {}

    def issue(case: SignatureCase, not_before: dt.datetime, not_after: dt.datetime
              ) -> tuple[PrivateKey, x509.Certificate]:
        key = new_key()
        certificate = pki.issuing.issue(_CASES[case].signer.to_x509(), key.public_key(),
                                        not_before=not_before, not_after=not_after)
        issued.append(certificate)
        return key, certificate

    def sign(case: SignatureCase, pdf: bytes, key: PrivateKey,
             certificate: x509.Certificate, signer_chain: list[x509.Certificate]) -> bytes:
        appearance = None if placement is None else Appearance(
            role=SignatureRole.PERSONAL, holder=_CASES[case].signer.full_name,
            placement=placement, font_file=font_file)
        signer = signer_from_key(key, certificate, signer_chain)
        # a content timestamp (signed attribute, allowed by PAdES baseline): proof of when the
        # signature was made at the earliest, which is what turns "revoked / expired, and
        # nothing proves the signature came before" into "signed after the revocation /
        # the expiry"; the usual signature timestamp proves when it existed at the latest
        signer.signed_attr_prov_spec = CAdESSignedAttributeProviderSpec(
            attr_settings=PdfCMSSignedAttributes(
                cades_signed_attrs=CAdESSignedAttrSpec(timestamp_content=True)),
            signing_cert=signer.signing_cert, is_pades=True, timestamper=timestamper)
        return sign_pdf(pdf, signer, field_name=SIGNATURE_FIELD, appearance=appearance,
                        timestamper=timestamper, now=now)

    def add(case: SignatureCase, pdf: bytes, certificate: x509.Certificate) -> None:
        info = _CASES[case]
        documents[case] = ScenarioDocument(case, pdf, info.title_vi, info.title_en,
                                           info.indication, info.sub_indication,
                                           info.modification, certificate)

    current = (now - dt.timedelta(days=30), now + dt.timedelta(days=730))

    key, certificate = issue(SignatureCase.VALID, *current)
    add(SignatureCase.VALID, sign(SignatureCase.VALID, base_pdf, key, certificate, chain),
        certificate)

    key, certificate = issue(SignatureCase.TAMPERED, *current)
    signed = sign(SignatureCase.TAMPERED, _with_plain_page_content(base_pdf), key,
                  certificate, chain)
    add(SignatureCase.TAMPERED, _swap_two_digits(signed), certificate)

    key, certificate = issue(SignatureCase.REVOKED, now - dt.timedelta(days=180),
                             now + dt.timedelta(days=550))
    revocations.append(Revocation(certificate.serial_number,
                                  (now - dt.timedelta(days=3)).replace(microsecond=0),
                                  RevocationReason.KEY_COMPROMISE))
    add(SignatureCase.REVOKED, sign(SignatureCase.REVOKED, base_pdf, key, certificate, chain),
        certificate)

    key, certificate = issue(SignatureCase.EXPIRED, now - dt.timedelta(days=740),
                             now - dt.timedelta(days=10))
    add(SignatureCase.EXPIRED, sign(SignatureCase.EXPIRED, base_pdf, key, certificate, chain),
        certificate)

    key = new_key()
    certificate = _self_signed(_CASES[SignatureCase.UNTRUSTED].signer, key, *current)
    add(SignatureCase.UNTRUSTED,
        sign(SignatureCase.UNTRUSTED, base_pdf, key, certificate, []), certificate)

    key, certificate = issue(SignatureCase.CONTENT_CHANGED_LATER, *current)
    signed = sign(SignatureCase.CONTENT_CHANGED_LATER, base_pdf, key, certificate, chain)
    add(SignatureCase.CONTENT_CHANGED_LATER, _add_line(signed, font_file), certificate)

    key, certificate = issue(SignatureCase.FORM_FILLED_LATER, *current)
    signed = sign(SignatureCase.FORM_FILLED_LATER, _with_text_field(base_pdf), key,
                  certificate, chain)
    receipt = (f"Đã tiếp nhận: số đến 125, ngày "
               f"{now.astimezone(VIETNAM):%d/%m/%Y} - Văn thư")
    add(SignatureCase.FORM_FILLED_LATER, _fill_text_field(signed, receipt, font_file),
        certificate)

    return ScenarioSet({case: documents[case] for case in SignatureCase}, tuple(issued),
                       tuple(revocations))


def _self_signed(subject: Subject, key: PrivateKey, not_before: dt.datetime,
                 not_after: dt.datetime) -> x509.Certificate:
    """What anyone can make with a few commands: a certificate naming an official, signed
    by its own key."""
    name = subject.to_x509()
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))


# --- incremental updates ------------------------------------------------------------------


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)


def _written(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _first_page(writer: IncrementalPdfFileWriter) -> tuple[generic.DictionaryObject,
                                                             generic.IndirectObject]:
    page_ref = writer.find_page_for_modification(0)[0]
    return page_ref.get_object(), page_ref


def _with_plain_page_content(pdf: bytes) -> bytes:
    """`pdf` with the first page's content in one uncompressed stream (same drawing), so
    that a byte of its text can later be changed in place."""
    writer = _writer(pdf)
    page, page_ref = _first_page(writer)
    contents = page['/Contents']
    streams = contents if isinstance(contents, generic.ArrayObject) else [contents]
    data = b"\n".join(stream.get_object().data for stream in streams)
    page[pdf_name('/Contents')] = writer.add_object(generic.StreamObject(stream_data=data))
    writer.mark_update(page_ref)
    return _written(writer)


_FONT_SELECTION = re.compile(rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf")
_LITERAL = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", re.S)
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>")
_ESCAPE_LENGTH = re.compile(rb"\\(?:[0-7]{1,3}|.)", re.S)


def _swap_two_digits(signed: bytes) -> bytes:
    """Change the signed bytes without touching the signature: in the first page's
    (uncompressed, see `_with_plain_page_content`) content, swap two different digits of the
    first text that has some, e.g. a document number 125/... becomes 215/... Digits have the
    same width, so the page looks untouched but for the number."""
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    page = reader.root['/Pages']['/Kids'][0].get_object()
    stream = page['/Contents'].get_object()
    if isinstance(stream, generic.ArrayObject) or '/Filter' in stream:
        raise ValueError("the first page's content is not one uncompressed stream")
    content = stream.data
    where = signed.find(content)
    if where < 0:
        raise ValueError("the page content is not stored as is in the file")
    digits = {name: _digit_codes(font.get_object())
              for name, font in page['/Resources']['/Font'].items()}
    font = None
    for match in re.finditer(_FONT_SELECTION.pattern + rb"|" + _LITERAL.pattern, content,
                             re.S):
        if match.group(1) is not None:
            font = '/' + match.group(1).decode('latin-1')
            continue
        raw_start = match.start(2)
        swapped = _swap_in_literal(match.group(2), digits.get(font, {}))
        if swapped is not None:
            at = where + raw_start
            return signed[:at] + swapped + signed[at + len(swapped):]
    raise ValueError("the first page shows no text with two different digits")


def _digit_codes(font: generic.DictionaryObject) -> dict[bytes, str]:
    """The 2-byte character codes of a (Type0, Identity-H) font that show a digit."""
    if '/ToUnicode' not in font:
        return {}
    cmap = font['/ToUnicode'].get_object().data
    codes = {}
    for code, unicode in _BFCHAR.findall(cmap):
        char = chr(int(unicode, 16))
        if char.isascii() and char.isdigit():
            codes[bytes.fromhex(code.decode())] = char
    return codes


def _swap_in_literal(raw: bytes, digit_codes: dict[bytes, str]) -> bytes | None:
    """`raw` (a literal string's bytes as written, escapes included) with its first two
    different digits swapped, or None. Each 2-byte code is moved with its escapes, so the
    length does not change."""
    units: list[tuple[int, int]] = []  # (start, end) in raw of each decoded byte
    decoded = bytearray()
    index = 0
    while index < len(raw):
        escape = _ESCAPE_LENGTH.match(raw, index)
        end = escape.end() if escape else index + 1
        decoded.append(_unescape(raw[index:end]))
        units.append((index, end))
        index = end
    codes = [(bytes(decoded[i:i + 2]), units[i][0], units[i + 1][1])
             for i in range(0, len(decoded) - 1, 2)]
    first = next((c for c in codes if c[0] in digit_codes), None)
    if first is None:
        return None
    second = next((c for c in codes if c[0] in digit_codes
                   and digit_codes[c[0]] != digit_codes[first[0]]), None)
    if second is None:
        return None
    if second[1] < first[1]:
        first, second = second, first
    (_, a_start, a_end), (_, b_start, b_end) = first, second
    return (raw[:a_start] + raw[b_start:b_end] + raw[a_end:b_start] + raw[a_start:a_end]
            + raw[b_end:])


def _unescape(token: bytes) -> int:
    if not token.startswith(b"\\"):
        return token[0]
    body = token[1:]
    if body[:1].isdigit():
        return int(body, 8) & 0xFF
    return {b"n": 10, b"r": 13, b"t": 9, b"b": 8, b"f": 12}.get(body, body[0])


def _text_stamp(writer: IncrementalPdfFileWriter, text: str, font_file: Path, *,
                font_size: int, width: int | None = None, height: int | None = None
                ) -> TextStamp:
    """`text` in `font_file` as a form XObject (pyhanko lays it out and embeds the font)."""
    engine = EmbeddedFont(str(font_file), font_size=font_size)
    style = TextStampStyle(
        stamp_text=text.replace("%", "%%"),
        text_box_style=TextBoxStyle(
            font=engine, font_size=font_size, leading=font_size + 2,
            box_layout_rule=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN,
                                                y_align=AxisAlignment.ALIGN_MIN,
                                                margins=Margins(0, 0, 0, 0))),
        inner_content_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN,
                                                 y_align=AxisAlignment.ALIGN_MID,
                                                 margins=Margins(2, 2, 2, 2)),
        border_width=0,
    )
    box = BoxConstraints(width=width, height=height) if width and height else None
    return TextStamp(writer, style, box=box)


def _add_line(signed: bytes, font_file: Path) -> bytes:
    """A later revision that draws one more line on the first page."""
    writer = _writer(signed)
    stamp = _text_stamp(writer, ADDED_LINE, font_file, font_size=11)
    stamp.apply(0, *ADDED_LINE_AT)
    return _written(writer)


def _with_text_field(pdf: bytes) -> bytes:
    """`pdf` with an empty text field (widget in the top margin of the first page)."""
    writer = _writer(pdf)
    page, page_ref = _first_page(writer)
    x1, y1, x2, y2 = RECEIPT_BOX
    empty = writer.add_object(generic.StreamObject({
        pdf_name('/Type'): pdf_name('/XObject'), pdf_name('/Subtype'): pdf_name('/Form'),
        pdf_name('/BBox'): generic.ArrayObject(
            generic.FloatObject(v) for v in (0, 0, x2 - x1, y2 - y1)),
        pdf_name('/Resources'): generic.DictionaryObject(),
    }, stream_data=b""))
    field_ref = writer.add_object(generic.DictionaryObject({
        pdf_name('/Type'): pdf_name('/Annot'),
        pdf_name('/Subtype'): pdf_name('/Widget'),
        pdf_name('/FT'): pdf_name('/Tx'),
        pdf_name('/T'): pdf_string(RECEIPT_FIELD),
        pdf_name('/TU'): pdf_string("Ghi chú tiếp nhận của văn thư"),
        pdf_name('/Rect'): generic.ArrayObject(generic.FloatObject(v) for v in RECEIPT_BOX),
        pdf_name('/F'): generic.NumberObject(4),  # printed
        pdf_name('/P'): page_ref,
        pdf_name('/DA'): pdf_string("/Helv 9 Tf 0 g"),
        pdf_name('/AP'): generic.DictionaryObject({pdf_name('/N'): empty}),
    }))
    annots = page.get('/Annots')
    if annots is None:
        page[pdf_name('/Annots')] = generic.ArrayObject([field_ref])
        writer.mark_update(page_ref)
    else:
        annots.append(field_ref)
        raw = page.raw_get('/Annots')
        writer.mark_update(raw if isinstance(raw, generic.IndirectObject) else page_ref)
    root = writer.root
    if '/AcroForm' in root:
        form = root['/AcroForm']
        form['/Fields'].append(field_ref)
        raw_fields = form.raw_get('/Fields')
        raw_form = root.raw_get('/AcroForm')
        if isinstance(raw_fields, generic.IndirectObject):
            writer.mark_update(raw_fields)
        elif isinstance(raw_form, generic.IndirectObject):
            writer.mark_update(raw_form)
        else:
            writer.update_root()
    else:
        helvetica = generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Font'), pdf_name('/Subtype'): pdf_name('/Type1'),
            pdf_name('/BaseFont'): pdf_name('/Helvetica'),
            pdf_name('/Encoding'): pdf_name('/WinAnsiEncoding')})
        root[pdf_name('/AcroForm')] = writer.add_object(generic.DictionaryObject({
            pdf_name('/Fields'): generic.ArrayObject([field_ref]),
            pdf_name('/DA'): pdf_string("/Helv 9 Tf 0 g"),
            pdf_name('/DR'): generic.DictionaryObject({pdf_name('/Font'): generic.DictionaryObject(
                {pdf_name('/Helv'): writer.add_object(helvetica)})}),
        }))
        writer.update_root()
    return _written(writer)


def _fill_text_field(signed: bytes, value: str, font_file: Path) -> bytes:
    """A later revision that fills the text field in: its value and a new appearance."""
    writer = _writer(signed)
    field_ref = next(ref for ref in writer.root['/AcroForm']['/Fields']
                     if ref.get_object().get('/T') == RECEIPT_FIELD)
    field = field_ref.get_object()
    x1, y1, x2, y2 = (float(v) for v in field['/Rect'])
    stamp = _text_stamp(writer, value, font_file, font_size=9, width=round(x2 - x1),
                        height=round(y2 - y1))
    field[pdf_name('/V')] = pdf_string(value)
    field[pdf_name('/AP')] = stamp.as_appearances().as_pdf_object()
    writer.mark_update(field_ref)
    return _written(writer)

