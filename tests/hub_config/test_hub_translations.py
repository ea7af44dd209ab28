"""The hub's login page catalogue (hub_config/translations): every text of the template and
of hub_config.page_language translated, placeholders kept, compiled; the page's two
languages render from it."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages import checkers
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from common.i18n import Language
from hub_config.page_language import HUB_MESSAGES, TRANSLATIONS_DIR, catalogue

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po"
BABEL_CFG = ROOT / "hub_config" / "babel.cfg"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def test_every_text_of_the_login_page_has_a_vietnamese_translation() -> None:
    with PO.open("rb") as handle:
        po = read_po(handle, locale="vi")
    with BABEL_CFG.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(BABEL_CFG))
    extracted = [m for _f, _l, m, _c, _x in extract_from_dir(ROOT, method_map, options_map,
                                                             keywords=KEYWORDS)]
    assert "Sign in" in extracted and set(HUB_MESSAGES) <= set(extracted)
    missing = [m for m in extracted if not (po.get(m) and po.get(m).string
                                            and not po.get(m).fuzzy)]
    assert missing == [], "run scripts/update-translations.sh and translate: " + repr(missing)
    for message in po:
        if message.id:
            checkers.python_format(po, message)  # raises on a lost placeholder
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in po:
        if message.id:
            assert compiled.gettext(message.id) == message.string


def test_the_catalogue_the_page_uses_is_vietnamese_and_english_is_the_msgids() -> None:
    assert catalogue(Language.VIETNAMESE).gettext("Sign in") == "Đăng nhập"
    assert catalogue(Language.VIETNAMESE).gettext(
        "Invalid username or password") == "Tên đăng nhập hoặc mật khẩu không đúng"
    assert catalogue(Language.ENGLISH).gettext("Sign in") == "Sign in"
