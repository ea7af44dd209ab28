"""sandbox_eoffice.official_pdf: official documents as PDF in Decree 30's layout."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from sandbox_eoffice.official_pdf import (
    CREATOR,
    OfficialDocumentLayout,
    format_place_and_date,
    render_official_document,
)

BODY_SENTENCE = "Đề nghị các cơ quan, đơn vị triển khai thực hiện nghiêm túc"
BODY = (
    "Thực hiện Kế hoạch số 12/KH-UBND ngày 10 tháng 12 năm 2025 của Ủy ban nhân dân tỉnh về "
    "chuyển đổi số, Sở Nội vụ đề nghị các cơ quan, đơn vị rà soát hồ sơ và báo cáo kết quả "
    "trước ngày 20 tháng 01 năm 2026.\n\n"
    f"{BODY_SENTENCE}./."
)

LAYOUT = OfficialDocumentLayout(
    agency="Sở Nội vụ",
    superior_agency="UBND tỉnh Phú Thọ",
    number_symbol="125/SNV-VP",
    place="Phú Thọ",
    issued_on=date(2026, 1, 5),
    document_type="Công văn",
    summary="Triển khai công tác chuyển đổi số năm 2026",
    body=BODY,
    signer_name="Nguyễn Văn An",
    signer_title="Phó Giám đốc",
    signer_authority="KT. Giám đốc",
    recipients=("Như trên", "UBND tỉnh (để b/c)", "Lưu: VT, VP"),
    signature_placeholder="(Chữ ký số)",
)


def _reader(layout: OfficialDocumentLayout) -> PdfReader:
    data = render_official_document(layout)
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def _words(text: str) -> str:
    return " ".join(text.split())


def _page_text(layout: OfficialDocumentLayout, page: int = 0) -> str:
    return _words(_reader(layout).pages[page].extract_text())


def test_page_one_shows_every_part_with_its_diacritics() -> None:
    text = _page_text(LAYOUT)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH PHÚ THỌ",
        "SỞ NỘI VỤ",
        "Số: 125/SNV-VP",
        "Phú Thọ, ngày 05 tháng 01 năm 2026",
        BODY_SENTENCE,
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT, VP.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "(Chữ ký số)",
        "Nguyễn Văn An",
    ):
        assert expected in text, expected
    assert "Triển khai công tác chuyển đổi số" in text
    # the checks can fail: text without its diacritics is not there
    assert "Doc lap - Tu do - Hanh phuc" not in text
    assert "DỰ THẢO" not in text


def test_the_page_is_a4() -> None:
    box = _reader(LAYOUT).pages[0].mediabox
    assert round(float(box.width) * 25.4 / 72) == 210
    assert round(float(box.height) * 25.4 / 72) == 297


def test_the_fonts_are_embedded_liberation_serif_truetype() -> None:
    fonts = _reader(LAYOUT).pages[0]["/Resources"]["/Font"]
    assert len(fonts) >= 3  # regular, bold, italic at least
    for font_ref in fonts.values():
        font = font_ref.get_object()
        assert "LiberationSerif" in str(font["/BaseFont"])
        descendant = font["/DescendantFonts"][0].get_object()
        assert descendant["/Subtype"] == "/CIDFontType2"  # TrueType outlines
        descriptor = descendant["/FontDescriptor"].get_object()
        assert isinstance(descriptor, DictionaryObject)
        assert "/FontFile2" in descriptor
        assert len(descriptor["/FontFile2"].get_object().get_data()) > 1000


def test_the_metadata_names_the_document() -> None:
    metadata = _reader(LAYOUT).metadata
    assert metadata is not None
    assert metadata.title == "Triển khai công tác chuyển đổi số năm 2026"
    assert metadata.author == "Sở Nội vụ"
    assert metadata.creator == CREATOR


def test_a_cong_van_puts_its_summary_after_v_v_under_the_number() -> None:
    text = _page_text(LAYOUT)
    assert "V/v Triển khai công tác chuyển đổi số" in text
    assert "CÔNG VĂN" not in text
    already = _page_text(replace(LAYOUT, summary="V/v báo cáo số liệu cán bộ"))
    assert "V/v báo cáo số liệu cán bộ" in already
    assert "V/v V/v" not in already


def test_a_ke_hoach_shows_its_type_upper_case_and_its_summary() -> None:
    text = _page_text(replace(LAYOUT, document_type="Kế hoạch"))
    assert "KẾ HOẠCH Triển khai công tác chuyển đổi số năm 2026" in text
    assert "V/v" not in text


def test_a_draft_is_marked_and_leaves_the_day_and_month_blank() -> None:
    draft = replace(
        LAYOUT, number_symbol="   /SNV-VP", issued_on=None, draft=True, draft_year=2026
    )
    raw = _reader(draft).pages[0].extract_text()
    text = _words(raw)
    assert "DỰ THẢO" in text
    assert re.search(r"Phú Thọ, ngày\s+tháng\s+năm 2026", raw)
    assert "Phú Thọ, ngày tháng năm 2026" in text
    assert "ngày 05" not in text
    assert re.search(r"Số:\s+/SNV-VP", raw)


def test_urgency_and_confidentiality_are_printed() -> None:
    text = _page_text(replace(LAYOUT, urgency="Hỏa tốc", confidentiality="Mật"))
    assert "HỎA TỐC" in text
    assert "MẬT" in text
    assert "HỎA TỐC" not in _page_text(LAYOUT)


def test_a_long_body_flows_onto_more_pages_and_ends_with_the_signer() -> None:
    paragraphs = [f"Đoạn thứ {n}: {BODY_SENTENCE} trong năm 2026." for n in range(1, 61)]
    reader = _reader(replace(LAYOUT, body="\n\n".join(paragraphs)))
    assert len(reader.pages) > 1
    last = _words(reader.pages[-1].extract_text())
    assert "Đoạn thứ 60:" in last
    assert "Nguyễn Văn An" in last and "Nơi nhận:" in last
    assert "Nguyễn Văn An" not in _words(reader.pages[0].extract_text())
    assert len(_reader(LAYOUT).pages) == 1


def test_rendering_is_deterministic() -> None:
    assert render_official_document(LAYOUT) == render_official_document(LAYOUT)
    later = replace(LAYOUT, issued_on=date(2026, 1, 6))
    assert render_official_document(later) != render_official_document(LAYOUT)


def test_the_creation_date_comes_from_the_document_not_the_clock() -> None:
    vietnam = timezone(timedelta(hours=7))
    metadata = _reader(LAYOUT).metadata
    assert metadata is not None
    assert metadata.creation_date == datetime(2026, 1, 5, tzinfo=vietnam)
    draft = replace(LAYOUT, issued_on=None, draft=True, draft_year=2027)
    draft_metadata = _reader(draft).metadata
    assert draft_metadata is not None
    assert draft_metadata.creation_date == datetime(2027, 1, 1, tzinfo=vietnam)


@pytest.mark.parametrize(
    ("issued_on", "expected"),
    [
        (date(2026, 1, 5), "Phú Thọ, ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 28), "Phú Thọ, ngày 28 tháng 02 năm 2026"),
        (date(2026, 3, 9), "Phú Thọ, ngày 09 tháng 3 năm 2026"),
        (date(2026, 12, 10), "Phú Thọ, ngày 10 tháng 12 năm 2026"),
        (None, "Phú Thọ, ngày     tháng     năm 2027"),
    ],
)
def test_place_and_date_follow_the_decree(issued_on: date | None, expected: str) -> None:
    assert format_place_and_date("Phú Thọ", issued_on, 2027 if issued_on is None else 0) == expected
