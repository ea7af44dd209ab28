from __future__ import annotations

from pathlib import Path

import pytest

from course_kit.grading import answer
from course_kit.responses import FILENAME, ResponseStore

TASK = "register-incoming-from-so-tai-chinh"


def test_answer_reads_responses_in_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert answer("q1") is None
    ResponseStore(tmp_path / FILENAME).set("q1", "b")
    ResponseStore(tmp_path / FILENAME).set("q2", ["a", "c"])
    assert answer("q1") == "b"
    assert answer("q2") == ["a", "c"]
    assert answer("q9") is None


def test_answer_with_corrupt_file_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / FILENAME).write_text("garbage", encoding="utf-8")
    assert answer("q1") is None
