"""The phishing simulation's catalogue: message templates (lures), sender profiles and the
warning signs (red flags) each carries, as data.

Content that lands in a learner's mailbox is Vietnamese (it imitates real mail); the names a
trainer picks from and the explanations of the signs are English msgids (`N_`), translated
where they are shown. Every link of a simulated phish leads to the e-office's own tracked
route; `displayed_url` is what the link's text shows and `target_url` is the lookalike
address a real phish would lead to (what "show details" and the link's tooltip reveal).
Nothing here is ever fetched.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.i18n import N_
from sandbox_eoffice.mail.models import LandingKind

# where the link goes in a body (the body is plain text)
LINK_MARKER = "[[link]]"


@dataclass(frozen=True)
class Sign:
    """A warning sign of a phish: what to notice, and why it matters."""

    code: str
    title: str  # N_ msgid
    explanation: str  # N_ msgid


SIGNS: dict[str, Sign] = {sign.code: sign for sign in (
    Sign("lookalike_domain", N_("A lookalike web address"),
         N_("The link's text shows an official .gov.vn address, but the link really leads to "
            "a different domain that only looks similar (a hyphen instead of a dot, or an "
            "extra word). Before clicking, look at the real address: hover over the link or "
            "open the message's details.")),
    Sign("display_name_mismatch", N_("A familiar name with a stranger's address"),
         N_("The sender's display name is an official or an agency, but the address behind it "
            "is not that agency's .gov.vn mail address. Anyone can type any display name; "
            "only the address after the @ tells where the mail came from.")),
    Sign("free_mail_address", N_("An official writing from a free mailbox"),
         N_("Leaders and agencies write from the official mail system, never from Gmail or "
            "another free mailbox. A message 'from the Chairman' sent from such an address is "
            "almost certainly forged.")),
    Sign("urgency_pressure", N_("Pressure to act at once"),
         N_("\"Within 24 hours\", \"your account will be locked\", \"urgent, I am in a "
            "meeting\": attackers hurry you so that you do not stop to check. A real deadline "
            "can always be checked through the usual channel.")),
    Sign("credential_request", N_("A request for a password or PIN"),
         N_("No agency, administrator or certification authority asks for your password or "
            "your token's PIN by mail or on a page reached from a mail. A certificate is "
            "renewed at the registration office or in the official software, never through a "
            "link.")),
    Sign("wrong_channel", N_("The wrong channel for official documents"),
         N_("Official documents between agencies arrive through the e-office over the "
            "national document interconnection axis, not as a link in an email asking you to "
            "log in somewhere else.")),
    Sign("unexpected_attachment", N_("An attachment that is really a program"),
         N_("The attachment's name ends in .pdf.exe: it is a program pretending to be a PDF. "
            "Opening it would run it on your computer. Look at the whole file name and the "
            "real file type before opening any attachment you did not expect.")),
    Sign("generic_greeting", N_("A greeting that does not name you"),
         N_("\"Dear user\", \"Dear unit\": a message from a real colleague or agency "
            "addresses you or your agency by name.")),
    Sign("reply_to_mismatch", N_("Replies go somewhere else"),
         N_("The Reply-To address differs from the sender's: your answer would go to the "
            "attacker, not to the person the message claims to come from.")),
    Sign("unusual_request", N_("An unusual request that skips procedure"),
         N_("A leader asking you personally, by mail, to open a document outside the e-office "
            "or to send data quickly and quietly is not how the agency works. Check by phone "
            "or in person through a number you already know.")),
)}


@dataclass(frozen=True)
class SenderProfile:
    """Who a phish claims to be (display name) and where it really comes from (address)."""

    key: str
    label: str  # N_ msgid, for the trainer's form
    display_name: str  # Vietnamese; {province} is filled in
    address: str
    reply_to: str | None
    signs: tuple[str, ...]


SENDER_PROFILES: dict[str, SenderProfile] = {p.key: p for p in (
    SenderProfile("ca_lookalike", N_("Certification authority (lookalike domain)"),
                  "Cục Chứng thực số và Bảo mật thông tin - Ban Cơ yếu Chính phủ",
                  "giahan@ca-gov.vn", None, ("display_name_mismatch",)),
    SenderProfile("axis_lookalike", N_("Document interconnection axis (lookalike domain)"),
                  "Trục liên thông văn bản quốc gia", "thongbao@truclienthong-gov.vn", None,
                  ("display_name_mismatch",)),
    SenderProfile("provincial_leader", N_("Provincial leader (spoofed, free mailbox)"),
                  "Chủ tịch UBND tỉnh {province}", "vanphong.chutich.ubnd@gmail.com",
                  "thuky.chutich@vanphong-ubnd.com",
                  ("free_mail_address", "display_name_mismatch", "reply_to_mismatch")),
    SenderProfile("invoice_vendor", N_("E-invoice provider (lookalike domain)"),
                  "Hóa đơn điện tử VNPT - Thông báo phát hành", "hoadon@vnpt-invoice.com.vn",
                  None, ("display_name_mismatch",)),
    SenderProfile("public_service_portal", N_("National public service portal (lookalike)"),
                  "Cổng Dịch vụ công quốc gia", "hotro@dichvucong-gov.vn", None,
                  ("display_name_mismatch",)),
    SenderProfile("mail_admin", N_("Official mail administrator (lookalike)"),
                  "Ban quản trị Hệ thống thư điện tử công vụ", "quantri@thucongvu-gov.vn",
                  None, ("display_name_mismatch",)),
)}


@dataclass(frozen=True)
class Lure:
    """A phishing template: the message a learner receives."""

    key: str
    label: str  # N_ msgid, for the trainer's form
    subject: str  # Vietnamese; {province}, {agency}, {month}, {year} are filled in
    body: str  # Vietnamese plain text with LINK_MARKER; {name} too
    displayed_url: str
    target_url: str
    sender_profile: str  # the default
    landing: LandingKind  # the default
    signs: tuple[str, ...]
    attachment: str | None = None  # a file name; its bytes are a harmless fake program


LURES: dict[str, Lure] = {lure.key: lure for lure in (
    Lure(
        "certificate_expiry", N_("Your digital-signature certificate expires: renew here"),
        "[KHẨN] Chứng thư chữ ký số của Quý đơn vị sẽ hết hạn trong 24 giờ",
        "Kính gửi Quý đơn vị,\n\n"
        "Hệ thống quản lý chứng thư số ghi nhận chứng thư chữ ký số cá nhân của Quý cán bộ "
        "sẽ hết hạn sử dụng trong vòng 24 giờ tới. Sau thời hạn này, các văn bản ký số sẽ "
        "không còn giá trị pháp lý và tài khoản ký số sẽ bị khóa.\n\n"
        "Để tránh gián đoạn công việc, đề nghị Quý cán bộ gia hạn ngay tại địa chỉ:\n"
        f"{LINK_MARKER}\n\n"
        "Khi gia hạn, vui lòng nhập mật khẩu thư công vụ và mã PIN của USB token để hệ thống "
        "xác thực.\n\n"
        "Trân trọng,\nBộ phận hỗ trợ chứng thư số",
        "https://ca.gov.vn/gia-han-chung-thu",
        "https://ca-gov.vn/gia-han-chung-thu/xac-thuc",
        "ca_lookalike", LandingKind.CERTIFICATE_RENEWAL,
        ("lookalike_domain", "urgency_pressure", "credential_request", "generic_greeting"),
    ),
    Lure(
        "axis_notice", N_("A fake notice from the document interconnection axis"),
        "Thông báo: 03 văn bản điện tử đang chờ nhận trên Trục liên thông",
        "Kính gửi {agency},\n\n"
        "Trục liên thông văn bản quốc gia thông báo: có 03 văn bản điện tử gửi đến đơn vị "
        "chưa được tiếp nhận. Do nâng cấp hệ thống, các đơn vị cần đăng nhập lại để xác "
        "thực tài khoản trước khi nhận văn bản:\n"
        f"{LINK_MARKER}\n\n"
        "Văn bản chưa tiếp nhận sau 48 giờ sẽ bị trả lại nơi gửi.\n\n"
        "Trung tâm điều hành Trục liên thông văn bản quốc gia",
        "https://truclienthong.gov.vn/van-ban-den",
        "https://truclienthong-gov.vn.xacthuc-taikhoan.com/dang-nhap",
        "axis_lookalike", LandingKind.LOGIN,
        ("lookalike_domain", "wrong_channel", "credential_request", "urgency_pressure"),
    ),
    Lure(
        "leader_request", N_("A spoofed provincial leader asks for an urgent favour"),
        "Gửi gấp tài liệu phục vụ cuộc họp chiều nay",
        "Đồng chí {name},\n\n"
        "Tôi đang họp, không nghe điện thoại được. Đồng chí xem ngay tài liệu cuộc họp về "
        "chuyển đổi số tỉnh {province} theo đường dẫn dưới đây, đăng nhập bằng tài khoản thư "
        "công vụ để tải về và gửi lại ý kiến cho tôi trước 15 giờ hôm nay:\n"
        f"{LINK_MARKER}\n\n"
        "Việc này cần giữ kín, chưa trao đổi với người khác.\n\n"
        "Chủ tịch UBND tỉnh",
        "https://vanban.{province_slug}.gov.vn/tai-lieu-hop",
        "https://vanphong-ubnd.com/tai-lieu-hop/dang-nhap",
        "provincial_leader", LandingKind.LOGIN,
        ("lookalike_domain", "urgency_pressure", "unusual_request", "credential_request"),
    ),
    Lure(
        "invoice_attachment", N_("An e-invoice with an attachment"),
        "Hóa đơn điện tử GTGT tháng {month}/{year} - Thông báo phát hành",
        "Kính gửi Quý khách hàng,\n\n"
        "Đơn vị cung cấp dịch vụ viễn thông xin thông báo đã phát hành hóa đơn điện tử giá "
        "trị gia tăng tháng {month}/{year} cho Quý khách hàng. Hóa đơn được đính kèm thư "
        "này. Quý khách vui lòng mở tệp đính kèm để xem chi tiết và thanh toán trước ngày "
        "25 để tránh bị tạm ngừng dịch vụ.\n\n"
        "Tra cứu hóa đơn trực tuyến:\n"
        f"{LINK_MARKER}\n\n"
        "Trân trọng cảm ơn!",
        "https://hoadon.vnpt.vn/tra-cuu",
        "https://vnpt-invoice.com.vn/tra-cuu/hoa-don",
        "invoice_vendor", LandingKind.TEACHING_ONLY,
        ("unexpected_attachment", "lookalike_domain", "generic_greeting", "urgency_pressure"),
        attachment="HoaDon_GTGT_T{month}_{year}.pdf.exe",
    ),
    Lure(
        "public_service_dossier", N_("A lookalike public service portal: dossier refused"),
        "Hồ sơ trực tuyến của đơn vị bị từ chối - bổ sung trong 24 giờ",
        "Kính gửi người dùng,\n\n"
        "Hồ sơ thủ tục hành chính số 000.00.{month}.H{year} do đơn vị tiếp nhận trên Cổng "
        "Dịch vụ công đã bị từ chối do thiếu thông tin xác thực. Để tránh hồ sơ bị hủy, vui "
        "lòng đăng nhập và bổ sung trong vòng 24 giờ:\n"
        f"{LINK_MARKER}\n\n"
        "Cổng Dịch vụ công quốc gia",
        "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html",
        "https://dichvucong-gov.vn/dang-nhap",
        "public_service_portal", LandingKind.LOGIN,
        ("lookalike_domain", "urgency_pressure", "credential_request", "generic_greeting"),
    ),
    Lure(
        "mailbox_quota", N_("Your official mailbox is full: confirm your account"),
        "Cảnh báo: hộp thư công vụ đã đầy 98% dung lượng",
        "Kính gửi người dùng,\n\n"
        "Hộp thư điện tử công vụ của bạn đã sử dụng 98% dung lượng. Thư mới gửi đến sẽ bị "
        "từ chối và tài khoản sẽ bị tạm khóa sau 12 giờ nếu không được xác nhận.\n\n"
        "Xác nhận tài khoản để được nâng cấp dung lượng miễn phí:\n"
        f"{LINK_MARKER}\n\n"
        "Ban quản trị Hệ thống thư điện tử công vụ",
        "https://mail.{province_slug}.gov.vn/nang-cap",
        "https://thucongvu-gov.vn/xac-nhan-tai-khoan",
        "mail_admin", LandingKind.LOGIN,
        ("lookalike_domain", "urgency_pressure", "credential_request", "generic_greeting"),
    ),
)}

LANDING_LABELS: dict[LandingKind, str] = {
    LandingKind.LOGIN: N_("Lookalike login page (official mail / portal)"),
    LandingKind.CERTIFICATE_RENEWAL: N_("Lookalike certificate renewal form"),
    LandingKind.TEACHING_ONLY: N_("No form: straight to the teaching page"),
}


def message_signs(lure: Lure, profile: SenderProfile) -> list[Sign]:
    """The signs a campaign's message carries: the template's and the sender's, once each."""
    codes = list(dict.fromkeys((*profile.signs, *lure.signs)))
    if lure.attachment is None:
        codes = [code for code in codes if code != "unexpected_attachment"]
    return [SIGNS[code] for code in codes]
