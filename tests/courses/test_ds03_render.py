"""The released ds03 notebooks, Vietnamese and English, render cleanly as Voila would run
them for a learner: the certificate timeline explorer, every question card, the two task
cards, the timeline diagram and the incident playbook (markdown disclosures, one per
incident)."""

from __future__ import annotations

from pathlib import Path

import pytest
from coursework import Course, execute, widget_cells

COURSE = Course("digital-signatures")
MODULE = "ds03-signature-incidents"
WIDGETS = ["timeline-explorer", "q1", "n1", "o1", "tf1", "q2", "s1", "m1", "task-renew",
           "task-lost"]


@pytest.mark.timeout(240)
def test_learner_pages_execute_without_errors_or_prints(tmp_path: Path) -> None:
    folder = COURSE.learner_copy(tmp_path, MODULE)
    entry = COURSE.entry(MODULE)
    for notebook, language in ((entry["notebook"], "vi"), (entry["notebook_en"], "en")):
        executed = execute(folder, notebook, language)
        assert widget_cells(executed) == WIDGETS, language
        state = str(executed.metadata["widgets"])
        title = "B. Báo mất token" if language == "vi" else "B. Report a lost token"
        assert title in state and "/academy/services/eoffice/" in state
    assert not (folder / "responses.json").exists()


def test_each_version_shows_its_timeline_and_the_playbook() -> None:
    for nb, diagram in zip(COURSE.notebooks(MODULE), ("signature-timeline.vi.svg",
                                               "signature-timeline.svg"), strict=True):
        markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert f"]({diagram})" in markdown
        assert (COURSE.folder / "source" / MODULE / diagram).is_file()
        assert markdown.count("<details><summary>") == markdown.count("</details>") == 5
