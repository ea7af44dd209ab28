"""The course kit's own texts (hints, "saved", button labels) in the learner's language.

Texts are English msgids in the gettext catalogue ``course_kit/translations`` (domain
``messages``, Vietnamese in ``vi/LC_MESSAGES``; English needs no catalogue). They are
translated in the kernel, when a widget is built, into ``current_language()``:

1. the ``lang`` parameter of the Voila request (``/voila/render/…/module.ipynb?lang=en``).
   Voila 0.5 gives a kernel the request's query string in the environment variable
   ``QUERY_STRING``: ``voila/handler.py`` puts it in ``request_info`` (line 100,
   ``request_info[ENV_VARIABLE.QUERY_STRING] = str(self.request.query)``) and starts the
   kernel with ``kernel_env = {**os.environ, **request_info}`` (line 236). A kernel that
   learners' servers run ahead of the click (``my_learning.module_kernels``) gets the
   query string its page is for in that same variable. A kernel of standalone Voila's
   *preheated* pool was started before any request, so the query string reaches it later: the
   handler sends the request info to ``RequestInfoSocketHandler`` (handler.py line 162,
   ``voila/request_info_handler.py``, route ``/voila/query/<kernel id>`` in app.py line
   793), and ``voila.utils.get_query_string()`` (utils.py lines 305–316, through
   ``wait_for_request``, lines 260–302) waits until the kernel is handed to a request,
   reads the request info over that websocket and puts it into ``os.environ``.
   It can only be waited for once per kernel, so the answer is kept;
2. else the environment variable ``ACADEMY_LANGUAGE`` (a trainer's JupyterLab preview, or a
   server configured for one language);
3. else Vietnamese, the platform's default (``common.i18n.DEFAULT_LANGUAGE``).

The learner chooses the language once, on My learning (the platform's ``academy_lang``
cookie); the link into the module carries it as ``?lang=``.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import os
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from common.i18n import DEFAULT_LANGUAGE, N_, Language

__all__ = [
    "LANGUAGE_ENV",
    "LANGUAGE_PARAMETER",
    "N_",
    "TRANSLATIONS_DIR",
    "current_language",
    "gettext",
    "ngettext",
]

TRANSLATIONS_DIR = Path(__file__).resolve().with_name("translations")
DOMAIN = "messages"
#: The query parameter of the Voila request that names the language.
LANGUAGE_PARAMETER = "lang"
#: The environment variable read when the request names no language.
LANGUAGE_ENV = "ACADEMY_LANGUAGE"
_QUERY_STRING = "QUERY_STRING"
_VOILA_PREHEAT = "VOILA_PREHEAT"

#: The query string a preheated kernel waited for (None: not waited for yet).
_preheated_query: str | None = None


def _known(value: str | None) -> Language | None:
    if not value:
        return None
    try:
        return Language(value.strip().lower())
    except ValueError:
        return None


def _query_string() -> str:
    """The Voila request's query string, as this kernel can know it."""
    global _preheated_query
    if os.environ.get(_VOILA_PREHEAT) == "True":  # a kernel Voila started before the request
        if _preheated_query is None:
            query = None
            with contextlib.suppress(ImportError):
                from voila.utils import get_query_string

                query = get_query_string()
            _preheated_query = query or ""
        return _preheated_query
    return os.environ.get(_QUERY_STRING, "")


def current_language() -> Language:
    """The language of the learner's page: Voila's ``?lang=``, else ``ACADEMY_LANGUAGE``,
    else Vietnamese."""
    requested = parse_qs(_query_string()).get(LANGUAGE_PARAMETER, [])
    for value in requested:
        if (language := _known(value)) is not None:
            return language
    return _known(os.environ.get(LANGUAGE_ENV)) or DEFAULT_LANGUAGE


@cache
def _catalogue(language: Language) -> _gettext.NullTranslations:
    return _gettext.translation(
        DOMAIN, TRANSLATIONS_DIR, languages=[language.value], fallback=True
    )


def gettext(message: str, language: Language | None = None) -> str:
    """``message`` (English) in ``language``, by default the page's language."""
    return _catalogue(language or current_language()).gettext(message)


def ngettext(
    singular: str, plural: str, n: int, language: Language | None = None
) -> str:
    return _catalogue(language or current_language()).ngettext(singular, plural, n)
