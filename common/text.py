"""Text helpers for Vietnamese names in places that accept only ASCII."""

from __future__ import annotations

import re
import unicodedata


def ascii_fold(text: str) -> str:
    """'Đặng Thị Thu' -> 'Dang Thi Thu': diacritics dropped, đ/Đ read as d/D."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def ascii_words(text: str) -> str:
    """ascii_fold, keeping only letters, digits, spaces, '.' and '-'."""
    return re.sub(r"[^A-Za-z0-9 .-]", "", ascii_fold(text))
