"""What a new sandbox agency starts with in the mail feature (deterministic per seed): about
twenty ordinary work mails from the learner's colleagues (the tenant's Colleague rows) and
from the province's agencies, some with real attachments (official-document PDFs drawn as
Decree 30 prescribes, a CSV duty roster), a few already read or archived, and three mails
the learner "sent" earlier. Dates are relative to `today`.

Ordinary mail is honest: real .sandbox.gov.vn addresses, no links, no tricks. The
phishing simulation's messages come only from a trainer's campaign.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ
from common.text import ascii_fold
from sample_data import vietnamese_faker
from sandbox_eoffice.agencies import IssuingAgency, provincial_senders
from sandbox_eoffice.mail.mailbox import laid_out_attachment, new_attachment, own_address
from sandbox_eoffice.mail.models import MailFolder, MailMessage
from sandbox_eoffice.models import Colleague, Tenant
from sandbox_eoffice.official_pdf import OfficialDocumentLayout
from sandbox_eoffice.vocabulary import Position

OLDEST_MAIL_DAYS = 30
INBOX_COUNT = (16, 20)


@dataclass(frozen=True)
class PdfPlan:
    """An official document attached to a mail."""

    filename: str
    document_type: str
    summary: str
    body: str


@dataclass(frozen=True)
class MailPlan:
    subject: str
    body: str
    pdf: PdfPlan | None = None
    csv_name: str | None = None


# from a colleague of the learner's own agency; {agency}, {month}, {year}, {quarter}, {sender}
COLLEAGUE_MAILS: tuple[MailPlan, ...] = (
    MailPlan("Mời họp giao ban tuần",
             "Kính gửi các đồng chí,\n\nVăn phòng trân trọng kính mời các đồng chí dự họp giao "
             "ban tuần vào 8 giờ 00 sáng thứ Hai tại phòng họp tầng 2.\nNội dung: đánh giá "
             "tiến độ xử lý văn bản trên hệ thống iOffice và các nhiệm vụ chuyển đổi số.\n\n"
             "Trân trọng,\n{sender}"),
    MailPlan("Gửi dự thảo Báo cáo kết quả chuyển đổi số quý {quarter}/{year}",
             "Chào anh/chị,\n\nEm gửi dự thảo Báo cáo kết quả thực hiện chuyển đổi số quý "
             "{quarter}/{year} của {agency} (file đính kèm). Anh/chị xem và góp ý giúp em "
             "trước thứ Năm để em hoàn thiện, trình lãnh đạo ký số.\n\nCảm ơn anh/chị,\n"
             "{sender}",
             pdf=PdfPlan("Du_thao_Bao_cao_CDS_quy_{quarter}.pdf", "Báo cáo",
                         "Kết quả thực hiện chuyển đổi số quý {quarter} năm {year}",
                         "Thực hiện Kế hoạch chuyển đổi số năm {year}, {agency} báo cáo kết quả "
                         "quý {quarter} như sau.\nTỷ lệ văn bản đi, đến được xử lý trên môi "
                         "trường mạng đạt trên 95%; 100% văn bản đi được ký số.\nĐề xuất tiếp "
                         "tục tập huấn sử dụng chữ ký số cho cán bộ, công chức.")),
    MailPlan("Lịch trực cơ quan tháng {month}/{year}",
             "Kính gửi các đồng chí,\n\nVăn phòng gửi lịch trực cơ quan tháng {month}/{year} "
             "(file đính kèm). Đồng chí nào có thay đổi vui lòng báo lại Văn phòng trước ngày "
             "25.\n\nTrân trọng,\n{sender}",
             csv_name="Lich_truc_thang_{month}_{year}.csv"),
    MailPlan("Đề nghị góp ý dự thảo Quy chế quản lý, sử dụng chữ ký số",
             "Kính gửi các phòng,\n\nĐể hoàn thiện Quy chế quản lý, sử dụng chữ ký số chuyên "
             "dùng của {agency}, đề nghị các phòng nghiên cứu dự thảo đính kèm và gửi ý kiến "
             "góp ý bằng văn bản qua hệ thống iOffice trước ngày 30.\n\nTrân trọng,\n{sender}",
             pdf=PdfPlan("Du_thao_Quy_che_chu_ky_so.pdf", "Quy chế",
                         "Quản lý, sử dụng chữ ký số chuyên dùng",
                         "Quy chế này quy định việc quản lý, sử dụng chữ ký số và chứng thư chữ "
                         "ký số chuyên dùng trong hoạt động của {agency}.\nCán bộ được cấp "
                         "chứng thư chữ ký số có trách nhiệm bảo quản thiết bị lưu khóa bí mật "
                         "(USB token), giữ bí mật mã PIN, không giao cho người khác sử dụng.\n"
                         "Khi mất thiết bị phải báo ngay cho Văn phòng để đề nghị thu hồi chứng "
                         "thư.")),
    MailPlan("Cập nhật thông tin cán bộ trên phần mềm quản lý cán bộ",
             "Chào anh/chị,\n\nPhòng đề nghị anh/chị kiểm tra, cập nhật thông tin cá nhân, quá "
             "trình đào tạo, bồi dưỡng trên phần mềm quản lý cán bộ, công chức trước ngày 15 "
             "tháng sau. Nếu có sai sót, anh/chị báo trực tiếp cho em.\n\nCảm ơn anh/chị,\n"
             "{sender}"),
    MailPlan("Nhắc nộp báo cáo công tác tuần",
             "Anh/chị lưu ý gửi báo cáo công tác tuần qua hệ thống iOffice trước 16 giờ chiều "
             "thứ Sáu để tổng hợp trình lãnh đạo.\n\n{sender}"),
    MailPlan("Kết quả xử lý văn bản trên iOffice tháng {month}",
             "Kính gửi các đồng chí,\n\nTháng {month}/{year}, toàn cơ quan tiếp nhận và xử lý "
             "văn bản trên hệ thống iOffice; vẫn còn một số văn bản quá hạn xử lý. Đề nghị các "
             "đồng chí rà soát các văn bản được giao, cập nhật kết quả xử lý đúng hạn.\n\n"
             "Trân trọng,\n{sender}"),
    MailPlan("Tài liệu tập huấn an toàn thông tin",
             "Chào các anh chị,\n\nEm gửi lại tài liệu buổi tập huấn an toàn thông tin hôm "
             "trước (file đính kèm): nhận diện thư giả mạo, đặt mật khẩu an toàn, bảo vệ USB "
             "token. Các anh chị tham khảo nhé.\n\n{sender}",
             pdf=PdfPlan("Tai_lieu_tap_huan_ATTT.pdf", "Hướng dẫn",
                         "Nhận diện thư điện tử giả mạo và bảo vệ tài khoản",
                         "Không bấm vào đường link trong thư lạ; kiểm tra kỹ địa chỉ người gửi "
                         "và địa chỉ thật của đường link trước khi mở.\nKhông nhập mật khẩu, "
                         "mã PIN trên trang web mở từ thư điện tử.\nKhi nghi ngờ, dùng chức năng "
                         "\"Báo cáo thư giả mạo\" và báo cho bộ phận công nghệ thông tin.")),
    MailPlan("Xin ý kiến danh mục thủ tục hành chính trực tuyến toàn trình",
             "Kính gửi anh/chị,\n\nPhòng đang tổng hợp danh mục thủ tục hành chính đủ điều "
             "kiện cung cấp dịch vụ công trực tuyến toàn trình năm {year}. Anh/chị cho ý kiến "
             "về các thủ tục thuộc lĩnh vực phụ trách trước cuối tuần.\n\nTrân trọng,\n{sender}"),
    MailPlan("Thay đổi phòng họp chiều thứ Tư",
             "Chào anh/chị,\n\nCuộc họp chiều thứ Tư chuyển sang phòng họp trực tuyến tầng 3 "
             "do phòng họp lớn đang sửa chữa. Thời gian giữ nguyên.\n\n{sender}"),
)

# from an agency of the province; {sender} is its clerk's signature
AGENCY_MAILS: dict[str, MailPlan] = {
    "STTTT": MailPlan(
        "Thông báo lịch tập huấn quản lý, sử dụng chữ ký số",
        "Kính gửi các cơ quan, đơn vị,\n\nSở Thông tin và Truyền thông thông báo lịch tập huấn "
        "quản lý, sử dụng chữ ký số cho cán bộ, công chức (chi tiết tại văn bản đính kèm). Đề "
        "nghị các cơ quan, đơn vị cử cán bộ tham dự đầy đủ.\n\nTrân trọng,\n{sender}",
        pdf=PdfPlan("Thong_bao_tap_huan_chu_ky_so.pdf", "Thông báo",
                    "Lịch tập huấn quản lý, sử dụng chữ ký số năm {year}",
                    "Sở Thông tin và Truyền thông tổ chức các lớp tập huấn quản lý, sử dụng chữ "
                    "ký số cho cán bộ, công chức, viên chức trên địa bàn tỉnh {province}.\n"
                    "Học viên mang theo thiết bị lưu khóa bí mật (USB token) đã được cấp.\n"
                    "Việc gia hạn, cấp lại chứng thư số thực hiện qua cơ quan quản lý thuê "
                    "bao, không thực hiện qua đường link gửi bằng thư điện tử.")),
    "SNV": MailPlan(
        "Đề nghị cử cán bộ tham gia lớp bồi dưỡng kỹ năng số",
        "Kính gửi {agency},\n\nSở Nội vụ đề nghị Quý cơ quan cử cán bộ, công chức tham gia lớp "
        "bồi dưỡng kỹ năng số năm {year} (văn bản đính kèm), danh sách gửi qua hệ thống quản "
        "lý văn bản trước ngày 20.\n\nTrân trọng,\n{sender}",
        pdf=PdfPlan("Cong_van_cu_can_bo_boi_duong.pdf", "Công văn",
                    "V/v cử cán bộ tham gia lớp bồi dưỡng kỹ năng số",
                    "Thực hiện Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức năm {year}, Sở Nội "
                    "vụ đề nghị các cơ quan, đơn vị cử cán bộ tham gia lớp bồi dưỡng kỹ năng số."
                    "\nDanh sách gửi về Sở Nội vụ qua hệ thống quản lý văn bản và điều hành.")),
    "VPUBND": MailPlan(
        "Lịch công tác tuần của lãnh đạo UBND tỉnh",
        "Văn phòng UBND tỉnh {province} gửi lịch công tác tuần của lãnh đạo UBND tỉnh. Lịch "
        "chi tiết đăng trên Cổng thông tin điện tử của tỉnh.\n\nTrân trọng,\n{sender}"),
    "BCY": MailPlan(
        "Hướng dẫn gia hạn chứng thư số chuyên dùng",
        "Kính gửi các cơ quan, tổ chức,\n\nBan Cơ yếu Chính phủ lưu ý: việc gia hạn, thay "
        "đổi thông tin chứng thư số chuyên dùng được thực hiện qua cơ quan quản lý trực tiếp "
        "và bộ phận đăng ký tại địa phương. Ban Cơ yếu Chính phủ không gửi thư yêu cầu cung "
        "cấp mật khẩu, mã PIN hay đường link gia hạn.\n\nTrân trọng,\n{sender}"),
    "SKHĐT": MailPlan(
        "Đề nghị cung cấp số liệu dịch vụ công trực tuyến tháng {month}",
        "Kính gửi {agency},\n\nĐề nghị Quý cơ quan cung cấp số liệu hồ sơ dịch vụ công trực "
        "tuyến tháng {month}/{year} qua Hệ thống thông tin báo cáo của tỉnh trước ngày 5 tháng "
        "sau.\n\nTrân trọng,\n{sender}"),
    "BTTTT": MailPlan(
        "Cảnh báo chiến dịch thư điện tử giả mạo cơ quan nhà nước",
        "Kính gửi các cơ quan, đơn vị,\n\nThời gian gần đây xuất hiện nhiều thư điện tử giả "
        "mạo cơ quan nhà nước (tên miền gần giống .gov.vn, tệp đính kèm dạng .pdf.exe) nhằm "
        "đánh cắp tài khoản. Đề nghị cán bộ không bấm đường link lạ, không cung cấp mật khẩu "
        "và báo cáo ngay thư đáng ngờ.\n\nTrân trọng,\n{sender}"),
}

SENT_MAILS: tuple[MailPlan, ...] = (
    MailPlan("Góp ý dự thảo báo cáo quý",
             "Chào em,\n\nAnh/chị đã xem dự thảo, đề nghị bổ sung số liệu về tỷ lệ hồ sơ trực "
             "tuyến và tỷ lệ văn bản ký số.\n\nCảm ơn em."),
    MailPlan("Xác nhận tham dự họp giao ban",
             "Tôi xác nhận tham dự cuộc họp giao ban sáng thứ Hai.\n\nTrân trọng."),
    MailPlan("Gửi lại thông tin cán bộ đã cập nhật",
             "Tôi đã cập nhật thông tin cá nhân trên phần mềm quản lý cán bộ. Nhờ em kiểm tra "
             "giúp.\n\nCảm ơn em."),
)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59)), VIETNAM_TZ)


def _agency_address(agency: IssuingAgency, province: str) -> str:
    fold = "".join(ch for ch in ascii_fold(province).lower() if ch.isalnum())
    return f"vanthu.{ascii_fold(agency.symbol).lower()}@{fold}.sandbox.gov.vn"


def _duty_roster(names: list[str], month: int, year: int) -> bytes:
    lines = ["Ngày,Cán bộ trực,Ghi chú"]
    for day in range(1, 29, 3):
        lines.append(f"{day:02d}/{month:02d}/{year},{names[day % len(names)]},")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def seed_mailbox(session: Session, tenant: Tenant, seed: int, today: date) -> None:
    """Called by `provision_tenant` for every new tenant; the caller commits."""
    rng = random.Random(seed * 7919 + 17)
    faker = vietnamese_faker(seed + 31)
    agency = tenant.agency
    province = agency.province if agency else "Phú Thọ"
    agency_name = agency.name if agency else tenant.full_name
    colleagues = list(session.scalars(select(Colleague).where(
        Colleague.tenant_id == tenant.id).order_by(Colleague.id)).all())
    if not colleagues:
        return
    me = f"{tenant.full_name} <{own_address(tenant)}>"
    fields = {"agency": agency_name, "province": province, "month": f"{today.month:02d}",
              "year": str(today.year), "quarter": str((today.month - 1) // 3 + 1)}
    senders = {a.symbol: a for a in provincial_senders(province)}

    plans: list[tuple[MailPlan, str, str, IssuingAgency | None]] = []
    for plan in COLLEAGUE_MAILS:
        colleague = rng.choice([c for c in colleagues if c.position is not Position.HEAD]
                               or colleagues)
        plans.append((plan, colleague.full_name, colleague.email, None))
    for symbol, plan in AGENCY_MAILS.items():
        sender = senders[symbol]
        plans.append((plan, f"Văn thư - {sender.name}", _agency_address(sender, province),
                      sender))
    rng.shuffle(plans)
    plans = plans[:rng.randint(*INBOX_COUNT)]
    days_ago = sorted((rng.randint(1, OLDEST_MAIL_DAYS) for _ in plans), reverse=True)

    for index, ((plan, name, address, sender), ago) in enumerate(
            zip(plans, days_ago, strict=True)):
        signature = f"{faker.name()}\nVăn thư - {sender.name}" if sender else name
        text = {**fields, "sender": signature}
        received = _at(today - timedelta(days=ago), rng)
        newest = index >= len(plans) - 5
        message = MailMessage(
            tenant_id=tenant.id,
            folder=MailFolder.ARCHIVE if ago > 20 and rng.random() < 0.3 else MailFolder.INBOX,
            sender_name=name, sender_address=address, recipients=me,
            subject=plan.subject.format(**text), body=plan.body.format(**text),
            received_at=received, is_read=not newest and rng.random() < 0.7)
        if plan.pdf is not None:
            layout = OfficialDocumentLayout(
                agency=(sender.name if sender else agency_name).upper(),
                superior_agency=None if sender else f"UBND TỈNH {province.upper()}",
                number_symbol=f"{rng.randint(10, 999)}/{sender.symbol if sender else 'VP'}",
                place=province, issued_on=received.date(), document_type=plan.pdf.document_type,
                summary=plan.pdf.summary.format(**text), body=plan.pdf.body.format(**text),
                signer_name=faker.name(),
                signer_title=(sender.deputy_title if sender else "PHÓ GIÁM ĐỐC"),
                recipients=("Như trên;", "Lưu: VT."), draft=sender is None)
            message.attachments.append(laid_out_attachment(
                tenant, plan.pdf.filename.format(**text), layout))
        if plan.csv_name is not None:
            roster = _duty_roster([c.full_name for c in colleagues], today.month, today.year)
            message.attachments.append(new_attachment(
                tenant, plan.csv_name.format(**text), roster, "text/csv"))
        session.add(message)

    for plan in SENT_MAILS:
        colleague = rng.choice(colleagues)
        session.add(MailMessage(
            tenant_id=tenant.id, folder=MailFolder.SENT, sender_name=tenant.full_name,
            sender_address=own_address(tenant),
            recipients=f"{colleague.full_name} <{colleague.email}>",
            subject=plan.subject, body=plan.body,
            received_at=_at(today - timedelta(days=rng.randint(1, OLDEST_MAIL_DAYS)), rng),
            is_read=True))
