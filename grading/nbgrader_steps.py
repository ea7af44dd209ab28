"""nbgrader's own autograde preprocessors, made cheap for a run of many submissions.

Stock nbgrader opens a new ``Gradebook`` in ``OverwriteCells``, ``SaveAutoGrades`` and
``AssignLatePenalties`` for every notebook: a new database engine each time, with its
table checks (``create_all``) and a cold statement cache, and it validates every cell's
metadata against nbgrader's JSON schema twice per notebook, checking the schema itself
each time. On the ds01 module that was most of the grader's own time per submission
(profiled: docs/performance.md).

Here the grading run opens one ``Gradebook`` and lends it to these preprocessors
(``lend``); their code is nbgrader's, with the line that opens a gradebook replaced. The
metadata check runs nbgrader's ``CheckCellMetadata`` once for each distinct layout of
cell types and nbgrader metadata: in a run every notebook is rebuilt from the same
trainer's notebook, so the answer cannot change. Grades are nbgrader's
(``nbgrader.utils.determine_grade``); a test compares them with stock ``nbgrader
autograde``, cell by cell.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    OverwriteCells,
    SaveAutoGrades,
)


class _Lent:
    """The run's gradebook as a preprocessor sees it: ``with`` does not close it."""

    def __init__(self, gradebook: Gradebook) -> None:
        self._gradebook = gradebook

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gradebook, name)

    def __enter__(self) -> _Lent:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def lend(gradebook: Gradebook) -> Any:
    """``gradebook`` for a preprocessor's ``with self.gradebook:`` block, left open."""
    return _Lent(gradebook)


class _LendsRunGradebook:
    """What the three preprocessors below share: the run's gradebook, and the ids that
    nbgrader's own ``preprocess`` takes from the resources before it opens a gradebook."""

    run_gradebook: Gradebook | None = None

    def _take_resources(self, resources: dict[str, Any]) -> None:
        info = resources["nbgrader"]
        self.notebook_id = info["notebook"]
        self.assignment_id = info["assignment"]
        self.student_id = info.get("student")
        self.db_url = info["db_url"]
        self.gradebook = lend(self.run_gradebook)

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if self.run_gradebook is None:  # no run: nbgrader's own code, its own gradebook
            return super().preprocess(nb, resources)  # type: ignore[misc] - the nbgrader class
        self._take_resources(resources)
        with self.gradebook:
            return self._preprocess_with_gradebook(nb, resources)

    def _preprocess_with_gradebook(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        """nbgrader's ``preprocess`` after it has opened its gradebook."""
        raise NotImplementedError


class RunOverwriteCells(_LendsRunGradebook, OverwriteCells):
    """``OverwriteCells`` with the run's gradebook (``run_gradebook``)."""

    def _preprocess_with_gradebook(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class RunSaveAutoGrades(_LendsRunGradebook, SaveAutoGrades):
    """``SaveAutoGrades`` with the run's gradebook (``run_gradebook``)."""

    def _preprocess_with_gradebook(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        return super(SaveAutoGrades, self).preprocess(nb, resources)


class RunAssignLatePenalties(_LendsRunGradebook, AssignLatePenalties):
    """``AssignLatePenalties`` with the run's gradebook (``run_gradebook``)."""

    def _preprocess_with_gradebook(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        self.init_plugin()
        nb, resources = super(AssignLatePenalties, self).preprocess(nb, resources)
        assignment = self.gradebook.find_submission(self.assignment_id, self.student_id)
        notebook = self.gradebook.find_submission_notebook(
            self.notebook_id, self.assignment_id, self.student_id
        )
        notebook.late_submission_penalty = None
        if assignment.total_seconds_late > 0:
            self.log.warning(
                "%s is %s seconds late", assignment, assignment.total_seconds_late
            )
            late_penalty = self.plugin_inst.late_submission_penalty(
                self.student_id, notebook.score, assignment.total_seconds_late
            )
            self.log.warning("Late submission penalty: %s", late_penalty)
            if late_penalty is not None:
                late_penalty = self._check_late_penalty(notebook, late_penalty)
                notebook.late_submission_penalty = late_penalty
        self.gradebook.db.commit()
        return nb, resources


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's metadata check, run once per distinct layout of cell types and nbgrader
    metadata (what it checks) in this process; a layout that failed is checked again."""

    _passed: ClassVar[set[str]] = set()

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        key = json.dumps(
            [(cell.cell_type, cell.metadata.get("nbgrader")) for cell in nb.cells],
            sort_keys=True, default=str,
        )
        if key in self._passed:
            return nb, resources
        nb, resources = super().preprocess(nb, resources)
        self._passed.add(key)
        return nb, resources
