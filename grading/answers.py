"""A learner's answers file, read as data and checked against the module's questions.

In this academy a submission's only input to grading is ``responses.json`` (written by the
course kit's widgets, see ``course_kit.responses``). Before anything executes, the grader:

* reads the questions from the **trainer's** notebook, without running it: every widget
  call (``question``, ``true_false``, ``ordering``, ``matching``, ``short_text``,
  ``numeric``, ``spot_the_signs``) and every ``question_bank`` in a code cell, with literal
  arguments, becomes a ``Question`` (``questions_in``; the kit's reader,
  ``course_kit.questions.notebook``, which knows the widgets' signatures);
* checks the learner's file against them (``check_answers``): at most ``MAX_ANSWERS_BYTES``,
  UTF-8 JSON in the course kit's format, known question ids only, and for each answer the
  shape its kind saves (``QuestionSpec.problem_with``): one of the options, a list of
  distinct options, true or false, every item once in some order, pairs of known items, a
  text within its length, a finite number, a list of distinct marked parts. What fails is
  dropped, so that question scores 0, and a message says what and where; the rest is
  graded as usual;
* writes the checked answers, and only those, into the grading kernel's private folder
  (``CheckedAnswers.responses_json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from nbformat import NotebookNode

from course_kit.questions import notebook as kit_notebook
from course_kit.questions.notebook import (
    ANSWER_FUNCTION,
    EXPLAIN_FUNCTION,
    Explanation,
    SlotCheck,
    calls_named,
    questions_checked_in,
    slot_checks_in,
)
from course_kit.questions.specs import BankSpec, QuestionDefinitionError, QuestionSpec
from course_kit.responses import FILENAME, FORMAT_VERSION
from course_kit.widgets import UNGRADED_KEYS

__all__ = [
    "ANSWERS_FILE", "ANSWER_FUNCTION", "EXPLAIN_FUNCTION", "MAX_ANSWERS_BYTES",
    "QUESTION_FUNCTION", "BankSpec", "CheckedAnswers", "Explanation", "Question",
    "QuestionDefinitionError", "SlotCheck", "banks_in", "calls_named", "check_answers",
    "explanations_in", "questions_checked_in", "questions_in", "questions_in_source",
    "rich_explanations_in", "slot_checks_in",
]

#: The learner's answers file, the one thing grading takes from a submission.
ANSWERS_FILE = FILENAME
#: Largest answers file the grader reads (a module's answers are a few kilobytes).
MAX_ANSWERS_BYTES = 64 * 1024
QUESTION_FUNCTION = "question"  # course_kit.widgets.question
#: A question as the grader knows it (the kit's spec: kind, prompt, options, no answer).
Question = QuestionSpec


def questions_in_source(source: str, cell_id: str | None = None) -> list[Question]:
    """The questions one code cell shows (its widget calls, its banks' questions)."""
    return kit_notebook.questions_in_source(source, cell_id)


def rich_explanations_in(nb: NotebookNode) -> dict[str, Explanation]:
    """Each question's explanation, with its Vietnamese and English versions apart."""
    return kit_notebook.explanations_in(nb)


def explanations_in(nb: NotebookNode) -> dict[str, str]:
    """The explanation of each question: ``explain("q1", "…")`` calls in the trainer's
    (hidden) test cells and the ``"explain"`` of bank keys, read without running them;
    both languages when both are written (Vietnamese first)."""
    return {qid: e.render() for qid, e in rich_explanations_in(nb).items()}


def questions_in(nb: NotebookNode) -> dict[str, Question]:
    """Every question of a (trainer's) notebook, by id, in notebook order (every question
    of every bank included: which of them a learner was given is the draw's business)."""
    return kit_notebook.read_questions(nb)


def banks_in(nb: NotebookNode) -> dict[str, BankSpec]:
    """The question banks of a (trainer's) notebook, by id."""
    return kit_notebook.read_banks(nb)


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
        problem = question.problem_with(entry["value"])
        if problem is not None:
            result.problems.append(f"answer {qid}: {problem}; it scores 0")
            continue
        result.answers[qid] = entry["value"]
    return result

