"""The result of an approved dossier as the paper the citizen receives (Giấy khai sinh,
Giấy chứng nhận đăng ký hộ kinh doanh, ...), made with the e-office's official PDF layout and
its embedded Vietnamese font. In the practice desk this is what the learner "scans" and
uploads as the digitised result; a seeded result digitised by a colleague is this paper."""

from __future__ import annotations

from sandbox_eoffice.models import Tenant
from sandbox_eoffice.official_pdf import OfficialDocumentLayout, render_official_document
from sandbox_eoffice.one_stop.dossiers import procedure_of, vietnam_date
from sandbox_eoffice.one_stop.models import Dossier


def result_layout(dossier: Dossier, tenant: Tenant) -> OfficialDocumentLayout:
    procedure = procedure_of(dossier)
    agency = tenant.agency
    name = agency.name if agency else tenant.full_name
    symbol = agency.symbol if agency else "MC"
    approved = vietnam_date(dossier.approved_at) if dossier.approved_at else None
    body = "\n".join((
        f"Căn cứ hồ sơ số {dossier.receipt_number} về thủ tục {procedure.name_vi.lower()};",
        f"Họ và tên người yêu cầu: {dossier.applicant_name}.",
        f"Số định danh cá nhân: {dossier.citizen_id}; ngày sinh: "
        f"{dossier.date_of_birth:%d/%m/%Y}.",
        f"Nơi thường trú: {dossier.address}.",
        f"{procedure.result_vi} được cấp theo đề nghị của người yêu cầu, có giá trị sử dụng "
        "theo quy định của pháp luật.",
        "(Bản thực hành: mọi thông tin trong giấy tờ này là hư cấu.)",
    ))
    return OfficialDocumentLayout(
        agency=name.upper(),
        superior_agency=None,
        number_symbol=f"{dossier.id}/{symbol}-KQ",
        place=agency.province if agency else "",
        issued_on=approved,
        document_type=procedure.result_vi,
        summary=procedure.result_vi,
        body=body,
        signer_name="",
        signer_title="THỦ TRƯỞNG CƠ QUAN",
    )


def result_pdf(dossier: Dossier, tenant: Tenant) -> bytes:
    """The digitised result when there is one, otherwise the paper result."""
    if dossier.result_pdf is not None:
        return dossier.result_pdf
    return render_official_document(result_layout(dossier, tenant))
