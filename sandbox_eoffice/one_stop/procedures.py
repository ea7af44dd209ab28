"""The administrative procedures (thủ tục hành chính) the practice desk handles, as data.

Each has a code, its Vietnamese name (and English), its field (lĩnh vực), the legal processing
time in working days, the fee in VND, the documents of the dossier (thành phần hồ sơ), the
online service level, and the paper its result is. The figures follow the laws in force
(Luật Hộ tịch 2014 and Decree 123/2015, Decree 23/2015 on certification with Circular
226/2016 on its fees, Decree 01/2021 on business households, the land law's decrees) in a
simplified form: they are for practice; a province's published list is what counts at work.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Field(StrEnum):
    """Lĩnh vực: the field a procedure belongs to."""

    CIVIL_STATUS = "civil_status"  # hộ tịch
    CERTIFICATION = "certification"  # chứng thực
    BUSINESS = "business"  # kinh doanh (hộ kinh doanh)
    LAND = "land"  # đất đai
    JUDICIAL_RECORD = "judicial_record"  # lý lịch tư pháp


FIELD_NAMES: dict[Field, tuple[str, str]] = {
    Field.CIVIL_STATUS: ("Hộ tịch", "Civil status"),
    Field.CERTIFICATION: ("Chứng thực", "Certification"),
    Field.BUSINESS: ("Thành lập và hoạt động của hộ kinh doanh", "Business households"),
    Field.LAND: ("Đất đai", "Land"),
    Field.JUDICIAL_RECORD: ("Lý lịch tư pháp", "Judicial records"),
}


class OnlineLevel(StrEnum):
    """How far the procedure can be done online (dịch vụ công trực tuyến)."""

    PARTIAL = "partial"  # một phần: the citizen still comes for the original papers or result
    FULL = "full"  # toàn trình: submitted, paid and returned online


ONLINE_LEVEL_NAMES: dict[OnlineLevel, tuple[str, str]] = {
    OnlineLevel.PARTIAL: ("Một phần", "Partly online"),
    OnlineLevel.FULL: ("Toàn trình", "Fully online"),
}


@dataclass(frozen=True)
class Procedure:
    code: str
    name_vi: str
    name_en: str
    field: Field
    processing_days: int  # legal processing time, in working days
    fee: int  # VND; 0: free of charge
    documents: tuple[str, ...]  # thành phần hồ sơ, in the order of the published list
    online_level: OnlineLevel
    result_vi: str  # the paper the citizen receives
    note_vi: str = ""

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


PROCEDURES: tuple[Procedure, ...] = (
    Procedure(
        "HT-KS", "Đăng ký khai sinh", "Birth registration", Field.CIVIL_STATUS, 1, 0,
        ("Tờ khai đăng ký khai sinh", "Giấy chứng sinh",
         "Giấy tờ tùy thân của người đi đăng ký (CCCD)"),
        OnlineLevel.FULL, "Giấy khai sinh",
        "Luật Hộ tịch: giải quyết ngay trong ngày; sau 15 giờ thì trong ngày làm việc tiếp "
        "theo. Miễn lệ phí khi đăng ký đúng hạn."),
    Procedure(
        "HT-KT", "Đăng ký khai tử", "Death registration", Field.CIVIL_STATUS, 1, 0,
        ("Tờ khai đăng ký khai tử", "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử"),
        OnlineLevel.FULL, "Trích lục khai tử"),
    Procedure(
        "HT-KH", "Đăng ký kết hôn", "Marriage registration", Field.CIVIL_STATUS, 5, 0,
        ("Tờ khai đăng ký kết hôn", "Giấy tờ tùy thân của hai bên nam, nữ (CCCD)",
         "Giấy xác nhận tình trạng hôn nhân (khi đăng ký ngoài nơi cư trú)"),
        OnlineLevel.PARTIAL, "Giấy chứng nhận kết hôn",
        "Giải quyết ngay khi đủ giấy tờ; cần xác minh thì không quá 05 ngày làm việc."),
    Procedure(
        "HT-XNHN", "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Certificate of marital status", Field.CIVIL_STATUS, 3, 15_000,
        ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
         "Giấy tờ tùy thân của người yêu cầu (CCCD)"),
        OnlineLevel.FULL, "Giấy xác nhận tình trạng hôn nhân"),
    Procedure(
        "CT-BS", "Chứng thực bản sao từ bản chính", "Certified copy of an original",
        Field.CERTIFICATION, 1, 2_000,
        ("Bản chính giấy tờ, văn bản", "Bản sao cần chứng thực"),
        OnlineLevel.PARTIAL, "Bản sao được chứng thực từ bản chính",
        "Giải quyết trong ngày (tính là 01 ngày làm việc); lệ phí 2.000 đồng/trang."),
    Procedure(
        "CT-CK", "Chứng thực chữ ký trong giấy tờ, văn bản",
        "Certification of a signature", Field.CERTIFICATION, 1, 10_000,
        ("Giấy tờ tùy thân của người yêu cầu (CCCD)", "Giấy tờ, văn bản cần chứng thực chữ ký"),
        OnlineLevel.PARTIAL, "Giấy tờ, văn bản được chứng thực chữ ký"),
    Procedure(
        "KD-HKD", "Đăng ký thành lập hộ kinh doanh", "Business household registration",
        Field.BUSINESS, 3, 100_000,
        ("Giấy đề nghị đăng ký hộ kinh doanh",
         "Bản sao giấy tờ pháp lý của chủ hộ kinh doanh (CCCD)",
         "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh"),
        OnlineLevel.FULL, "Giấy chứng nhận đăng ký hộ kinh doanh"),
    Procedure(
        "LLTP", "Cấp Phiếu lý lịch tư pháp", "Criminal record certificate",
        Field.JUDICIAL_RECORD, 10, 200_000,
        ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
         "Bản chụp giấy tờ tùy thân của người yêu cầu (CCCD)"),
        OnlineLevel.FULL, "Phiếu lý lịch tư pháp"),
    Procedure(
        "DD-GCN", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "First issuance of a land-use right certificate", Field.LAND, 30, 100_000,
        ("Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu 04/ĐK)",
         "Giấy tờ về quyền sử dụng đất",
         "Mảnh trích đo địa chính thửa đất",
         "Chứng từ thực hiện nghĩa vụ tài chính (nếu có)"),
        OnlineLevel.PARTIAL, "Giấy chứng nhận quyền sử dụng đất",
        "Không quá 30 ngày (tính theo ngày làm việc trong bài thực hành)."),
)

_BY_CODE: dict[str, Procedure] = {procedure.code: procedure for procedure in PROCEDURES}


def procedure_for(code: str) -> Procedure | None:
    return _BY_CODE.get(code)
