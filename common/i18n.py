"""The platform's languages: Vietnamese first, English on switch, one choice for every page.

Every part of the platform is served from one origin, so the learner's choice is one cookie
(`LANGUAGE_COOKIE`, path "/") that the hub's pages, My learning and the e-office all read.
Texts live in gettext catalogues (each package's `translations/`); source strings are English.
"""

from __future__ import annotations

from enum import StrEnum

LANGUAGE_COOKIE = "academy_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


class Language(StrEnum):
    VIETNAMESE = "vi"
    ENGLISH = "en"


DEFAULT_LANGUAGE = Language.VIETNAMESE


def language_from(value: str | None) -> Language:
    """The language a cookie or a query names; the default for anything else."""
    try:
        return Language(value) if value else DEFAULT_LANGUAGE
    except ValueError:
        return DEFAULT_LANGUAGE


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Marks `message` for the catalogues without translating it: for texts defined where no
    language is chosen yet (module constants); they are translated where they are shown."""
    return message
