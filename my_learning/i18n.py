"""My learning's languages: its own gettext catalogue, the platform's shared choice.

Texts are English msgids, marked with ``_``/``{% trans %}`` in the templates and ``N_`` in
the Python (``common.i18n.N_``), translated into Vietnamese in
``my_learning/translations/vi/LC_MESSAGES/messages.po`` (Babel: ``my_learning/babel.cfg``;
``scripts/update-translations.sh`` extracts, merges and compiles). Vietnamese is the
default; English is the msgids themselves.

The language is the platform's one cookie (``common.i18n.LANGUAGE_COOKIE``, path "/"): the
hub's pages, the e-office and the dashboards read and write the same cookie, so a choice
made on My learning holds everywhere, and the other way round. This server is not a Flask
service, so the switch is a Tornado handler (``handlers.LanguageHandler``) with the same
rules as ``service_auth.languages``: the cookie for a year, SameSite=Lax, and a redirect
back only to a path of this site (``safe_local_path``).
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

from common.i18n import Language
from common.web_paths import is_local_path

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
#: the names the switch shows, each in its own language (never translated)
LANGUAGE_NAMES: dict[Language, str] = {
    Language.VIETNAMESE: "Tiếng Việt",
    Language.ENGLISH: "English",
}


@functools.cache
def translations(language: Language) -> gettext.NullTranslations:
    """The catalogue of ``language``; English is the msgids (no catalogue to read).

    A missing compiled catalogue falls back to English rather than failing every page;
    the test suite checks that the Vietnamese one is compiled and complete."""
    if language is Language.ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(
        DOMAIN, localedir=TRANSLATIONS_DIR, languages=[language.value], fallback=True
    )


def safe_local_path(target: str | None) -> bool:
    """True for a path on this site only (``common.web_paths.is_local_path``, the rule the
    Flask services' switch uses too)."""
    return is_local_path(target)
