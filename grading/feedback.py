"""nbgrader extension: feedback that never shows the answer key (nbgrader issue 917).

Stock `nbgrader generate_feedback` renders the autograded notebook, hidden tests included,
so learners would read the correct answers in their feedback. `HideAutograderTests` runs
after nbgrader's own preprocessors and replaces the source of every autograder test cell
with one line, and an error from a failed check with a plain sentence. Scores are
untouched. Selected in each course's nbgrader_config.py:

    c.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
        "grading.feedback.HideAutograderTests",
    ]
"""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_output
from traitlets import Bool

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
