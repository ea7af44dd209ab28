from __future__ import annotations

import json
from pathlib import Path

import ipywidgets as w
import pytest

from course_kit import responses
from course_kit.responses import FILENAME, ResponseStore
from course_kit.widgets import (
    DIGEST_KEY,
    SAVED,
    count_differences,
    digest_explorer,
    eoffice_url,
    practical_task,
    question,
    sha256_hex,
)


@pytest.fixture(autouse=True)
def english_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the kit's English texts (test_kit_i18n covers Vietnamese)."""
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("ACADEMY_LANGUAGE", "en")


OPTIONS = ["Ký số (sign)", "Vào sổ (register)", "Phát hành (issue)"]


@pytest.fixture
def store(tmp_path: Path) -> ResponseStore:
    return ResponseStore(tmp_path / FILENAME)


def saved(store: ResponseStore) -> dict:
    return json.loads(store.path.read_text(encoding="utf-8"))["answers"]


def test_single_choice_saves_every_change_and_restores(store: ResponseStore) -> None:
    q = question("q1", "Which step comes first?", OPTIONS, store=store)
    assert isinstance(q, w.VBox) and isinstance(q.choice, w.RadioButtons)
    assert q.value is None and q.choice.index is None  # nothing preselected
    assert not store.path.exists()  # building the widget writes nothing

    q.choice.value = OPTIONS[1]
    assert store.get("q1") == OPTIONS[1]
    assert SAVED in q.status.value
    q.choice.value = OPTIONS[2]
    assert saved(store)["q1"]["value"] == OPTIONS[2]
    assert saved(store)["q1"]["saved_at"]

    again = question("q1", "Which step comes first?", OPTIONS, store=store)
    assert again.value == OPTIONS[2] and again.choice.value == OPTIONS[2]
    assert SAVED in again.status.value and "earlier answer" in again.status.value


def test_multiple_choice_saves_ticked_options_in_order(store: ResponseStore) -> None:
    q = question("q2", "Tick all", OPTIONS, multiple=True, store=store)
    assert [type(b) for b in q.checkboxes] == [w.Checkbox] * 3
    assert q.value == []
    q.checkboxes[2].value = True
    q.checkboxes[0].value = True
    assert store.get("q2") == [OPTIONS[0], OPTIONS[2]]
    q.checkboxes[2].value = False
    assert store.get("q2") == [OPTIONS[0]]
    q.value = [OPTIONS[1], OPTIONS[2]]
    assert store.get("q2") == [OPTIONS[1], OPTIONS[2]]

    again = question("q2", "Tick all", OPTIONS, multiple=True, store=store)
    assert [b.value for b in again.checkboxes] == [False, True, True]
    assert again.value == [OPTIONS[1], OPTIONS[2]]


def test_label_value_pairs_store_the_value(store: ResponseStore) -> None:
    q = question("q3", "Pick", [("Yes, có", "yes"), ("No, không", "no")], store=store)
    q.value = "no"
    assert store.get("q3") == "no"
    assert (
        question("q3", "Pick", [("Yes, có", "yes"), ("No, không", "no")], store=store).choice.label
        == "No, không"
    )


def test_saved_answer_no_longer_among_options_is_not_shown(store: ResponseStore) -> None:
    store.set("q1", "an option the trainer has since removed")
    q = question("q1", "Which?", OPTIONS, store=store)
    assert q.value is None


@pytest.mark.parametrize("options", [["only one"], ["same", "same"]])
def test_bad_options_are_refused(store: ResponseStore, options: list[str]) -> None:
    with pytest.raises(ValueError):
        question("q1", "?", options, store=store)


def test_save_failure_is_shown_not_raised(tmp_path: Path) -> None:
    store = ResponseStore(tmp_path / "no-such-folder" / FILENAME)
    q = question("q1", "?", OPTIONS, store=store)
    q.value = OPTIONS[0]  # must not raise inside the widget callback
    assert "Could not save" in q.status.value


def test_corrupt_file_notice_shown_once(store: ResponseStore) -> None:
    store.path.write_text("{oops", encoding="utf-8")
    first = question("q1", "?", OPTIONS, store=store)
    second = question("q2", "?", OPTIONS, store=store)
    texts = [c.value for c in first.children if isinstance(c, w.HTML)]
    assert any("damaged" in t for t in texts)
    assert not any("damaged" in c.value for c in second.children if isinstance(c, w.HTML))
    first.value = OPTIONS[0]
    assert store.get("q1") == OPTIONS[0]


def test_default_store_is_the_notebook_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(responses, "_stores", {})
    monkeypatch.chdir(tmp_path)
    question("q1", "?", OPTIONS).value = OPTIONS[0]
    assert ResponseStore(tmp_path / FILENAME).get("q1") == OPTIONS[0]


def test_digest_explorer(store: ResponseStore) -> None:
    d = digest_explorer(store=store, sentence="Chuyển 150.000.000 đồng")
    assert d.original.value == d.changed.value == "Chuyển 150.000.000 đồng"
    digest = sha256_hex("Chuyển 150.000.000 đồng")
    assert len(digest) == 64
    assert digest[:8] in d.original_digest.value
    assert "ck-diff" not in d.changed_digest.value
    assert "identical" in d.verdict.value
    assert not store.path.exists()

    d.changed.value = "Chuyển 151.000.000 đồng"
    other = sha256_hex("Chuyển 151.000.000 đồng")
    n = count_differences(digest, other)
    assert n > 40  # practically the whole digest changes
    assert d.changed_digest.value.count('class="ck-diff"') == n
    assert f"{n} of 64" in d.verdict.value
    assert store.get(DIGEST_KEY) == {
        "tried": True,
        "original": "Chuyển 150.000.000 đồng",
        "changed": "Chuyển 151.000.000 đồng",
        "differing_hex_chars": n,
    }
    assert SAVED in d.status.value

    again = digest_explorer(store=store, sentence="Chuyển 150.000.000 đồng")
    assert again.changed.value == "Chuyển 151.000.000 đồng"
    assert "tried" in again.status.value

    again.reset.click()
    assert again.changed.value == again.original.value


def test_digest_explorer_copy_follows_original_until_edited(store: ResponseStore) -> None:
    d = digest_explorer(store=store, sentence="abc")
    d.original.value = "abcd"
    assert d.changed.value == "abcd"
    d.changed.value = "abce"
    d.original.value = "abcdef"
    assert d.changed.value == "abce"


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        (None, "/services/eoffice/", "/services/eoffice/"),
        ("/", "/services/eoffice/", "/services/eoffice/"),
        ("/academy/", "/services/eoffice/", "/academy/services/eoffice/"),
        ("/academy", "services/eoffice/incoming", "/academy/services/eoffice/incoming"),
        ("/x/", "https://eoffice.example/", "https://eoffice.example/"),
    ],
)
def test_eoffice_url(
    monkeypatch: pytest.MonkeyPatch, base: str | None, path: str, expected: str
) -> None:
    if base is None:
        monkeypatch.delenv("JUPYTERHUB_BASE_URL", raising=False)
    else:
        monkeypatch.setenv("JUPYTERHUB_BASE_URL", base)
    assert eoffice_url(path) == expected


def test_practical_task_card(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/hub-prefix/")
    card = practical_task(
        "register-incoming",
        "Register the document from Sở Tài chính",
        ["Open <b>Văn bản đến</b>", "Click Vào sổ"],
    )
    assert card.task_id == "register-incoming"
    assert card.url == "/hub-prefix/services/eoffice/"
    html = card.card.value
    assert 'href="/hub-prefix/services/eoffice/"' in html
    assert 'target="_blank"' in html and "noopener" in html
    assert "Sở Tài chính" in html and "<li" in html
    assert "graded" in html.lower() and "e-office" in html
