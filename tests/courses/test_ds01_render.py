"""The released ds01 notebook renders cleanly, as Voila would run it for a learner."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from courses_testlib import REPO, VENV_BIN, subprocess_env

MODULE = "ds01-what-a-signature-proves"
NOTEBOOK = "what-a-signature-proves.ipynb"
SOURCE = REPO / "courses" / "digital-signatures" / "source" / MODULE
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def execute(folder: Path) -> nbformat.NotebookNode:
    proc = subprocess.run(
        [
            str(VENV_BIN / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.kernel_name=python3",
            "--ExecutePreprocessor.timeout=60",
            "--output",
            "executed.ipynb",
            NOTEBOOK,
        ],
        cwd=folder,
        env=subprocess_env(JUPYTERHUB_BASE_URL="/academy/"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return nbformat.read(folder / "executed.ipynb", as_version=4)


@pytest.mark.timeout(120)
def test_learner_page_executes_without_errors_or_prints(tmp_path: Path) -> None:
    # a learner's copy: `<home>/<course>/<assignment>/`, hidden tests stripped as in a release
    folder = tmp_path / "digital-signatures" / MODULE
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("responses.json*"))
    nb = nbformat.read(folder / NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = ""
    nbformat.write(nb, folder / NOTEBOOK)

    executed = execute(folder)

    widget_cells = []
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        kinds = [o.output_type for o in cell.outputs]
        assert "error" not in kinds and "stream" not in kinds, (cell.id, cell.outputs)
        if cell.outputs:
            assert kinds == ["execute_result"], cell.id
            assert WIDGET_VIEW in cell.outputs[0].data, cell.id
            widget_cells.append(cell.id)
    assert widget_cells == ["digest", "q1", "q2", "q3", "q4", "q5", "q6", "task"]
    assert "widgets" in executed.metadata  # widget state saved, so the views have models
    state = str(executed.metadata["widgets"])
    assert "/academy/services/eoffice/" in state  # JUPYTERHUB_BASE_URL reaches the link
    # showing the page never writes answers: only the learner's clicks do
    assert not (folder / "responses.json").exists()
