"""My learning's gettext catalogue: every text translated, placeholders kept, compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages import checkers
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from my_learning.i18n import TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po"
BABEL_CFG = ROOT / "my_learning" / "babel.cfg"
# the keywords scripts/update-translations.sh extracts with (Babel's defaults, and N_)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _catalogue() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


def test_every_text_of_my_learning_has_a_vietnamese_translation() -> None:
    catalogue = _catalogue()
    with BABEL_CFG.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(BABEL_CFG))
    missing = []
    extracted = 0
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS):
        extracted += 1
        key = message if isinstance(message, str) else message[0]
        entry = catalogue.get(key)
        if entry is None or not entry.string or entry.fuzzy or (
                not isinstance(entry.string, str) and not all(entry.string)):
            missing.append(key)
    assert extracted > 40  # the templates and the Python were both read
    assert missing == [], "run scripts/update-translations.sh and translate: " + repr(missing)


def test_placeholders_kept_and_the_catalogue_compiled() -> None:
    catalogue = _catalogue()
    for message in catalogue:
        if message.id:
            checkers.python_format(catalogue, message)  # raises on a lost placeholder
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string
        else:
            singular, plural = message.id[0], message.id[1]
            assert compiled.ngettext(singular, plural, 2) == message.string[0]
