"""The grader reads a module's questions, keys and explanations without running it, and
checks answers files of every kind as data; a lint names what a trainer got wrong."""

from __future__ import annotations

import copy
import inspect
import json
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from course_kit import question_widgets
from course_kit.questions import registry
from course_kit.questions.notebook import (
    BANK_FUNCTION,
    BANK_PARAMETERS,
    WIDGET_PARAMETERS,
    explanations_in,
    notebook_problems,
    read_banks,
    read_questions,
    without_hidden_tests,
)
from course_kit.questions.specs import QuestionDefinitionError, QuestionKind
from course_kit.responses import FILENAME, ResponseStore
from grading.answers import check_answers, questions_in
from grading.answers import explanations_in as grader_explanations
from tests.course_kit.kit_sample_module import (
    BANK_KEY,
    KEYS,
    WIDGETS,
    right_answers,
    source_notebook,
)


def responses(answers: dict[str, Any]) -> bytes:
    return json.dumps({"version": 1, "answers": {q: {"value": v} for q, v in answers.items()}}
                      ).encode()


def test_the_reader_knows_every_widget_function_signature() -> None:
    for name, positional in WIDGET_PARAMETERS.items():
        parameters = inspect.signature(getattr(question_widgets, name)).parameters.values()
        assert tuple(p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD) == (
            positional), name
    bank = inspect.signature(getattr(question_widgets, BANK_FUNCTION)).parameters.values()
    assert tuple(p.name for p in bank if p.kind is p.POSITIONAL_OR_KEYWORD) == BANK_PARAMETERS


def test_questions_read_without_running_are_the_ones_the_widgets_show(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = source_notebook()
    read = read_questions(nb)
    assert list(read) == [*KEYS, "f1", "f2", "f3"]
    assert read["f2"].bank_id == "facts" and read["f2"].shuffle  # banks shuffle options
    assert read["multi"].kind is QuestionKind.MULTIPLE and read["multi"].shuffle
    assert read_banks(nb)["facts"].draw == 2
    # run the same cells: every widget registers exactly the spec the grader read
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ACADEMY_LANGUAGE", "en")
    registry.forget_all()
    namespace: dict[str, Any] = {}
    exec(nb.cells[1].source, namespace)  # noqa: S102 - the trainer's own test module
    for call in WIDGETS.values():
        exec(call, namespace)  # noqa: S102
    assert ResponseStore(tmp_path / FILENAME).answers() == {}  # showing is not answering
    for qid, spec in read.items():
        shown = registry.shown_question(qid)
        assert shown is not None and shown.__dict__ == {**spec.__dict__, "cell_id": None}


def test_every_kind_of_answer_is_checked_as_data() -> None:
    questions = questions_in(source_notebook())
    good = right_answers("nguyenvana")
    checked = check_answers(responses(good), questions)
    assert checked.problems == [] and checked.answers == good
    bad = {
        "tf": "false", "order": ["draft", "sign", "issue"], "match": {"personal": "seal",
                                                                         "nobody": "seal"},
        "text": "x" * 201, "number": float("inf"), "spot": ["sender", "not-a-part"],
        "multi": ["integrity", "integrity"], "f3": "5", "f2": "nobody",
    }
    checked = check_answers(responses(bad), questions)
    assert checked.answers == {}
    messages = " | ".join(checked.problems)
    for expected in ("answer tf: expected true or false", "answer order: the order must list",
                     '"nobody" is not an item of the left column', "longer than 200",
                     "answer number: the number is not finite", '"not-a-part" is not one of',
                     "answer multi: the same choice is listed twice",
                     "answer f3: expected a number", 'answer f2: "nobody" is not one of'):
        assert expected in messages, expected


def test_explanations_are_read_in_both_languages() -> None:
    nb = source_notebook()
    nb.cells.append(new_code_cell(
        '### BEGIN HIDDEN TESTS\nexplain("tf", vi="Ký số không mã hóa văn bản.", '
        'en="Signing does not encrypt.")\n### END HIDDEN TESTS\n'))
    found = explanations_in(nb)
    assert found["single"].render() == KEYS["single"][1]
    assert found["tf"].vi == "Ký số không mã hóa văn bản." and found["tf"].en
    assert found["f1"].render() == ("Báo ngay để thu hồi chứng thư.\n\n"
                                    "Report it at once so it is revoked.")
    from common.i18n import Language

    assert found["f1"].render(Language.ENGLISH) == "Report it at once so it is revoked."
    assert grader_explanations(nb)["f2"] == "Ban Cơ yếu Chính phủ issues them."


def test_the_sample_module_is_clean() -> None:
    assert notebook_problems(source_notebook(), known_competencies={"sign.use"}) == []


def _with(nb, index: int, source: str):  # noqa: ANN001, ANN202
    changed = copy.deepcopy(nb)
    changed.cells[index].source = source
    return changed


def test_the_lint_names_each_mistake() -> None:
    nb = source_notebook()
    index = {c.metadata["nbgrader"]["grade_id"]: i for i, c in enumerate(nb.cells)}
    cases = {
        # the key in a visible cell
        "outside '### BEGIN HIDDEN TESTS'": _with(
            nb, index["tf"], 'true_false("tf", "?")\ncheck("tf", False)'),
        # a slot missing
        "slots 1 to 2 need one check_bank_slot each": _with(
            nb, index["bank-slot-2"], "### BEGIN HIDDEN TESTS\npass\n### END HIDDEN TESTS\n"),
        # a bank question without a key
        "no key for 'f3'": _with(_with(nb, index["bank-slot-1"], nb.cells[index[
            "bank-slot-1"]].source.replace("'f3'", "'f9'")), index["bank-slot-2"], nb.cells[
            index["bank-slot-2"]].source.replace("'f3'", "'f9'")),
        # partial points not the last expression
        "must be the cell's last expression": _with(
            nb, index["check-spot"], nb.cells[index["check-spot"]].source.replace(
                "### END", "x = 1\n### END")),
        # partial points differing from the cell's points
        "points= must be the cell's points": _with(
            nb, index["check-spot"], nb.cells[index["check-spot"]].source.replace(
                "points=2", "points=5")),
        # a check of a question no cell asks
        "checks 'nope', which no cell asks": _with(
            nb, index["check-tf"], "### BEGIN HIDDEN TESTS\ncheck('nope', True)\n"
            "### END HIDDEN TESTS\n"),
        # a key that does not fit its question
        "key of order": _with(
            nb, index["check-order"], "### BEGIN HIDDEN TESTS\ncheck('order', ['draft'])\n"
            "### END HIDDEN TESTS\n"),
    }
    for message, changed in cases.items():
        problems = notebook_problems(changed, known_competencies={"sign.use"})
        assert any(message in p for p in problems), (message, problems)
    untagged = copy.deepcopy(nb)
    untagged.cells[index["check-tf"]].metadata["academy"] = {}
    assert any("needs competency codes" in p for p in notebook_problems(
        untagged, known_competencies={"sign.use"}))
    assert notebook_problems(untagged) == []  # codes are checked only when given


def test_unreadable_or_key_carrying_declarations_are_trainer_errors() -> None:
    nb = source_notebook()
    nb.cells[2].source = 'question("single", "?", OPTIONS)'
    with pytest.raises(QuestionDefinitionError, match="literally"):
        read_questions(nb)
    nb.cells[2].source = ('question_bank("b", [{"id": "x", "kind": "true_false", '
                          '"prompt": "?", "answer": True}], draw=1)')
    with pytest.raises(QuestionDefinitionError, match="hidden test"):
        read_questions(nb)


def test_no_key_and_no_explanation_outside_the_hidden_tests() -> None:
    """What nbgrader releases (hidden blocks emptied) holds no key, no explanation."""
    nb = source_notebook()
    released = "\n".join(without_hidden_tests(c.source) for c in nb.cells)
    assert "check(" not in released and "explain(" not in released
    for _key, why in KEYS.values():
        assert why not in released
    for entry in BANK_KEY.values():
        texts = entry["explain"].values() if isinstance(entry["explain"], dict) else [
            entry["explain"]]
        assert all(text not in released for text in texts)
    assert "check_bank_slot" not in released
    assert nbformat.validate(nb) is None


def test_the_authoring_guide_snippets_are_what_the_grader_reads() -> None:
    """Every Python snippet of docs/authoring.md parses, and every question in it is one
    the grader can read (so a trainer copying it gets a working module)."""
    import ast
    import re
    from pathlib import Path

    from course_kit.questions.notebook import questions_in_source

    guide = (Path(__file__).resolve().parents[2] / "docs" / "authoring.md").read_text(
        encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", guide, re.DOTALL)
    assert len(blocks) >= 10
    kinds = set()
    for block in blocks:
        source = block.replace("# … more questions than are drawn\n", "")
        ast.parse(source)
        kinds.update(q.kind for q in questions_in_source(source))
    assert kinds == set(QuestionKind)
