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
    pin_pepper,
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
    assert pin_matches(pin, hash_pin(pin, PEPPER), PEPPER)

PEPPER = pin_pepper(new_kek())


def test_hashing_a_pin_applies_the_policy() -> None:
    with pytest.raises(PinRefused) as refused:
        hash_pin("123456", PEPPER)
    assert refused.value.reason == PIN_TOO_SIMPLE


def test_only_the_right_pin_matches_and_each_hash_is_salted() -> None:
    first, second = hash_pin("284915", PEPPER), hash_pin("284915", PEPPER)
    assert first != second  # a fresh salt each time
    assert first.startswith("hmac-sha256$") and "284915" not in first
    assert pin_matches("284915", first, PEPPER) and pin_matches("284915", second, PEPPER)
    for wrong in ("284916", "482915", "2849150", "", "28491"):
        assert not pin_matches(wrong, first, PEPPER)


def test_changing_the_pin_leaves_the_old_pin_useless() -> None:
    old = hash_pin("284915", PEPPER)
    new = hash_pin("730264", PEPPER)  # what the e-office stores after a change (or an unlock)
    assert pin_matches("730264", new, PEPPER)
    assert not pin_matches("284915", new, PEPPER)
    assert not pin_matches("730264", old, PEPPER)


def test_the_hash_is_keyed_with_the_token_store_s_secret() -> None:
    """Without the pepper (only the e-office's account can read the KEK) a stolen hash
    cannot be tried offline: the same PIN under another pepper does not match."""
    stored = hash_pin("284915", PEPPER)
    assert not pin_matches("284915", stored, pin_pepper(new_kek()))


def test_an_unknown_hash_scheme_is_an_error() -> None:
    _, salt, digest = hash_pin("284915", PEPPER).split("$")
    with pytest.raises(ValueError, match="scheme"):
        pin_matches("284915", f"md5${salt}${digest}", PEPPER)


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
