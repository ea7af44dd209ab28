"""The released ds02 notebooks, Vietnamese and English, render cleanly as Voila would run
them for a learner: every question card, the digest explorer, the three task cards, and the
annotated report (markdown) that explains each line on a click."""

from __future__ import annotations

from pathlib import Path

import pytest
from coursework import Course, execute, widget_cells

COURSE = Course("digital-signatures")
MODULE = "ds02-signing-in-the-eoffice"
WIDGETS = ["o1", "q1", "n1", "tf1", "digest", "t1", "s1", "m1", "q2", "task-certificate",
           "task-sign", "task-verify"]


@pytest.mark.timeout(240)
def test_learner_pages_execute_without_errors_or_prints(tmp_path: Path) -> None:
    folder = COURSE.learner_copy(tmp_path, MODULE)
    entry = COURSE.entry(MODULE)
    for notebook, language in ((entry["notebook"], "vi"), (entry["notebook_en"], "en")):
        executed = execute(folder, notebook, language)
        assert widget_cells(executed) == WIDGETS, language
        state = str(executed.metadata["widgets"])
        assert "/academy/services/eoffice/" in state
        title = ("B. Ký số và phát hành một văn bản đi" if language == "vi"
                 else "B. Sign and issue an outgoing document")
        assert title in state
    assert not (folder / "responses.json").exists()


def test_each_version_shows_its_diagram_and_the_clickable_report() -> None:
    for nb, diagram in zip(COURSE.notebooks(MODULE), ("signature-appearance.vi.svg",
                                               "signature-appearance.svg"), strict=True):
        markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert f"]({diagram})" in markdown
        assert (COURSE.folder / "source" / MODULE / diagram).is_file()
        # one <details> per line of the report: a keyboard-operable disclosure (Tab, Enter)
        assert markdown.count("<details><summary>") == 8
        assert markdown.count("</details>") == 8
