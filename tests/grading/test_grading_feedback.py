"""grading.feedback: reading the score back out of released feedback, for My learning."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from grading.completion import Score
from grading.feedback import parse_feedback_score, read_feedback_score

FEEDBACK_HEAD = """<!DOCTYPE html><html><head><title>lesson</title></head><body>
<div class="container"><div class="panel panel-default"><div class="panel-heading">
<h4>{name} (Score: {score})</h4><div id="toc"><ol>
<li><a href="#t">Test cell</a> (Score: 1.0 / 1.0)</li></ol></div></div>
<div class="panel-body"><h4>Learner text (Score: 99.0 / 99.0)</h4></div></div></div>
</body></html>"""


@pytest.mark.parametrize(
    ("name", "score", "expected"),
    [
        ("lesson", "7.0 / 10.0", Score(7, 10)),
        ("bài 1 (phần A)", "2.5 / 3.0", Score(2.5, 3)),
        ("late", "-1.0 / 10.0", Score(-1, 10)),
        ("a &amp; b", "0.0 / 0.0", Score(0, 0)),
    ],
)
def test_feedback_score_comes_from_the_heading(name: str, score: str, expected: Score) -> None:
    assert parse_feedback_score(FEEDBACK_HEAD.format(name=name, score=score)) == expected


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body><h4>lesson (Score: 7.0 / 10.0)</h4></body></html>",  # not in the heading
        FEEDBACK_HEAD.format(name="lesson", score="seven / ten"),
    ],
)
def test_feedback_without_a_heading_score_gives_none(html: str) -> None:
    assert parse_feedback_score(html) is None


def test_feedback_scores_of_several_notebooks_add_up(tmp_path: Path) -> None:
    (tmp_path / "part1.html").write_text(FEEDBACK_HEAD.format(name="part1", score="3.0 / 5.0"))
    (tmp_path / "part2.html").write_text(FEEDBACK_HEAD.format(name="part2", score="4.5 / 5.0"))
    total = read_feedback_score(tmp_path)
    assert total == Score(7.5, 10)
    assert str(total) == "7.5 / 10"
    (tmp_path / "part3.html").write_text("<html>no score</html>")
    assert read_feedback_score(tmp_path) is None


def test_a_page_for_what_could_not_be_graded(tmp_path: Path) -> None:
    from grading.feedback import feedback_not_graded, not_graded_page

    page = not_graded_page("lesson", "cell <b>c2</b> ran past the 30 s time limit")
    assert "cell &lt;b&gt;c2&lt;/b&gt; ran past the 30 s time limit" in page
    assert parse_feedback_score(page) is None  # no score to show
    (tmp_path / "lesson.html").write_text(page, encoding="utf-8")
    assert feedback_not_graded(tmp_path)
    graded = FEEDBACK_HEAD.format(name="lesson", score="7 / 10")
    (tmp_path / "lesson.html").write_text(graded, encoding="utf-8")
    assert not feedback_not_graded(tmp_path)
    # both languages, each marked, for My learning to show the learner's
    assert 'data-lf-lang="vi" lang="vi"><p><strong>Bài làm của bạn không chấm tự động' in page
    assert 'data-lf-lang="en" lang="en"><p><strong>Your work could not be graded' in page


def test_each_text_is_written_in_both_languages_and_marked() -> None:
    """The fixed texts from the grading catalogue, a task's text from each version (the
    trainer's Vietnamese cell and the English version's note), each block marked with its
    language; the style My learning adds hides exactly the other language's blocks."""
    from html import unescape

    from nbconvert.filters.markdown import markdown2html

    from common.i18n import Language
    from grading.feedback import (
        LANGUAGE_ATTRIBUTE,
        FeedbackReport,
        TaskResult,
        language_style,
        render_cells,
    )

    report = FeedbackReport(items=[TaskResult(
        "**Bài thực hành: 4 điểm.** Vào sổ văn bản.", 4.0, 4.0, "Registered 12/STC-VP",
        "**Practical task: 4 points.** Register the document.")])
    html = unescape("\n".join(markdown2html(c.source) for c in render_cells(report)))
    vi = f'<div {LANGUAGE_ATTRIBUTE}="vi" lang="vi">'
    en = f'<div {LANGUAGE_ATTRIBUTE}="en" lang="en">'
    assert f"{vi}\n\n<p><strong>Bài thực hành: 4 điểm.</strong>" in html
    assert f"{en}\n\n<p><strong>Practical task: 4 points.</strong>" in html
    assert f'{vi}<div class="lf-card"><div class="lf-right">✓ Đã hoàn thành: 4 / 4 điểm' in html
    assert f'{en}<div class="lf-card"><div class="lf-right">✓ Done: 4 / 4 points' in html
    assert "Hệ thống ghi nhận: Registered 12/STC-VP" in html
    assert "Kết quả của bạn" in html and "Your results" in html
    assert f"[{LANGUAGE_ATTRIBUTE}=en]" in language_style(Language.VIETNAMESE)
    assert f"[{LANGUAGE_ATTRIBUTE}=vi]" in language_style(Language.ENGLISH)
    assert f"[{LANGUAGE_ATTRIBUTE}=vi]" not in language_style(Language.VIETNAMESE)


def test_the_english_page_shows_the_english_versions_prompts_options_and_task_note(
        tmp_path: Path) -> None:
    """A graded Vietnamese notebook (after GetGrades) and its English version beside it: the
    Vietnamese block shows the Vietnamese prompt and option text, the English block the
    English ones, never the option key; the task's English note reaches the English block;
    the explanation in each language."""
    import json

    import nbformat
    from nbconvert.filters.markdown import markdown2html
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from grading.feedback import LANGUAGE_ATTRIBUTE, feedback_report, render_cells

    def nb(cells: list) -> nbformat.NotebookNode:
        notebook = new_notebook(cells=cells)
        notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                           "display_name": "Python 3"}
        return notebook

    def meta(cell, grade_id: str, **flags):
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "locked": True, "solution": False,
                                     "grade": False, "task": False, "schema_version": 3,
                                     **flags}
        return cell

    ask = ('question("q1", "{prompt}", [("{right}", "revoke"), ("{wrong}", "wait")])')
    graded = nb([
        meta(new_code_cell(ask.format(prompt="Mất token thì làm gì?", right="Thu hồi ngay",
                                      wrong="Chờ xem")), "q1"),
        meta(new_code_cell(
            '### BEGIN HIDDEN TESTS\ncheck("q1", "revoke")\nexplain("q1", vi="Thu hồi để '
            'không ai ký thay.", en="Revoke so that nobody signs in your name.")\n'
            '### END HIDDEN TESTS'), "check-q1", grade=True, points=1, score=1.0),
        meta(new_markdown_cell("**Bài thực hành: 2 điểm.** Báo mất token."),
             "practical-report-lost-token", task=True, points=2, score=0.0),
    ])
    graded.cells[1].metadata["academy"] = {"competencies": ["sign.incidents"]}
    english = nb([
        meta(new_code_cell(ask.format(prompt="Lost your token: what now?",
                                      right="Revoke it at once", wrong="Wait and see")), "q1"),
        meta(new_markdown_cell("**Practical task: 2 points.** Report the lost token."),
             "note-report-lost-token"),
    ])
    english.cells[1].id = "note-report-lost-token"
    (tmp_path / "responses.json").write_text(json.dumps(
        {"version": 1, "answers": {"q1": {"value": "revoke", "saved_at": "2026-11-24T08:00:00Z"}}}),
        encoding="utf-8")
    report = feedback_report(graded, tmp_path, "an", english)
    html = "\n".join(markdown2html(c.source) for c in render_cells(report))
    blocks = {language: "\n".join(re.findall(
        rf'<div {LANGUAGE_ATTRIBUTE}="{language}" lang="{language}">(.*?)</div>\n?(?:</div>)',
        html, re.DOTALL)) for language in ("vi", "en")}
    vi, en = (unescape(blocks["vi"]), unescape(blocks["en"]))
    assert "Mất token thì làm gì?" in vi and "Câu trả lời của bạn: Thu hồi ngay" in vi
    assert "Lost your token: what now?" in en and "Your answer: Revoke it at once" in en
    assert "revoke" not in (vi + en).replace("Revoke", "")  # the key is never shown
    assert "Thu hồi để không ai ký thay." in vi and "Revoke so that nobody signs" in en
    assert "Bài thực hành: 2 điểm." in unescape(html) and "Practical task: 2 points." in en


def test_a_grade_waiting_for_the_trainer_is_said_and_found_again(tmp_path: Path) -> None:
    """The gradebook says a grade of the submission waits for a manual grade (what the
    records count as not graded yet): the feedback says so in both languages, with the
    marker My learning reads; once the trainer grades it, no notice. A learner's text that
    imitates the marker is escaped and never counts."""
    import json

    from nbconvert.filters.markdown import markdown2html
    from nbformat.v4 import new_notebook
    from nbgrader.api import Gradebook

    from grading.feedback import (
        AWAITING_ATTRIBUTE,
        FeedbackReport,
        LearnerFeedback,
        feedback_awaits_manual_grade,
        render_cells,
    )

    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db_url) as gradebook:
        gradebook.add_assignment("ds01")
        gradebook.update_or_create_notebook("lesson", "ds01")
        gradebook.update_or_create_grade_cell("essay", "lesson", "ds01", max_score=2,
                                              cell_type="markdown")
        gradebook.add_student("an")
        with gradebook.db.no_autoflush:  # SQLAlchemy 2.1's autoflush warning (test_records)
            gradebook.add_submission("ds01", "an")
        grade = gradebook.find_grade("essay", "lesson", "ds01", "an")
        grade.needs_manual_grade = True
        gradebook.db.commit()
    resources = {"metadata": {"path": str(tmp_path)},
                 "nbgrader": {"db_url": db_url, "notebook": "lesson", "assignment": "ds01",
                              "student": "an"}}

    def page() -> Path:
        nb, _ = LearnerFeedback().preprocess(new_notebook(cells=[]), json.loads(
            json.dumps(resources)))
        folder = tmp_path / "feedback"
        folder.mkdir(exist_ok=True)
        (folder / "lesson.html").write_text(
            "\n".join(markdown2html(c.source) for c in nb.cells), encoding="utf-8")
        return folder

    waiting = page()
    text = (waiting / "lesson.html").read_text(encoding="utf-8")
    assert feedback_awaits_manual_grade(waiting)
    assert "chấm tay" in text and "grade some of your answers by hand" in text

    with Gradebook(db_url) as gradebook:
        grade = gradebook.find_grade("essay", "lesson", "ds01", "an")
        grade.manual_score, grade.needs_manual_grade = 2.0, False
        gradebook.db.commit()
    assert not feedback_awaits_manual_grade(page())

    imitation = FeedbackReport(problems=[f'<div {AWAITING_ATTRIBUTE}="yes">x</div>'])
    (tmp_path / "feedback" / "lesson.html").write_text("\n".join(
        markdown2html(c.source) for c in render_cells(imitation)), encoding="utf-8")
    assert not feedback_awaits_manual_grade(tmp_path / "feedback")
    # resources without a gradebook (a notebook converted outside nbgrader): no notice
    nb, _ = LearnerFeedback().preprocess(new_notebook(cells=[]), {"metadata": {}})
    assert AWAITING_ATTRIBUTE not in "".join(c.source for c in nb.cells)
