"""The Vietnamese citizen ID (số định danh cá nhân, printed on the CCCD card): its structure.

Twelve digits: the first three are the code of the province where the birth was registered
(001 Hà Nội ... 096 Cà Mau, the 63 codes of Circular 07/2016/TT-BCA, not every number between),
the fourth gives the century of birth and the sex (0 male / 1 female born 1900–1999, 2 male /
3 female born 2000–2099), the fifth and sixth the last two digits of the year of birth, and the
last six are a random number. A malformed ID is refused with the rule it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# reasons (the pages and the API translate them)
NOT_TWELVE_DIGITS = "citizen_id_not_twelve_digits"
UNKNOWN_PROVINCE_CODE = "citizen_id_unknown_province"
BAD_CENTURY_DIGIT = "citizen_id_bad_century"
BIRTH_YEAR_IN_FUTURE = "citizen_id_birth_in_future"

PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Thành phố Hồ Chí Minh", "080": "Long An",
    "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class InvalidCitizenId(ValueError):
    """The ID breaks a rule of its structure; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CitizenId:
    number: str
    province_code: str
    sex: Sex
    birth_year: int

    @property
    def province(self) -> str:
        return PROVINCE_CODES[self.province_code]


def normalise(text: str) -> str:
    """The ID as typed, without the blanks people put between groups of digits."""
    return "".join(text.split())


def parse_citizen_id(text: str, today: date) -> CitizenId:
    """The checked ID; InvalidCitizenId with the broken rule otherwise."""
    number = normalise(text)
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        raise InvalidCitizenId(NOT_TWELVE_DIGITS)
    if number[:3] not in PROVINCE_CODES:
        raise InvalidCitizenId(UNKNOWN_PROVINCE_CODE)
    century_digit = int(number[3])
    if century_digit > 3:
        raise InvalidCitizenId(BAD_CENTURY_DIGIT)
    birth_year = (1900 if century_digit < 2 else 2000) + int(number[4:6])
    if birth_year > today.year:
        raise InvalidCitizenId(BIRTH_YEAR_IN_FUTURE)
    sex = Sex.MALE if century_digit % 2 == 0 else Sex.FEMALE
    return CitizenId(number, number[:3], sex, birth_year)


def make_citizen_id(province_code: str, sex: Sex, birth_year: int, serial: int) -> str:
    """An ID with that structure (for the simulated population database)."""
    century_digit = (0 if birth_year < 2000 else 2) + (1 if sex is Sex.FEMALE else 0)
    return f"{province_code}{century_digit}{birth_year % 100:02d}{serial % 1_000_000:06d}"
