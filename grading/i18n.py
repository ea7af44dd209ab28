"""The grading package's texts in the platform's languages: English msgids marked with
``N_``, Vietnamese from the gettext catalogue in ``grading/translations``
(``scripts/update-translations.sh``)."""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from common.i18n import Language

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


@cache
def catalogue(language: Language) -> gettext.NullTranslations:
    """The texts in `language` (English: the msgids); a missing Vietnamese catalogue is an
    error, not English shown to a Vietnamese reader."""
    return gettext.translation("messages", TRANSLATIONS_DIR, languages=[language.value],
                               fallback=language is Language.ENGLISH)
