"""Real-looking Vietnamese agencies for the sandbox: provinces, districts, departments.

The provinces are those of the reports the platform is built on (see docs/domain).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Province:
    name: str
    districts: tuple[str, ...]


PROVINCES: tuple[Province, ...] = (
    Province("Phú Thọ", ("Lâm Thao", "Thanh Sơn", "Cẩm Khê", "Phù Ninh")),
    Province("Vĩnh Phúc", ("Lập Thạch", "Tam Dương", "Yên Lạc", "Sông Lô")),
    Province("Cao Bằng", ("Hòa An", "Trùng Khánh", "Bảo Lạc", "Quảng Hòa")),
    Province("Quảng Bình", ("Bố Trạch", "Quảng Ninh", "Lệ Thủy", "Minh Hóa")),
    Province("Bắc Ninh", ("Tiên Du", "Gia Bình", "Lương Tài", "Quế Võ")),
)


@dataclass(frozen=True)
class IssuingAgency:
    """A sender of incoming documents; `symbol` is its part of the số, ký hiệu."""

    name: str
    symbol: str
    units: tuple[str, ...]


def provincial_senders(province: str) -> tuple[IssuingAgency, ...]:
    """Agencies that send documents to a district or department in `province`.

    Sở Tài chính is deliberately absent: the seeding adds exactly one document from it.
    """
    return (
        IssuingAgency(f"UBND tỉnh {province}", "UBND", ("VP", "KGVX", "KT")),
        IssuingAgency(f"Văn phòng UBND tỉnh {province}", "VPUBND", ("HCTC", "KSTT")),
        IssuingAgency(f"Sở Nội vụ tỉnh {province}", "SNV", ("CCVC", "TCBC", "CCHC")),
        IssuingAgency(f"Sở Thông tin và Truyền thông tỉnh {province}", "STTTT", ("CĐS", "BCVT")),
        IssuingAgency(f"Sở Kế hoạch và Đầu tư tỉnh {province}", "SKHĐT", ("TH", "ĐKKD")),
        IssuingAgency(f"Sở Khoa học và Công nghệ tỉnh {province}", "SKHCN", ("QLKH", "VP")),
        IssuingAgency("Bộ Thông tin và Truyền thông", "BTTTT", ("CĐSQG", "THH")),
        IssuingAgency("Ban Cơ yếu Chính phủ", "BCY", ("CTSBMTT", "VP")),
    )


def finance_department(province: str) -> IssuingAgency:
    """Sở Tài chính: the sender of the practical task's document."""
    return IssuingAgency(f"Sở Tài chính tỉnh {province}", "STC", ("NS", "QLG", "TCHCSN"))


# (unit, job titles found in that unit) inside the learner's own agency.
DISTRICT_UNITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Văn phòng HĐND và UBND", ("Chánh Văn phòng", "Phó Chánh Văn phòng", "Văn thư")),
    ("Phòng Nội vụ", ("Trưởng phòng", "Chuyên viên")),
    ("Phòng Tài chính - Kế hoạch", ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
    ("Phòng Văn hóa và Thông tin", ("Trưởng phòng", "Chuyên viên")),
)

DEPARTMENT_UNITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Văn phòng Sở", ("Chánh Văn phòng", "Văn thư", "Chuyên viên")),
    ("Phòng Chuyển đổi số", ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
    ("Phòng Bưu chính, Viễn thông", ("Trưởng phòng", "Chuyên viên")),
    ("Thanh tra Sở", ("Chánh Thanh tra", "Thanh tra viên")),
)
