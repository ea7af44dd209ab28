"""Every question card saves its answer on each change through a real ResponseStore, shows
it again on a new page (a new card over the same file), and is operable with native,
labelled controls."""

from __future__ import annotations

import json
from pathlib import Path

import ipywidgets as w
import pytest

from course_kit.questions import registry
from course_kit.questions.specs import QuestionDefinitionError
from course_kit.responses import FILENAME, ResponseStore, reload_views
from course_kit.widgets import (
    DIGEST_KEY,
    digest_explorer,
    matching,
    numeric,
    ordering,
    question,
    question_bank,
    short_text,
    spot_the_signs,
    true_false,
)

STEPS = [
    ("Register the incoming document (vào sổ)", "register"),
    ("Assign it for handling (giao xử lý)", "assign"),
    ("Draft the reply", "draft"),
    ("Leader approves and signs (ký số)", "approve"),
    ("Clerk numbers and issues it (phát hành)", "issue"),
]
LEFT = [("Personal certificate", "personal"), ("Organisational certificate", "organisation")]
RIGHT = [("Handwritten signature", "signature"), ("Seal (con dấu)", "seal"),
         ("Password", "password")]
EMAIL = [
    "From: ", ("Phòng CNTT <it-support@sotaichinh-gov.vn.co>", "sender"), "\n",
    "Subject: ", ("KHẨN: tài khoản bị khóa sau 2 giờ", "urgency"), "\n\n",
    "Kính gửi đồng chí, ", ("vui lòng xác nhận mật khẩu", "password"), " tại ",
    ("http://sotaichinh-gov.vn.co/login", "link"), ".\n", ("Trân trọng", "closing"),
]


@pytest.fixture(autouse=True)
def english_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("ACADEMY_LANGUAGE", "en")
    monkeypatch.setenv("JUPYTERHUB_USER", "nguyenvana")
    registry.forget_all()


@pytest.fixture
def store(tmp_path: Path) -> ResponseStore:
    return ResponseStore(tmp_path / FILENAME)


def on_disk(store: ResponseStore) -> dict:
    """What a new kernel would read: the file itself."""
    return {k: v["value"] for k, v in
            json.loads(store.path.read_text(encoding="utf-8"))["answers"].items()}


def status(card: w.Widget) -> str:
    return card.status.value


def test_true_false_saves_a_boolean_and_restores(store: ResponseStore) -> None:
    card = true_false("tf1", "Signing a document encrypts it.", store=store)
    assert card.value is None and "Not answered yet" in status(card)
    assert [label for label, _ in card.choice.options] == ["True", "False"]
    assert not store.path.exists()
    card.value = False
    assert on_disk(store) == {"tf1": False}
    assert "Saved ✓" in status(card)
    card.value = True
    assert on_disk(store) == {"tf1": True}
    again = true_false("tf1", "Signing a document encrypts it.", store=store)
    assert again.value is True and "your earlier answer" in status(again)


def test_ordering_moves_with_up_and_down_buttons_and_saves_keys(store: ResponseStore) -> None:
    keys = [k for _, k in STEPS]
    card = ordering("o1", "Put the steps in order", STEPS, store=store)
    assert sorted(card.order) == sorted(keys)
    assert card.order != keys  # never starts in the order written (it may be the key)
    assert not store.path.exists()  # showing the shuffled order is not an answer
    # one row per position; buttons are real buttons with a label, a tooltip naming the item
    assert all(isinstance(b, w.Button) for b in card.up_buttons + card.down_buttons)
    assert card.up_buttons[0].disabled and card.down_buttons[-1].disabled
    assert not any(b.disabled for b in card.up_buttons[1:] + card.down_buttons[:-1])
    first = dict((k, t) for t, k in STEPS)[card.order[0]]
    assert card.down_buttons[0].tooltip == f"Move “{first}” down"
    assert card.up_buttons[1].description == "Up"

    # bubble every item into its place with the buttons, as a keyboard user would
    for target, key in enumerate(keys):
        while (at := card.order.index(key)) > target:
            card.up_buttons[at].click()
    assert card.order == keys
    assert on_disk(store) == {"o1": keys}
    assert f"<b>1.</b> {STEPS[0][0]}" in card.texts[0].value.replace("&#x27;", "'")

    card.down_buttons[0].click()
    assert on_disk(store)["o1"] == [keys[1], keys[0], *keys[2:]]
    again = ordering("o1", "Put the steps in order", STEPS, store=store)
    assert again.order == [keys[1], keys[0], *keys[2:]]
    assert "your earlier answer" in status(again)


def test_ordering_keep_button_saves_the_order_shown(store: ResponseStore) -> None:
    card = ordering("o1", "Order", STEPS, store=store)
    shown = list(card.order)
    card.keep.click()
    assert on_disk(store) == {"o1": shown}


def test_matching_saves_pairs_from_labelled_dropdowns(store: ResponseStore) -> None:
    card = matching("m1", "Match each certificate", LEFT, RIGHT, store=store)
    dropdowns = card.dropdowns
    assert [d.description for d in dropdowns.values()] == [t for t, _ in LEFT]
    assert all(isinstance(d, w.Dropdown) for d in dropdowns.values())
    assert dropdowns["personal"].options[0] == ("— choose —", "")
    assert sorted(v for _, v in dropdowns["personal"].options[1:]) == sorted(
        k for _, k in RIGHT)
    dropdowns["organisation"].value = "seal"
    assert on_disk(store) == {"m1": {"organisation": "seal"}}
    dropdowns["personal"].value = "signature"
    assert on_disk(store) == {"m1": {"personal": "signature", "organisation": "seal"}}
    again = matching("m1", "Match each certificate", LEFT, RIGHT, store=store)
    assert again.value == {"personal": "signature", "organisation": "seal"}
    for d in again.dropdowns.values():
        d.value = ""
    assert "m1" not in store.answers() and "Not answered yet" in status(again)


def test_short_text_saves_as_typed_and_forgets_when_emptied(store: ResponseStore) -> None:
    card = short_text("t1", "The symbol of a decision", placeholder="e.g. QĐ", store=store,
                      max_length=20)
    assert card.text.description == "Your answer"
    assert card.text.placeholder == "e.g. QĐ"
    card.text.value = "Quyết định"
    assert on_disk(store) == {"t1": "Quyết định"}
    card.text.value = "x" * 21
    assert "Too long" in status(card) and on_disk(store) == {"t1": "Quyết định"}
    again = short_text("t1", "The symbol of a decision", store=store, max_length=20)
    assert again.text.value == "Quyết định"
    again.text.value = "   "
    assert store.answers() == {}


@pytest.mark.parametrize(("language", "typed", "saved", "shown"), [
    ("vi", "3,5", 3.5, "3,5"),
    ("vi", "1.500", 1500, "1.500"),
    ("vi", "1.234,5", 1234.5, "1.234,5"),
    ("en", "1,500", 1500, "1,500"),
    ("en", "3.5", 3.5, "3.5"),
    ("en", "3,5", 3.5, "3.5"),  # a decimal comma is always accepted
    ("vi", " 150 000 ", 150000, "150.000"),
    ("vi", "-2", -2, "-2"),
])
def test_numeric_reads_the_decimal_comma_and_saves_a_number(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch, language: str, typed: str,
    saved: float, shown: str,
) -> None:
    monkeypatch.setenv("ACADEMY_LANGUAGE", language)
    card = numeric("n1", "How many days?", unit="ngày", store=store)
    card.text.value = typed
    value = on_disk(store)["n1"]
    assert value == saved and isinstance(value, int | float) and not isinstance(value, bool)
    assert f"{shown} ngày" in status(card)
    again = numeric("n1", "How many days?", unit="ngày", store=store)
    assert again.text.value == shown and again.value == saved


def test_numeric_refuses_what_is_not_a_number(store: ResponseStore) -> None:
    card = numeric("n1", "How many?", store=store)
    card.text.value = "7"
    for typed in ("bảy", "1e5", "nan", "1.2.3", "--1", "5."):
        card.text.value = typed
        assert "is not a number" in status(card), typed
    assert on_disk(store) == {"n1": 7}


def test_spot_the_signs_toggles_say_their_state_and_save_sorted_ids(
    store: ResponseStore,
) -> None:
    card = spot_the_signs("s1", "Which parts of this email are suspicious?", EMAIL,
                          store=store)
    toggles = card.toggles
    assert list(toggles) == ["sender", "urgency", "password", "link", "closing"]
    assert all(isinstance(t, w.ToggleButton) for t in toggles.values())
    assert toggles["link"].description == "http://sotaichinh-gov.vn.co/login"
    assert toggles["link"].tooltip == "Click to mark as suspicious"
    toggles["link"].value = True
    toggles["sender"].value = True
    # the state is in the button's own text and tooltip, not only its colour
    assert toggles["link"].description.startswith("✓ ")
    assert "Marked as suspicious" in toggles["link"].tooltip
    assert on_disk(store) == {"s1": ["link", "sender"]}
    toggles["link"].value = False
    assert on_disk(store) == {"s1": ["sender"]}
    assert toggles["link"].description == "http://sotaichinh-gov.vn.co/login"
    again = spot_the_signs("s1", "Which parts?", EMAIL, store=store)
    assert again.value == ["sender"] and again.toggles["sender"].value
    # the email's plain text is shown escaped, line by line
    texts = [c.value for row in card.document.children for c in row.children
             if isinstance(c, w.HTML)]
    assert "From: " in texts and any("Kính gửi" in t for t in texts)


def test_spot_the_signs_escapes_angle_brackets(store: ResponseStore) -> None:
    card = spot_the_signs("s1", "?", ["<script>x</script> ", ("a", "a"), ("b", "b")],
                          store=store)
    html = "".join(c.value for row in card.document.children for c in row.children
                   if isinstance(c, w.HTML))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_shuffled_choices_are_per_learner_and_saved_by_value(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = [f"Option {i}" for i in range(8)]
    shown = {}
    for learner in ("an", "binh", "chi"):
        monkeypatch.setenv("JUPYTERHUB_USER", learner)
        card = question("q1", "Pick", options, shuffle=True, store=store)
        shown[learner] = [v for _, v in card.choice.options]
        assert sorted(shown[learner]) == sorted(options)
        again = question("q1", "Pick", options, shuffle=True, store=store)
        assert [v for _, v in again.choice.options] == shown[learner]  # same every time
    assert len({tuple(s) for s in shown.values()}) == 3
    card.value = "Option 5"
    assert on_disk(store) == {"q1": "Option 5"}


def test_both_language_versions_shuffle_a_learners_options_the_same_way(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order follows the option keys, never the labels: a learner who switches language
    finds each option where it was (choices, and a matching question's right column)."""
    monkeypatch.setenv("JUPYTERHUB_USER", "an")
    keys = [f"k{i}" for i in range(8)]
    vietnamese = question("q1", "Chọn", [(f"Lựa chọn {i}", k) for i, k in enumerate(keys)],
                          shuffle=True, store=store)
    english = question("q1", "Pick", [(f"Option {i}", k) for i, k in enumerate(keys)],
                       shuffle=True, store=store)
    order = [v for _, v in vietnamese.choice.options]
    assert order == [v for _, v in english.choice.options] and order != keys
    right_vi = [(f"Cột phải {i}", k) for i, k in enumerate(keys)]
    right_en = [(f"Right {i}", k) for i, k in enumerate(keys)]
    left = [("Trái", "l1")]
    shown_vi = matching("m1", "Nối", left, right_vi, store=store).dropdowns["l1"].options
    shown_en = matching("m1", "Match", left, right_en, store=store).dropdowns["l1"].options
    assert [v for _, v in shown_vi][1:] == [v for _, v in shown_en][1:] != keys


def test_multiple_choice_shuffled_still_saves_in_written_order(
    store: ResponseStore,
) -> None:
    options = ["a", "b", "c", "d", "e"]
    card = question("q2", "Tick", options, multiple=True, shuffle=True, store=store)
    for box in card._boxes.values():
        box.value = box.description in ("e", "b")
    assert on_disk(store) == {"q2": ["b", "e"]}


def test_a_bank_shows_the_learners_draw_and_saves_each_answer(
    store: ResponseStore,
) -> None:
    bank = [
        {"id": "f1", "kind": "true_false", "prompt": "A valid signature proves the content "
         "is lawful."},
        {"id": "f2", "kind": "single", "prompt": "Who issues official certificates?",
         "options": ["Ban Cơ yếu Chính phủ", "Bộ Tài chính", "UBND tỉnh"]},
        {"id": "f3", "kind": "numeric", "prompt": "How many characters in SHA-256 hex?"},
        {"id": "f4", "kind": "short_text", "prompt": "Vietnamese for 'seal'?"},
    ]
    shown = question_bank("facts", bank, draw=3, store=store)
    assert len(shown.cards) == 3 and len(set(shown.drawn)) == 3
    assert [c.qid for c in shown.cards] == list(shown.drawn)
    assert "Question 1 of 3" in shown.cards[0].children[1].value
    assert "bank of 4" in shown.children[0].value
    for card in shown.cards:
        if card.spec.kind == "true_false":
            card.value = False
        elif card.spec.kind == "single":
            card.value = "Ban Cơ yếu Chính phủ"
        elif card.spec.kind == "numeric":
            card.text.value = "64"
        else:
            card.text.value = "con dấu"
    assert sorted(on_disk(store)) == sorted(shown.drawn)
    again = question_bank("facts", bank, draw=3, store=store)
    assert again.drawn == shown.drawn
    assert all("your earlier answer" in c.status.value for c in again.cards)
    assert registry.shown_bank("facts") is not None


@pytest.mark.parametrize("fields", [
    {"answer": "a"}, {"correct": "a"}, {"explain": "because"}, {"key": "a"},
])
def test_no_key_or_explanation_in_a_visible_declaration(
    store: ResponseStore, fields: dict
) -> None:
    entry = {"id": "x1", "kind": "single", "prompt": "?", "options": ["a", "b"], **fields}
    with pytest.raises(QuestionDefinitionError, match="hidden test"):
        question_bank("b", [entry], draw=1, store=store)


@pytest.mark.parametrize(("make", "message"), [
    (lambda s: ordering("o", "?", ["only"], store=s), "at least two"),
    (lambda s: matching("m", "?", ["a"], ["x"], store=s), "at least two"),
    (lambda s: spot_the_signs("s", "?", ["text ", ("one", "a")], store=s), "at least two"),
    (lambda s: spot_the_signs("s", "?", [("a", "x"), ("b", "x")], store=s), "distinct"),
    (lambda s: question("q", "?", ["a", "a"], store=s), "distinct"),
    (lambda s: question_bank("b", [{"id": "a", "kind": "true_false", "prompt": "?"}],
                             draw=2, store=s), "draw"),
    (lambda s: short_text("t", "?", max_length=0, store=s), "max_length"),
])
def test_malformed_declarations_are_refused(store: ResponseStore, make, message: str) -> None:
    with pytest.raises(QuestionDefinitionError, match=message):
        make(store)


def test_a_saved_answer_the_question_no_longer_fits_is_asked_again(
    store: ResponseStore,
) -> None:
    store.set("o1", ["register", "gone"])
    card = ordering("o1", "?", STEPS, store=store)
    assert "Not answered yet" in status(card)
    store.set("tf1", "yes")
    assert true_false("tf1", "?", store=store).value is None


def test_save_failure_is_shown_on_every_kind(tmp_path: Path) -> None:
    broken = ResponseStore(tmp_path / "missing-folder" / FILENAME)
    card = spot_the_signs("s1", "?", EMAIL, store=broken)
    card.toggles["link"].value = True
    assert "Could not save" in status(card)
    card = ordering("o1", "?", STEPS, store=broken)
    card.keep.click()
    assert "Could not save" in status(card)


def test_cards_speak_vietnamese_by_default(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACADEMY_LANGUAGE")
    card = ordering("o1", "Sắp xếp", STEPS, store=store)
    assert "Chưa trả lời" in status(card)
    assert card.up_buttons[1].description == "Lên"
    assert card.keep.description == "Giữ thứ tự này"
    card.keep.click()
    assert "Đã lưu ✓" in status(card)
    tf = true_false("tf1", "?", store=store)
    assert [label for label, _ in tf.choice.options] == ["Đúng", "Sai"]


# A page run ahead of the click (my_learning.module_kernels) reloads the answers file just
# before the learner sees it: every kind shows what another page saved since, saving nothing.
RELOADED = [
    (lambda s: question("c1", "Which?", [("A", "a"), ("B", "b")], store=s), "b"),
    (lambda s: question("c2", "Which ones?", [("A", "a"), ("B", "b"), ("C", "c")],
                        multiple=True, store=s), ["a", "c"]),
    (lambda s: true_false("tf1", "True?", store=s), False),
    (lambda s: ordering("o1", "Order", STEPS, store=s), [k for _, k in STEPS]),
    (lambda s: matching("m1", "Match", LEFT, RIGHT, store=s), {"personal": "seal"}),
    (lambda s: short_text("t1", "Symbol", store=s), "QĐ-UBND"),
    (lambda s: numeric("n1", "How many days?", store=s), 3.5),
    (lambda s: spot_the_signs("s1", "Suspicious?", EMAIL, store=s), ["link", "sender"]),
]


@pytest.mark.parametrize(("make", "answer"), RELOADED)
def test_a_card_shows_an_answer_saved_elsewhere_when_reloaded(
    tmp_path: Path, make, answer
) -> None:
    store = ResponseStore(tmp_path / FILENAME)
    card = make(store)
    assert "Not answered yet" in status(card)
    elsewhere = ResponseStore(tmp_path / FILENAME)  # the learner's other page
    elsewhere.set(card.qid, answer)
    before = store.path.read_bytes()

    reload_views()
    assert card.value == answer
    assert "your earlier answer" in status(card)
    assert store.path.read_bytes() == before  # showing it saved nothing
    assert card.children[-1] is card.status and len(card.children) >= 3

    # an answer given on this page afterwards is saved as usual, and a reload keeps it
    elsewhere.clear(card.qid)
    reload_views()
    assert "Not answered yet" in status(card)
    assert card.qid not in store.answers()


def test_a_reload_with_nothing_new_leaves_the_card_alone(store: ResponseStore) -> None:
    card = question("c1", "Which?", [("A", "a"), ("B", "b")], store=store)
    card.value = "a"
    controls = card.choice
    reload_views()
    assert card.choice is controls and card.value == "a"
    assert on_disk(store) == {"c1": "a"}


def test_the_digest_explorer_shows_texts_saved_elsewhere(tmp_path: Path) -> None:
    store = ResponseStore(tmp_path / FILENAME)
    explorer = digest_explorer(store=store, sentence="Chuyển 150.000.000 đồng")
    assert explorer.status.value == ""
    saved = {"tried": True, "original": "Chuyển 150.000.000 đồng",
             "changed": "Chuyển 151.000.000 đồng", "differing_hex_chars": 60}
    ResponseStore(tmp_path / FILENAME).set(DIGEST_KEY, saved)
    before = store.path.read_bytes()
    reload_views()
    assert explorer.changed.value == "Chuyển 151.000.000 đồng"
    assert "you have tried this" in explorer.status.value
    assert "changed" in explorer.verdict.value
    assert store.path.read_bytes() == before


def test_a_card_whose_old_answer_no_longer_fits_still_reloads(tmp_path: Path) -> None:
    """The trainer changed the options: the saved answer is asked again; once the learner
    answers in another page, this page shows that answer too."""
    store = ResponseStore(tmp_path / FILENAME)
    ResponseStore(tmp_path / FILENAME).set("c1", "zzz")  # no such option any more
    card = question("c1", "Which?", [("A", "a"), ("B", "b")], store=store)
    assert card.value is None and "Not answered yet" in status(card)
    reload_views()  # nothing new: still asked again
    assert card.value is None
    ResponseStore(tmp_path / FILENAME).set("c1", "b")
    reload_views()
    assert card.value == "b" and "your earlier answer" in status(card)
