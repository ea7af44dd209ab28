"""The sandbox "token": a private key that only its holder's PIN releases.

It behaves like a USB token: the key never leaves it, the token checks the PIN, five wrong
PINs in a row lock it, and the security officer (a trainer) can unlock it by setting a new
PIN without knowing the old one (PKCS#11 C_InitPIN). So the key is sealed with the token
store's own key-encryption key (AES-256-GCM; the KEK is a file only the e-office's account
reads) and the PIN is checked against a salted HMAC-SHA256 keyed with a secret pepper
derived from that KEK. The lockout counter is kept by the caller in the same transaction as
the attempt (`sandbox_eoffice.signatures`).

Why a keyed hash and not a slow one (scrypt): a PIN has a million values or so, which no
affordable work factor protects against someone holding the stored hash; what protects it,
as on a hardware token, is that the hash cannot be tried offline (it and the pepper are
readable by the e-office's account only) and that online tries lock the token after five.
A slow hash would only cost every signature time (about 9 ms with scrypt n=2^12).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from signing.authority import PrivateKey, load_key_pem

MAX_PIN_ATTEMPTS = 5
PIN_MIN, PIN_MAX = 6, 16
KEK_BYTES = 32
SCHEME = "hmac-sha256"

# reasons a new PIN is refused (the e-office translates them)
PIN_LENGTH = "pin_length"
PIN_NOT_DIGITS = "pin_not_digits"
PIN_TOO_SIMPLE = "pin_too_simple"


class PinRefused(ValueError):
    """A new PIN that does not meet the policy; `reason` is one of the PIN_* codes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_new_pin(pin: str) -> None:
    """6 to 16 digits, not all the same digit, not a run such as 123456 or 654321."""
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        raise PinRefused(PIN_LENGTH)
    if not pin.isascii() or not pin.isdigit():
        raise PinRefused(PIN_NOT_DIGITS)
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    if len(set(pin)) == 1 or steps in ({1}, {9}):
        raise PinRefused(PIN_TOO_SIMPLE)


def pin_pepper(kek: bytes) -> bytes:
    """The secret the PIN hashes are keyed with, derived from the token store's KEK."""
    return hmac.new(kek, b"academy sandbox token PIN pepper", hashlib.sha256).digest()


def hash_pin(pin: str, pepper: bytes) -> str:
    """A salted, keyed hash of a new PIN (which must meet the policy)."""
    check_new_pin(pin)
    salt = os.urandom(16)
    return "$".join((SCHEME, base64.b64encode(salt).decode(),
                     base64.b64encode(_digest(pin, salt, pepper)).decode()))


def pin_matches(pin: str, stored: str, pepper: bytes) -> bool:
    scheme, salt, digest = stored.split("$")
    if scheme != SCHEME:
        raise ValueError(f"unknown PIN hash scheme {scheme!r}")
    return hmac.compare_digest(_digest(pin, base64.b64decode(salt), pepper),
                               base64.b64decode(digest))


def _digest(pin: str, salt: bytes, pepper: bytes) -> bytes:
    return hmac.new(pepper, salt + pin.encode(), hashlib.sha256).digest()


def new_kek() -> bytes:
    return AESGCM.generate_key(bit_length=KEK_BYTES * 8)


def seal(key: PrivateKey, kek: bytes) -> bytes:
    """The key (PKCS#8) encrypted and authenticated under the token store's KEK."""
    nonce = os.urandom(12)
    der = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return nonce + AESGCM(kek).encrypt(nonce, der, b"academy-sandbox-token")


def unseal(sealed: bytes, kek: bytes) -> PrivateKey:
    """The key; fails (cryptography's InvalidTag) if the blob or the KEK is not the one used."""
    return load_key_pem(AESGCM(kek).decrypt(sealed[:12], sealed[12:], b"academy-sandbox-token"))
