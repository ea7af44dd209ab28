"""The roster: every person who has an account, with what HR needs to know about them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from common.files import SHARED_READ_MODE, atomic_write
from common.roles import Role


class AccountStatus(StrEnum):
    """Where a person's account stands (``academy roster list``)."""

    ACTIVE = "active"
    NOT_ACTIVATED = "not yet activated"  # imported; has not chosen a password yet
    LOCKED = "locked"
    DEACTIVATED = "deactivated"  # left the roster: cannot log in, records kept


class RosterError(ValueError):
    """The roster file is missing or malformed; the message says where."""


#: Names of the platform's own unix accounts and hub users (academy-eoffice,
#: academy-dashboards, academy-sandbox, grader-<course>): never a person's, or that person's
#: server would run as the service (isolated mode).
SERVICE_ACCOUNT_PREFIXES = ("academy-", "grader-")


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    role: Role
    employee_id: str = ""
    agency: str = ""
    job_title: str = ""
    courses: tuple[str, ...] = field(default_factory=tuple)
    unit: str = ""
    date_of_birth: str = ""  # ISO date
    gender: str = ""
    email: str = ""
    phone: str = ""  # E.164, e.g. +84912345678
    status: AccountStatus = AccountStatus.ACTIVE

    def __post_init__(self) -> None:
        if self.username.startswith(SERVICE_ACCOUNT_PREFIXES):
            raise RosterError(
                f"{self.username}: a username may not start with "
                f"{' or '.join(SERVICE_ACCOUNT_PREFIXES)} (the platform's service accounts)")
        self._coerce("role", Role)
        self._coerce("status", AccountStatus)

    def _coerce(self, name: str, kind: type[StrEnum]) -> None:
        value = getattr(self, name)
        try:
            object.__setattr__(self, name, kind(value))
        except ValueError:
            known = ", ".join(member.value for member in kind)
            raise RosterError(
                f"{self.username}: unknown {name} {value!r} (one of {known})"
            ) from None

    @property
    def can_log_in(self) -> bool:
        """Has an account on the hub (a deactivated person keeps only their records)."""
        return self.status is not AccountStatus.DEACTIVATED

    @property
    def is_learner(self) -> bool:
        return self.role is Role.LEARNER


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
    """Write the roster atomically (temp file + rename), mode 0640: in isolated mode the
    folder's group is the dashboards service's (``academy init``), no one else's."""
    payload = {
        "people": [
            asdict(p) | {"role": str(p.role), "status": str(p.status), "courses": list(p.courses)}
            for p in people
        ]
    }
    atomic_write(
        path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n", make_parents=True,
        mode=SHARED_READ_MODE,
    )
