"""common: atomic writes, Vietnam time, roles, ASCII folding."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.clock import VIETNAM_TZ, to_vietnam
from common.files import atomic_write, open_shared
from common.roles import Role
from common.text import ascii_fold, ascii_words


def test_atomic_write_replaces_with_the_mode_asked(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    atomic_write(target, "một\n")
    assert target.read_text(encoding="utf-8") == "một\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    atomic_write(target, b"hai", mode=0o644)
    assert target.read_bytes() == b"hai"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret"]


def test_atomic_write_can_keep_the_existing_mode(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write(target, "new", mode=None)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_failed_write_leaves_the_target_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "roster.json"
    target.mkdir()  # the final rename fails after the temporary file is written
    (target / "kept").write_text("old")
    with pytest.raises(IsADirectoryError):
        atomic_write(target, "new")
    assert (target / "kept").read_text() == "old"
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "missing" / "x", "data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.json"]


def test_open_shared_creates_with_the_exact_mode_and_keeps_an_existing_files(
        tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    old = os.umask(0o022)  # would take the group's write bit from a plain os.open
    try:
        fd = open_shared(path, os.O_WRONLY | os.O_APPEND, 0o660)
        os.write(fd, b"one\n")
        os.close(fd)
        assert stat.S_IMODE(path.stat().st_mode) == 0o660
        os.chmod(path, 0o600)  # an administrator's choice stays
        fd = open_shared(path, os.O_WRONLY | os.O_APPEND, 0o660)
        os.write(fd, b"two\n")
        os.close(fd)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == b"one\ntwo\n"


def test_vietnam_time_is_utc_plus_7() -> None:
    naive_utc = datetime(2025, 12, 31, 18, 30)
    assert to_vietnam(naive_utc) == datetime(2026, 1, 1, 1, 30, tzinfo=VIETNAM_TZ)
    assert to_vietnam(naive_utc.replace(tzinfo=UTC)).date().isoformat() == "2026-01-01"


def test_roles_and_ascii() -> None:
    assert [r.value for r in Role] == ["learner", "trainer", "hr", "admin"]
    assert ascii_fold("Đặng Thị Thu Hà") == "Dang Thi Thu Ha"
    assert ascii_words("Nguyễn (Văn) A!") == "Nguyen Van A"
