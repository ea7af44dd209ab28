"""Official documents (văn bản hành chính) as PDF, laid out as Decree 30/2020/NĐ-CP prescribes.

Nghị định 30/2020/NĐ-CP về công tác văn thư, Phụ lục I (thể thức, kỹ thuật trình bày):

- A4 paper, margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times New Roman (here the
  metric-compatible Liberation Serif, embedded in the PDF);
- a two-column header: on the left the superior agency (regular capitals) above the issuing
  agency (bold capitals) with a short rule under it, then "Số: ..." and, for a Công văn, the
  summary "V/v ..." in small type; on the right the national title (Quốc hiệu, bold capitals)
  above the motto (Tiêu ngữ, bold) with a rule as long as it, then the place and date in
  italics, days below 10 and months 1-2 written with two digits;
- for every type but a Công văn, the type name (bold capitals) and the summary (bold), centred;
- the body in 14 pt, justified, each paragraph's first line indented by 10 mm;
- at the bottom, "Nơi nhận:" (bold italic 12 pt) and the recipients (11 pt) on the left, the
  signer's authority and title (bold capitals), the signature space and the signer's name
  (bold) on the right;
- pages after the first are numbered at the top, centred.

The output is deterministic: the PDF's creation date comes from the issue date (or 1 January of
the draft's year), and fpdf2 derives the file identifier from the content and that date.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from common.clock import VIETNAM_TZ, vietnam_now

__all__ = [
    "FONT_DIR",
    "OfficialDocumentLayout",
    "format_place_and_date",
    "render_official_document",
]

FONT_DIR = Path(__file__).parent / "fonts"
FONT_FAMILY = "LiberationSerif"
_FONT_FILES = {
    "": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
    "I": "LiberationSerif-Italic.ttf",
    "BI": "LiberationSerif-BoldItalic.ttf",
}
CREATOR = "Sandbox e-office (Digital Civil Service Academy)"

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

MARGIN_TOP = 20.0
MARGIN_BOTTOM = 20.0
MARGIN_LEFT = 30.0
MARGIN_RIGHT = 15.0
PAGE_WIDTH = 210.0
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
LEFT_COLUMN_WIDTH = 68.0
RIGHT_COLUMN_WIDTH = CONTENT_WIDTH - LEFT_COLUMN_WIDTH
RIGHT_COLUMN_X = MARGIN_LEFT + LEFT_COLUMN_WIDTH

BODY_SIZE = 14.0
FIRST_LINE_INDENT = 10.0
PARAGRAPH_SPACING = 6 * 25.4 / 72  # 6 pt between paragraphs
SIGNATURE_SPACE = 25.0
_PT = 25.4 / 72
_LINE_FACTOR = 1.2


@dataclass(frozen=True)
class OfficialDocumentLayout:
    """What an official document shows, in the places Decree 30 puts them."""

    agency: str
    superior_agency: str | None
    number_symbol: str
    place: str
    issued_on: date | None
    document_type: str
    summary: str
    body: str
    signer_name: str
    signer_title: str
    signer_authority: str | None = None
    recipients: tuple[str, ...] = ()
    urgency: str | None = None
    confidentiality: str | None = None
    draft: bool = False
    draft_year: int | None = None
    signature_placeholder: str | None = None


class _OfficialPdf(FPDF):
    """An A4 page with Decree 30's margins; pages after the first numbered at the top."""

    signature_space: SignatureSpace

    def header(self) -> None:
        if self.page_no() < 2:
            return
        self.set_font(FONT_FAMILY, "", 13)
        self.set_xy(MARGIN_LEFT, 8.0)
        self.cell(CONTENT_WIDTH, _line_height(13), str(self.page_no()), align=Align.C)
        self.set_xy(MARGIN_LEFT, MARGIN_TOP)


@dataclass(frozen=True)
class SignatureSpace:
    """The signature space between the signer's title and name, in PDF points from the
    page's bottom left (where a digital signature's appearance goes)."""

    page: int  # 0-based
    box: tuple[float, float, float, float]


def render_official_document(layout: OfficialDocumentLayout) -> bytes:
    """The document as PDF bytes (fonts embedded, same input gives the same bytes)."""
    return render_with_signature_space(layout)[0]


def render_with_signature_space(layout: OfficialDocumentLayout) -> tuple[bytes, SignatureSpace]:
    """The document, and where its signature space is."""
    pdf = _new_pdf(layout)
    if layout.draft:
        _draw_draft_mark(pdf)
    _draw_header(pdf, layout)
    if not _is_cong_van(layout.document_type):
        _draw_title(pdf, layout)
    _draw_body(pdf, layout.body)
    _draw_closing(pdf, layout)
    return bytes(pdf.output()), pdf.signature_space


# --- text helpers ---------------------------------------------------------------------------


def _nfc(text: str) -> str:
    """Precomposed Vietnamese letters (the fonts have them; combining marks render badly)."""
    return unicodedata.normalize("NFC", text)


def _line_height(size_pt: float) -> float:
    return size_pt * _PT * _LINE_FACTOR


def _is_cong_van(document_type: str) -> bool:
    return _nfc(document_type).strip().casefold() == "công văn"


def _document_year(layout: OfficialDocumentLayout) -> int:
    if layout.issued_on is not None:
        return layout.issued_on.year
    if layout.draft_year is not None:
        return layout.draft_year
    return vietnam_now().year


def format_place_and_date(place: str, issued_on: date | None, year: int) -> str:
    """"Phú Thọ, ngày 05 tháng 01 năm 2026"; blanks for the day and month when not issued."""
    if issued_on is None:
        return f"{_nfc(place)}, ngày     tháng     năm {year}"
    day = f"{issued_on.day:02d}"
    month = f"{issued_on.month:02d}" if issued_on.month <= 2 else str(issued_on.month)
    return f"{_nfc(place)}, ngày {day} tháng {month} năm {issued_on.year}"


def _cong_van_summary(summary: str) -> str:
    text = _nfc(summary).strip()
    return text if text.casefold().startswith("v/v") else f"V/v {text}"


def _paragraphs(body: str) -> list[str]:
    """Paragraphs are separated by blank lines; line breaks inside one are spaces."""
    chunks = re.split(r"\n\s*\n", _nfc(body))
    return [" ".join(chunk.split()) for chunk in chunks if chunk.strip()]


def _recipient_lines(recipients: tuple[str, ...]) -> list[str]:
    """"- X;" each, the last one (usually "Lưu: VT, ...") ending with a full stop."""
    names = [_nfc(r).strip().lstrip("-").strip().rstrip(";.").strip() for r in recipients]
    names = [name for name in names if name]
    return [
        f"- {name}{'.' if index == len(names) - 1 else ';'}" for index, name in enumerate(names)
    ]


# --- drawing --------------------------------------------------------------------------------


def _new_pdf(layout: OfficialDocumentLayout) -> _OfficialPdf:
    pdf = _OfficialPdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_BOTTOM)
    pdf.c_margin = 0
    for style, filename in _FONT_FILES.items():
        pdf.add_font(FONT_FAMILY, style, str(FONT_DIR / filename))
    pdf.set_title(_nfc(layout.summary))
    pdf.set_author(_nfc(layout.agency))
    pdf.set_creator(CREATOR)
    pdf.set_lang("vi")
    pdf.set_creation_date(_creation_date(layout))
    pdf.add_page()
    return pdf


def _creation_date(layout: OfficialDocumentLayout) -> datetime:
    day = layout.issued_on or date(_document_year(layout), 1, 1)
    return datetime.combine(day, time(0, 0), tzinfo=VIETNAM_TZ)


def _centred_lines(
    pdf: FPDF, x: float, width: float, text: str, style: str, size: float
) -> float:
    """Write ``text`` centred in the column [x, x + width], wrapping; the widest line's width."""
    pdf.set_font(FONT_FAMILY, style, size)
    pdf.set_x(x)
    pdf.multi_cell(
        width, _line_height(size), text, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT
    )
    return min(pdf.get_string_width(text), width)


def _rule(pdf: FPDF, centre_x: float, length: float) -> None:
    """A solid horizontal rule centred on ``centre_x``, just under the current line."""
    y = pdf.get_y() + 0.6
    pdf.set_line_width(0.3)
    pdf.line(centre_x - length / 2, y, centre_x + length / 2, y)
    pdf.set_y(y + 1.5)


def _draw_draft_mark(pdf: FPDF) -> None:
    pdf.set_font(FONT_FAMILY, "B", 13)
    text = "DỰ THẢO"
    width = pdf.get_string_width(text) + 4
    pdf.set_xy(PAGE_WIDTH - MARGIN_RIGHT - width, MARGIN_TOP)
    pdf.cell(width, _line_height(13) + 1, text, border=1, align=Align.C)
    pdf.set_xy(MARGIN_LEFT, MARGIN_TOP + _line_height(13) + 3)


def _draw_header(pdf: FPDF, layout: OfficialDocumentLayout) -> None:
    top = pdf.get_y()
    left_bottom = _draw_agency_column(pdf, layout)
    pdf.set_y(top)
    right_bottom = _draw_national_column(pdf, layout)
    pdf.set_xy(MARGIN_LEFT, max(left_bottom, right_bottom) + 4)


def _draw_agency_column(pdf: FPDF, layout: OfficialDocumentLayout) -> float:
    x, width = MARGIN_LEFT, LEFT_COLUMN_WIDTH
    if layout.superior_agency:
        _centred_lines(pdf, x, width, _nfc(layout.superior_agency).upper(), "", 13)
    agency_width = _centred_lines(pdf, x, width, _nfc(layout.agency).upper(), "B", 13)
    _rule(pdf, x + width / 2, agency_width / 2)
    pdf.set_y(pdf.get_y() + 1.5)
    _centred_lines(pdf, x, width, f"Số: {_nfc(layout.number_symbol)}", "", 13)
    if _is_cong_van(layout.document_type):
        _centred_lines(pdf, x, width, _cong_van_summary(layout.summary), "", 12)
    if layout.confidentiality:
        pdf.set_y(pdf.get_y() + 1.5)
        _centred_lines(pdf, x, width, _nfc(layout.confidentiality).upper(), "B", 13)
    if layout.urgency:
        pdf.set_y(pdf.get_y() + 1.5)
        _boxed_centred(pdf, x, width, _nfc(layout.urgency).upper())
    return pdf.get_y()


def _boxed_centred(pdf: FPDF, x: float, width: float, text: str) -> None:
    pdf.set_font(FONT_FAMILY, "B", 13)
    box_width = min(pdf.get_string_width(text) + 4, width)
    pdf.set_x(x + (width - box_width) / 2)
    pdf.cell(
        box_width, _line_height(13) + 1, text, border=1, align=Align.C,
        new_x=XPos.LMARGIN, new_y=YPos.NEXT,
    )


def _draw_national_column(pdf: FPDF, layout: OfficialDocumentLayout) -> float:
    x, width = RIGHT_COLUMN_X, RIGHT_COLUMN_WIDTH
    _centred_lines(pdf, x, width, NATIONAL_TITLE, "B", 12)
    motto_width = _centred_lines(pdf, x, width, MOTTO, "B", 13)
    _rule(pdf, x + width / 2, motto_width)
    pdf.set_y(pdf.get_y() + 2)
    place_and_date = format_place_and_date(
        layout.place, layout.issued_on, _document_year(layout)
    )
    _centred_lines(pdf, x, width, place_and_date, "I", 13)
    return pdf.get_y()


def _draw_title(pdf: FPDF, layout: OfficialDocumentLayout) -> None:
    pdf.set_y(pdf.get_y() + 2)
    _centred_lines(pdf, MARGIN_LEFT, CONTENT_WIDTH, _nfc(layout.document_type).upper(), "B", 14)
    summary_width = _centred_lines(pdf, MARGIN_LEFT, CONTENT_WIDTH, _nfc(layout.summary), "B", 14)
    _rule(pdf, MARGIN_LEFT + CONTENT_WIDTH / 2, max(summary_width * 0.4, 20.0))
    pdf.set_y(pdf.get_y() + 3)


def _draw_body(pdf: FPDF, body: str) -> None:
    pdf.set_font(FONT_FAMILY, "", BODY_SIZE)
    pdf.set_x(MARGIN_LEFT)
    with pdf.text_columns(
        text_align=Align.J, line_height=_LINE_FACTOR, skip_leading_spaces=True
    ) as columns:
        for text in _paragraphs(body):
            with columns.paragraph(
                first_line_indent=FIRST_LINE_INDENT, bottom_margin=PARAGRAPH_SPACING
            ) as paragraph:
                paragraph.write(text)
    pdf.set_x(MARGIN_LEFT)


def _draw_closing(pdf: FPDF, layout: OfficialDocumentLayout) -> None:
    """Recipients on the left, the signer on the right, on the same page."""
    recipients = _recipient_lines(layout.recipients)
    signer = _signer_lines(layout)
    needed = max(_recipients_height(pdf, recipients), _signer_height(pdf, signer))
    pdf.set_y(pdf.get_y() + 3)
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    left_bottom = _draw_recipients(pdf, recipients)
    pdf.set_y(top)
    right_bottom = _draw_signer(pdf, layout, signer)
    pdf.set_xy(MARGIN_LEFT, max(left_bottom, right_bottom))


def _signer_lines(layout: OfficialDocumentLayout) -> list[str]:
    lines = [_nfc(layout.signer_authority).upper()] if layout.signer_authority else []
    return [*lines, _nfc(layout.signer_title).upper()]


def _wrapped_height(pdf: FPDF, width: float, text: str, style: str, size: float) -> float:
    pdf.set_font(FONT_FAMILY, style, size)
    lines = pdf.multi_cell(width, _line_height(size), text, dry_run=True, output="LINES")
    return len(lines) * _line_height(size)


def _recipients_height(pdf: FPDF, recipients: list[str]) -> float:
    heading = _line_height(12)
    return heading + sum(_wrapped_height(pdf, LEFT_COLUMN_WIDTH, r, "", 11) for r in recipients)


def _signer_height(pdf: FPDF, signer: list[str]) -> float:
    titles = sum(_wrapped_height(pdf, RIGHT_COLUMN_WIDTH, line, "B", 14) for line in signer)
    return titles + SIGNATURE_SPACE + _line_height(14)


def _draw_recipients(pdf: FPDF, recipients: list[str]) -> float:
    if not recipients:
        return pdf.get_y()
    pdf.set_font(FONT_FAMILY, "BI", 12)
    pdf.set_x(MARGIN_LEFT)
    pdf.cell(LEFT_COLUMN_WIDTH, _line_height(12), "Nơi nhận:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", 11)
    for line in recipients:
        pdf.set_x(MARGIN_LEFT)
        pdf.multi_cell(
            LEFT_COLUMN_WIDTH, _line_height(11), line, align=Align.L,
            new_x=XPos.LMARGIN, new_y=YPos.NEXT,
        )
    return pdf.get_y()


def _draw_signer(pdf: FPDF, layout: OfficialDocumentLayout, signer: list[str]) -> float:
    x, width = RIGHT_COLUMN_X, RIGHT_COLUMN_WIDTH
    for line in signer:
        _centred_lines(pdf, x, width, line, "B", 14)
    space_top = pdf.get_y()
    points = 72 / 25.4
    height = pdf.h
    pdf.signature_space = SignatureSpace(pdf.page_no() - 1, (
        x * points, (height - space_top - SIGNATURE_SPACE) * points,
        (x + width) * points, (height - space_top) * points))
    if layout.signature_placeholder:
        pdf.set_y(space_top + (SIGNATURE_SPACE - _line_height(13)) / 2)
        _centred_lines(pdf, x, width, _nfc(layout.signature_placeholder), "I", 13)
    pdf.set_y(space_top + SIGNATURE_SPACE)
    _centred_lines(pdf, x, width, _nfc(layout.signer_name), "B", 14)
    return pdf.get_y()
