"""Completion overrides: a trainer's "completed: yes/no, because …", stored append-only.

``academy hr override`` appends one JSON line per decision to the overrides file
(``DataLayout.completion_overrides_file``, 0660, ``O_APPEND`` + fsync, never rewritten) and
one entry to the audit log. The records apply the latest override of each learner and
course (``load_overrides``) through the one completion rule
(``grading.completion.course_completion``). Who may override is checked by
``check_override_allowed``: a trainer of that course, or an admin.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from common.clock import vietnam_now
from common.files import SHARED_LOG_MODE, open_shared
from common.roles import Role
from grading.completion import CompletionOverride
from people.roster import Person


class OverrideError(ValueError):
    """An override is refused or the overrides file is unreadable; the message says why."""


def check_override_allowed(
    roster: list[Person], course_ids: list[str], course_id: str, username: str, by: str,
    reason: str,
) -> None:
    """Raise OverrideError unless ``by`` may override ``username``'s ``course_id``."""
    if not reason.strip():
        raise OverrideError("--reason is required: say why the completion is overridden")
    if course_id not in course_ids:
        raise OverrideError(f"unknown course {course_id!r} (known: {', '.join(course_ids)})")
    people = {p.username: p for p in roster}
    actor = people.get(by)
    if actor is None:
        raise OverrideError(f"--by {by!r} is not in the roster")
    if not (actor.role is Role.ADMIN or (actor.role is Role.TRAINER
                                         and course_id in actor.courses)):
        raise OverrideError(f"{by} ({actor.role}) may not override completions of {course_id}: "
                            "only a trainer of that course or an admin may")
    learner = people.get(username)
    if learner is None or not learner.is_learner or course_id not in learner.courses:
        raise OverrideError(f"{username!r} is not a learner enrolled in {course_id}")


def append_override(path: Path, override: CompletionOverride) -> None:
    """Append one override and fsync it (the folder is made 0700, the file 0660: the
    dashboards service and the CLI both append)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    line = json.dumps({
        "username": override.username, "course_id": override.course_id,
        "completed": override.completed, "reason": override.reason, "by": override.by,
        "at": override.at.isoformat(),
    }, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
    fd = open_shared(path, os.O_WRONLY | os.O_APPEND, SHARED_LOG_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def new_override(username: str, course_id: str, completed: bool, reason: str,
                 by: str) -> CompletionOverride:
    return CompletionOverride(username, course_id, completed, reason.strip(), by, vietnam_now())


def iter_overrides(path: Path) -> Iterator[CompletionOverride]:
    """Every override in the file, oldest first; nothing when there is no file. Raises
    OverrideError naming the line that is not an override."""
    try:
        fh = open(path, encoding="utf-8")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        return
    with fh:
        for number, line in enumerate(fh, start=1):
            try:
                data = json.loads(line)
                override = CompletionOverride(
                    data["username"], data["course_id"], bool(data["completed"]),
                    data["reason"], data["by"], datetime.fromisoformat(data["at"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise OverrideError(f"{path}: line {number} is not an override ({exc})") from exc
            yield override


def load_overrides(path: Path) -> dict[tuple[str, str], CompletionOverride]:
    """The latest override per (username, course id); {} when there is no file."""
    return {(o.username, o.course_id): o for o in iter_overrides(path)}
