"""A learner's answers file, read as data and checked against the module's questions.

In this academy a submission's only input to grading is ``responses.json`` (written by the
course kit's widgets, see ``course_kit.responses``). Before anything executes, the grader:

* reads the questions from the **trainer's** notebook, without running it: every call
  ``question("q1", prompt, options, multiple=...)`` in a code cell, with
  literal arguments, becomes a ``Question`` (``questions_in``);
* checks the learner's file against them (``check_answers``): at most ``MAX_ANSWERS_BYTES``,
  UTF-8 JSON in the course kit's format, known question ids only, and for each answer the
  expected type: one of the options (single choice), or a list of distinct options
  (``multiple=True``). What fails is dropped, so that question scores 0, and a message says
  what and where; the rest is graded as usual;
* writes the checked answers, and only those, into the grading kernel's private folder
  (``CheckedAnswers.responses_json``).
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from typing import Any

from nbformat import NotebookNode

from course_kit.responses import FILENAME, FORMAT_VERSION
from course_kit.widgets import UNGRADED_KEYS

#: The learner's answers file, the one thing grading takes from a submission.
ANSWERS_FILE = FILENAME
#: Largest answers file the grader reads (a module's answers are a few kilobytes).
MAX_ANSWERS_BYTES = 64 * 1024
QUESTION_FUNCTION = "question"  # course_kit.widgets.question
ANSWER_FUNCTION = "answer"  # course_kit.grading.answer
EXPLAIN_FUNCTION = "explain"  # course_kit.grading.explain


class QuestionDefinitionError(ValueError):
    """A ``question(...)`` call in the trainer's notebook cannot be read without running it."""


@dataclass(frozen=True)
class Question:
    qid: str
    prompt: str
    options: tuple[Any, ...]  # the stored values, in the order shown
    labels: tuple[str, ...]  # what the learner saw
    multiple: bool = False
    cell_id: str | None = None  # grade_id of the cell that shows it

    def label_of(self, value: Any) -> str:
        for label, option in zip(self.labels, self.options, strict=True):
            if option == value:
                return label
        return str(value)


def _literal(node: ast.expr, what: str, cell_id: str | None) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise QuestionDefinitionError(
            f"cell {cell_id or '?'}: the {what} of question(...) must be written out "
            "literally (the grader reads it without running the notebook)"
        ) from None


def _question_from_call(call: ast.Call, cell_id: str | None) -> Question:
    if len(call.args) < 3:
        raise QuestionDefinitionError(
            f"cell {cell_id or '?'}: question(...) needs an id, a prompt and the options"
        )
    qid = _literal(call.args[0], "id", cell_id)
    prompt = _literal(call.args[1], "prompt", cell_id)
    raw_options = _literal(call.args[2], "options", cell_id)
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    multiple = bool(_literal(keywords["multiple"], "multiple flag", cell_id)) if (
        "multiple" in keywords
    ) else False
    if not isinstance(qid, str) or not isinstance(prompt, str):
        raise QuestionDefinitionError(f"cell {cell_id or '?'}: id and prompt must be text")
    labels, options = [], []
    for option in raw_options:
        if isinstance(option, str):
            labels.append(option)
            options.append(option)
        else:
            label, value = option
            labels.append(str(label))
            options.append(value)
    return Question(
        qid, prompt, tuple(options), tuple(labels), multiple, cell_id
    )


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


def questions_in_source(source: str, cell_id: str | None = None) -> list[Question]:
    """The ``question(...)`` calls in one code cell's source."""
    return [_question_from_call(c, cell_id) for c in calls_named(source, QUESTION_FUNCTION)]


def _literal_text_arguments(call: ast.Call, count: int) -> tuple[str, ...] | None:
    try:
        values = tuple(ast.literal_eval(a) for a in call.args[:count])
    except ValueError:
        return None
    if len(values) != count or not all(isinstance(v, str) for v in values):
        return None
    return values


def questions_checked_in(source: str) -> list[str]:
    """The question ids a test cell checks: its ``answer("q1")`` calls, in order."""
    ids: list[str] = []
    for call in calls_named(source, ANSWER_FUNCTION):
        args = _literal_text_arguments(call, 1)
        if args and args[0] not in ids:
            ids.append(args[0])
    return ids


def explanations_in(nb: NotebookNode) -> dict[str, str]:
    """The explanation of each question: ``explain("q1", "…")`` calls in the trainer's
    (hidden) test cells, read without running them."""
    found: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            for call in calls_named(cell.source, EXPLAIN_FUNCTION):
                args = _literal_text_arguments(call, 2)
                if args:
                    found[args[0]] = args[1]
    return found


def questions_in(nb: NotebookNode) -> dict[str, Question]:
    """Every question of a (trainer's) notebook, by id, in notebook order."""
    questions: dict[str, Question] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        for q in questions_in_source(cell.source, cell_id):
            if q.qid in questions:
                raise QuestionDefinitionError(f"question id {q.qid!r} is used twice")
            questions[q.qid] = q
    return questions


@dataclass
class CheckedAnswers:
    """What the grader keeps of a learner's answers file, and why it dropped the rest."""

    answers: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def responses_json(self) -> str:
        """The checked answers in the course kit's file format (what the kernel reads)."""
        return json.dumps(
            {
                "version": FORMAT_VERSION,
                "answers": {q: {"value": v} for q, v in sorted(self.answers.items())},
            },
            ensure_ascii=False,
            indent=1,
        )


def _check_value(question: Question, value: Any) -> str | None:
    """None if ``value`` is a well-formed answer to ``question``, else what is wrong."""
    if question.multiple:
        if not isinstance(value, list):
            return f"expected a list of choices, found {type(value).__name__}"
        if len(value) > len(question.options):
            return "more choices than the question has options"
        for item in value:
            if isinstance(item, bool | dict | list) or item not in question.options:
                return f"{_short(item)} is not one of the options"
        if len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            return "the same choice is listed twice"
        return None
    if isinstance(value, bool | dict | list) or value not in question.options:
        if isinstance(value, dict | list):
            return f"expected one choice, found {type(value).__name__}"
        return f"{_short(value)} is not one of the options"
    return None


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_answers(raw: bytes | None, questions: dict[str, Question]) -> CheckedAnswers:
    """Check a learner's ``responses.json`` (None: no file) against the module's questions."""
    result = CheckedAnswers()
    if raw is None:
        return result
    if len(raw) > MAX_ANSWERS_BYTES:
        result.problems.append(
            f"responses.json is {len(raw):,} bytes, over the {MAX_ANSWERS_BYTES:,}-byte limit: "
            "no answer in it was graded"
        )
        return result
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        result.problems.append(f"responses.json is not valid UTF-8 JSON ({exc}): no answer graded")
        return result
    entries = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        result.problems.append(
            "responses.json does not have the course kit's format (an \"answers\" object): "
            "no answer graded"
        )
        return result
    for qid, entry in entries.items():
        if qid in UNGRADED_KEYS:
            continue  # saved by a widget for the learner's own use, never graded
        question = questions.get(qid)
        if question is None:
            result.problems.append(f"answer {_short(qid)}: this module has no such question")
            continue
        if not isinstance(entry, dict) or "value" not in entry:
            result.problems.append(f"answer {qid}: not in the course kit's format")
            continue
        problem = _check_value(question, entry["value"])
        if problem is not None:
            result.problems.append(f"answer {qid}: {problem}; it scores 0")
            continue
        result.answers[qid] = entry["value"]
    return result

