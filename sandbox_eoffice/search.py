"""The search box: diacritic-insensitive matching of number, symbol and summary.

A civil servant types "chu ky so" or "Chữ ký số" and expects the same documents. Each
document keeps its number, symbol and summary folded (no diacritics, lower case) in
`search_text`; a query matches when every word of it, folded the same way, occurs there.
The same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, true

from common.text import ascii_fold
from sandbox_eoffice.models import IncomingDocument

MAX_QUERY_WORDS = 10


def fold(text: str) -> str:
    return ascii_fold(text).lower()


def search_text_for(number_symbol: str, summary: str) -> str:
    return fold(f"{number_symbol} {summary}")


def matches(query: str) -> ColumnElement[bool]:
    """A WHERE clause: every word of `query` occurs in the document's search text."""
    words = fold(query).split()[:MAX_QUERY_WORDS]
    if not words:
        return true()
    return and_(*(IncomingDocument.search_text.contains(word, autoescape=True) for word in words))
