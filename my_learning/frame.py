"""The frame around a module page in Voila: which module a notebook is, and how many of its
questions the learner has answered.

The frame itself is a Voila template (``hub_config/jupyter_data/voila/templates/academy``):
its script asks My learning two JSON questions (``handlers.FrameHandler`` and
``handlers.AnsweredHandler``) and shows the answers. Everything here reads only this
server's own files: the public course catalog, and the module's folder in the learner's
home, where nbgrader fetched it (``NbgraderClient.assignment_folder``).

**Answered out of how many.** The questions are read from the module's *Vietnamese*
notebook in the learner's folder, without running it (``grading.answers``: the kit's
reader of widget calls and banks, the grader's own); both language versions ask the same
question ids and write the same answers file. A learner is asked every question outside a
bank and, of each bank, the ones drawn for them (``course_kit.questions.draws``, with the
kernel's own learner id). An answer counts when the grader would take it: the answers file
is checked like at grading (``grading.answers.check_answers``: known id, the shape its kind
saves), so a damaged or emptied answer is "not answered" here too.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.i18n import N_, Language
from course_kit.catalog import Course, Module
from course_kit.questions.draws import drawn_question_ids
from grading.answers import (
    ANSWERS_FILE,
    MAX_ANSWERS_BYTES,
    BankSpec,
    Question,
    QuestionDefinitionError,
    banks_in,
    check_answers,
    questions_in,
)

from .i18n import translations

log = logging.getLogger("my_learning")

#: The frame's fixed texts (msgids of My learning's catalogue), by the key its script uses.
FRAME_TEXTS: dict[str, str] = {
    "frame": N_("The module and your progress"),
    "back": N_("Back to My learning"),
    "submit": N_("Submit"),
    "submitting": N_("Submitting…"),
    "submit_anyway": N_("Submit anyway"),
    "keep_working": N_("Keep working"),
    "count_failed": N_("The number of answered questions cannot be shown right now."),
}


@dataclass(frozen=True)
class ModuleRef:
    """A module of the catalog and the folder nbgrader fetched it into."""

    course: Course
    module: Module
    folder: Path

    @property
    def notebook(self) -> Path:
        """The Vietnamese, graded notebook: the one whose questions count."""
        return self.folder / self.module.notebook


@dataclass(frozen=True)
class AnsweredCount:
    answered: int
    total: int

    @property
    def unanswered(self) -> int:
        return self.total - self.answered


def frame_texts(language: Language) -> dict[str, str]:
    catalogue = translations(language)
    return {key: catalogue.gettext(message) for key, message in FRAME_TEXTS.items()}


def answered_texts(count: AnsweredCount, language: Language) -> dict[str, str | None]:
    """The count as the frame shows it, and the question its Submit asks (None: nothing
    left unanswered, no question)."""
    catalogue = translations(language)
    text = catalogue.ngettext(
        "%(answered)s of %(total)s question answered",
        "%(answered)s of %(total)s questions answered",
        count.total,
    ) % {"answered": count.answered, "total": count.total}
    confirm = None
    if count.unanswered > 0:
        confirm = catalogue.ngettext(
            "%(count)s question is not answered yet. Submit anyway?",
            "%(count)s questions are not answered yet. Submit anyway?",
            count.unanswered,
        ) % {"count": count.unanswered}
    return {"text": text, "confirm": confirm}


def root_relative_parts(path: str) -> list[str] | None:
    """The parts of ``path``, a path relative to the server's root as in
    ``voila/render/<path>``; None when it is empty, absolute, has a backslash or an empty,
    ``.`` or ``..`` part."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or any(
        part in ("", ".", "..") for part in parts
    ):
        return None
    return parts


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (symbolic links resolved) is ``root`` or below it."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


@functools.lru_cache(maxsize=32)
def _questions(path: str, mtime_ns: int, size: int) -> tuple[dict[str, Question],
                                                             dict[str, BankSpec]]:
    """A notebook's questions and banks; cached per version of the file (the frame asks
    every few seconds, the notebook does not change)."""
    nb = json.loads(Path(path).read_bytes())
    return questions_in(nb), banks_in(nb)


def read_questions(notebook: Path) -> tuple[dict[str, Question], dict[str, BankSpec]]:
    stat = notebook.stat()
    return _questions(str(notebook), stat.st_mtime_ns, stat.st_size)


def asked_question_ids(
    questions: dict[str, Question], banks: dict[str, BankSpec], learner: str
) -> tuple[str, ...]:
    """The questions ``learner`` is asked: every question outside a bank, and the questions
    drawn for them from each bank, in notebook order."""
    drawn = {qid for bank in banks.values() for qid in drawn_question_ids(bank, learner)}
    return tuple(
        qid for qid, question in questions.items() if question.bank_id is None or qid in drawn
    )


def _read_answers(folder: Path) -> bytes | None:
    try:
        with (folder / ANSWERS_FILE).open("rb") as handle:
            return handle.read(MAX_ANSWERS_BYTES + 1)  # more: refused by check_answers
    except FileNotFoundError:
        return None


def count_answered(ref: ModuleRef, learner: str) -> AnsweredCount | None:
    """How many of the questions ``learner`` is asked have an answer the grader would take;
    None when the module's notebook cannot be read (a trainer's error: logged)."""
    try:
        questions, banks = read_questions(ref.notebook)
        raw = _read_answers(ref.folder)
    except (OSError, ValueError, KeyError, TypeError, QuestionDefinitionError) as exc:
        log.warning("my_learning: questions of %s not counted: %s", ref.notebook, exc)
        return None
    asked = asked_question_ids(questions, banks, learner)
    checked = check_answers(raw, questions)
    return AnsweredCount(len(set(checked.answers) & set(asked)), len(asked))


def answered_payload(count: AnsweredCount | None, language: Language) -> dict[str, Any]:
    """The JSON the frame's script polls."""
    if count is None:
        return {"answered": None, "total": None, "unanswered": None, "text": None,
                "confirm": None}
    return {
        "answered": count.answered,
        "total": count.total,
        "unanswered": count.unanswered,
        **answered_texts(count, language),
    }
