"""The audit log: append-only JSON Lines, each line chained to the one before by SHA-256."""

from __future__ import annotations

import getpass
import hashlib
import json
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from grading.audit import (
    GENESIS,
    AuditAction,
    AuditError,
    append_entry,
    read_entries,
    verify_chain,
)


def fill(path: Path) -> None:
    append_entry(path, AuditAction.HR_EXPORT, "hr1",
                 {"format": "csv", "rows": 3, "since": date(2026, 1, 1), "out": Path("/x.csv")},
                 at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
    append_entry(path, AuditAction.COMPLETION_OVERRIDE, "trainer1",
                 {"user": "an", "course": "ds", "completed": True, "reason": "Thi lại, đạt"},
                 at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    append_entry(path, AuditAction.HR_EXPORT_REFUSED, "an", {"reason": "role learner"},
                 at=datetime(2026, 3, 3, 3, 0, tzinfo=UTC))


def test_entries_are_chained_and_private(tmp_path: Path) -> None:
    path = tmp_path / "records" / "audit.jsonl"
    fill(path)
    # the owner and its group append (the dashboards' group, in isolated mode), exactly
    # 0660 whatever the umask; the folder is the owner's
    assert stat.S_IMODE(path.stat().st_mode) == 0o660
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    lines = path.read_bytes().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["prev"] == GENESIS
    for before, line in zip(lines, lines[1:], strict=False):
        assert json.loads(line)["prev"] == hashlib.sha256(before).hexdigest()
    first = json.loads(lines[0])
    assert getpass.getuser() in first["details"].pop("os_user")  # what ran it (sudo: behind)
    assert first["details"] == {"format": "csv", "rows": 3, "since": "2026-01-01",
                                "out": "/x.csv"}
    assert first["at"] == "2026-03-01T10:00:00+07:00" and first["actor"] == "hr1"
    assert "Thi lại, đạt" in path.read_text(encoding="utf-8")  # readable UTF-8
    report = verify_chain(path)
    assert report.ok and report.entries == 3


def test_show_filters(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    fill(path)
    assert [e.action for e in read_entries(path, action="hr.export")] == [
        "hr.export", "hr.export.refused"]
    assert [e.actor for e in read_entries(path, since=date(2026, 3, 2))] == ["trainer1", "an"]
    assert list(read_entries(tmp_path / "none.jsonl")) == []


@pytest.mark.parametrize("tamper", ["change", "delete", "insert", "reorder"])
def test_tampering_is_detected(tmp_path: Path, tamper: str) -> None:
    path = tmp_path / "audit.jsonl"
    fill(path)
    lines = path.read_bytes().splitlines(keepends=True)
    if tamper == "change":
        lines[0] = lines[0].replace(b'"rows": 3', b'"rows": 1')
    elif tamper == "delete":
        del lines[1]
    elif tamper == "insert":
        lines.insert(1, lines[1])
    else:
        lines[0], lines[1] = lines[1], lines[0]
    path.write_bytes(b"".join(lines))
    report = verify_chain(path)
    assert not report.ok
    assert report.broken_line in (1, 2, 3) and "changed, inserted or removed" in report.problem


def test_a_line_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    fill(path)
    with path.open("ab") as fh:
        fh.write(b"garbage\n")
    assert verify_chain(path).broken_line == 4
    with pytest.raises(AuditError, match=r"line 4 is not an audit entry"):
        list(read_entries(path))
    # appending after garbage still chains to the last line, so verify still flags line 4
    append_entry(path, AuditAction.REGRADE, "root", {"course": "ds"})
    assert verify_chain(path).broken_line == 4
