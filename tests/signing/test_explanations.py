"""signing.explanations: every sentence for learners has its Vietnamese translation, with
its placeholders, compiled; explain() speaks Vietnamese by default."""

from __future__ import annotations

import gettext
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from signing import explanations
from signing.explanations import REASONS, TRANSLATIONS, explain, message_for

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _catalogue():
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


def _source_ids() -> set[str]:
    """What scripts/update-translations.sh extracts (signing/babel.cfg, keyword N_)."""
    found = {message for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, [("signing/**.py", "python")], keywords={"N_": None})}
    assert all(isinstance(message, str) for message in found)
    return found


def test_the_extraction_finds_every_sentence_of_the_module() -> None:
    ids = _source_ids()
    constants = {value for name, value in vars(explanations).items()
                 if name.isupper() and isinstance(value, str) and name not in ("DOMAIN",)}
    assert constants <= ids
    assert set(REASONS.values()) <= ids
    assert len(ids) >= 20


def test_every_sentence_has_a_vietnamese_translation_that_is_not_the_english() -> None:
    catalogue = _catalogue()
    problems = []
    for message_id in sorted(_source_ids()):
        message = catalogue.get(message_id)
        if message is None or not message.string or message.fuzzy:
            problems.append(("missing", message_id))
        elif message.string == message_id:
            problems.append(("untranslated", message_id))
    assert problems == [], "run scripts/update-translations.sh and translate: " + repr(problems)


def test_translations_keep_the_placeholders() -> None:
    for message in _catalogue():
        if not message.id:
            continue
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
            PLACEHOLDER.findall(message.id)), message.id


def test_translations_are_vietnamese_with_the_usual_terms() -> None:
    strings = {message.id: message.string for message in _catalogue() if message.id}
    everything = " ".join(strings.values())
    for term in ("chữ ký số", "chứng thư số", "thu hồi",
                 "tổ chức cung cấp dịch vụ chứng thực chữ ký số"):
        assert term in everything.lower(), term
    # a sentence is Vietnamese: diacritics, and none of the English ids' words left over
    for message_id, string in strings.items():
        if " " in message_id and len(message_id) > 30:
            assert not string.isascii(), message_id
            assert not re.search(r"\b(the|signature|certificate|document)\b", string), string


def test_the_compiled_catalogue_matches_the_source() -> None:
    compiled = gettext.GNUTranslations(BytesIO(MO.read_bytes()))
    for message in _catalogue():
        if message.id:
            assert compiled.gettext(message.id) == message.string, message.id


def test_the_vietnamese_catalogue_is_really_loaded() -> None:
    explanations._catalogue.cache_clear()
    assert isinstance(explanations._catalogue("vi"), gettext.GNUTranslations)
    # English is the ids themselves, no catalogue needed
    assert type(explanations._catalogue("en")) is gettext.NullTranslations


def test_a_missing_vietnamese_catalogue_fails_loudly(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setattr(explanations, "TRANSLATIONS", tmp_path)
    explanations._catalogue.cache_clear()
    try:
        with pytest.raises(FileNotFoundError):
            explain(indication="TOTAL_PASSED", sub_indication=None, reason=None,
                    modification="none")
    finally:
        monkeypatch.undo()
        explanations._catalogue.cache_clear()


OUTCOMES = [
    ("TOTAL_PASSED", None, "none"),
    ("TOTAL_PASSED", None, "form_filling"),
    ("TOTAL_FAILED", "HASH_FAILURE", "none"),
    ("TOTAL_FAILED", "CONTENT_MODIFIED_AFTER_SIGNING", "content"),
    ("TOTAL_FAILED", "SIG_CRYPTO_FAILURE", "none"),
    ("TOTAL_FAILED", "REVOKED", "none"),
    ("INDETERMINATE", "REVOKED_NO_POE", "none"),
    ("INDETERMINATE", "EXPIRED", "none"),
    ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", "none"),
    ("INDETERMINATE", "TRY_LATER", "none"),
    ("INDETERMINATE", "FORMAT_FAILURE", "none"),
    ("INDETERMINATE", "POLICY_PROCESSING_ERROR", "none"),
]


@pytest.mark.parametrize(("indication", "sub", "modification"), OUTCOMES)
def test_explain_speaks_vietnamese_by_default_and_english_on_request(
        indication: str, sub: str | None, modification: str) -> None:
    catalogue = _catalogue()
    message_id = message_for(indication, sub, modification)
    vietnamese = explain(indication=indication, sub_indication=sub, reason="key_compromise",
                         modification=modification)
    assert vietnamese == explain(indication=indication, sub_indication=sub,
                                 reason="key_compromise", modification=modification,
                                 lang="vi")
    reason_vi = catalogue.get(REASONS["key_compromise"]).string
    assert vietnamese == catalogue.get(message_id).string.format(
        reason=reason_vi, sub_indication=sub or "")
    assert not vietnamese.isascii()
    english = explain(indication=indication, sub_indication=sub, reason="key_compromise",
                      modification=modification, lang="en")
    assert english == message_id.format(reason=REASONS["key_compromise"],
                                        sub_indication=sub or "")
    assert english != vietnamese


def test_every_outcome_above_has_its_own_sentence() -> None:
    sentences = {message_for(*outcome) for outcome in OUTCOMES}
    assert len(sentences) == len(OUTCOMES)


def test_a_revocation_reason_is_told_in_words() -> None:
    vietnamese = explain(indication="TOTAL_FAILED", sub_indication="REVOKED",
                         reason="superseded", modification="none")
    assert "(lý do: đã được thay thế bằng chứng thư số mới)" in vietnamese
    unknown = explain(indication="TOTAL_FAILED", sub_indication="REVOKED", reason=None,
                      modification="none", lang="en")
    assert "(reason: not stated)" in unknown
    odd = explain(indication="TOTAL_FAILED", sub_indication="REVOKED", reason="remove_from_crl",
                  modification="none", lang="en")
    assert "(reason: remove_from_crl)" in odd
