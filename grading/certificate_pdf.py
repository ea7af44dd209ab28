"""The completion certificate as a printable PDF: A4 landscape, one page (fpdf2).

What it shows, top to bottom: the academy (left) and the national title (right); the title
"GIẤY CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC" with its English subtitle; the learner, employee id
and agency; the course and its completion date; the competencies the course certifies
(names in Vietnamese from the competency framework, with their DigComp level); at the
bottom the QR code of the verification address with the certificate id, and the signature
block where the academy's digital signature appears (`signature_placement`).

The font is the e-office's embedded Liberation Serif (metric-compatible with Times New
Roman, every Vietnamese letter), embedded in the PDF as a subset so the diacritics print and
extract correctly. It is read from the `sandbox_eoffice` package's `fonts/` folder, located
with `importlib.util.find_spec`, which finds a package without importing it: grading does
not load the e-office's Flask application to print a certificate, and the font files are
not copied (the wheel ships them as the e-office's package data).
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from common.clock import to_vietnam
from signing.pdf_signing import Placement

FONT_PACKAGE = "sandbox_eoffice"
FONT_FAMILY = "LiberationSerif"
_FONT_FILES = {"": "LiberationSerif-Regular.ttf", "B": "LiberationSerif-Bold.ttf",
               "I": "LiberationSerif-Italic.ttf", "BI": "LiberationSerif-BoldItalic.ttf"}

_STYLES_USED = ("", "B", "I")

ACADEMY_NAME_VI = "Học viện Công vụ số"
ACADEMY_NAME_EN = "Digital Civil Service Academy"
TITLE_VI = "GIẤY CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC"
TITLE_EN = "Certificate of Course Completion"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
#: the PDF keyword that carries the certificate id for machines (verification reads it)
ID_KEYWORD = "academy-certificate-id"

PAGE_W, PAGE_H = 297.0, 210.0
_NAVY = (31, 58, 104)
_RED = (165, 28, 28)
_GOLD = (184, 134, 11)
_GREY = (70, 70, 70)
_PT = 72 / 25.4  # points per mm
MAX_COMPETENCY_LINES = 8


class FontMissing(FileNotFoundError):
    """The embedded font's files are not where the e-office's package keeps them."""


@cache
def font_dir() -> Path:
    """The folder of the embedded font (the `sandbox_eoffice` package's `fonts/`)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        folder = Path(location) / "fonts"
        if all((folder / name).is_file() for name in _FONT_FILES.values()):
            return folder
    raise FontMissing(f"the certificate font ({', '.join(_FONT_FILES.values())}) is not in "
                      f"the {FONT_PACKAGE} package's fonts/ folder ({locations or 'not found'})")


def font_file(style: str = "") -> Path:
    return font_dir() / _FONT_FILES[style]


@dataclass(frozen=True)
class CompetencyLine:
    """One competency the course certifies, as printed."""

    code: str
    name_vi: str
    level: int
    level_group_vi: str  # DigComp's group of the level: Cơ bản, Trung cấp, ...


@dataclass(frozen=True)
class CertificateContent:
    """Everything a certificate shows."""

    certificate_id: str  # as printed: groups of four, e.g. 7K3M-Q9TZ-R2XA
    full_name: str
    employee_id: str
    agency: str
    course_title: str
    completion_date: date
    issued_at: datetime
    verification_url: str
    competencies: tuple[CompetencyLine, ...] = ()
    academy_name_vi: str = ACADEMY_NAME_VI
    academy_name_en: str = ACADEMY_NAME_EN


def _nfc(text: str) -> str:
    """Precomposed Vietnamese letters (the font has them; combining marks render badly)."""
    return unicodedata.normalize("NFC", text)


def vietnamese_date(day: date) -> str:
    """'ngày 05 tháng 01 năm 2026' (days below 10 and months 1-2 with two digits, as
    Decree 30 writes dates)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


class _CertificatePdf(FPDF):
    def text_width(self, text: str, style: str, size: float) -> float:
        self.set_font(FONT_FAMILY, style, size)
        return self.get_string_width(text)

    def centred(self, text: str, y: float, style: str, size: float, *, x: float = 0.0,
                width: float = PAGE_W, color: tuple[int, int, int] = (0, 0, 0),
                min_size: float | None = None) -> float:
        """One line centred in [x, x + width] at y, shrunk down to `min_size` to fit;
        the line's height."""
        size = _fitting_size(self, text, style, size, width - 4, min_size or size)
        self.set_font(FONT_FAMILY, style, size)
        self.set_text_color(*color)
        self.set_xy(x, y)
        height = size / _PT * 1.25
        self.cell(width, height, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return height


def _fitting_size(pdf: _CertificatePdf, text: str, style: str, size: float, width: float,
                  min_size: float) -> float:
    while size > min_size and pdf.text_width(text, style, size) > width:
        size -= 0.5
    return size


def render_certificate(content: CertificateContent) -> tuple[bytes, Placement]:
    """The certificate's PDF (fonts embedded), and where the academy's signature goes."""
    pdf = _new_pdf(content)
    pdf.add_page()
    _border(pdf)
    _header(pdf, content)
    y = _body(pdf, content)
    _competencies(pdf, content.competencies, y)
    _verification(pdf, content)
    placement = _signature_block(pdf, content)
    return bytes(pdf.output()), placement


def _new_pdf(content: CertificateContent) -> _CertificatePdf:
    pdf = _CertificatePdf(orientation="L", unit="mm", format="A4")
    for style in _STYLES_USED:  # each font parsed costs ~65 ms: only those printed
        pdf.add_font(FONT_FAMILY, style, str(font_dir() / _FONT_FILES[style]))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creation_date(content.issued_at)
    pdf.set_title(_nfc(f"{TITLE_VI}: {content.full_name} - {content.course_title}"))
    pdf.set_subject(_nfc(f"{TITLE_EN}, {content.academy_name_en}"))
    pdf.set_author(_nfc(content.academy_name_vi))
    pdf.set_creator(content.academy_name_en)
    pdf.set_keywords(f"{ID_KEYWORD}:{content.certificate_id}")
    pdf.set_lang("vi")
    return pdf


def _border(pdf: _CertificatePdf) -> None:
    pdf.set_draw_color(*_NAVY)
    pdf.set_line_width(1.4)
    pdf.rect(7, 7, PAGE_W - 14, PAGE_H - 14)
    pdf.set_draw_color(*_GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(10.5, 10.5, PAGE_W - 21, PAGE_H - 21)
    pdf.set_fill_color(*_GOLD)
    for cx, cy in ((10.5, 10.5), (PAGE_W - 10.5, 10.5), (10.5, PAGE_H - 10.5),
                   (PAGE_W - 10.5, PAGE_H - 10.5)):
        pdf.polygon([(cx - 2.2, cy), (cx, cy - 2.2), (cx + 2.2, cy), (cx, cy + 2.2)],
                    style="F")


def _header(pdf: _CertificatePdf, content: CertificateContent) -> None:
    left_x, left_w = 16.0, 112.0
    right_x, right_w = 150.0, 131.0
    academy = _nfc(content.academy_name_vi.upper())
    pdf.centred(academy, 16, "B", 12.5, x=left_x, width=left_w, color=_NAVY, min_size=9)
    pdf.centred(_nfc(content.academy_name_en.upper()), 21.5, "", 9, x=left_x, width=left_w,
                color=_GREY)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.line(left_x + left_w / 2 - 15, 27.5, left_x + left_w / 2 + 15, 27.5)
    pdf.centred(f"Số: {content.certificate_id}", 29.5, "", 11, x=left_x, width=left_w)

    pdf.centred(NATIONAL_TITLE, 16, "B", 12, x=right_x, width=right_w)
    pdf.centred(MOTTO, 21.5, "B", 12.5, x=right_x, width=right_w)
    motto = pdf.text_width(MOTTO, "B", 12.5)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(right_x + (right_w - motto) / 2, 27.5, right_x + (right_w + motto) / 2, 27.5)


def _body(pdf: _CertificatePdf, content: CertificateContent) -> float:
    """The title, the learner and the course; the y where the body ends."""
    pdf.centred(TITLE_VI, 40, "B", 27, color=_RED, min_size=18)
    pdf.centred(TITLE_EN, 51.5, "I", 14, color=_NAVY)
    certifies = _nfc(f"{content.academy_name_vi} chứng nhận")
    pdf.centred(f"{certifies} / {content.academy_name_en} certifies that", 61, "I", 12,
                color=_GREY)
    pdf.centred(_nfc(content.full_name), 67.5, "B", 25, color=_NAVY, min_size=16, x=20,
                width=PAGE_W - 40)
    who = _nfc(f"Mã cán bộ (Employee ID): {content.employee_id or '—'}     "
               f"Cơ quan (Agency): {content.agency or '—'}")
    pdf.centred(who, 80, "", 12, min_size=9, x=20, width=PAGE_W - 40)
    pdf.centred("đã hoàn thành khóa học / has completed the course", 88, "I", 12, color=_GREY)
    title = _nfc(content.course_title)
    size = _fitting_size(pdf, title, "B", 19, PAGE_W - 60, 14)
    pdf.set_font(FONT_FAMILY, "B", size)
    pdf.set_text_color(*_RED)
    pdf.set_xy(30, 94.5)
    pdf.multi_cell(PAGE_W - 60, size / _PT * 1.2, title, align=Align.C,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT, max_line_height=size / _PT * 1.2)
    y = max(pdf.get_y(), 102.5) + 1.5
    done = (f"Ngày hoàn thành (Completed on): "
            f"{content.completion_date:%d/%m/%Y}")
    pdf.centred(done, y, "", 12)
    return y + 8.5


def _competencies(pdf: _CertificatePdf, lines: Sequence[CompetencyLine], y: float) -> None:
    if not lines:
        return
    pdf.centred("Năng lực đạt được (Competencies, DigComp 2.2)", y, "B", 11.5, color=_NAVY)
    shown = list(lines[:MAX_COMPETENCY_LINES])
    rest = len(lines) - len(shown)
    texts = [_nfc(f"• {c.name_vi}: mức {c.level} ({c.level_group_vi})") for c in shown]
    if rest:
        texts.append(f"• … và {rest} năng lực khác")
    columns = 1 if len(texts) <= 3 else 2
    per_column = -(-len(texts) // columns)
    column_w = 100.0 if columns == 2 else 180.0
    start_x = (PAGE_W - column_w * columns) / 2
    pdf.set_text_color(0, 0, 0)
    for index, text in enumerate(texts):
        column, row = divmod(index, per_column)
        size = _fitting_size(pdf, text, "", 10.5, column_w - 4, 8)
        pdf.set_font(FONT_FAMILY, "", size)
        pdf.set_xy(start_x + column * column_w, y + 6 + row * 5)
        pdf.cell(column_w - 2, 5, text, align=Align.C if columns == 1 else Align.L)


def _verification(pdf: _CertificatePdf, content: CertificateContent) -> None:
    """The QR code of the verification address, the id and the address, bottom left."""
    x, y, size = 17.0, 160.0, 30.0
    qr_code(pdf, content.verification_url, x, y, size)
    text_x = x + size + 4
    pdf.set_text_color(*_GREY)
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.set_xy(text_x, y + 2)
    pdf.cell(90, 4.5, "Mã chứng nhận (Certificate ID):")
    pdf.set_text_color(*_NAVY)
    pdf.set_font(FONT_FAMILY, "B", 15)
    pdf.set_xy(text_x, y + 7)
    pdf.cell(90, 7, content.certificate_id)
    pdf.set_text_color(*_GREY)
    pdf.set_font(FONT_FAMILY, "I", 9)
    pdf.set_xy(text_x, y + 16)
    pdf.cell(90, 4.5, "Quét mã QR hoặc mở địa chỉ dưới đây để xác minh")
    pdf.set_xy(text_x, y + 20.5)
    pdf.cell(90, 4.5, "(scan the QR code or open the address to verify):")
    url_size = _fitting_size(pdf, content.verification_url, "", 9, 110, 6)
    pdf.set_font(FONT_FAMILY, "", url_size)
    pdf.set_xy(text_x, y + 25)
    pdf.cell(110, 4.5, content.verification_url, link=content.verification_url)


def qr_code(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """`data` as a QR code (error correction M), drawn as vector squares in a square of
    `size` mm at (x, y); the page's white margin around it is its quiet zone."""
    matrix = segno.make_qr(data, error="m", boost_error=False).matrix
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            run = column
            while run < len(cells) and cells[run]:
                run += 1
            # a hair wider than the run: no white seams between touching squares
            pdf.rect(x + column * module, y + row * module, (run - column) * module + 0.01,
                     module + 0.01, style="F")
            column = run


def _signature_block(pdf: _CertificatePdf, content: CertificateContent) -> Placement:
    x, width = 178.0, 100.0
    issued_on = vietnamese_date(to_vietnam(content.issued_at).date())
    pdf.centred(_nfc(f"Ngày cấp: {issued_on}"), 151, "I", 12, x=x, width=width)
    pdf.centred(_nfc(f"TM. {content.academy_name_vi.upper()}"), 157, "B", 12, x=x,
                width=width, min_size=9)
    pdf.centred("On behalf of the academy", 162.5, "I", 9, x=x, width=width, color=_GREY)
    box_x1, box_y1, box_x2, box_y2 = x + 10, 168.0, x + width - 10, 193.0
    pdf.centred("(Chữ ký số / Digitally signed)", 193.5, "I", 8.5, x=x, width=width,
                color=_GREY)
    # fpdf2 measures from the top left in mm, a signature box is in points from the bottom
    return Placement(page=0, box=(box_x1 * _PT, (PAGE_H - box_y2) * _PT, box_x2 * _PT,
                                  (PAGE_H - box_y1) * _PT))
