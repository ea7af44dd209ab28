"""What a question is, as data: its kind, prompt and choices, never its answer.

A trainer declares a question by calling a widget function in a visible cell
(``question``, ``true_false``, ``ordering``, ``matching``, ``short_text``, ``numeric``,
``spot_the_signs``) or as one entry of a ``question_bank``. Both become a ``QuestionSpec``:
the widget is built from it in the learner's kernel, and the grader reads the same spec
from the trainer's notebook without running it (``course_kit.questions.notebook``) to check
a learner's answers file as data (``problem_with``) and to show the answer in the feedback
(``answer_labels``).

A spec refuses fields that would carry the key (``answer``, ``correct``, ``explain``, …):
the key and the explanation belong in the hidden tests, which nbgrader removes from the
released notebook.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    ORDERING = "ordering"
    MATCHING = "matching"
    SHORT_TEXT = "short_text"
    NUMERIC = "numeric"
    SPOT_THE_SIGNS = "spot_the_signs"


class QuestionDefinitionError(ValueError):
    """A question or bank is declared wrongly; the message says what to write instead."""


#: Fields that would put the key in the learner's notebook.
KEY_FIELDS = frozenset({
    "answer", "answers", "key", "correct", "solution", "explain", "explanation", "accept",
})
#: The fields each kind takes besides "id", "kind" and "prompt" (the widget functions'
#: keyword names, so a bank entry reads like the call).
KIND_FIELDS: dict[QuestionKind, frozenset[str]] = {
    QuestionKind.SINGLE: frozenset({"options", "shuffle"}),
    QuestionKind.MULTIPLE: frozenset({"options", "shuffle"}),
    QuestionKind.TRUE_FALSE: frozenset(),
    QuestionKind.ORDERING: frozenset({"items"}),
    QuestionKind.MATCHING: frozenset({"left", "right"}),
    QuestionKind.SHORT_TEXT: frozenset({"placeholder", "max_length"}),
    QuestionKind.NUMERIC: frozenset({"unit"}),
    QuestionKind.SPOT_THE_SIGNS: frozenset({"segments"}),
}
REQUIRED_FIELDS: dict[QuestionKind, frozenset[str]] = {
    QuestionKind.SINGLE: frozenset({"options"}),
    QuestionKind.MULTIPLE: frozenset({"options"}),
    QuestionKind.ORDERING: frozenset({"items"}),
    QuestionKind.MATCHING: frozenset({"left", "right"}),
    QuestionKind.SPOT_THE_SIGNS: frozenset({"segments"}),
}
DEFAULT_MAX_TEXT = 200
#: Longest short-text answer a question may allow (the answers file is capped at 64 KiB).
MAX_TEXT_LIMIT = 2000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: ``True`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def check_id(value: Any, what: str = "question id") -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise QuestionDefinitionError(
            f"{what} {_short(value)}: use letters, digits, '-', '_', '.' or ':' "
            "(at most 64, starting with a letter or digit)"
        )
    return value


def _pairs(raw: Any, what: str, *, text_keys: bool) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Options written as texts, or (text shown, value saved) pairs: (labels, values)."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise QuestionDefinitionError(f"{what} must be a list")
    labels: list[str] = []
    values: list[Any] = []
    for entry in raw:
        if isinstance(entry, str):
            label, value = entry, entry
        elif isinstance(entry, Sequence) and not isinstance(entry, str | bytes) and len(entry) == 2:
            label, value = entry
        else:
            raise QuestionDefinitionError(
                f"{what}: {_short(entry)} is neither a text nor a (text, value) pair"
            )
        if not isinstance(label, str) or not label.strip():
            raise QuestionDefinitionError(f"{what}: every option needs a text to show")
        if text_keys and (not isinstance(value, str) or not value.strip()):
            raise QuestionDefinitionError(f"{what}: the key of {label!r} must be a text")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise QuestionDefinitionError(
                f"{what}: the value of {label!r} must be a text or a number"
            )
        labels.append(label)
        values.append(value)
    if len({json.dumps(v) for v in values}) != len(values):
        raise QuestionDefinitionError(f"{what} must be distinct")
    return tuple(labels), tuple(values)


def _segments(raw: Any) -> tuple[tuple[str, str | None], ...]:
    """The text of a "spot the signs" question: plain texts and (text, span id) pairs."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise QuestionDefinitionError("segments must be a list of texts and (text, id) pairs")
    found: list[tuple[str, str | None]] = []
    for entry in raw:
        if isinstance(entry, str):
            found.append((entry, None))
        elif isinstance(entry, Sequence) and not isinstance(entry, str | bytes) and len(entry) == 2:
            text, span = entry
            if not isinstance(text, str) or not text.strip():
                raise QuestionDefinitionError("segments: a marked part needs a text")
            found.append((text, check_id(span, "segments: span id")))
        else:
            raise QuestionDefinitionError(
                f"segments: {_short(entry)} is neither a text nor a (text, id) pair"
            )
    spans = [s for _, s in found if s is not None]
    if len(spans) < 2:
        raise QuestionDefinitionError("segments: mark at least two parts to choose from")
    if len(set(spans)) != len(spans):
        raise QuestionDefinitionError("segments: span ids must be distinct")
    return tuple(found)


@dataclass(frozen=True)
class QuestionSpec:
    """One question as data. ``options``/``labels`` hold what the learner chooses among:
    the choices (single, multiple), the items (ordering), the right column (matching), the
    marked parts (spot the signs), ``True``/``False`` (true/false)."""

    qid: str
    kind: QuestionKind
    prompt: str
    options: tuple[Any, ...] = ()  # the stored values, in the order written
    labels: tuple[str, ...] = ()  # what the learner sees
    left: tuple[str, ...] = ()  # matching: keys of the left column
    left_labels: tuple[str, ...] = ()
    segments: tuple[tuple[str, str | None], ...] = ()  # spot the signs: the whole text
    unit: str = ""
    placeholder: str = ""
    max_length: int = DEFAULT_MAX_TEXT
    shuffle: bool = False  # show choices in a per-learner order
    bank_id: str | None = None  # the bank it was drawn from, if any
    cell_id: str | None = None  # grade_id of the cell that shows it

    @property
    def multiple(self) -> bool:
        return self.kind is QuestionKind.MULTIPLE

    def label_of(self, value: Any) -> str:
        for label, option in zip(self.labels, self.options, strict=True):
            if _same(option, value):
                return label
        return str(value)

    def left_label_of(self, key: str) -> str:
        for label, option in zip(self.left_labels, self.left, strict=True):
            if option == key:
                return label
        return key

    # -- answers as data ---------------------------------------------------------------
    def problem_with(self, value: Any) -> str | None:
        """None if ``value`` is a well-formed answer (right or wrong), else what is wrong."""
        check = _CHECKS[self.kind]
        return check(self, value)

    def answer_labels(
        self, value: Any, true_false: tuple[str, str] = ("True", "False")
    ) -> list[str]:
        """The answer as the learner saw it, one text per part (for the feedback)."""
        if value is None:
            return []
        match self.kind:
            case QuestionKind.SINGLE:
                return [self.label_of(value)]
            case QuestionKind.MULTIPLE | QuestionKind.SPOT_THE_SIGNS:
                return [self.label_of(v) for v in value]
            case QuestionKind.TRUE_FALSE:
                return [true_false[0] if value else true_false[1]]
            case QuestionKind.ORDERING:
                return [f"{i}. {self.label_of(v)}" for i, v in enumerate(value, start=1)]
            case QuestionKind.MATCHING:
                return [
                    f"{self.left_label_of(k)} → {self.label_of(value[k])}"
                    for k in self.left
                    if k in value
                ]
            case QuestionKind.NUMERIC:
                number = f"{value:g}" if isinstance(value, float) else str(value)
                return [f"{number} {self.unit}".strip()]
            case _:
                return [str(value)]


def _check_single(spec: QuestionSpec, value: Any) -> str | None:
    if isinstance(value, dict | list):
        return f"expected one choice, found {type(value).__name__}"
    if not any(_same(value, o) for o in spec.options):
        return f"{_short(value)} is not one of the options"
    return None


def _check_choices(spec: QuestionSpec, value: Any, noun: str = "choice") -> str | None:
    if not isinstance(value, list):
        return f"expected a list of {noun}s, found {type(value).__name__}"
    if len(value) > len(spec.options):
        return "more choices than the question has options"
    for item in value:
        if isinstance(item, dict | list) or not any(_same(item, o) for o in spec.options):
            return f"{_short(item)} is not one of the options"
    if len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
        return f"the same {noun} is listed twice"
    return None


def _check_true_false(spec: QuestionSpec, value: Any) -> str | None:
    del spec
    return None if isinstance(value, bool) else (
        f"expected true or false, found {_short(value)}"
    )


def _check_ordering(spec: QuestionSpec, value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "expected the list of the items' keys, in order"
    if sorted(value) != sorted(spec.options):
        return "the order must list every item exactly once"
    return None


def _check_matching(spec: QuestionSpec, value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"expected pairs (an object), found {type(value).__name__}"
    for left, right in value.items():
        if left not in spec.left:
            return f"{_short(left)} is not an item of the left column"
        if not isinstance(right, str) or right not in spec.options:
            return f"{_short(right)} is not an item of the right column"
    return None


def _check_text(spec: QuestionSpec, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a text, found {type(value).__name__}"
    if len(value) > spec.max_length:
        return f"the text is longer than {spec.max_length} characters"
    return None


def _check_number(spec: QuestionSpec, value: Any) -> str | None:
    del spec
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number, found {_short(value)}"
    if not math.isfinite(value):
        return "the number is not finite"
    return None


def _check_spots(spec: QuestionSpec, value: Any) -> str | None:
    return _check_choices(spec, value, "marked part")


_CHECKS = {
    QuestionKind.SINGLE: _check_single,
    QuestionKind.MULTIPLE: _check_choices,
    QuestionKind.TRUE_FALSE: _check_true_false,
    QuestionKind.ORDERING: _check_ordering,
    QuestionKind.MATCHING: _check_matching,
    QuestionKind.SHORT_TEXT: _check_text,
    QuestionKind.NUMERIC: _check_number,
    QuestionKind.SPOT_THE_SIGNS: _check_spots,
}


def spec_from_fields(
    fields: Mapping[str, Any],
    *,
    cell_id: str | None = None,
    bank_id: str | None = None,
) -> QuestionSpec:
    """A spec from ``{"id": …, "kind": …, "prompt": …, <the kind's fields>}``, checked."""
    qid = check_id(fields.get("id"))
    where = f"question {qid}"
    key_fields = sorted(KEY_FIELDS & set(fields))
    if key_fields:
        raise QuestionDefinitionError(
            f"{where}: {', '.join(key_fields)} must not be written where learners see it; "
            "put the answer and the explanation in the hidden test cell"
        )
    try:
        kind = QuestionKind(fields.get("kind"))
    except ValueError:
        raise QuestionDefinitionError(
            f"{where}: kind must be one of {', '.join(k.value for k in QuestionKind)}"
        ) from None
    prompt = fields.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise QuestionDefinitionError(f"{where}: the prompt must be a text")
    unknown = set(fields) - {"id", "kind", "prompt"} - KIND_FIELDS[kind]
    if unknown:
        raise QuestionDefinitionError(
            f"{where}: a {kind.value} question has no field {', '.join(sorted(unknown))}"
        )
    missing = REQUIRED_FIELDS.get(kind, frozenset()) - set(fields)
    if missing:
        raise QuestionDefinitionError(f"{where}: {', '.join(sorted(missing))} missing")
    spec: dict[str, Any] = {
        "qid": qid, "kind": kind, "prompt": prompt, "cell_id": cell_id, "bank_id": bank_id,
    }
    match kind:
        case QuestionKind.SINGLE | QuestionKind.MULTIPLE:
            labels, values = _pairs(fields["options"], f"{where}: options", text_keys=False)
            if len(values) < 2:
                raise QuestionDefinitionError(f"{where}: a question needs at least two options")
            spec.update(labels=labels, options=values, shuffle=bool(fields.get("shuffle")))
        case QuestionKind.TRUE_FALSE:
            spec.update(labels=("True", "False"), options=(True, False))
        case QuestionKind.ORDERING:
            labels, values = _pairs(fields["items"], f"{where}: items", text_keys=True)
            if len(values) < 2:
                raise QuestionDefinitionError(f"{where}: put at least two items in order")
            spec.update(labels=labels, options=values)
        case QuestionKind.MATCHING:
            left_labels, left = _pairs(fields["left"], f"{where}: left", text_keys=True)
            labels, right = _pairs(fields["right"], f"{where}: right", text_keys=True)
            if not left or len(right) < 2:
                raise QuestionDefinitionError(
                    f"{where}: matching needs items on the left and at least two on the right"
                )
            spec.update(left=left, left_labels=left_labels, labels=labels, options=right)
        case QuestionKind.SHORT_TEXT:
            limit = fields.get("max_length", DEFAULT_MAX_TEXT)
            if isinstance(limit, bool) or not isinstance(limit, int) or not (
                1 <= limit <= MAX_TEXT_LIMIT
            ):
                raise QuestionDefinitionError(
                    f"{where}: max_length must be a whole number from 1 to {MAX_TEXT_LIMIT}"
                )
            placeholder = fields.get("placeholder", "")
            if not isinstance(placeholder, str):
                raise QuestionDefinitionError(f"{where}: placeholder must be a text")
            spec.update(max_length=limit, placeholder=placeholder)
        case QuestionKind.NUMERIC:
            unit = fields.get("unit", "")
            if not isinstance(unit, str):
                raise QuestionDefinitionError(f"{where}: unit must be a text")
            spec.update(unit=unit)
        case QuestionKind.SPOT_THE_SIGNS:
            segments = _segments(fields["segments"])
            spans = tuple((text, span) for text, span in segments if span is not None)
            spec.update(
                segments=segments,
                labels=tuple(text for text, _ in spans),
                options=tuple(span for _, span in spans),
            )
    return QuestionSpec(**spec)


@dataclass(frozen=True)
class BankSpec:
    """A question bank: every question a learner may be given, and how many they get."""

    bank_id: str
    questions: tuple[QuestionSpec, ...]
    draw: int
    shuffle_options: bool = True
    cell_id: str | None = None

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.qid for q in self.questions)

    def question(self, qid: str) -> QuestionSpec:
        for q in self.questions:
            if q.qid == qid:
                return q
        raise KeyError(qid)


def bank_from_fields(
    bank_id: Any,
    questions: Any,
    *,
    draw: Any,
    shuffle_options: Any = True,
    cell_id: str | None = None,
) -> BankSpec:
    """A bank from its declaration, checked: ids, questions, ``1 <= draw <= size``."""
    bank_id = check_id(bank_id, "bank id")
    if isinstance(questions, str | bytes | Mapping) or not isinstance(questions, Iterable):
        raise QuestionDefinitionError(f"bank {bank_id}: the questions must be a list")
    specs: list[QuestionSpec] = []
    for entry in questions:
        if not isinstance(entry, Mapping):
            raise QuestionDefinitionError(
                f"bank {bank_id}: each question is written as a dict "
                '{"id": …, "kind": …, "prompt": …}'
            )
        spec = spec_from_fields(entry, cell_id=cell_id, bank_id=bank_id)
        if spec.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and "shuffle" not in entry:
            spec = QuestionSpec(**{**spec.__dict__, "shuffle": bool(shuffle_options)})
        specs.append(spec)
    ids = [s.qid for s in specs]
    if len(set(ids)) != len(ids):
        raise QuestionDefinitionError(f"bank {bank_id}: question ids must be distinct")
    if isinstance(draw, bool) or not isinstance(draw, int) or not 1 <= draw <= len(specs):
        raise QuestionDefinitionError(
            f"bank {bank_id}: draw must be a whole number from 1 to {len(specs)} "
            "(the number of questions in the bank)"
        )
    return BankSpec(bank_id, tuple(specs), draw, bool(shuffle_options), cell_id)
