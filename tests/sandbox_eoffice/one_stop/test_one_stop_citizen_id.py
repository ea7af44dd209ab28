"""The citizen ID (CCCD): exactly 12 digits, a real province code, a century-and-sex digit,
a year of birth that has happened; each broken rule refused with its own reason."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox_eoffice.one_stop.citizen_id import (
    BAD_CENTURY_DIGIT,
    BIRTH_YEAR_IN_FUTURE,
    NOT_TWELVE_DIGITS,
    PROVINCE_CODES,
    UNKNOWN_PROVINCE_CODE,
    InvalidCitizenId,
    Sex,
    make_citizen_id,
    parse_citizen_id,
)

TODAY = date(2026, 11, 24)


def test_a_well_formed_id_is_read() -> None:
    parsed = parse_citizen_id("044190123456", TODAY)
    assert (parsed.province, parsed.sex, parsed.birth_year) == ("Quảng Bình", Sex.FEMALE, 1990)
    assert parse_citizen_id("001 2 05 000123", TODAY).number == "001205000123"
    born_2005 = parse_citizen_id("001205000123", TODAY)
    assert (born_2005.sex, born_2005.birth_year) == (Sex.MALE, 2005)
    assert parse_citizen_id("096326123456", TODAY).birth_year == 2026  # born this year


def test_the_63_province_codes_run_from_001_to_096() -> None:
    assert len(PROVINCE_CODES) == 63
    assert min(PROVINCE_CODES) == "001" and max(PROVINCE_CODES) == "096"
    assert PROVINCE_CODES["079"] == "Thành phố Hồ Chí Minh"


@pytest.mark.parametrize(("text", "reason"), [
    ("", NOT_TWELVE_DIGITS),
    ("04419012345", NOT_TWELVE_DIGITS),  # 11 digits
    ("0441901234567", NOT_TWELVE_DIGITS),  # 13 digits
    ("04419012345A", NOT_TWELVE_DIGITS),
    ("044-190-123456", NOT_TWELVE_DIGITS),
    ("０４４１９０１２３４５６", NOT_TWELVE_DIGITS),  # full-width digits
    ("000190123456", UNKNOWN_PROVINCE_CODE),
    ("003190123456", UNKNOWN_PROVINCE_CODE),  # between two real codes
    ("097190123456", UNKNOWN_PROVINCE_CODE),
    ("999190123456", UNKNOWN_PROVINCE_CODE),
    ("044490123456", BAD_CENTURY_DIGIT),  # 4: born 2100–2199
    ("044990123456", BAD_CENTURY_DIGIT),
    ("044230123456", BIRTH_YEAR_IN_FUTURE),  # 2030
    ("044327123456", BIRTH_YEAR_IN_FUTURE),  # 2027
])
def test_each_broken_rule_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidCitizenId) as refused:
        parse_citizen_id(text, TODAY)
    assert refused.value.reason == reason


def test_made_ids_follow_the_structure() -> None:
    number = make_citizen_id("044", Sex.FEMALE, 2003, 42)
    assert number == "044303000042"
    parsed = parse_citizen_id(number, TODAY)
    assert (parsed.sex, parsed.birth_year) == (Sex.FEMALE, 2003)
    assert make_citizen_id("001", Sex.MALE, 1958, 1_234_567) == "001058234567"
