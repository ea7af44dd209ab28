"""The roster: every person who has an account, with what HR needs to know about them."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROLES = ("learner", "trainer", "hr", "admin")


class RosterError(ValueError):
    """The roster file is missing or malformed; the message says where."""


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    role: str
    employee_id: str = ""
    agency: str = ""
    job_title: str = ""
    courses: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise RosterError(f"{self.username}: unknown role {self.role!r} (one of {ROLES})")


def load_roster(path: Path) -> list[Person]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RosterError(f"{path}: no roster; run `academy init` first") from exc
    except json.JSONDecodeError as exc:
        raise RosterError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
    people = []
    for i, row in enumerate(data.get("people", [])):
        try:
            row = dict(row)
            row["courses"] = tuple(row.get("courses", ()))
            people.append(Person(**row))
        except TypeError as exc:
            raise RosterError(f"{path}: person #{i + 1}: {exc}") from exc
    return people


def save_roster(path: Path, people: Iterable[Person]) -> None:
    """Write the roster atomically (temp file + rename), mode 0600."""
    payload = {"people": [asdict(p) | {"courses": list(p.courses)} for p in people]}
    write_private_file(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def write_private_file(path: Path, text: str, mode: int = 0o600) -> None:
    """Atomically replace `path` with `text`; the file never exists half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
