from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from course_kit import grading
from course_kit.grading import answer, evidence, practical_task_done
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


def use_server(
    monkeypatch: pytest.MonkeyPatch, server: Any, student: str, token: str | None = None
) -> None:
    monkeypatch.setenv("ACADEMY_EVIDENCE_URL", server.url + "/")
    monkeypatch.setenv("ACADEMY_STUDENT_ID", student)
    monkeypatch.setenv("ACADEMY_EVIDENCE_TOKEN", token or server.token)


def test_practical_task_done(evidence_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    evidence_server.set_task("nguyenvana", TASK, True)
    evidence_server.set_task("tranthib", TASK, False)
    use_server(monkeypatch, evidence_server, "nguyenvana")
    assert practical_task_done(TASK) is True
    assert practical_task_done("some-other-task") is False
    assert evidence_server.requests[0] == (
        "/services/eoffice/api/evidence/nguyenvana",
        f"token {evidence_server.token}",
    )
    assert evidence()["tasks"][TASK]["completed_at"]

    use_server(monkeypatch, evidence_server, "tranthib")
    assert practical_task_done(TASK) is False


@pytest.mark.parametrize(
    "missing", ["ACADEMY_EVIDENCE_URL", "ACADEMY_STUDENT_ID", "ACADEMY_EVIDENCE_TOKEN"]
)
def test_clear_error_when_env_missing(
    evidence_server: Any, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    use_server(monkeypatch, evidence_server, "nguyenvana")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        practical_task_done(TASK)
    assert evidence_server.requests == []


def test_http_errors_are_clear(evidence_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    use_server(monkeypatch, evidence_server, "nobody")
    with pytest.raises(RuntimeError, match="HTTP 404"):
        practical_task_done(TASK)
    evidence_server.set_task("nguyenvana", TASK, True)
    use_server(monkeypatch, evidence_server, "nguyenvana", token="wrong")  # noqa: S106
    with pytest.raises(RuntimeError, match="HTTP 401"):
        practical_task_done(TASK)


def test_unreachable_server(monkeypatch: pytest.MonkeyPatch, evidence_server: Any) -> None:
    use_server(monkeypatch, evidence_server, "nguyenvana")
    monkeypatch.setenv("ACADEMY_EVIDENCE_URL", "http://127.0.0.1:9")  # discard port: closed
    monkeypatch.setattr(grading, "TIMEOUT_S", 2)
    with pytest.raises(RuntimeError, match="unreachable"):
        practical_task_done(TASK)


def test_record_of_another_user_is_refused(
    evidence_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    evidence_server.set_task("nguyenvana", TASK, True)
    evidence_server.records["tranthib"] = evidence_server.records["nguyenvana"]
    use_server(monkeypatch, evidence_server, "tranthib")
    with pytest.raises(RuntimeError, match="not 'tranthib'"):
        practical_task_done(TASK)
