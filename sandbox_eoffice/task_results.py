"""What a practical task is and how its result reads: shared by the core tasks
(`sandbox_eoffice.tasks`) and the feature packages' own (mail, one-stop, reports)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_eoffice.activity import INCOMING_DOCUMENT
from sandbox_eoffice.models import ActivityLog, Tenant


@dataclass(frozen=True)
class TaskResult:
    done: bool
    completed_at: datetime | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class PracticalTask:
    task_id: str
    title: str
    instructions: str
    evaluate: Callable[[Session, Tenant], TaskResult]


NO_SANDBOX = "The learner has not opened the e-office yet (no sandbox agency)."


def learner_entries(
    session: Session,
    tenant: Tenant,
    action: str,
    object_ids: list[int] | None = None,
    object_type: str = INCOMING_DOCUMENT,
) -> list[ActivityLog]:
    """The learner's own log entries of `action` (on those documents), oldest first."""
    query = (
        select(ActivityLog)
        .where(
            ActivityLog.tenant_id == tenant.id,
            ActivityLog.actor == tenant.username,
            ActivityLog.action == action,
            ActivityLog.object_type == object_type,
        )
        .order_by(ActivityLog.created_at, ActivityLog.id)
    )
    if object_ids is not None:
        query = query.where(ActivityLog.object_id.in_(object_ids))
    return list(session.scalars(query).all())


def entries_by_anyone(session: Session, tenant: Tenant, action: str,
             object_type: str) -> list[ActivityLog]:
    """Log entries of `action` in the tenant, by anyone (e.g. the registration officer)."""
    return list(session.scalars(
        select(ActivityLog).where(ActivityLog.tenant_id == tenant.id,
                                  ActivityLog.action == action,
                                  ActivityLog.object_type == object_type)
        .order_by(ActivityLog.created_at, ActivityLog.id)).all())
