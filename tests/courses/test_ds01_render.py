"""The released ds01 notebooks, Vietnamese and English, render cleanly as Voila would run
them for a learner."""

from __future__ import annotations

from pathlib import Path

import pytest
from coursework import Course, execute, widget_cells

COURSE = Course("digital-signatures")
MODULE = "ds01-what-a-signature-proves"
WIDGETS = ["digest", "q1", "q2", "q3", "q4", "q5", "q6", "task"]


@pytest.mark.timeout(240)
def test_learner_pages_execute_without_errors_or_prints(tmp_path: Path) -> None:
    folder = COURSE.learner_copy(tmp_path, MODULE)
    entry = COURSE.entry(MODULE)
    for notebook, language in ((entry["notebook"], "vi"), (entry["notebook_en"], "en")):
        executed = execute(folder, notebook, language)
        assert widget_cells(executed) == WIDGETS, language
        assert "widgets" in executed.metadata  # widget state saved, so the views have models
        state = str(executed.metadata["widgets"])
        assert "/academy/services/eoffice/" in state  # JUPYTERHUB_BASE_URL reaches the link
        # each page shows its own language: the task card's title, the kit's own texts
        if language == "vi":
            assert "Mở văn bản đến của Sở Tài chính" in state and "Bài thực hành" in state
        else:
            assert "Open the incoming document" in state and "Practical task" in state
    # showing the pages never writes answers: only the learner's clicks do
    assert not (folder / "responses.json").exists()
