"""How an answer is compared with the key: one rule per kind, as a fraction from 0 to 1.

* single choice, true/false, ordering: all or nothing (the same choice; the same order);
* multiple choice: all or nothing, the same set of choices in any order;
* matching: the share of left items matched as in the key;
* short text: any accepted text, after ``normalise_text`` (Unicode NFC, whitespace trimmed
  and collapsed, case-folded; with ``ignore_diacritics`` also "Hà Nội" = "ha noi");
* numeric: within ``tolerance`` of the key (absolute; 0 by default);
* spot the signs: (parts marked that are in the key − parts marked that are not) / parts
  in the key, floored at 0: marking everything scores nothing.

``course_kit.grading.check`` turns the fraction into nbgrader's grade: without ``points``
only a fraction of 1 passes; with ``points`` the cell's output is the partial score.

Numbers are read the Vietnamese way as well as the English way (``parse_number``): "3,5"
is three and a half; in Vietnamese "1.500" is one thousand five hundred, in English "1,500".
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from common.i18n import Language

from .specs import QuestionDefinitionError, QuestionKind, QuestionSpec

#: What a key entry may say besides "answer" and "explain".
KEY_OPTIONS = frozenset({"tolerance", "ignore_diacritics"})


def strip_diacritics(text: str) -> str:
    """'Đặng Thị Thu' -> 'Dang Thi Thu' (other letters and symbols kept)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def normalise_text(text: str, *, ignore_diacritics: bool = False) -> str:
    """A short-text answer as it is compared: NFC, trimmed, spaces collapsed, case-folded."""
    text = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    return strip_diacritics(text) if ignore_diacritics else text


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_DIGITS = re.compile(r"^\d+$")


def _grouped(text: str, sep: str) -> bool:
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", text) is not None


def parse_number(text: str, language: Language = Language.VIETNAMESE) -> int | float | None:
    """The number a learner typed, or None. A decimal comma is always accepted ("3,5");
    a lone "." or "," followed by exactly three digits groups thousands the way
    ``language`` writes them (vi "1.500", en "1,500"); both together: the last one is the
    decimal mark ("1.234,5", "1,234.5"). No exponents, no "nan" or "inf"."""
    body = _SPACES.sub("", text.strip()).replace("\u2212", "-")
    sign = -1 if body.startswith("-") else 1
    if body[:1] in ("-", "+"):
        body = body[1:]
    if not body or not re.fullmatch(r"[\d.,]+", body) or not body[0].isdigit():
        return None
    thousands = "." if language is Language.VIETNAMESE else ","
    if "." in body and "," in body:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        whole, _, fraction = body.rpartition(decimal)
        group = "," if decimal == "." else "."
        if not (_grouped(whole, group) or _DIGITS.match(whole)) or not _DIGITS.match(fraction):
            return None
        whole = whole.replace(group, "")
    elif "." in body or "," in body:
        mark = "." if "." in body else ","
        if body.count(mark) > 1 or (mark == thousands and _grouped(body, mark)):
            if not _grouped(body, mark):
                return None
            return sign * int(body.replace(mark, ""))
        whole, _, fraction = body.partition(mark)
        if not _DIGITS.match(whole) or not _DIGITS.match(fraction):
            return None
    else:
        return sign * int(body)
    value = float(f"{whole}.{fraction}")
    return sign * value if math.isfinite(value) else None


def format_number(value: float, language: Language = Language.VIETNAMESE) -> str:
    """A number written the way ``language`` writes it: vi "1.234,5", en "1,234.5"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.10f}".rstrip("0").rstrip(".")
    if language is Language.VIETNAMESE:
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _as_set(values: Any) -> set[str]:
    return {json.dumps(v, sort_keys=True) for v in values}


def check_key_entry(spec: QuestionSpec, entry: Any) -> Mapping[str, Any]:
    """A key entry ``{"answer": …, "explain": …, <options>}``, checked against the
    question it is the key of (a trainer's mistake fails loudly, with the question id)."""
    where = f"key of {spec.qid}"
    if not isinstance(entry, Mapping) or "answer" not in entry:
        raise QuestionDefinitionError(f'{where}: write {{"answer": …, "explain": …}}')
    unknown = set(entry) - {"answer", "explain"} - KEY_OPTIONS
    if unknown:
        raise QuestionDefinitionError(f"{where}: unknown field {', '.join(sorted(unknown))}")
    expected = entry["answer"]
    if spec.kind is QuestionKind.SHORT_TEXT:
        accepted = expected if isinstance(expected, list) else [expected]
        if not accepted or not all(isinstance(a, str) for a in accepted):
            raise QuestionDefinitionError(f"{where}: the answer is a text or a list of texts")
    elif spec.kind is QuestionKind.MATCHING:
        if not isinstance(expected, Mapping) or spec.problem_with(dict(expected)) is not None:
            raise QuestionDefinitionError(f"{where}: the answer pairs left keys with right keys")
    elif spec.kind is QuestionKind.NUMERIC:
        if spec.problem_with(expected) is not None:
            raise QuestionDefinitionError(f"{where}: the answer is a number")
        tolerance = entry.get("tolerance", 0)
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or (
            tolerance < 0
        ):
            raise QuestionDefinitionError(f"{where}: tolerance is a number, 0 or more")
    else:
        problem = spec.problem_with(expected)
        if problem is not None:
            raise QuestionDefinitionError(f"{where}: {problem}")
    return entry


def mark(spec: QuestionSpec, value: Any, entry: Mapping[str, Any]) -> float:
    """The share of the question's points that ``value`` earns against the key ``entry``.
    A missing or malformed answer earns 0."""
    check_key_entry(spec, entry)
    if value is None or spec.problem_with(value) is not None:
        return 0.0
    expected = entry["answer"]
    match spec.kind:
        case QuestionKind.SINGLE | QuestionKind.TRUE_FALSE:
            right = json.dumps(value) == json.dumps(expected)
            return 1.0 if right else 0.0
        case QuestionKind.MULTIPLE:
            return 1.0 if _as_set(value) == _as_set(expected) else 0.0
        case QuestionKind.ORDERING:
            return 1.0 if list(value) == list(expected) else 0.0
        case QuestionKind.MATCHING:
            right = sum(1 for k, v in expected.items() if value.get(k) == v)
            return right / len(expected) if expected else 0.0
        case QuestionKind.SHORT_TEXT:
            fold = bool(entry.get("ignore_diacritics", False))
            accepted = expected if isinstance(expected, list) else [expected]
            given = normalise_text(value, ignore_diacritics=fold)
            ok = any(given == normalise_text(a, ignore_diacritics=fold) for a in accepted)
            return 1.0 if ok else 0.0
        case QuestionKind.NUMERIC:
            tolerance = float(entry.get("tolerance", 0))
            slack = 1e-9 * max(1.0, abs(float(expected)))
            return 1.0 if abs(float(value) - float(expected)) <= tolerance + slack else 0.0
        case QuestionKind.SPOT_THE_SIGNS:
            key = set(expected)
            chosen = set(value)
            if not key:  # "nothing here is suspicious" is a lesson too
                return 0.0 if chosen else 1.0
            earned = len(chosen & key) - len(chosen - key)
            return max(0, earned) / len(key)
    return 0.0
