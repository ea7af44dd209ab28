"""Where a page may send a person back to: a path of this site, never another site."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def is_local_path(target: str | None) -> bool:
    """True for a path on this site only: never an absolute or protocol-relative URL, nor
    anything a browser would clean into one (it drops tabs, newlines and other control or
    blank characters: "/\\t/evil.example" becomes "//evil.example"), nor a backslash,
    which browsers read as a slash."""
    return bool(
        target
        and target.startswith("/")
        and not any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in target)
        and not target.startswith("//")
        and "\\" not in target
        and not urlsplit(target).scheme
        and not urlsplit(target).netloc
    )
