"""The activity log: every action a person takes in the e-office, the grading evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_eoffice.models import ActivityLog, Tenant

# Action names, "<object>.<verb>": the vocabulary of the evidence.
DASHBOARD_VIEWED = "dashboard.viewed"
DOCUMENT_LIST_VIEWED = "document.list_viewed"
DOCUMENT_VIEWED = "document.viewed"
DOCUMENT_NOT_FOUND = "document.not_found"
DOCUMENT_REGISTERED = "document.registered"
DOCUMENT_REGISTER_REFUSED = "document.register_refused"
ACTIVITY_VIEWED = "activity.viewed"
SESSION_LOGGED_IN = "session.logged_in"
SESSION_LOGGED_OUT = "session.logged_out"
TENANT_PROVISIONED = "tenant.provisioned"

INCOMING_DOCUMENT = "incoming_document"


def record_activity(
    session: Session,
    tenant: Tenant,
    actor: str,
    action: str,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> ActivityLog:
    """Add one entry to the tenant's activity log. The caller commits."""
    entry = ActivityLog(
        tenant_id=tenant.id,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details or {},
    )
    session.add(entry)
    return entry


def list_activity(session: Session, tenant: Tenant, *, limit: int = 500) -> Sequence[ActivityLog]:
    """The tenant's activity, newest first."""
    return session.scalars(
        select(ActivityLog)
        .where(ActivityLog.tenant_id == tenant.id)
        .order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())
        .limit(limit)
    ).all()


def activity_as_dict(entry: ActivityLog) -> dict[str, Any]:
    return {
        "at": entry.created_at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details,
    }
