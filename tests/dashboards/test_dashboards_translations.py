"""The dashboards' gettext catalogue: every text translated, placeholders kept, compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages import checkers
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dashboards.i18n import TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _catalogue():  # type: ignore[no-untyped-def]
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


def test_every_text_of_the_dashboards_has_a_vietnamese_translation() -> None:
    catalogue = _catalogue()
    method_map = [("dashboards/**.py", "python"), ("dashboards/templates/**.html", "jinja2")]
    missing = []
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, keywords=KEYWORDS):
        key = message if isinstance(message, str) else message[0]
        entry = catalogue.get(key)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(key)
    assert missing == [], "run scripts/update-translations.sh and translate: " + repr(missing)


def test_placeholders_kept_and_the_catalogue_compiled() -> None:
    catalogue = _catalogue()
    for message in catalogue:
        if message.id:
            checkers.python_format(catalogue, message)  # raises on a lost placeholder
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalogue:
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string
