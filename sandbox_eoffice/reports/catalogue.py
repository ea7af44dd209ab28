"""The eight indicators of the periodic report, as data: a stable code, the Vietnamese and
English names and definitions, the unit, the validation range and where the figure comes from.

They are the monthly (and quarterly) report of a People's Committee or department on digital
transformation and administrative reform that the province shares with the government's
reporting information system (Quảng Bình shares 8 of 8). Six come from the one-stop desk's
own dossiers (`sandbox_eoffice.one_stop.indicators.desk_indicators`), one from the e-office's
documents, and one is typed by the learner from a figure another agency provides.

The validation range is what a plausible figure of one agency for one period can be: a share
is 0–100 %; a count is 0 or more, with an upper bound that catches a typing slip (an extra
zero, a thousands separator read as a decimal point).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class IndicatorSource(StrEnum):
    """Where an indicator's figure comes from."""

    ONE_STOP = "one_stop"  # computed from the agency's one-stop dossiers
    EOFFICE = "eoffice"  # computed from the agency's documents in the e-office
    MANUAL = "manual"  # typed by the learner (a figure another agency provides)

    @property
    def computed(self) -> bool:
        return self is not IndicatorSource.MANUAL


class IndicatorUnit(StrEnum):
    PERCENT = "percent"
    DOSSIERS = "dossiers"
    ACCOUNTS = "accounts"

    @property
    def decimals(self) -> int:
        """How many decimal places a figure in this unit may have."""
        return 2 if self is IndicatorUnit.PERCENT else 0


UNIT_SYMBOLS: dict[IndicatorUnit, tuple[str, str]] = {
    IndicatorUnit.PERCENT: ("%", "%"),
    IndicatorUnit.DOSSIERS: ("hồ sơ", "dossiers"),
    IndicatorUnit.ACCOUNTS: ("tài khoản", "accounts"),
}


@dataclass(frozen=True)
class Indicator:
    number: int  # its row in the report (1–8)
    code: str  # stable, shared with the government reporting system's list
    name_vi: str
    name_en: str
    definition_vi: str
    definition_en: str
    unit: IndicatorUnit
    minimum: Decimal
    maximum: Decimal
    source: IndicatorSource

    def name(self, language: str) -> str:
        return self.name_vi if language == "vi" else self.name_en

    def definition(self, language: str) -> str:
        return self.definition_vi if language == "vi" else self.definition_en

    def unit_symbol(self, language: str) -> str:
        vi, en = UNIT_SYMBOLS[self.unit]
        return vi if language == "vi" else en

    def in_range(self, value: Decimal) -> bool:
        return self.minimum <= value <= self.maximum


_PERCENT = (IndicatorUnit.PERCENT, Decimal(0), Decimal(100))

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        1, "TTHC_RECEIVED",
        "Số hồ sơ thủ tục hành chính tiếp nhận trong kỳ",
        "Administrative-procedure dossiers received in the period",
        "Tổng số hồ sơ TTHC bộ phận một cửa tiếp nhận trong kỳ (trực tuyến và trực tiếp), "
        "theo ngày tiếp nhận.",
        "All the dossiers the one-stop desk received in the period, online and at the "
        "counter, by the day they were received.",
        IndicatorUnit.DOSSIERS, Decimal(0), Decimal(20000), IndicatorSource.ONE_STOP,
    ),
    Indicator(
        2, "TTHC_ONLINE_RATE",
        "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến",
        "Share of dossiers received online",
        "Số hồ sơ tiếp nhận qua dịch vụ công trực tuyến chia cho tổng số hồ sơ tiếp nhận "
        "trong kỳ, nhân 100.",
        "Dossiers received through the online public services, divided by all the dossiers "
        "received in the period, times 100.",
        *_PERCENT, IndicatorSource.ONE_STOP,
    ),
    Indicator(
        3, "TTHC_PAID_ONLINE_RATE",
        "Tỷ lệ hồ sơ thanh toán trực tuyến",
        "Share of fees paid online",
        "Trong số hồ sơ tiếp nhận trong kỳ phải nộp phí, lệ phí: số hồ sơ đã thanh toán "
        "trực tuyến chia cho số hồ sơ phải nộp, nhân 100.",
        "Of the dossiers received in the period that carry a fee: those paid online, "
        "divided by those that carry a fee, times 100.",
        *_PERCENT, IndicatorSource.ONE_STOP,
    ),
    Indicator(
        4, "TTHC_DIGITISED_RATE",
        "Tỷ lệ số hóa kết quả giải quyết TTHC",
        "Share of results digitised",
        "Trong số hồ sơ tiếp nhận trong kỳ đã có kết quả: số hồ sơ có kết quả giải quyết "
        "được số hóa chia cho số hồ sơ đã có kết quả, nhân 100.",
        "Of the dossiers received in the period that have a result: those whose result was "
        "digitised, divided by those with a result, times 100.",
        *_PERCENT, IndicatorSource.ONE_STOP,
    ),
    Indicator(
        5, "TTHC_ON_TIME_RATE",
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "Share of dossiers resolved on time",
        "Trong số hồ sơ tiếp nhận trong kỳ đã giải quyết xong: số hồ sơ giải quyết đúng "
        "hoặc trước hạn chia cho số hồ sơ đã giải quyết, nhân 100.",
        "Of the dossiers received in the period that are resolved: those resolved by their "
        "deadline, divided by those resolved, times 100.",
        *_PERCENT, IndicatorSource.ONE_STOP,
    ),
    Indicator(
        6, "TTHC_SATISFACTION_RATE",
        "Mức độ hài lòng của người dân, doanh nghiệp",
        "Citizens' and businesses' satisfaction",
        "Số lượt đánh giá hài lòng chia cho tổng số lượt đánh giá về hồ sơ tiếp nhận trong "
        "kỳ, nhân 100.",
        "Satisfied ratings divided by all the ratings given on the dossiers received in the "
        "period, times 100.",
        *_PERCENT, IndicatorSource.ONE_STOP,
    ),
    Indicator(
        7, "DOC_ON_TIME_RATE",
        "Tỷ lệ văn bản đến được xử lý đúng hạn trên hệ thống",
        "Share of incoming documents handled on time in the system",
        "Trong số văn bản đến được giao xử lý có thời hạn và hoàn thành xử lý trong kỳ trên "
        "hệ thống quản lý văn bản và điều hành: số văn bản hoàn thành đúng hoặc trước hạn "
        "chia cho số văn bản hoàn thành, nhân 100.",
        "Of the incoming documents assigned with a deadline and completed in the period in "
        "the document management system: those completed by their deadline, divided by "
        "those completed, times 100.",
        *_PERCENT, IndicatorSource.EOFFICE,
    ),
    Indicator(
        8, "VNEID_ACTIVATED",
        "Số tài khoản định danh điện tử (VNeID) được kích hoạt trong kỳ",
        "Electronic identification (VNeID) accounts activated in the period",
        "Số tài khoản định danh điện tử mức độ 2 của công dân trên địa bàn được kích hoạt "
        "trong kỳ, theo số liệu Công an cấp huyện cung cấp (nhập tay).",
        "Level-2 electronic identification accounts of residents activated in the period, "
        "as the district police report them (typed in).",
        IndicatorUnit.ACCOUNTS, Decimal(0), Decimal(50000), IndicatorSource.MANUAL,
    ),
)

BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
