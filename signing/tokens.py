"""The sandbox "token": a private key sealed under the holder's PIN.

Like a USB token, the key is never shown to anyone and is usable only with the PIN; five
wrong PINs in a row lock the token and only a trainer (the registration officer) can unlock
it. The sealed key is PKCS#8 encrypted with the PIN (PBES2); it is stored where only the
e-office's service account can read it, and the lockout counter is kept by the caller in the
same transaction as the attempt (`sandbox_eoffice.signatures`), so it cannot be side-stepped
by retrying in parallel.
"""

from __future__ import annotations

from signing.authority import PrivateKey, key_pem, load_key_pem

MAX_PIN_ATTEMPTS = 5
PIN_MIN, PIN_MAX = 6, 16

# reasons a PIN is refused (the e-office translates them)
PIN_LENGTH = "pin_length"
PIN_NOT_DIGITS = "pin_not_digits"
PIN_TOO_SIMPLE = "pin_too_simple"


class PinRefused(ValueError):
    """A new PIN that does not meet the policy; `reason` is one of the PIN_* codes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WrongPin(ValueError):
    """The PIN does not open the token."""


def check_new_pin(pin: str) -> None:
    """6 to 16 digits, not all the same digit, not a run such as 123456 or 654321."""
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        raise PinRefused(PIN_LENGTH)
    if not pin.isascii() or not pin.isdigit():
        raise PinRefused(PIN_NOT_DIGITS)
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    if len(set(pin)) == 1 or steps in ({1}, {9}):
        raise PinRefused(PIN_TOO_SIMPLE)


def seal(key: PrivateKey, pin: str) -> bytes:
    """The key encrypted under `pin` (which must meet the policy)."""
    check_new_pin(pin)
    return key_pem(key, pin.encode())


def open_sealed(sealed: bytes, pin: str) -> PrivateKey:
    """The key, if `pin` is right; WrongPin otherwise."""
    try:
        key = load_key_pem(sealed, pin.encode())
    except (ValueError, TypeError) as error:
        raise WrongPin("wrong PIN") from error
    return key


def reseal(sealed: bytes, old_pin: str, new_pin: str) -> bytes:
    """Change the PIN: the same key under `new_pin`."""
    check_new_pin(new_pin)
    return seal(open_sealed(sealed, old_pin), new_pin)
