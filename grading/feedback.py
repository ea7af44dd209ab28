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
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from traitlets import Bool

from course_kit.questions.draws import drawn_question_ids
from grading.answers import (
    ANSWERS_FILE,
    BankSpec,
    Question,
    QuestionDefinitionError,
    banks_in,
    check_answers,
    explanations_in,
    questions_checked_in,
    questions_in,
    slot_checks_in,
)
from grading.completion import Score

FEEDBACK_PREPROCESSORS = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "grading.feedback.LearnerFeedback",
]
#: What the grader noted about a submission, beside the autograded notebook (grading.engine).
NOTES_FILE = "grading-notes.json"
#: How a true/false answer reads in the feedback.
TRUE_FALSE_LABELS = ("Đúng (True)", "Sai (False)")


def _is_autograder_test(cell: NotebookNode) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _is_task(cell: NotebookNode) -> bool:
    return cell.cell_type == "markdown" and bool(cell.metadata.get("nbgrader", {}).get("task"))


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Question
    answer: Any  # the checked value; None when not answered (or dropped by the check)
    explanation: str | None

    @property
    def answered(self) -> bool:
        return self.answer is not None and self.answer not in ([], {}, "")

    def answer_labels(self) -> list[str]:
        if not self.answered:
            return []
        return self.question.answer_labels(self.answer, TRUE_FALSE_LABELS)


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


@dataclass
class FeedbackReport:
    items: list[CheckResult | TaskResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


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


def feedback_report(nb: NotebookNode, folder: Path, student: str | None = None
                    ) -> FeedbackReport:
    """The learner's results, from an autograded notebook (after ``GetGrades``) and the
    checked answers file and grading notes beside it in ``folder``. ``student``: the
    nbgrader student id, whose draw the bank slots show."""
    report = FeedbackReport()
    try:
        questions = questions_in(nb)
        banks = banks_in(nb)
    except QuestionDefinitionError as exc:
        questions, banks = {}, {}
        report.problems.append(f"The questions of this module could not be read: {exc}")
    raw = (folder / ANSWERS_FILE).read_bytes() if (folder / ANSWERS_FILE).is_file() else None
    answers = check_answers(raw, questions).answers
    explanations = explanations_in(nb)
    notes = _read_json(folder / NOTES_FILE)
    if isinstance(notes, dict) and isinstance(notes.get("problems"), list):
        report.problems += [str(p) for p in notes["problems"]]

    def answered(qid: str) -> AnsweredQuestion:
        return AnsweredQuestion(questions[qid], answers.get(qid), explanations.get(qid))

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
            task = TaskResult(
                cell.source, _number(meta.get("score")), _number(meta.get("points")),
                str(meta.get("comment") or ""),
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


def _points(score: float | None, points: float | None) -> str:
    if score is None or points is None:
        return ""
    return f"{score:g} / {points:g} points (điểm)"


def _check_html(check: CheckResult) -> str:
    parts = ['<div class="lf-card">']
    for item in check.questions:
        parts.append(f'<div class="lf-prompt">{_trainer(item.question.prompt)}</div>')
        labels = item.answer_labels()
        answer = "; ".join(_text(label) for label in labels) if labels else (
            "<em>Not answered (Chưa trả lời)</em>"
        )
        parts.append(f'<div class="lf-answer">Your answer (Câu trả lời của bạn): {answer}</div>')
    if check.score is None:
        parts.append('<div class="lf-none">Not graded (Không chấm điểm)</div>')
    elif check.correct:
        parts.append(
            f'<div class="lf-right">✓ Correct (Đúng): {_points(check.score, check.points)}</div>'
        )
    else:
        parts.append(
            f'<div class="lf-wrong">✗ Not correct (Chưa đúng): '
            f"{_points(check.score, check.points)}</div>"
        )
    for item in check.questions:
        if item.explanation:
            parts.append(
                f'<div class="lf-why"><strong>Why (Giải thích):</strong> '
                f"{_text(item.explanation)}</div>"
            )
    parts.append("</div>")
    return "".join(parts)


def _task_html(task: TaskResult) -> str:
    if task.score is None or task.points is None:
        verdict = '<div class="lf-none">Not graded yet (Chưa chấm)</div>'
    elif task.points and task.score >= task.points:
        verdict = (
            f'<div class="lf-right">✓ Done (Đã hoàn thành): '
            f"{_points(task.score, task.points)}</div>"
        )
    else:
        verdict = (
            f'<div class="lf-wrong">✗ Not done yet (Chưa hoàn thành): '
            f"{_points(task.score, task.points)}</div>"
        )
    recorded = (
        f'<div class="lf-answer">The e-office recorded (Hệ thống ghi nhận): '
        f"{_text(task.recorded)}</div>"
        if task.recorded
        else ""
    )
    return f'<div class="lf-card">{verdict}{recorded}</div>'


def render_cells(report: FeedbackReport) -> list[NotebookNode]:
    """The feedback as markdown cells: no code cell, nothing for nbgrader to score."""
    cells = [new_markdown_cell(
        _STYLE + "\n\n## Your results (Kết quả của bạn)\n\n"
        "Each question with your answer, whether it was right, and why. "
        "(Từng câu hỏi, câu trả lời của bạn, đúng hay chưa đúng, và giải thích.)"
    )]
    if report.problems:
        lines = "".join(f"<li>{_text(p)}</li>" for p in report.problems)
        cells.append(new_markdown_cell(
            '<div class="lf-notice"><strong>Notes from the grader (Ghi chú khi chấm): what '
            "could not be read scored 0 (phần không đọc được không được tính điểm).</strong>"
            f"<ul>{lines}</ul></div>"
        ))
    for item in report.items:
        if isinstance(item, TaskResult):
            cells.append(new_markdown_cell(item.text))
            cells.append(new_markdown_cell(_task_html(item)))
        else:
            cells.append(new_markdown_cell(_check_html(item)))
    return cells


class LearnerFeedback(Preprocessor):
    """Replaces the autograded notebook's cells with the learner's results (see above)."""

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        student = resources.get("nbgrader", {}).get("student")
        nb.cells = render_cells(feedback_report(nb, folder, student))
        return nb, resources


# --- a submission that could not be graded: the learner is told why ----------------------

#: The heading's ending on the page of a submission that could not be graded (no score).
NOT_GRADED_MARK = "(Could not be graded)"


def not_graded_page(notebook_id: str, reason: str) -> str:
    """The feedback page of a submission the grader could not grade (released like any
    feedback, so that the learner sees why instead of waiting for a score)."""
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{html.escape(notebook_id)}</title></head><body>"
        '<div class="panel panel-default"><div class="panel-heading">'
        f"<h4>{html.escape(notebook_id)} {NOT_GRADED_MARK}</h4></div>"
        '<div class="panel-body">'
        "<p><strong>Your work could not be graded automatically (Bài làm của bạn không chấm "
        "tự động được).</strong></p>"
        f"<p>Reason (Lý do): {html.escape(reason)}</p>"
        "<p>Your answers are kept. Your trainer sees the same reason in the grading report "
        "and will grade it or ask you to submit again (Câu trả lời của bạn vẫn được giữ; "
        "giảng viên sẽ xử lý).</p></div></div></body></html>\n"
    )


def feedback_not_graded(feedback_dir: Path) -> bool:
    """Whether the fetched feedback says the submission could not be graded."""
    for path in sorted(feedback_dir.glob("*.html")):
        parser = _FeedbackHeadingParser()
        try:
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if parser.text is not None and parser.text.endswith(NOT_GRADED_MARK):
            return True
    return False


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


