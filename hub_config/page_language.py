"""The hub's own pages in the learner's language: Vietnamese by default, English on switch.

The choice is the platform's one cookie (``common.i18n.LANGUAGE_COOKIE``, path "/"), which My
learning, the module pages and the e-office read too; a page's ``?lang=`` link sets it. Texts
are English msgids in the templates (``{{ _("...") }}``) and here (``N_``), translated from
``hub_config/translations`` (gettext, ``scripts/update-translations.sh``).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_COOKIE,
    LANGUAGE_COOKIE_MAX_AGE,
    N_,
    Language,
    language_from,
)

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
#: the switch's names, each in its own language (never translated)
LANGUAGE_NAMES = {Language.VIETNAMESE: "Tiếng Việt", Language.ENGLISH: "English"}
LANGUAGE_QUERY = "lang"
#: JupyterHub's own messages a login page can show (translated when shown)
HUB_MESSAGES = (
    N_("Invalid username or password"),
    N_("Login form invalid or expired. Try again."),
)


@cache
def catalogue(language: Language) -> gettext.NullTranslations:
    """The compiled catalogue of `language`; English is the msgids themselves."""
    if language is Language.ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation("messages", TRANSLATIONS_DIR, languages=[language.value],
                               fallback=True)


class PageLanguageMixin:
    """For a JupyterHub ``BaseHandler`` subclass (before it in the bases): ``?lang=`` sets the
    platform's language cookie, and templates get ``_``, ``language`` and the switch links."""

    def page_language(self) -> Language:
        asked = self.get_argument(LANGUAGE_QUERY, None)  # type: ignore[attr-defined]
        if asked is not None:
            language = language_from(asked)
            if self.get_cookie(LANGUAGE_COOKIE) != language.value:  # type: ignore[attr-defined]
                self.set_cookie(  # type: ignore[attr-defined]
                    LANGUAGE_COOKIE, language.value, path="/", samesite="Lax",
                    expires_days=LANGUAGE_COOKIE_MAX_AGE / 86400,
                    secure=self.request.protocol == "https",  # type: ignore[attr-defined]
                )
            return language
        cookie = self.get_cookie(LANGUAGE_COOKIE)  # type: ignore[attr-defined]
        return language_from(cookie) if cookie else DEFAULT_LANGUAGE

    def page_texts(self) -> Callable[[str], str]:
        """``gettext`` in this page's language, for the handler's own messages (``N_``)."""
        return catalogue(self.page_language()).gettext

    def language_links(self, current: Language) -> list[dict[str, Any]]:
        """This page in each language: the same path and query, ``lang`` replaced."""
        request = self.request  # type: ignore[attr-defined]
        args = [(k, v.decode("utf-8", "replace")) for k, values in
                request.query_arguments.items() for v in values if k != LANGUAGE_QUERY]
        return [{"code": language.value, "name": LANGUAGE_NAMES[language],
                 "current": language is current,
                 "url": request.path + "?" + urlencode([*args, (LANGUAGE_QUERY, language.value)])}
                for language in Language]

    @property
    def template_namespace(self) -> dict[str, Any]:
        namespace = super().template_namespace  # type: ignore[misc]
        language = self.page_language()
        namespace.update(_=catalogue(language).gettext, language=language.value,
                         language_links=self.language_links(language))
        return namespace


def default_texts(_user: Any) -> Any:
    """``c.JupyterHub.template_vars["_"]``: the default language's ``gettext`` for a page
    whose handler does not choose one (another authenticator's login page)."""
    return catalogue(DEFAULT_LANGUAGE).gettext


def hub_template_vars(mode: Any, warning: str) -> dict[str, Any]:
    """``c.JupyterHub.template_vars`` of every hub (one machine and Kubernetes alike): the
    installation's mode and its banner, and the pages' texts in the default language unless
    the page's handler uses the learner's choice (``PageLanguageMixin`` does)."""
    return {
        "academy_mode": mode,
        "academy_warning": warning,
        "_": default_texts,
        "language": DEFAULT_LANGUAGE.value,
        "language_links": [],
    }
