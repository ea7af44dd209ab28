"""The hub's pages' catalogue (hub_config/translations): every text of the login, activation,
change-password and reset-account pages and of hub_config's handlers translated, placeholders
kept, compiled; each page renders in one language at a time from it."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages import checkers
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from jupyterhub._data import DATA_FILES_PATH

from common.i18n import Language
from hub_config.authenticator import (
    PASSWORD_PROBLEMS,
    REFUSAL_MESSAGES,
    WRONG_CODE_MESSAGE,
)
from hub_config.page_language import HUB_MESSAGES, LANGUAGE_NAMES, TRANSLATIONS_DIR, catalogue
from people.accounts import Refusal

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po"
BABEL_CFG = ROOT / "hub_config" / "babel.cfg"
TEMPLATES = ROOT / "hub_config" / "templates"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
#: the pages with one language at a time, and the element that holds each one's texts
PAGES = {"activate.html": "academy-activate", "change-password.html": "academy-change-password",
         "reset-account.html": "academy-reset-account", "login.html": "login-main"}
#: a letter only Vietnamese of the two languages has
VIETNAMESE_LETTER = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữự"
                               r"ỳýỷỹỵ]", re.IGNORECASE)


def _extracted() -> list[tuple[str, str]]:
    """(file, msgid) of every text babel.cfg extracts."""
    with BABEL_CFG.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(BABEL_CFG))
    return [(filename, message) for filename, _l, message, _c, _x in
            extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS)]


def _read_po():
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


def test_every_text_of_the_hub_pages_has_a_vietnamese_translation() -> None:
    extracted = _extracted()
    messages = [m for _f, m in extracted]
    # every template that says something, and the handlers' messages, are extracted
    files = {f for f, _m in extracted}
    templates = {f"hub_config/templates/{p.name}" for p in TEMPLATES.glob("*.html")
                 if "_(" in p.read_text(encoding="utf-8")}
    assert {f"hub_config/templates/{page}" for page in PAGES} <= templates <= files
    assert {"hub_config/authenticator.py", "hub_config/page_language.py"} <= files
    assert "Sign in" in messages and "Activate your account" in messages
    assert set(HUB_MESSAGES) | set(REFUSAL_MESSAGES.values()) | set(PASSWORD_PROBLEMS.values()) \
        | {WRONG_CODE_MESSAGE} <= set(messages)
    po = _read_po()
    missing = [m for m in messages if not (po.get(m) and po.get(m).string
                                           and not po.get(m).fuzzy)]
    assert missing == [], "run scripts/update-translations.sh and translate: " + repr(missing)
    assert [m.id for m in po if m.id and m.fuzzy] == []
    for message in po:
        if message.id:
            checkers.python_format(po, message)  # raises on a lost placeholder
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in po:
        if message.id:
            assert compiled.gettext(message.id) == message.string


def test_every_refusal_has_a_text_and_every_vietnamese_text_has_its_diacritics() -> None:
    assert set(REFUSAL_MESSAGES) == set(Refusal)
    po = _read_po()
    for message in po:
        if message.id:
            # a Vietnamese sentence without a single diacritic was typed without them
            assert VIETNAMESE_LETTER.search(message.string), message.id
            assert " / " not in message.string, message.string  # one language, not both


def test_the_catalogue_the_page_uses_is_vietnamese_and_english_is_the_msgids() -> None:
    vi, en = catalogue(Language.VIETNAMESE).gettext, catalogue(Language.ENGLISH).gettext
    assert vi("Sign in") == "Đăng nhập"
    assert vi("Invalid username or password") == "Tên đăng nhập hoặc mật khẩu không đúng"
    assert vi("Activate your account") == "Kích hoạt tài khoản"
    assert vi(REFUSAL_MESSAGES[Refusal.LOCKED]) % {"minutes": 14} \
        == "Tài khoản tạm khoá do nhập sai nhiều lần; thử lại sau 14 phút"
    assert en("Sign in") == "Sign in"


def _render(page: str, language: Language, **values: object) -> str:
    """``page`` as the hub renders it (its loaders: JupyterHub's templates under
    "templates/", the academy's first), with what the handler gives it."""
    jupyterhub_templates = str(Path(DATA_FILES_PATH) / "templates")
    env = Environment(autoescape=True, loader=ChoiceLoader([
        PrefixLoader({"templates": FileSystemLoader([jupyterhub_templates])}, "/"),
        FileSystemLoader([str(TEMPLATES), jupyterhub_templates]),
    ]))
    links = [{"code": lang.value, "name": LANGUAGE_NAMES[lang], "current": lang is language,
              "url": f"/hub/page?lang={lang.value}"} for lang in Language]
    namespace = {"static_url": lambda *_a, **_k: "", "base_url": "/hub/", "xsrf": "token",
                 "_": catalogue(language).gettext, "language": language.value,
                 "language_links": links, "academy_warning": "",
                 "authenticator": {"code_valid_days": 30}}
    return env.get_template(page).render({**namespace, **values})


def _main_text(html: str, element_id: str) -> str:
    """The text of the element ``element_id`` (one of PAGES'), tags and spaces dropped."""
    start = html.index(f'id="{element_id}"')
    body = html[start:html.index("</form>", start)] if "<form" in html[start:] else html[start:]
    return " ".join(re.sub(r"<[^>]+>", " ", body.split(">", 1)[1]).split())


PAGE_VALUES = {
    "activate.html": {"username": "hr1", "code": "", "min_length": 10, "activated": False,
                      "error": ""},
    "change-password.html": {"user_name": "hr1"},
    "reset-account.html": {"account": "hr1", "code": "", "expires": ""},
    "login.html": {"username": ""},
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_speaks_one_language_at_a_time(page: str) -> None:
    msgids = {m for f, m in _extracted() if f == f"hub_config/templates/{page}"}
    assert msgids
    english = _render(page, Language.ENGLISH, **PAGE_VALUES[page])
    vietnamese = _render(page, Language.VIETNAMESE, **PAGE_VALUES[page])
    english_text = _main_text(english, PAGES[page])
    vietnamese_text = _main_text(vietnamese, PAGES[page])
    assert not VIETNAMESE_LETTER.search(english_text), english_text
    vi = catalogue(Language.VIETNAMESE).gettext
    shown = [m for m in msgids if "%" not in m and m in english_text]
    assert shown, english_text
    for msgid in shown:
        assert msgid not in vietnamese_text and vi(msgid) in vietnamese_text, msgid
    # the switch: the other language is a link, this one is not
    assert '<a lang="en" hreflang="en" href="/hub/page?lang=en">English</a>' in vietnamese
    assert '<strong lang="en" aria-current="true">English</strong>' in english
    assert vietnamese.count('id="academy-languages"') == 1


def test_the_activation_page_shows_the_rule_and_the_reset_page_the_code() -> None:
    vietnamese = _render("activate.html", Language.VIETNAMESE, **PAGE_VALUES["activate.html"])
    assert "Ít nhất 10 ký tự, không phải mật khẩu phổ biến, không chứa tên đăng nhập." \
        in vietnamese
    done = _render("reset-account.html", Language.ENGLISH, account="hr1", code="K7QM-3RTX-9WPA",
                   expires="2026-12-24", activate_url="/hub/activate")
    text = _main_text(done, "academy-reset-account")
    assert 'id="reset-code">K7QM-3RTX-9WPA<' in done
    assert "Expires: 2026-12-24. The person activates at /hub/activate" in text
    assert not VIETNAMESE_LETTER.search(text), text
    activated = _render("activate.html", Language.VIETNAMESE, username="hr1", code="",
                        min_length=10, activated=True, error="")
    assert "Tài khoản đã được kích hoạt." in activated and 'href="/hub/login">Đăng nhập<' \
        in activated


def test_the_shared_mode_warning_shows_once_on_the_login_page() -> None:
    html = _render("login.html", Language.VIETNAMESE, username="", academy_warning="NOT ISOLATED")
    assert html.count('id="academy-shared-mode-warning"') == 1
    assert html.count('id="academy-languages"') == 1
