"""Practical tasks, graded only from evidence in the database (activity log + document state).

Nothing a learner types as free text is ever trusted: a task is done when the e-office
itself recorded the learner doing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_eoffice.activity import DOCUMENT_REGISTERED, INCOMING_DOCUMENT
from sandbox_eoffice.models import ActivityLog, IncomingDocument, Tenant
from sandbox_eoffice.tenants import get_tenant
from sandbox_eoffice.vocabulary import TASK_TARGET_AGENCY_PREFIX


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


def _registered_from_finance(session: Session, tenant: Tenant) -> TaskResult:
    targets = session.scalars(
        select(IncomingDocument).where(
            IncomingDocument.tenant_id == tenant.id,
            IncomingDocument.issuing_agency.startswith(TASK_TARGET_AGENCY_PREFIX),
        )
    ).all()
    if not targets:
        return TaskResult(False, None, "No document from Sở Tài chính in this sandbox.")
    registered = [doc for doc in targets if doc.register_number is not None]
    if not registered:
        return TaskResult(
            False, None, "The document from Sở Tài chính is not registered yet (chưa vào sổ)."
        )
    entry = session.scalars(
        select(ActivityLog)
        .where(
            ActivityLog.tenant_id == tenant.id,
            ActivityLog.actor == tenant.username,
            ActivityLog.action == DOCUMENT_REGISTERED,
            ActivityLog.object_type == INCOMING_DOCUMENT,
            ActivityLog.object_id.in_([doc.id for doc in registered]),
        )
        .order_by(ActivityLog.created_at, ActivityLog.id)
        .limit(1)
    ).first()
    if entry is None:
        return TaskResult(False, None, "The document is registered, but not by this learner.")
    document = next(doc for doc in registered if doc.id == entry.object_id)
    return TaskResult(
        True,
        entry.created_at,
        f"Registered {document.number_symbol} from {document.issuing_agency} "
        f"as number {document.register_number}/{document.register_year}.",
    )


TASKS: dict[str, PracticalTask] = {
    task.task_id: task
    for task in (
        PracticalTask(
            task_id="register-incoming-from-so-tai-chinh",
            title="Register an incoming document (Vào sổ văn bản đến)",
            instructions=(
                "Open Incoming documents (Văn bản đến), find the document from "
                "Sở Tài chính and register it in the register book (vào sổ)."
            ),
            evaluate=_registered_from_finance,
        ),
    )
}


def evaluate_tasks(session: Session, username: str) -> dict[str, TaskResult]:
    """Every practical task's result for `username`; all not done for an unknown user."""
    tenant = get_tenant(session, username)
    if tenant is None:
        return {task_id: TaskResult(False, None, NO_SANDBOX) for task_id in TASKS}
    return {task_id: task.evaluate(session, tenant) for task_id, task in TASKS.items()}
