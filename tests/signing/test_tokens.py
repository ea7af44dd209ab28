"""signing.tokens: the PIN policy, PIN checks and changes, keys sealed under the token
store's key-encryption key."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from signing.authority import new_key, new_rsa_key
from signing.tokens import (
    KEK_BYTES,
    PIN_LENGTH,
    PIN_NOT_DIGITS,
    PIN_TOO_SIMPLE,
    PinRefused,
    check_new_pin,
    hash_pin,
    new_kek,
    pin_matches,
    seal,
    unseal,
)


@pytest.mark.parametrize(("pin", "reason"), [
    ("", PIN_LENGTH),
    ("28491", PIN_LENGTH),  # 5 digits
    ("28491573028491573", PIN_LENGTH),  # 17 digits
    ("28 915", PIN_NOT_DIGITS),
    ("2849a5", PIN_NOT_DIGITS),
    ("२८४९१५", PIN_NOT_DIGITS),  # Devanagari digits: isdigit(), not ASCII
    ("123456", PIN_TOO_SIMPLE),
    ("111111", PIN_TOO_SIMPLE),
    ("654321", PIN_TOO_SIMPLE),
    ("789012", PIN_TOO_SIMPLE),  # a run that wraps past 9
    ("0000000000000000", PIN_TOO_SIMPLE),
])
def test_a_new_pin_that_breaks_the_policy_is_refused_with_its_reason(
        pin: str, reason: str) -> None:
    with pytest.raises(PinRefused) as refused:
        check_new_pin(pin)
    assert refused.value.reason == reason


@pytest.mark.parametrize("pin", ["284915", "112233", "123457", "2849157302849157", "000001"])
def test_a_new_pin_within_the_policy_is_accepted(pin: str) -> None:
    check_new_pin(pin)
    assert pin_matches(pin, hash_pin(pin))


def test_hashing_a_pin_applies_the_policy() -> None:
    with pytest.raises(PinRefused) as refused:
        hash_pin("123456")
    assert refused.value.reason == PIN_TOO_SIMPLE


def test_only_the_right_pin_matches_and_each_hash_is_salted() -> None:
    first, second = hash_pin("284915"), hash_pin("284915")
    assert first != second  # a fresh salt each time
    assert first.startswith("scrypt$") and "284915" not in first
    assert pin_matches("284915", first) and pin_matches("284915", second)
    for wrong in ("284916", "482915", "2849150", "", "28491"):
        assert not pin_matches(wrong, first)


def test_changing_the_pin_leaves_the_old_pin_useless() -> None:
    old = hash_pin("284915")
    new = hash_pin("730264")  # what the e-office stores after a change (or an unlock)
    assert pin_matches("730264", new)
    assert not pin_matches("284915", new)
    assert not pin_matches("730264", old)


def test_an_unknown_hash_scheme_is_an_error() -> None:
    _, salt, digest = hash_pin("284915").split("$")
    with pytest.raises(ValueError, match="scheme"):
        pin_matches("284915", f"md5${salt}${digest}")


@pytest.mark.parametrize("make_key", [new_key, new_rsa_key])
def test_a_sealed_key_comes_back_whole_under_the_same_kek(make_key) -> None:
    kek = new_kek()
    key = make_key()
    sealed = seal(key, kek)
    assert b"PRIVATE KEY" not in sealed
    opened = unseal(sealed, kek)
    assert isinstance(opened, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    assert type(opened) is type(key)
    assert opened.private_numbers() == key.private_numbers()
    assert seal(key, kek) != sealed  # a fresh nonce each time


def test_another_kek_or_a_changed_blob_does_not_open_the_key() -> None:
    kek = new_kek()
    sealed = seal(new_key(), kek)
    with pytest.raises(InvalidTag):
        unseal(sealed, new_kek())
    flipped = bytearray(sealed)
    flipped[len(flipped) // 2] ^= 0x01
    with pytest.raises(InvalidTag):
        unseal(bytes(flipped), kek)


def test_keks_are_random_and_256_bits() -> None:
    first, second = new_kek(), new_kek()
    assert len(first) == KEK_BYTES == 32
    assert first != second
