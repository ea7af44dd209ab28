"""nbgrader feedback: generated without the answer key, and read back for "My learning".

**Generating** (an nbgrader extension, nbgrader issue 917). Stock `nbgrader
generate_feedback` renders the autograded notebook, hidden tests included, so learners would
read the correct answers in their feedback. `HideAutograderTests` runs after nbgrader's own
preprocessors and replaces the source of every autograder test cell with one line, and an
error from a failed check with a plain sentence. Scores are untouched.
``hub_config/nbgrader_config.py`` selects ``FEEDBACK_PREPROCESSORS``.

**Reading.** nbgrader releases only the feedback HTML to a learner (``release_feedback``
copies ``*.html``), so the learner's own server reads the score from it:
``read_feedback_score`` (the total nbgrader prints in each notebook's heading).
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_output
from traitlets import Bool

from grading.completion import Score

FEEDBACK_PREPROCESSORS = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "grading.feedback.HideAutograderTests",
]


def _is_autograder_test(cell: NotebookNode) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


class HideAutograderTests(Preprocessor):
    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if not _is_autograder_test(cell):
            return cell, resources
        failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        cell.source = "# automatic check (the check itself stays hidden)"
        message = (
            "Not correct: this answer did not match. Review this part of the module."
            if failed
            else "Correct."
        )
        cell.outputs = [new_output("stream", name="stdout", text=message + "\n")]
        return cell, resources


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


