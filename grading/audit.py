"""The audit log: who exported personal data, who overrode a completion, who regraded.

One JSON object per line (JSON Lines, UTF-8), appended with ``O_APPEND`` under an
exclusive ``flock`` and fsynced; never rewritten. Each entry carries ``prev``, the SHA-256
(hex) of the previous line's bytes (without its newline; 64 zeros for the first line), so
changing, inserting or removing a line breaks the chain at the next line:
``verify_chain`` (``academy audit verify``) finds it. What the chain cannot show on its
own: the last lines cut off (keep the count or the last hash elsewhere, e.g. in backups).

An entry: ``{"at": ISO time (Vietnam), "action": "hr.export", "actor": username,
"details": {...}, "prev": hex}``. The file and its folder are 0600/0700 (personal data:
names of learners, reasons).
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from common.clock import to_vietnam, vietnam_now
from common.files import SHARED_LOG_MODE, open_shared

GENESIS = "0" * 64


class AuditAction(StrEnum):
    HR_EXPORT = "hr.export"
    HR_EXPORT_REFUSED = "hr.export.refused"
    COMPLETION_OVERRIDE = "completion.override"
    COMPLETION_OVERRIDE_REFUSED = "completion.override.refused"
    REGRADE = "grade.regrade"
    GRADE_CHANGE = "grade.change"  # a manual grade changed in formgrader
    GRADE_CHANGE_UNREADABLE = "grade.change.unreadable"  # a journal line that is not one
    CERTIFICATE_ISSUE = "certificate.issue"
    CERTIFICATE_REVOKE = "certificate.revoke"
    CERTIFICATE_REVOKE_REFUSED = "certificate.revoke.refused"


class AuditError(RuntimeError):
    """The audit log cannot be read or written; the message names the file and line."""


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    actor: str
    details: Mapping[str, Any]
    prev: str
    line_number: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "action": self.action, "actor": self.actor,
                "details": dict(self.details), "prev": self.prev}


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found: ``ok`` and, if not, the first broken line and why."""

    entries: int
    broken_line: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_line is None


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def _last_line(fd: int) -> bytes | None:
    """The file's last line (without newline), read backwards from the end."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    chunk, end, tail = 4096, size, b""
    while end > 0:
        start = max(0, end - chunk)
        tail = os.pread(fd, end - start, start) + tail
        end = start
        body = tail.rstrip(b"\n")
        if b"\n" in body or start == 0:
            return body.rsplit(b"\n", 1)[-1]
    return tail.rstrip(b"\n")


def append_entry(
    path: Path, action: AuditAction, actor: str, details: Mapping[str, Any],
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry (chained to the last line) and fsync it; the folder is made 0700."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    when = to_vietnam(at) if at is not None else vietnam_now()
    # who typed the command, beside the roster person it names (--by is a claim; the
    # operating system's account is what ran it)
    details = {**details, "os_user": _os_user()}
    try:
        # the dashboards service (its own account, in the folder's group) appends too
        fd = open_shared(path, os.O_WRONLY | os.O_APPEND, SHARED_LOG_MODE)
    except OSError as exc:
        raise AuditError(f"cannot write the audit log {path}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with open(path, "rb") as reader:
            last = _last_line(reader.fileno())
        entry = AuditEntry(when, str(action), actor, dict(details),
                           GENESIS if last is None else line_hash(last))
        line = json.dumps(entry.as_json(), ensure_ascii=False, sort_keys=True,
                          default=_json_default).encode("utf-8") + b"\n"
        written = 0
        while written < len(line):  # a short write (disk nearly full) must not end a line
            written += os.write(fd, line[written:])
        os.fsync(fd)
    except OSError as exc:
        raise AuditError(f"cannot write the audit log {path}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    return entry


def _os_user() -> str:
    """The operating-system account running the command (the one behind sudo, if any)."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = str(os.getuid())
    behind = os.environ.get("SUDO_USER")
    return f"{behind} (sudo: {account})" if behind and behind != account else account


def _json_default(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot record {type(value).__name__} in the audit log")


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with open(path, "rb") as fh:
            yield from enumerate(fh, start=1)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise AuditError(f"cannot read the audit log {path}: {exc.strerror or exc}") from exc


def _parse(path: Path, number: int, line: bytes) -> AuditEntry:
    try:
        data = json.loads(line)
        return AuditEntry(datetime.fromisoformat(data["at"]), data["action"], data["actor"],
                          data["details"], data["prev"], number)
    except (ValueError, KeyError, TypeError) as exc:
        raise AuditError(f"{path}: line {number} is not an audit entry ({exc})") from exc


def read_entries(
    path: Path, since: date | None = None, action: str | None = None
) -> Iterator[AuditEntry]:
    """The entries, oldest first; ``since``: on or after that Vietnam date; ``action``:
    that action or its refinements ("hr.export" also gives "hr.export.refused")."""
    for number, line in _lines(path):
        entry = _parse(path, number, line)
        if since is not None and to_vietnam(entry.at).date() < since:
            continue
        if action is not None and not (
            entry.action == action or entry.action.startswith(action + ".")
        ):
            continue
        yield entry


def verify_chain(path: Path) -> ChainReport:
    """Check every line's ``prev`` against the line before it."""
    expected = GENESIS
    count = 0
    for number, line in _lines(path):
        if not line.endswith(b"\n"):
            return ChainReport(count, number, "the line is incomplete (no newline)")
        try:
            prev = json.loads(line)["prev"]
        except (ValueError, KeyError, TypeError):
            return ChainReport(count, number, "not an audit entry")
        if prev != expected:
            return ChainReport(count, number, "does not follow the line before it (prev is "
                               f"{str(prev)[:12]}…, the line before hashes to {expected[:12]}…): "
                               "a line was changed, inserted or removed")
        expected = line_hash(line)
        count += 1
    return ChainReport(count)
