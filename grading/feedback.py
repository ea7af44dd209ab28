"""nbgrader feedback a learner can read: questions, answers, points and explanations, no code.

**Generating** (an nbgrader extension, see nbgrader issue 917). Stock `nbgrader
generate_feedback` renders the autograded notebook: the code, and the hidden tests with the
correct answers in them. `LearnerFeedback` runs after nbgrader's `GetGrades` and replaces
every cell of the notebook with the learner's results, which nbgrader's own feedback
template then renders under its usual heading "<notebook> (Score: X / Y)":

* for each question: the prompt, the learner's answer (as the options read, from the checked
  answers file beside the autograded notebook), right or wrong, the points, and the
  explanation the trainer wrote with `course_kit.grading.explain` in the hidden test (or as
  the `"explain"` of a bank key's entry); for a question bank, each slot shows the question
  drawn for this learner (the draw of `course_kit.questions.draws`, for the student nbgrader
  names in the feedback's resources, never anything from the answers file), and the
  questions not drawn are not shown;
* for each practical task: the trainer's task text, the points, and what the e-office
  recorded or what is still missing (the comment `grading.practical_tasks` wrote);
* what the grader could not read in the answers file (`grading-notes.json`).

Everything a learner typed is escaped; only the trainer's own text is rendered as markup.
``hub_config/nbgrader_config.py`` selects ``FEEDBACK_PREPROCESSORS``; trainers still see the
full autograded notebook in formgrader.

**Reading.** nbgrader releases only the feedback HTML to a learner (``release_feedback``
copies ``*.html``), so the learner's own server reads the score from it:
``read_feedback_score`` (the total nbgrader prints in each notebook's heading).
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from traitlets import Bool

from common.i18n import N_, Language
from course_kit.questions.draws import drawn_question_ids
from course_kit.questions.notebook import Explanation
from grading.answers import (
    ANSWERS_FILE,
    BankSpec,
    Question,
    QuestionDefinitionError,
    banks_in,
    check_answers,
    questions_checked_in,
    questions_in,
    rich_explanations_in,
    slot_checks_in,
)
from grading.completion import Score
from grading.i18n import catalogue

FEEDBACK_PREPROCESSORS = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "grading.feedback.LearnerFeedback",
]
#: What the grader noted about a submission, beside the autograded notebook (grading.engine).
NOTES_FILE = "grading-notes.json"
#: How a true/false answer reads in the feedback (translated where shown).
TRUE_FALSE_LABELS = (N_("True"), N_("False"))
#: The feedback's own texts (English msgids, translated where shown).
NOT_ANSWERED = N_("Not answered")
YOUR_ANSWER = N_("Your answer:")
NOT_GRADED = N_("Not graded")
CORRECT = N_("Correct")
NOT_CORRECT = N_("Not correct")
WHY = N_("Why:")
NOT_GRADED_YET = N_("Not graded yet")
DONE = N_("Done")
NOT_DONE_YET = N_("Not done yet")
RECORDED = N_("The e-office recorded:")
YOUR_RESULTS = N_("Your results")
COULD_NOT_GRADE = N_("Your work could not be graded automatically.")
REASON = N_("Reason:")
AWAITING_MANUAL_GRADE = N_("Your trainer still has to grade some of your answers by hand: "
                           "the score is not final, and the module counts as done once they "
                           "have.")
#: The attribute of the notice above: My learning reads it (``feedback_awaits_manual_grade``)
AWAITING_ATTRIBUTE = "data-academy-awaiting-manual-grade"
#: The attribute that marks a text as one language's, and the notebook tag of a cell that is
#: (nbconvert's own templates write it as the class ``celltag_<tag>``; nbgrader's feedback
#: template does not, hence the attribute on a block inside): the page shows both, My
#: learning hides the one the learner does not read (``language_style``).
LANGUAGE_TAG = "lf-{}"
LANGUAGE_ATTRIBUTE = "data-lf-lang"


def _is_autograder_test(cell: NotebookNode) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _is_task(cell: NotebookNode) -> bool:
    return cell.cell_type == "markdown" and bool(cell.metadata.get("nbgrader", {}).get("task"))


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Question
    answer: Any  # the checked value; None when not answered (or dropped by the check)
    explanation: Explanation | None
    question_en: Question | None = None  # the English version's (same id and keys)

    @property
    def answered(self) -> bool:
        return self.answer is not None and self.answer not in ([], {}, "")

    def shown(self, language: Language) -> Question:
        """The question as the learner's version wrote it (English when there is one)."""
        if language is Language.ENGLISH and self.question_en is not None:
            return self.question_en
        return self.question

    def answer_labels(self, language: Language = Language.VIETNAMESE) -> list[str]:
        if not self.answered:
            return []
        texts = catalogue(language)
        labels = (texts.gettext(TRUE_FALSE_LABELS[0]), texts.gettext(TRUE_FALSE_LABELS[1]))
        try:
            return self.shown(language).answer_labels(self.answer, labels)
        except (KeyError, ValueError, TypeError):  # an English version that differs
            return self.question.answer_labels(self.answer, labels)


@dataclass(frozen=True)
class CheckResult:
    """One autograder test cell: the questions it checks and what they scored."""

    questions: tuple[AnsweredQuestion, ...]
    score: float | None  # None: the question is not graded (no test cell checks it)
    points: float | None

    @property
    def correct(self) -> bool:
        return self.score is not None and self.points is not None and self.score >= self.points


@dataclass(frozen=True)
class TaskResult:
    """A practical task cell, scored from the e-office's records."""

    text: str  # the trainer's markdown
    score: float | None
    points: float | None
    recorded: str  # what the e-office recorded, or what is missing
    text_en: str | None = None  # the English version's note on the task (``note-<task>``)


@dataclass
class FeedbackReport:
    items: list[CheckResult | TaskResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    awaiting_manual_grade: bool = False  # a grade still waits for the trainer (gradebook)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _drawn(banks: dict[str, BankSpec], bank_id: str, slot: int, student: str | None
           ) -> str | None:
    """The question a bank slot graded for ``student`` (None: unknown bank, slot or
    student)."""
    bank = banks.get(bank_id)
    if bank is None or student is None:
        return None
    drawn = drawn_question_ids(bank, student)
    return drawn[slot - 1] if 1 <= slot <= len(drawn) else None


def feedback_report(nb: NotebookNode, folder: Path, student: str | None = None,
                    english: NotebookNode | None = None) -> FeedbackReport:
    """The learner's results, from an autograded notebook (after ``GetGrades``) and the
    checked answers file and grading notes beside it in ``folder``. ``student``: the
    nbgrader student id, whose draw the bank slots show; ``english``: the module's English
    version, whose prompts, options and task notes the English page shows."""
    report = FeedbackReport()
    try:
        questions_en = questions_in(english) if english is not None else {}
    except QuestionDefinitionError:
        questions_en = {}
    notes_en = {c.get("id"): c.get("source", "") for c in (english.cells if english else [])
                if c.get("cell_type") == "markdown" and str(c.get("id", "")).startswith("note-")}
    try:
        questions = questions_in(nb)
        banks = banks_in(nb)
    except QuestionDefinitionError as exc:
        questions, banks = {}, {}
        report.problems.append(f"The questions of this module could not be read: {exc}")
    raw = (folder / ANSWERS_FILE).read_bytes() if (folder / ANSWERS_FILE).is_file() else None
    answers = check_answers(raw, questions).answers
    explanations = rich_explanations_in(nb)
    notes = _read_json(folder / NOTES_FILE)
    if isinstance(notes, dict) and isinstance(notes.get("problems"), list):
        report.problems += [str(p) for p in notes["problems"]]

    def answered(qid: str) -> AnsweredQuestion:
        return AnsweredQuestion(questions[qid], answers.get(qid), explanations.get(qid),
                                questions_en.get(qid))

    shown: set[str] = set()
    position: dict[str, int] = {}
    placed: list[tuple[int, CheckResult | TaskResult]] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for q in questions_in_cell(cell, questions):
                position.setdefault(q, index)
        meta = cell.metadata.get("nbgrader", {})
        if _is_autograder_test(cell):
            qids = [q for q in questions_checked_in(cell.source) if q in questions]
            for slot in slot_checks_in(cell.source):
                drawn = _drawn(banks, slot.bank_id, slot.slot, student)
                if drawn is not None and drawn in questions and drawn not in qids:
                    qids.append(drawn)
            if not qids:
                continue
            shown.update(qids)
            check = CheckResult(
                tuple(answered(q) for q in qids), _number(meta.get("score")),
                _number(meta.get("points")),
            )
            placed.append((min(position.get(q, index) for q in qids), check))
        elif _is_task(cell):
            task_id = str(meta.get("grade_id", "")).removeprefix("practical-")
            task = TaskResult(
                cell.source, _number(meta.get("score")), _number(meta.get("points")),
                str(meta.get("comment") or ""), notes_en.get(f"note-{task_id}"),
            )
            placed.append((index, task))
    for qid, question in questions.items():
        if question.bank_id is not None:
            continue  # a bank's questions are shown through its slots, as drawn
        if qid not in shown:  # asked, but no test checks it: shown, never scored
            placed.append((position.get(qid, len(nb.cells)), CheckResult(
                (answered(qid),), None, None
            )))
    report.items = [item for _, item in sorted(placed, key=lambda p: p[0])]
    return report


def questions_in_cell(cell: NotebookNode, questions: dict[str, Question]) -> list[str]:
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    return [q.qid for q in questions.values() if grade_id and q.cell_id == grade_id]


# --- rendering: HTML blocks in markdown cells, for nbgrader's feedback template -------------

_STYLE = """<style>
.lf-card { border: 1px solid #c9d3e0; border-radius: 8px; padding: 12px 16px; margin: 12px 0;
  background: #fbfcfe; font-size: 15px; line-height: 1.5; }
.lf-prompt { font-weight: 600; margin-bottom: 6px; }
.lf-answer { margin: 4px 0 8px 0; }
.lf-right { color: #1b7a36; font-weight: 700; }
.lf-wrong { color: #b42318; font-weight: 700; }
.lf-none { color: #6b7280; font-weight: 700; }
.lf-why { background: #eef4ff; border-left: 4px solid #1d4ed8; padding: 6px 10px;
  margin-top: 8px; }
.lf-notice { background: #fff4e5; border-left: 4px solid #f59e0b; padding: 6px 10px; }
</style>"""


def _text(value: str) -> str:
    """Learner or grader text, escaped, on one markdown line (an HTML block ends at a blank
    line)."""
    return html.escape(value).replace("\r", "").replace("\n", "<br>")


def _trainer(value: str) -> str:
    """The trainer's own markup (a prompt may hold simple HTML), kept on one line."""
    return " ".join(value.split())


def _number_text(value: float, language: Language) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if language is Language.VIETNAMESE else text


def _points(score: float | None, points: float | None, language: Language) -> str:
    if score is None or points is None:
        return ""
    return catalogue(language).gettext("%(score)s / %(points)s points") % {
        "score": _number_text(score, language), "points": _number_text(points, language)}


def _in_language(language: Language, block: str) -> str:
    """`block` marked as `language`'s (My learning hides the language not read)."""
    return (f'<div {LANGUAGE_ATTRIBUTE}="{language.value}" lang="{language.value}">'
            f"{block}</div>")


def _check_html(check: CheckResult, language: Language) -> str:
    _ = catalogue(language).gettext
    parts = ['<div class="lf-card">']
    for item in check.questions:
        parts.append(f'<div class="lf-prompt">{_trainer(item.shown(language).prompt)}</div>')
        labels = item.answer_labels(language)
        answer = "; ".join(_text(label) for label in labels) if labels else (
            f"<em>{_text(_(NOT_ANSWERED))}</em>"
        )
        parts.append(f'<div class="lf-answer">{_text(_(YOUR_ANSWER))} {answer}</div>')
    points = _points(check.score, check.points, language)
    if check.score is None:
        parts.append(f'<div class="lf-none">{_text(_(NOT_GRADED))}</div>')
    elif check.correct:
        parts.append(f'<div class="lf-right">✓ {_text(_(CORRECT))}: {points}</div>')
    else:
        parts.append(f'<div class="lf-wrong">✗ {_text(_(NOT_CORRECT))}: {points}</div>')
    for item in check.questions:
        if item.explanation:
            why = item.explanation.render(language)
            if why:
                parts.append(f'<div class="lf-why"><strong>{_text(_(WHY))}</strong> '
                             f"{_text(why)}</div>")
    parts.append("</div>")
    return _in_language(language, "".join(parts))


def _task_html(task: TaskResult, language: Language) -> str:
    _ = catalogue(language).gettext
    points = _points(task.score, task.points, language)
    if task.score is None or task.points is None:
        verdict = f'<div class="lf-none">{_text(_(NOT_GRADED_YET))}</div>'
    elif task.points and task.score >= task.points:
        verdict = f'<div class="lf-right">✓ {_text(_(DONE))}: {points}</div>'
    else:
        verdict = f'<div class="lf-wrong">✗ {_text(_(NOT_DONE_YET))}: {points}</div>'
    recorded = (
        f'<div class="lf-answer">{_text(_(RECORDED))} '
        f"{_text(task.recorded)}</div>" if task.recorded else ""
    )
    return _in_language(language, f'<div class="lf-card">{verdict}{recorded}</div>')


def _language_cell(source: str, language: Language | None) -> NotebookNode:
    """A markdown cell marked as one language's (None: every reader's): the trainer's
    markdown inside a marked block (blank lines around it, so that it is still read as
    markdown), and the cell tagged too."""
    if language is None:
        return new_markdown_cell(source)
    cell = new_markdown_cell(
        f'<div {LANGUAGE_ATTRIBUTE}="{language.value}" lang="{language.value}">\n\n'
        f"{source.strip()}\n\n</div>")
    cell.metadata["tags"] = [LANGUAGE_TAG.format(language.value)]
    return cell


def render_cells(report: FeedbackReport) -> list[NotebookNode]:
    """The feedback as markdown cells, each text in both languages (My learning shows the
    learner's): no code cell, nothing for nbgrader to score."""
    cells = [new_markdown_cell(_STYLE)]
    for language in Language:
        _ = catalogue(language).gettext
        cells.append(_language_cell(
            f"## {_(YOUR_RESULTS)}\n\n"
            + _("Each question with your answer, whether it was right, and why."), language))
    if report.awaiting_manual_grade:
        cells.append(new_markdown_cell(f'<div class="lf-notice" {AWAITING_ATTRIBUTE}="yes">'
                                       + "".join(_in_language(language, (
            f"<strong>{_text(catalogue(language).gettext(AWAITING_MANUAL_GRADE))}</strong>"))
            for language in Language) + "</div>"))
    if report.problems:
        lines = "".join(f"<li>{_text(p)}</li>" for p in report.problems)
        notice = N_("Notes from the grader: what could not be read scored 0.")
        cells.append(new_markdown_cell("".join(_in_language(language, (
            f'<div class="lf-notice"><strong>{_text(catalogue(language).gettext(notice))}'
            f"</strong><ul>{lines}</ul></div>")) for language in Language)))
    for item in report.items:
        if isinstance(item, TaskResult):
            if item.text_en:
                cells.append(_language_cell(item.text, Language.VIETNAMESE))
                cells.append(_language_cell(item.text_en, Language.ENGLISH))
            else:
                cells.append(_language_cell(item.text, None))
            cells.append(new_markdown_cell("".join(_task_html(item, lang) for lang in Language)))
        else:
            cells.append(new_markdown_cell("".join(_check_html(item, lang) for lang in Language)))
    return cells


def language_style(language: Language) -> str:
    """What My learning adds to a feedback page's head: the texts of the other languages
    hidden (the page alone, as formgrader or a download shows it, keeps both)."""
    hidden = [other.value for other in Language if other is not language]
    selectors = ", ".join(f".celltag_{LANGUAGE_TAG.format(code)}, "
                          f"[{LANGUAGE_ATTRIBUTE}={code}]" for code in hidden)
    return f"<style>{selectors} {{ display: none !important; }}</style>"


class LearnerFeedback(Preprocessor):
    """Replaces the autograded notebook's cells with the learner's results (see above)."""

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        nbgrader = resources.get("nbgrader", {})
        report = feedback_report(nb, folder, nbgrader.get("student"),
                                 english_version(folder, nbgrader))
        report.awaiting_manual_grade = _awaits_manual_grade(nbgrader)
        nb.cells = render_cells(report)
        return nb, resources


def _awaits_manual_grade(nbgrader: dict[str, Any]) -> bool:
    """Whether a grade of this submitted notebook still waits for a trainer's manual grade,
    in the gradebook (what the records count as not graded yet, ``grading.gradebook_totals``)."""
    from nbgrader.api import Gradebook, MissingEntry

    if not all(nbgrader.get(key) for key in ("db_url", "notebook", "assignment", "student")):
        return False
    with Gradebook(nbgrader["db_url"]) as gradebook:
        try:
            notebook = gradebook.find_submission_notebook(
                nbgrader["notebook"], nbgrader["assignment"], nbgrader["student"])
        except MissingEntry:
            return False
        return bool(notebook.needs_manual_grade)


def english_version(folder: Path, nbgrader: dict[str, Any]) -> NotebookNode | None:
    """The module's English version beside the graded notebook (``<notebook>.en.ipynb``,
    the authoring contract), as the learner submitted it; None when there is none."""
    notebook = str(nbgrader.get("notebook") or "")
    if not notebook or notebook.endswith(".en"):
        return None
    path = folder / f"{notebook}.en.ipynb"
    try:
        return nbformat.read(path, as_version=4) if path.is_file() else None
    except (OSError, ValueError):
        return None


# --- a submission that could not be graded: the learner is told why ----------------------

#: The heading's ending on the page of a submission that could not be graded (no score).
NOT_GRADED_MARK = "(Could not be graded)"


def not_graded_page(notebook_id: str, reason: str) -> str:
    """The feedback page of a submission the grader could not grade (released like any
    feedback, so that the learner sees why instead of waiting for a score); both languages,
    My learning shows the learner's."""
    kept = N_("Your answers are kept. Your trainer sees the same reason in the grading "
              "report and will grade it or ask you to submit again.")
    blocks = []
    for language in Language:
        _ = catalogue(language).gettext
        blocks.append(_in_language(language, (
            f"<p><strong>{_text(_(COULD_NOT_GRADE))}</strong></p>"
            f"<p>{_text(_(REASON))} {html.escape(reason)}</p>"
            f"<p>{_text(_(kept))}</p>")))
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{html.escape(notebook_id)}</title></head><body>"
        '<div class="panel panel-default"><div class="panel-heading">'
        f"<h4>{html.escape(notebook_id)} {NOT_GRADED_MARK}</h4></div>"
        f'<div class="panel-body">{"".join(blocks)}</div></div></body></html>\n'
    )


class _AwaitingParser(HTMLParser):
    """Finds the notice of ``render_cells`` (an element carrying ``AWAITING_ATTRIBUTE``); a
    learner's text is escaped, so it can never make one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found = self.found or any(name == AWAITING_ATTRIBUTE for name, _ in attrs)


def _any_page(feedback_dir: Path, says: Callable[[str], bool]) -> bool:
    """Whether one of the fetched feedback pages in ``feedback_dir`` ``says`` so."""
    for path in sorted(feedback_dir.glob("*.html")):
        try:
            page = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if says(page):
            return True
    return False


def _has_awaiting_notice(page: str) -> bool:
    parser = _AwaitingParser()
    parser.feed(page)
    return parser.found


def _heading_not_graded(page: str) -> bool:
    parser = _FeedbackHeadingParser()
    parser.feed(page)
    return parser.text is not None and parser.text.endswith(NOT_GRADED_MARK)


def feedback_awaits_manual_grade(feedback_dir: Path) -> bool:
    """Whether the fetched feedback says a trainer still has to grade answers by hand."""
    return _any_page(feedback_dir, _has_awaiting_notice)


def feedback_not_graded(feedback_dir: Path) -> bool:
    """Whether the fetched feedback says the submission could not be graded."""
    return _any_page(feedback_dir, _heading_not_graded)


# --- reading the score back out of a released feedback file ---------------------------


def feedback_notebook_ids(feedback_dir: Path) -> tuple[str, ...]:
    """Notebook ids with a feedback HTML file in `feedback_dir` (`<notebook_id>.html`)."""
    return tuple(sorted(p.stem for p in feedback_dir.glob("*.html") if p.is_file()))


def read_feedback_score(feedback_dir: Path) -> Score | None:
    """Total score of all feedback files of one submission; None if any is unreadable."""
    total = Score(0.0, 0.0)
    files = sorted(p for p in feedback_dir.glob("*.html") if p.is_file())
    if not files:
        return None
    for path in files:
        try:
            score = parse_feedback_score(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None
        if score is None:
            return None
        total = Score(total.points + score.points, total.max_points + score.max_points)
    return total


_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_HEADING_SCORE = re.compile(rf"\(\s*Score:\s*({_NUMBER})\s*/\s*({_NUMBER})\s*\)\s*$")


class _FeedbackHeadingParser(HTMLParser):
    """Collects the text of the first <h4> inside a `panel-heading` div.

    nbgrader's feedback template (server_extensions/formgrader/templates/feedback/
    index.html.j2) prints the notebook's total there, before any learner content:
    `<div class="panel-heading"><h4>lesson (Score: 7.0 / 10.0)</h4>`.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._div_depth = 0
        self._heading_depth: int | None = None  # div depth of the panel-heading
        self._in_h4 = False
        self._parts: list[str] = []
        self.text: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.text is not None:
            return
        if tag == "div":
            self._div_depth += 1
            classes = (dict(attrs).get("class") or "").split()
            if self._heading_depth is None and "panel-heading" in classes:
                self._heading_depth = self._div_depth
        elif tag == "h4" and self._heading_depth is not None:
            self._in_h4 = True
            self._parts = []

    def handle_endtag(self, tag: str) -> None:
        if self.text is not None:
            return
        if tag == "h4" and self._in_h4:
            self.text = "".join(self._parts).strip()
            self._in_h4 = False
        elif tag == "div":
            if self._heading_depth == self._div_depth:
                self._heading_depth = None
            self._div_depth = max(0, self._div_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._in_h4 and self.text is None:
            self._parts.append(data)


def parse_feedback_score(html: str) -> Score | None:
    """The notebook total from an nbgrader feedback HTML file, or None if not found."""
    parser = _FeedbackHeadingParser()
    parser.feed(html)
    parser.close()
    if parser.text is None:
        return None
    match = _HEADING_SCORE.search(" ".join(parser.text.split()))
    if match is None:
        return None
    points, max_points = float(match.group(1)), float(match.group(2))
    if not (math.isfinite(points) and math.isfinite(max_points)):
        return None
    return Score(points, max_points)


