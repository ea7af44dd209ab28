"""A small module written with every question kind and a bank, as docs/authoring.md says:
widget cells with the questions, hidden tests with the key and the explanations."""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_kit.questions.draws import drawn_question_ids
from course_kit.questions.notebook import read_banks

ASSIGNMENT = "kit-sample"

SETUP = """\
from course_kit.widgets import (
    matching, numeric, ordering, question, question_bank, short_text, spot_the_signs,
    true_false,
)"""

WIDGETS = {
    "single": 'question("single", "Who signs an outgoing document first?", '
              '[("The competent leader", "leader"), ("The clerk (văn thư)", "clerk"), '
              '("The IT officer", "it")])',
    "multi": 'question("multi", "What does a valid signature prove?", '
             '[("Integrity", "integrity"), ("Origin", "origin"), ("That it is lawful", '
             '"lawful")], multiple=True, shuffle=True)',
    "tf": 'true_false("tf", "Signing a document encrypts it.")',
    "order": 'ordering("order", "Put the steps of an outgoing document in order", '
             '[("Leader signs", "sign"), ("Draft", "draft"), ("Clerk numbers and issues", '
             '"issue"), ("Send over the axis (Trục liên thông)", "send")])',
    "match": 'matching("match", "Which certificate plays which role?", '
             '[("Personal certificate", "personal"), ("Organisational certificate", "org")], '
             '[("Handwritten signature", "signature"), ("Seal (con dấu)", "seal"), '
             '("Password", "password")])',
    "text": 'short_text("text", "The Vietnamese word for a seal?")',
    "number": 'numeric("number", "How many hex characters has a SHA-256 digest?")',
    "spot": 'spot_the_signs("spot", "Mark what is suspicious", ["From: ", '
            '("it-support@sotaichinh-gov.vn.co", "sender"), "\\nSubject: ", '
            '("Tài khoản bị khóa sau 2 giờ", "urgency"), "\\nKính gửi đồng chí, ", '
            '("Trân trọng", "closing")])',
    "bank": '''question_bank("facts", [
    {"id": "f1", "kind": "true_false", "prompt": "A lost token is reported at once."},
    {"id": "f2", "kind": "single", "prompt": "Who issues official certificates?",
     "options": [("Ban Cơ yếu Chính phủ", "bcy"), ("Bộ Tài chính", "btc")]},
    {"id": "f3", "kind": "numeric", "prompt": "How many days is a working week?"},
], draw=2)''',
}

#: question id -> (key, explanation); the spot question gives partial points
KEYS: dict[str, tuple[Any, str]] = {
    "single": ("leader", "The competent leader signs; then the clerk numbers and issues it."),
    "multi": (["integrity", "origin"], "Integrity and origin, never lawfulness."),
    "tf": (False, "Signing does not hide anything: anyone who receives it can read it."),
    "order": (["draft", "sign", "issue", "send"], "Draft, sign, issue, then send."),
    "match": ({"personal": "signature", "org": "seal"}, "The agency's certificate is its seal."),
    "text": (["con dấu", "dấu"], "Con dấu: the agency's red seal."),
    "number": (64, "256 bits are 64 hexadecimal characters."),
    "spot": (["sender", "urgency"], "A look-alike sender and false urgency."),
}
BANK_KEY = {
    "f1": {"answer": True, "explain": {"vi": "Báo ngay để thu hồi chứng thư.",
                                       "en": "Report it at once so it is revoked."}},
    "f2": {"answer": "bcy", "explain": "Ban Cơ yếu Chính phủ issues them."},
    "f3": {"answer": 5, "explain": "Monday to Friday."},
}
POINTS = {"single": 1, "multi": 1, "tf": 1, "order": 1, "match": 1, "text": 1, "number": 1,
          "spot": 2}


def meta(grade_id: str, points: float | None = None, *, grade: bool = False) -> dict:
    nbgrader = {"grade": grade, "grade_id": grade_id, "locked": True, "schema_version": 3,
                "solution": False, "task": False}
    if points is not None:
        nbgrader["points"] = points
    return {"nbgrader": nbgrader, "academy": {"competencies": ["sign.use"]} if grade else {}}


def hidden_test_source(qid: str) -> str:
    key, why = KEYS[qid]
    points = f", points={POINTS[qid]}" if qid == "spot" else ""
    options = ", ignore_diacritics=True" if qid == "text" else ""
    return (
        "### BEGIN HIDDEN TESTS\n"
        "from course_kit.grading import check, explain\n"
        f"explain({qid!r}, {why!r})\n"
        f"check({qid!r}, {key!r}{options}{points})\n"
        "### END HIDDEN TESTS\n"
    )


def slot_source(slot: int) -> str:
    return (
        "### BEGIN HIDDEN TESTS\n"
        "from course_kit.grading import check_bank_slot\n"
        f'check_bank_slot("facts", {slot}, {BANK_KEY!r})\n'
        "### END HIDDEN TESTS\n"
    )


def source_notebook() -> NotebookNode:
    nb = new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    })
    cells = [
        new_markdown_cell("# Kit sample\nEvery kind of question.", metadata=meta("intro")),
        new_code_cell(SETUP, metadata=meta("setup")),
    ]
    for qid, call in WIDGETS.items():
        cells.append(new_code_cell(call, metadata=meta(qid)))
        if qid == "bank":
            for slot in (1, 2):
                cells.append(new_code_cell(slot_source(slot),
                                           metadata=meta(f"bank-slot-{slot}", 1, grade=True)))
        else:
            cells.append(new_code_cell(hidden_test_source(qid),
                                       metadata=meta(f"check-{qid}", POINTS[qid], grade=True)))
    nb.cells = cells
    return nb


MAX_SCORE = sum(POINTS.values()) + 2


def right_answers(student: str) -> dict[str, Any]:
    """Everything right for ``student`` (the bank: their own draw)."""
    answers = {qid: key for qid, (key, _) in KEYS.items()}
    answers["text"] = "Con Dau"  # diacritics ignored by this question's check
    bank = read_banks(source_notebook())["facts"]
    for qid in drawn_question_ids(bank, student):
        answers[qid] = BANK_KEY[qid]["answer"]
    return answers
