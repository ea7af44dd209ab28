"""The file attached to an incoming document: the sender's document as a real PDF.

It is rendered from the document's own record (number, date, sender, summary, signer) with
the Decree 30 layout of sandbox_eoffice.official_pdf, so what the learner reads in the PDF
is what the register shows.
"""

from __future__ import annotations

from common.clock import VIETNAM_TZ
from common.working_days import add_working_days
from sandbox_eoffice.models import IncomingDocument, OutgoingDocument, Tenant
from sandbox_eoffice.official_pdf import (
    OfficialDocumentLayout,
    render_official_document,
    render_with_signature_space,
)
from sandbox_eoffice.vocabulary import Confidentiality, Position, Urgency

# độ khẩn as printed on the document (Decree 30): nothing for a normal one
URGENCY_MARKS = {Urgency.URGENT: "KHẨN", Urgency.VERY_URGENT: "THƯỢNG KHẨN",
                 Urgency.FLASH: "HỎA TỐC"}

# senders of national rank write from the capital
NATIONAL_SENDERS = ("Bộ ", "Ban Cơ yếu")


def _header(sender: str, province: str) -> tuple[str | None, str, str]:
    """The superior agency, the agency as printed, and the place of issue."""
    if sender.startswith(NATIONAL_SENDERS):
        return None, sender.upper(), "Hà Nội"
    suffix = f" tỉnh {province}"
    short = sender[: -len(suffix)] if sender.endswith(suffix) else sender
    if sender.startswith("UBND"):
        return None, f"ỦY BAN NHÂN DÂN TỈNH {province.upper()}", province
    return f"UBND TỈNH {province.upper()}", short.upper(), province


def _signer(document: IncomingDocument) -> tuple[str | None, str]:
    """"KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" → ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")."""
    title = document.signer_title or "GIÁM ĐỐC"
    if " / " in title:
        authority, own = title.split(" / ", 1)
        return authority, own
    return None, title


def _body(document: IncomingDocument, tenant: Tenant) -> str:
    subject = document.summary.removeprefix("V/v ").rstrip(".")
    report_by = add_working_days(document.issued_date, 10)
    return "\n\n".join((
        f"Thực hiện chương trình công tác năm {document.issued_date.year} về {subject[:1].lower()}"
        f"{subject[1:]}, {document.issuing_agency} đề nghị các cơ quan, đơn vị triển khai "
        "thực hiện một số nội dung sau:",
        "1. Quán triệt đến toàn thể cán bộ, công chức, viên chức thuộc phạm vi quản lý; phân "
        "công đơn vị, cá nhân chủ trì, phối hợp và thời hạn thực hiện cụ thể.",
        f"2. Tổng hợp kết quả thực hiện, khó khăn, vướng mắc (nếu có), báo cáo về "
        f"{document.issuing_agency} trước ngày {report_by:%d/%m/%Y} qua Hệ thống quản lý văn "
        "bản và điều hành.",
        "Đề nghị các cơ quan, đơn vị triển khai thực hiện nghiêm túc. Trong quá trình thực hiện, "
        "nếu có vướng mắc, đề nghị liên hệ Văn phòng để được hướng dẫn./.",
    ))


def incoming_attachment_pdf(document: IncomingDocument, tenant: Tenant) -> bytes:
    province = tenant.agency.province if tenant.agency else ""
    superior, agency, place = _header(document.issuing_agency, province)
    authority, title = _signer(document)
    own_agency = tenant.agency.name if tenant.agency else tenant.full_name
    layout = OfficialDocumentLayout(
        agency=agency,
        superior_agency=superior,
        number_symbol=document.number_symbol,
        place=place,
        issued_on=document.issued_date,
        document_type=document.document_type,
        summary=document.summary,
        body=_body(document, tenant),
        signer_name=document.signer_name or "",
        signer_title=title,
        signer_authority=authority,
        recipients=(f"Như trên ({own_agency});", "Lưu: VT."),
        urgency=URGENCY_MARKS.get(document.urgency),
        signature_placeholder="(Đã ký số)",
    )
    return render_official_document(layout)




CONFIDENTIALITY_MARKS = {Confidentiality.CONFIDENTIAL: "MẬT", Confidentiality.SECRET: "TỐI MẬT",
                         Confidentiality.TOP_SECRET: "TUYỆT MẬT"}


def _own_header(tenant: Tenant) -> tuple[str | None, str, str]:
    """The learner's agency as its letterhead prints it."""
    if tenant.agency is None:
        return None, tenant.full_name.upper(), ""
    province = tenant.agency.province
    if tenant.agency.name.startswith("UBND"):
        return None, f"ỦY BAN NHÂN DÂN {tenant.agency.name.removeprefix('UBND ').upper()}", \
            province
    return _header(tenant.agency.name, province)


def outgoing_pdf(document: OutgoingDocument, tenant: Tenant) -> bytes:
    """The outgoing document as PDF: the signed PDF once there is one; otherwise marked
    DỰ THẢO with a blank number and date until it is issued, then its number and date."""
    if document.signed_pdf is not None:
        return document.signed_pdf
    return render_with_signature_space(outgoing_layout(document, tenant))[0]


def outgoing_layout(document: OutgoingDocument, tenant: Tenant, *,
                    for_signing: bool = False) -> OfficialDocumentLayout:
    """The Decree 30 layout of an outgoing document; `for_signing`: the approved text as
    signed at approval (no DỰ THẢO mark; number and date come with the agency's signature
    at issue)."""
    superior, agency, place = _own_header(tenant)
    symbol = tenant.agency.symbol if tenant.agency else ""
    unit = document.drafting_unit.symbol if document.drafting_unit else "VP"
    signer = document.signer
    head_title = signer.job_title.upper() if signer else ""
    issued = document.issued_at.astimezone(VIETNAM_TZ).date() if document.issued_at else None
    year = (document.issued_at or document.created_at).astimezone(VIETNAM_TZ).year
    return OfficialDocumentLayout(
        agency=agency,
        superior_agency=superior,
        number_symbol=document.number_symbol or f"     /{symbol}-{unit}",
        place=place,
        issued_on=issued,
        document_type=document.document_type,
        summary=document.summary,
        body=document.body,
        signer_name=signer.full_name if signer else "",
        signer_title=head_title,
        # a deputy signs on the head's behalf: "KT. GIÁM ĐỐC" above "PHÓ GIÁM ĐỐC" (Decree 30)
        signer_authority=f"KT. {head_title.removeprefix('PHÓ ')}"
        if signer and signer.position is Position.DEPUTY_HEAD else None,
        recipients=tuple(document.recipients),
        urgency=URGENCY_MARKS.get(document.urgency),
        confidentiality=CONFIDENTIALITY_MARKS.get(document.confidentiality),
        draft=document.issued_at is None and not for_signing,
        draft_year=year,
        signature_placeholder=None,
    )
