"""Real-looking Vietnamese agencies for the sandbox: provinces, their towns, departments.

The provinces are those of the reports the platform is built on (docs/domain). A learner's
own agency is either a provincial department (Sở) or a district People's Committee (UBND
huyện), each with its leaders, its units (phòng, ban) and the positions found in them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox_eoffice.vocabulary import Position


@dataclass(frozen=True)
class Province:
    name: str
    city: str  # the provincial capital, as written in an address: "thành phố Việt Trì"
    wards: tuple[str, ...]  # wards (phường) of the capital
    districts: tuple[str, ...]


PROVINCES: tuple[Province, ...] = (
    Province("Phú Thọ", "thành phố Việt Trì", ("Tân Dân", "Gia Cẩm", "Tiên Cát", "Nông Trang"),
             ("Lâm Thao", "Thanh Sơn", "Cẩm Khê", "Phù Ninh")),
    Province("Vĩnh Phúc", "thành phố Vĩnh Yên", ("Liên Bảo", "Ngô Quyền", "Tích Sơn", "Đống Đa"),
             ("Lập Thạch", "Tam Dương", "Yên Lạc", "Sông Lô")),
    Province("Cao Bằng", "thành phố Cao Bằng", ("Hợp Giang", "Sông Bằng", "Tân Giang", "Đề Thám"),
             ("Hòa An", "Trùng Khánh", "Bảo Lạc", "Quảng Hòa")),
    Province("Quảng Bình", "thành phố Đồng Hới", ("Hải Đình", "Đồng Mỹ", "Nam Lý", "Phú Hải"),
             ("Bố Trạch", "Quảng Ninh", "Lệ Thủy", "Minh Hóa")),
    Province("Bắc Ninh", "thành phố Bắc Ninh", ("Suối Hoa", "Tiền An", "Vũ Ninh", "Kinh Bắc"),
             ("Tiên Du", "Gia Bình", "Lương Tài", "Quế Võ")),
)


@dataclass(frozen=True)
class IssuingAgency:
    """A sender of incoming documents; `symbol` is its part of the số, ký hiệu."""

    name: str
    symbol: str
    units: tuple[str, ...]
    head_title: str = "GIÁM ĐỐC"
    deputy_title: str = "PHÓ GIÁM ĐỐC"


def provincial_senders(province: str) -> tuple[IssuingAgency, ...]:
    """Agencies that send documents to a district or department in `province`.

    Sở Tài chính is deliberately absent: the seeding adds exactly one document from it.
    """
    return (
        IssuingAgency(f"UBND tỉnh {province}", "UBND", ("VP", "KGVX", "KT"),
                      "CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
        IssuingAgency(f"Văn phòng UBND tỉnh {province}", "VPUBND", ("HCTC", "KSTT"),
                      "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"),
        IssuingAgency(f"Sở Nội vụ tỉnh {province}", "SNV", ("CCVC", "TCBC", "CCHC")),
        IssuingAgency(f"Sở Thông tin và Truyền thông tỉnh {province}", "STTTT", ("CĐS", "BCVT")),
        IssuingAgency(f"Sở Kế hoạch và Đầu tư tỉnh {province}", "SKHĐT", ("TH", "ĐKKD")),
        IssuingAgency(f"Sở Khoa học và Công nghệ tỉnh {province}", "SKHCN", ("QLKH", "VP")),
        IssuingAgency("Bộ Thông tin và Truyền thông", "BTTTT", ("CĐSQG", "THH"),
                      "BỘ TRƯỞNG", "THỨ TRƯỞNG"),
        IssuingAgency("Ban Cơ yếu Chính phủ", "BCY", ("CTSBMTT", "VP"),
                      "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
    )


def finance_department(province: str) -> IssuingAgency:
    """Sở Tài chính: the sender of the practical task's document."""
    return IssuingAgency(f"Sở Tài chính tỉnh {province}", "STC", ("NS", "QLG", "TCHCSN"))


@dataclass(frozen=True)
class UnitPlan:
    """A kind of unit: its name, its symbol, and the titles of its head, deputy and staff."""

    name: str
    symbol: str
    head: tuple[Position, str]
    deputy: tuple[Position, str]
    staff: tuple[Position, str] = (Position.SPECIALIST, "Chuyên viên")
    is_office: bool = False  # the office (Văn phòng) keeps the register books: it has the clerks


@dataclass(frozen=True)
class AgencyKind:
    """A department (Sở) or a district People's Committee (UBND huyện)."""

    head_title: str  # "Giám đốc" / "Chủ tịch"
    deputy_title: str
    office: UnitPlan
    other_units: tuple[UnitPlan, ...]


def _unit(name: str, symbol: str) -> UnitPlan:
    return UnitPlan(name, symbol, (Position.UNIT_HEAD, "Trưởng phòng"),
                    (Position.DEPUTY_UNIT_HEAD, "Phó Trưởng phòng"))


def _inspectorate(name: str) -> UnitPlan:
    return UnitPlan(name, "TTr", (Position.UNIT_HEAD, "Chánh Thanh tra"),
                    (Position.DEPUTY_UNIT_HEAD, "Phó Chánh Thanh tra"),
                    (Position.SPECIALIST, "Thanh tra viên"))


def _office(name: str) -> UnitPlan:
    return UnitPlan(name, "VP", (Position.CHIEF_OF_OFFICE, "Chánh Văn phòng"),
                    (Position.DEPUTY_CHIEF_OF_OFFICE, "Phó Chánh Văn phòng"), is_office=True)


DEPARTMENT = AgencyKind(
    "Giám đốc",
    "Phó Giám đốc",
    _office("Văn phòng Sở"),
    (
        _inspectorate("Thanh tra Sở"),
        _unit("Phòng Kế hoạch - Tài chính", "KHTC"),
        _unit("Phòng Tổ chức cán bộ", "TCCB"),
        _unit("Phòng Chuyển đổi số", "CĐS"),
        _unit("Phòng Quản lý chuyên ngành", "QLCN"),
        _unit("Phòng Pháp chế", "PC"),
    ),
)

DISTRICT = AgencyKind(
    "Chủ tịch",
    "Phó Chủ tịch",
    _office("Văn phòng HĐND và UBND"),
    (
        _unit("Phòng Nội vụ", "NV"),
        _unit("Phòng Tài chính - Kế hoạch", "TCKH"),
        _unit("Phòng Văn hóa và Thông tin", "VHTT"),
        _unit("Phòng Tư pháp", "TP"),
        _unit("Phòng Tài nguyên và Môi trường", "TNMT"),
        _inspectorate("Thanh tra huyện"),
    ),
)

# the departments a learner's agency may be: (name without the province, symbol)
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("Sở Nội vụ", "SNV"),
    ("Sở Thông tin và Truyền thông", "STTTT"),
    ("Sở Tư pháp", "STP"),
    ("Sở Kế hoạch và Đầu tư", "SKHĐT"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT"),
)
