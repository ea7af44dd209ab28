"""The e-office's gettext catalogues: every text translated, placeholders kept, compiled."""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

from babel.messages import checkers
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sandbox_eoffice.i18n import TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "N_": None}


def _catalogue():
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


def _source_texts() -> set[str | tuple[str, str]]:
    method_map = [("sandbox_eoffice/**.py", "python"),
                  ("sandbox_eoffice/templates/**.html", "jinja2")]
    texts: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, keywords=KEYWORDS
    ):
        texts.add(message if isinstance(message, str) else tuple(message))
    return texts


def test_every_text_of_the_e_office_has_a_vietnamese_translation() -> None:
    catalogue = _catalogue()
    missing = []
    for text in _source_texts():
        key = text[0] if isinstance(text, tuple) else text
        message = catalogue.get(key)
        if message is None or not message.string or message.fuzzy:
            missing.append(key)
    assert missing == [], "run scripts/update-translations.sh and translate: " + repr(missing)


def test_translations_keep_every_placeholder() -> None:
    catalogue = _catalogue()
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        for checker in (checkers.python_format,):
            try:
                checker(catalogue, message)
            except Exception as error:  # noqa: BLE001 (babel raises TranslationError)
                problems.append((message.id, str(error)))
    assert problems == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    compiled = gettext.GNUTranslations(BytesIO(MO.read_bytes()))
    for message in _catalogue():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(message.id[0], message.id[1], 1) == message.string[0]
        else:
            assert compiled.gettext(message.id) == message.string, message.id
