"""Rebuild a submitted notebook from the trainer's version before anything executes.

nbgrader's own ``OverwriteCells`` restores only cells that carry a ``grade_id``: a cell a
learner adds runs in the grading kernel (nbgrader FAQ "Does nbgrader protect against unsafe
code?": "Not directly"). In this academy learners never write code, so every cell of the
notebook that is graded comes from the trainer's released notebook
(``<course>/release/<assignment>/<notebook>.ipynb``); cells a learner added, deleted,
retyped or edited count for nothing. nbgrader's ``OverwriteCells``, which runs next,
then puts the hidden tests back from the gradebook.

``RebuildFromRelease`` is an nbgrader sanitize preprocessor: the academy's grader runs it,
and ``hub_config/nbgrader_config.py`` puts it first in ``Autograde.sanitize_preprocessors``
so that a trainer's own ``nbgrader autograde`` in the course folder does the same.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool, Unicode

RELEASE_DIRECTORY = "release"
#: ``Autograde.sanitize_preprocessors`` for the platform's nbgrader configuration: the
#: rebuild first, then nbgrader's own sanitize pass.
SANITIZE_PREPROCESSORS = [
    "grading.rebuild.RebuildFromRelease",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]


class TrainerNotebookMissingError(FileNotFoundError):
    """The released (trainer's) notebook a submission is rebuilt from is not there."""


def trainer_notebook_path(course_root: Path, assignment: str, notebook_id: str) -> Path:
    return Path(course_root) / RELEASE_DIRECTORY / assignment / f"{notebook_id}.ipynb"


def read_trainer_notebook(course_root: Path, assignment: str, notebook_id: str) -> NotebookNode:
    path = trainer_notebook_path(course_root, assignment, notebook_id)
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise TrainerNotebookMissingError(
            f"{path} is missing: run `nbgrader generate_assignment {assignment}` in the course "
            "folder (the grader rebuilds every submission from it)"
        ) from None


def differences(submitted: NotebookNode | None, trainer: NotebookNode) -> list[str]:
    """What the learner changed in the notebook itself (reported, never graded)."""
    if submitted is None:
        return ["the submitted notebook could not be read; graded from the answers file"]
    notes = []
    if len(submitted.cells) != len(trainer.cells):
        notes.append(
            f"the notebook had {len(submitted.cells)} cells instead of {len(trainer.cells)}"
        )
    changed = sum(
        1
        for mine, theirs in zip(submitted.cells, trainer.cells, strict=False)
        if mine.get("cell_type") != theirs.cell_type or mine.get("source") != theirs.source
    )
    if changed:
        notes.append(f"{changed} cell(s) differed from the module")
    if notes:
        notes.append("the module's own cells were graded instead")
    return notes


class RebuildFromRelease(Preprocessor):  # type: ignore[misc]
    """Replace every cell (and the notebook metadata) with the trainer's released version."""

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled
    course_root = Unicode(
        "", help="The nbgrader course folder (default: the current directory)."
    ).tag(config=True)
    #: the trainer's notebooks by id, already read (a grading run reads them once)
    trainer_notebooks: dict[str, NotebookNode] | None = None

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        info = resources["nbgrader"]
        trainer = (self.trainer_notebooks or {}).get(info["notebook"])
        if trainer is None:
            root = Path(self.course_root or os.getcwd())
            trainer = read_trainer_notebook(root, info["assignment"], info["notebook"])
        rebuilt = copy.deepcopy(trainer)
        rebuilt.nbformat, rebuilt.nbformat_minor = 4, trainer.get("nbformat_minor", 5)
        resources.setdefault("academy", {})["rebuild_notes"] = differences(nb, trainer)
        return rebuilt, resources
