"""A module's questions, keys and explanations, read from the trainer's notebook without
running it (``ast``): what the grader checks a learner's answers file against, what the
feedback shows, and what a course lint checks.

Only literal arguments count: a question whose prompt or options are computed cannot be
read, and is a trainer error (``QuestionDefinitionError``), never a guess.

* visible cells declare questions by calling the widget functions
  (``WIDGET_PARAMETERS``) and banks with ``question_bank`` (``BANK_PARAMETERS``);
* hidden test cells check them: ``answer("q1")`` / ``check("q1", KEY, …)`` for one
  question, ``check_bank_slot("bank", 3, KEY)`` for the 3rd question drawn from a bank,
  ``bank_key("bank", KEY)`` for a bank's key written once, and ``explain("q1", …)``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from common.i18n import Language

from .marking import check_key_entry
from .specs import (
    BankSpec,
    QuestionDefinitionError,
    QuestionKind,
    QuestionSpec,
    bank_from_fields,
    spec_from_fields,
)

#: Widget function -> its positional parameters (the same names as the spec's fields).
WIDGET_PARAMETERS: dict[str, tuple[str, ...]] = {
    "question": ("qid", "prompt", "options"),
    "true_false": ("qid", "prompt"),
    "ordering": ("qid", "prompt", "items"),
    "matching": ("qid", "prompt", "left", "right"),
    "short_text": ("qid", "prompt"),
    "numeric": ("qid", "prompt"),
    "spot_the_signs": ("qid", "prompt", "segments"),
}
WIDGET_KINDS: dict[str, QuestionKind] = {
    "true_false": QuestionKind.TRUE_FALSE,
    "ordering": QuestionKind.ORDERING,
    "matching": QuestionKind.MATCHING,
    "short_text": QuestionKind.SHORT_TEXT,
    "numeric": QuestionKind.NUMERIC,
    "spot_the_signs": QuestionKind.SPOT_THE_SIGNS,
}
BANK_FUNCTION = "question_bank"
BANK_PARAMETERS = ("bank_id", "questions")
#: Keyword arguments of the widget functions that are not part of the question.
RUNTIME_KEYWORDS = frozenset({"store"})

ANSWER_FUNCTION = "answer"
CHECK_FUNCTION = "check"
SLOT_FUNCTION = "check_bank_slot"
BANK_KEY_FUNCTION = "bank_key"
EXPLAIN_FUNCTION = "explain"
#: Calls that carry the key or an explanation: only ever inside hidden tests.
KEY_FUNCTIONS = (CHECK_FUNCTION, SLOT_FUNCTION, BANK_KEY_FUNCTION, EXPLAIN_FUNCTION)

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
_HIDDEN = re.compile(re.escape(BEGIN_HIDDEN) + r".*?(?:" + re.escape(END_HIDDEN) + r"|\Z)",
                     re.DOTALL)


def calls_named(source: str, name: str) -> list[ast.Call]:
    """Every call ``name(...)`` or ``x.name(...)`` in a code cell's source, in source order;
    none if the source is not Python."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else None
        )
        if called == name:
            found.append(node)
    return sorted(found, key=lambda c: (c.lineno, c.col_offset))


def _literal(node: ast.expr, what: str, where: str) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise QuestionDefinitionError(
            f"{where}: the {what} must be written out literally (the grader reads it "
            "without running the notebook)"
        ) from None


def _arguments(call: ast.Call, positional: tuple[str, ...], where: str,
               function: str) -> dict[str, Any]:
    if len(call.args) > len(positional):
        raise QuestionDefinitionError(f"{where}: {function}(...) takes {len(positional)} "
                                      "positional arguments; name the others")
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        raise QuestionDefinitionError(f"{where}: no *args or **kwargs in {function}(...)")
    values = {
        name: _literal(node, name, where) for name, node in zip(positional, call.args,
                                                                 strict=False)
    }
    for keyword in call.keywords:
        assert keyword.arg is not None
        if keyword.arg in RUNTIME_KEYWORDS:
            continue
        values[keyword.arg] = _literal(keyword.value, keyword.arg, where)
    missing = [p for p in positional if p not in values]
    if missing:
        raise QuestionDefinitionError(f"{where}: {function}(...) needs {', '.join(missing)}")
    return values


def _where(cell_id: str | None) -> str:
    return f"cell {cell_id or '?'}"


def _spec_from_call(function: str, call: ast.Call, cell_id: str | None) -> QuestionSpec:
    where = _where(cell_id)
    values = _arguments(call, WIDGET_PARAMETERS[function], where, function)
    fields = {("id" if k == "qid" else k): v for k, v in values.items()}
    if function == "question":
        multiple = fields.pop("multiple", False)
        fields["kind"] = QuestionKind.MULTIPLE if multiple else QuestionKind.SINGLE
    else:
        fields["kind"] = WIDGET_KINDS[function]
    try:
        return spec_from_fields(fields, cell_id=cell_id)
    except QuestionDefinitionError as exc:
        raise QuestionDefinitionError(f"{where}: {exc}") from None


def _bank_from_call(call: ast.Call, cell_id: str | None) -> BankSpec:
    where = _where(cell_id)
    values = _arguments(call, BANK_PARAMETERS, where, BANK_FUNCTION)
    if "draw" not in values:
        raise QuestionDefinitionError(f"{where}: question_bank(...) needs draw=N")
    unknown = set(values) - {*BANK_PARAMETERS, "draw", "shuffle_options"}
    if unknown:
        raise QuestionDefinitionError(
            f"{where}: question_bank(...) has no argument {', '.join(sorted(unknown))}"
        )
    try:
        return bank_from_fields(
            values["bank_id"], values["questions"], draw=values["draw"],
            shuffle_options=values.get("shuffle_options", True), cell_id=cell_id,
        )
    except QuestionDefinitionError as exc:
        raise QuestionDefinitionError(f"{where}: {exc}") from None


def questions_in_source(source: str, cell_id: str | None = None) -> list[QuestionSpec]:
    """The questions one code cell shows: its widget calls and its banks' questions."""
    found: list[tuple[tuple[int, int], QuestionSpec]] = []
    for function in WIDGET_PARAMETERS:
        for call in calls_named(source, function):
            found.append(((call.lineno, call.col_offset), _spec_from_call(function, call,
                                                                          cell_id)))
    for call in calls_named(source, BANK_FUNCTION):
        bank = _bank_from_call(call, cell_id)
        found.extend(((call.lineno, call.col_offset), q) for q in bank.questions)
    return [spec for _, spec in sorted(found, key=lambda p: p[0])]


def banks_in_source(source: str, cell_id: str | None = None) -> list[BankSpec]:
    return [_bank_from_call(call, cell_id) for call in calls_named(source, BANK_FUNCTION)]


def _cells(nb: Any) -> Iterable[tuple[int, Any]]:
    return enumerate(nb["cells"])


def _grade_id(cell: Any) -> str | None:
    return (cell.get("metadata") or {}).get("nbgrader", {}).get("grade_id")


def _is_code(cell: Any) -> bool:
    return cell.get("cell_type") == "code"


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def read_questions(nb: Any) -> dict[str, QuestionSpec]:
    """Every question of a (trainer's) notebook by id, in notebook order, banks included."""
    questions: dict[str, QuestionSpec] = {}
    for _, cell in _cells(nb):
        if not _is_code(cell):
            continue
        for q in questions_in_source(_source(cell), _grade_id(cell)):
            if q.qid in questions:
                raise QuestionDefinitionError(f"question id {q.qid!r} is used twice")
            questions[q.qid] = q
    return questions


def read_banks(nb: Any) -> dict[str, BankSpec]:
    banks: dict[str, BankSpec] = {}
    for _, cell in _cells(nb):
        if _is_code(cell):
            for bank in banks_in_source(_source(cell), _grade_id(cell)):
                if bank.bank_id in banks:
                    raise QuestionDefinitionError(f"bank id {bank.bank_id!r} is used twice")
                banks[bank.bank_id] = bank
    return banks


def _literal_texts(call: ast.Call, count: int) -> tuple[Any, ...] | None:
    try:
        values = tuple(ast.literal_eval(a) for a in call.args[:count])
    except (ValueError, TypeError, SyntaxError):
        return None
    return values if len(values) == count else None


def questions_checked_in(source: str) -> list[str]:
    """The question ids a test cell checks: its ``answer("q1")`` and ``check("q1", …)``."""
    found: list[tuple[tuple[int, int], str]] = []
    for name in (ANSWER_FUNCTION, CHECK_FUNCTION):
        for call in calls_named(source, name):
            args = _literal_texts(call, 1)
            if args and isinstance(args[0], str):
                found.append(((call.lineno, call.col_offset), args[0]))
    ids: list[str] = []
    for _, qid in sorted(found):
        if qid not in ids:
            ids.append(qid)
    return ids


@dataclass(frozen=True)
class SlotCheck:
    """``check_bank_slot(bank_id, slot, key?, points=?)`` in a test cell."""

    bank_id: str
    slot: int
    key: Mapping[str, Any] | None  # the literal key, if written in the call
    points: float | None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def slot_checks_in(source: str) -> list[SlotCheck]:
    """The bank slots a test cell grades (calls whose arguments are not literal are left
    out: ``notebook_problems`` reports them)."""
    checks = []
    for call in calls_named(source, SLOT_FUNCTION):
        values: dict[str, Any] = {}
        nodes = dict(zip(("bank_id", "slot", "key"), call.args, strict=False))
        nodes.update({k.arg: k.value for k in call.keywords if k.arg})
        for name, node in nodes.items():
            try:  # each argument on its own: a key in a variable leaves the slot readable
                values[name] = ast.literal_eval(node)
            except (ValueError, TypeError, SyntaxError):
                continue
        bank_id, slot = values.get("bank_id"), values.get("slot")
        if not isinstance(bank_id, str) or isinstance(slot, bool) or not isinstance(slot, int):
            continue
        key = values.get("key")
        points = values.get("points")
        checks.append(SlotCheck(
            bank_id, slot, key if isinstance(key, Mapping) else None,
            float(points) if isinstance(points, int | float) else None,
        ))
    return checks


def bank_keys_in(nb: Any) -> dict[str, dict[str, Any]]:
    """Each bank's key: ``bank_key(bank, KEY)`` calls and literal keys of slot checks."""
    keys: dict[str, dict[str, Any]] = {}
    for _, cell in _cells(nb):
        if not _is_code(cell):
            continue
        source = _source(cell)
        for call in calls_named(source, BANK_KEY_FUNCTION):
            args = _literal_texts(call, 2)
            if args and isinstance(args[0], str) and isinstance(args[1], Mapping):
                keys.setdefault(args[0], {}).update(args[1])
        for check in slot_checks_in(source):
            if check.key is not None:
                keys.setdefault(check.bank_id, {}).update(check.key)
    return keys


@dataclass(frozen=True)
class Explanation:
    """Why the answer is what it is: one text, or a Vietnamese and an English one."""

    text: str | None = None
    vi: str | None = None
    en: str | None = None

    def render(self, language: Language | None = None) -> str:
        """In ``language`` if written in it; without a language, every version (Vietnamese
        first), as the bilingual feedback page shows it."""
        if language is not None:
            chosen = getattr(self, language.value) or self.text
            return chosen or self.vi or self.en or ""
        parts: list[str] = []
        for part in (self.text, self.vi, self.en):
            if part and part not in parts:
                parts.append(part)
        return "\n\n".join(parts)

    @classmethod
    def from_value(cls, value: Any) -> Explanation | None:
        """From a key entry's ``"explain"``: a text or ``{"vi": …, "en": …}``."""
        if isinstance(value, str) and value.strip():
            return cls(text=value)
        if isinstance(value, Mapping):
            vi, en = value.get("vi"), value.get("en")
            if isinstance(vi, str) or isinstance(en, str):
                return cls(vi=vi if isinstance(vi, str) else None,
                           en=en if isinstance(en, str) else None)
        return None


def _explanation_from_call(call: ast.Call) -> tuple[str, Explanation] | None:
    try:
        values = _arguments(call, ("qid", "text"), "", EXPLAIN_FUNCTION)
    except QuestionDefinitionError:
        try:
            values = _arguments(call, ("qid",), "", EXPLAIN_FUNCTION)
        except QuestionDefinitionError:
            return None
    qid = values.get("qid")
    texts = {k: values.get(k) for k in ("text", "vi", "en")}
    if not isinstance(qid, str) or not all(v is None or isinstance(v, str) for v in
                                           texts.values()):
        return None
    if not any(texts.values()):
        return None
    return qid, Explanation(**texts)


def explanations_in(nb: Any) -> dict[str, Explanation]:
    """Every question's explanation: ``explain(...)`` calls in the (hidden) tests, then the
    ``"explain"`` of bank key entries."""
    found: dict[str, Explanation] = {}
    for _, cell in _cells(nb):
        if _is_code(cell):
            for call in calls_named(_source(cell), EXPLAIN_FUNCTION):
                read = _explanation_from_call(call)
                if read is not None:
                    found[read[0]] = read[1]
    for key in bank_keys_in(nb).values():
        for qid, entry in key.items():
            explanation = Explanation.from_value(
                entry.get("explain") if isinstance(entry, Mapping) else None
            )
            if explanation is not None:
                found.setdefault(qid, explanation)
    return found


def without_hidden_tests(source: str) -> str:
    """What of a cell's source a learner gets: nbgrader empties the hidden blocks."""
    return _HIDDEN.sub("", source)


def competencies_of(cell: Any) -> list[str]:
    """The competency codes a graded cell is tagged with: cell metadata
    ``{"academy": {"competencies": ["sign.use"]}}`` (docs/authoring.md)."""
    raw = ((cell.get("metadata") or {}).get("academy") or {}).get("competencies")
    return [c for c in raw if isinstance(c, str)] if isinstance(raw, list) else []


def _is_test(cell: Any) -> bool:
    meta = (cell.get("metadata") or {}).get("nbgrader", {})
    return _is_code(cell) and bool(meta.get("grade")) and not meta.get("solution")


def _last_expression_is(source: str, call: ast.Call) -> bool:
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    last = body[-1] if body else None
    return (isinstance(last, ast.Expr) and last.value.lineno == call.lineno
            and last.value.col_offset == call.col_offset)


def notebook_problems(
    nb: Any, known_competencies: Collection[str] | None = None
) -> list[str]:
    """What is wrong with a module's questions, keys and explanations, each with its cell:
    declarations that cannot be read, keys outside the hidden tests, checks of unknown
    questions, bank slots that do not cover the draw, keys that do not fit their question,
    partial points that nbgrader would not see. With ``known_competencies``, every graded
    cell must also carry at least one of those codes."""
    problems: list[str] = []
    try:
        questions = read_questions(nb)
        banks = read_banks(nb)
    except QuestionDefinitionError as exc:
        return [str(exc)]
    keys = bank_keys_in(nb)
    slots: dict[str, list[int]] = {}
    for index, cell in _cells(nb):
        if not _is_code(cell):
            continue
        where = f"cell {_grade_id(cell) or index}"
        source = _source(cell)
        visible = without_hidden_tests(source) if _is_test(cell) else source
        for name in KEY_FUNCTIONS:
            if calls_named(visible, name):
                problems.append(f"{where}: {name}(...) outside '### BEGIN HIDDEN TESTS': "
                                "learners would see the key or the explanation")
        meta = (cell.get("metadata") or {}).get("nbgrader", {})
        if _is_test(cell) and known_competencies is not None:
            codes = competencies_of(cell)
            if not codes:
                problems.append(f"{where}: a graded cell needs competency codes")
            problems += [f"{where}: unknown competency {c!r}" for c in codes
                         if c not in known_competencies]
        for qid in questions_checked_in(source):
            if qid not in questions:
                problems.append(f"{where}: checks {qid!r}, which no cell asks")
            elif questions[qid].bank_id is not None:
                problems.append(f"{where}: {qid!r} is a bank question; grade it by slot "
                                "with check_bank_slot")
        for call in calls_named(source, CHECK_FUNCTION):
            args = _literal_texts(call, 2)
            if args and isinstance(args[0], str) and args[0] in questions:
                options = {k.arg: ast.literal_eval(k.value) for k in call.keywords
                           if k.arg in ("tolerance", "ignore_diacritics")
                           and isinstance(k.value, ast.Constant)}
                try:
                    check_key_entry(questions[args[0]], {"answer": args[1], **options})
                except QuestionDefinitionError as exc:
                    problems.append(f"{where}: {exc}")
            partial = _keyword(call, "points") is not None
            if partial:
                problems += _partial_problems(where, source, call, meta)
        for call in calls_named(source, SLOT_FUNCTION):
            if _keyword(call, "points") is not None:
                problems += _partial_problems(where, source, call, meta)
        cell_slots = slot_checks_in(source)
        if len(cell_slots) != len(calls_named(source, SLOT_FUNCTION)):
            problems.append(f"{where}: write check_bank_slot's bank id and slot literally")
        for check in cell_slots:
            if check.bank_id not in banks:
                problems.append(f"{where}: no bank {check.bank_id!r}")
                continue
            slots.setdefault(check.bank_id, []).append(check.slot)
    for bank in banks.values():
        where = f"bank {bank.bank_id}"
        graded = sorted(slots.get(bank.bank_id, []))
        if graded != list(range(1, bank.draw + 1)):
            problems.append(f"{where}: draws {bank.draw}, so slots 1 to {bank.draw} need one "
                            f"check_bank_slot each (found {graded or 'none'})")
        key = keys.get(bank.bank_id, {})
        for q in bank.questions:
            if q.qid not in key:
                problems.append(f"{where}: no key for {q.qid!r}")
                continue
            try:
                check_key_entry(q, key[q.qid])
            except QuestionDefinitionError as exc:
                problems.append(f"{where}: {exc}")
        problems += [f"{where}: the key names {qid!r}, which is not in the bank"
                     for qid in key if qid not in bank.question_ids]
    return problems


def _partial_problems(where: str, source: str, call: ast.Call, meta: Mapping[str, Any]
                      ) -> list[str]:
    problems = []
    if not _last_expression_is(source, call):
        problems.append(f"{where}: a check with points= must be the cell's last expression "
                        "(nbgrader reads the partial score from the cell's output)")
    node = _keyword(call, "points")
    points = node.value if isinstance(node, ast.Constant) else None
    if not isinstance(points, int | float) or points != meta.get("points"):
        problems.append(f"{where}: points= must be the cell's points ({meta.get('points')})")
    return problems
