"""The certificate verification's sentences: English ids, Vietnamese from the catalogue in
grading/translations, every placeholder kept, the catalogue compiled."""

from __future__ import annotations

import gettext
import re

from babel.messages.pofile import read_po

from grading.certificates import _MESSAGES, VerificationStatus
from grading.i18n import TRANSLATIONS_DIR

PO = TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{\w+\}")


def test_every_status_has_a_vietnamese_sentence_with_the_same_placeholders() -> None:
    assert set(_MESSAGES) == set(VerificationStatus)
    with PO.open("rb") as handle:
        catalogue = read_po(handle, locale="vi")
    problems = []
    for english in _MESSAGES.values():
        message = catalogue.get(english)
        if message is None or not message.string or message.fuzzy:
            problems.append(("untranslated", english))
        elif sorted(PLACEHOLDER.findall(message.string)) != sorted(PLACEHOLDER.findall(english)):
            problems.append(("placeholders differ", english))
    assert problems == [], "run scripts/update-translations.sh and translate: " + repr(problems)


def test_the_compiled_catalogue_is_what_verification_reads() -> None:
    with PO.open("rb") as handle:
        catalogue = read_po(handle, locale="vi")
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for english in _MESSAGES.values():
        assert compiled.gettext(english) == catalogue.get(english).string
