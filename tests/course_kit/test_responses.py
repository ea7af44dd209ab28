from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from course_kit import responses
from course_kit.responses import FILENAME, ResponseStore, ResponseStoreError, get_store


@pytest.fixture(autouse=True)
def english_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the kit's English texts (test_kit_i18n covers Vietnamese)."""
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("ACADEMY_LANGUAGE", "en")


def test_missing_file_means_no_answers(tmp_path: Path) -> None:
    store = ResponseStore(tmp_path / FILENAME)
    assert store.answers() == {}
    assert store.get("q1") is None
    assert store.get("q1", "default") == "default"
    assert store.notice is None
    assert not (tmp_path / FILENAME).exists()


def test_round_trip_with_time(tmp_path: Path) -> None:
    path = tmp_path / FILENAME
    store = ResponseStore(path)
    store.set("q1", "first")
    store.set("q2", ["a", "c"])
    store.set("q1", "Tiếng Việt: chữ ký số")

    again = ResponseStore(path)
    assert again.answers() == {"q1": "Tiếng Việt: chữ ký số", "q2": ["a", "c"]}
    saved_at = again.saved_at("q2")
    assert saved_at is not None
    assert datetime.fromisoformat(saved_at).tzinfo is not None

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert data["answers"]["q2"] == {"value": ["a", "c"], "saved_at": saved_at}
    assert "chữ ký số" in path.read_text(encoding="utf-8")  # readable UTF-8, not \u escapes


def test_two_stores_on_one_file_do_not_lose_answers(tmp_path: Path) -> None:
    """Two open tabs (two kernels) answering different questions."""
    a, b = ResponseStore(tmp_path / FILENAME), ResponseStore(tmp_path / FILENAME)
    a.set("q1", "x")
    b.set("q2", "y")
    assert ResponseStore(tmp_path / FILENAME).answers() == {"q1": "x", "q2": "y"}


def test_write_is_atomic_temp_file_then_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / FILENAME
    store = ResponseStore(path)
    store.set("q1", "first")
    before = path.read_bytes()
    calls: list[tuple[str, str]] = []
    real_replace = os.replace

    def failing_replace(src: str, dst: str) -> None:
        calls.append((str(src), str(dst)))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(responses.os, "replace", failing_replace)
    with pytest.raises(ResponseStoreError):
        store.set("q1", "second")
    # the new content went to a temporary file in the same folder, never over the real file
    assert len(calls) == 1
    src, dst = calls[0]
    assert Path(dst) == path and Path(src).parent == tmp_path and Path(src) != path
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILENAME]  # temp file cleaned up

    monkeypatch.setattr(responses.os, "replace", real_replace)
    store.set("q1", "second")
    assert ResponseStore(path).get("q1") == "second"
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_unserialisable_value_is_rejected_before_writing(tmp_path: Path) -> None:
    store = ResponseStore(tmp_path / FILENAME)
    with pytest.raises(TypeError):
        store.set("q1", object())
    assert not (tmp_path / FILENAME).exists()


@pytest.mark.parametrize(
    "content",
    ["{not json", "", "[1, 2]", '{"answers": {"q1": "no value key"}}', '{"version": 1}'],
)
def test_corrupt_file_is_kept_aside_and_store_starts_clean(tmp_path: Path, content: str) -> None:
    path = tmp_path / FILENAME
    path.write_text(content, encoding="utf-8")
    store = ResponseStore(path)
    assert store.answers() == {}
    assert store.notice is not None and "damaged" in store.notice
    backups = list(tmp_path.glob(f"{FILENAME}.corrupt-*"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == content
    assert backups[0].name in store.notice
    assert not path.exists()

    store.set("q1", "fresh")
    assert ResponseStore(path).answers() == {"q1": "fresh"}


def test_get_store_is_per_folder_and_persists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(responses, "_stores", {})
    folder = tmp_path / "digital-signatures" / "ds01"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    store = get_store()
    assert store is get_store()
    assert store.persist and store.notice is None
    store.set("q1", "a")
    assert (folder / FILENAME).exists()


@pytest.mark.parametrize("trainer_folder", ["source", "release"])
def test_trainer_preview_never_writes_into_the_course_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trainer_folder: str
) -> None:
    """nbgrader would copy a trainer's responses.json to learners or over submissions."""
    monkeypatch.setattr(responses, "_stores", {})
    folder = tmp_path / trainer_folder / "ds01"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    store = get_store()
    assert not store.persist
    assert store.notice is not None and "Trainer preview" in store.notice
    store.set("q1", "a")
    assert store.get("q1") == "a"
    assert not (folder / FILENAME).exists()
