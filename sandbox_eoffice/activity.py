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

ACTION_LABELS: dict[str, str] = {
    DASHBOARD_VIEWED: "Opened the home page (Trang chủ)",
    DOCUMENT_LIST_VIEWED: "Viewed the list of incoming documents (Danh sách văn bản đến)",
    DOCUMENT_VIEWED: "Opened an incoming document (Xem văn bản đến)",
    DOCUMENT_NOT_FOUND: "Tried to open a document that does not exist here",
    DOCUMENT_REGISTERED: "Registered an incoming document (Vào sổ văn bản đến)",
    DOCUMENT_REGISTER_REFUSED: "Tried to register a document that was already registered",
    ACTIVITY_VIEWED: "Viewed own activity log (Nhật ký hoạt động)",
    SESSION_LOGGED_IN: "Logged in (Đăng nhập)",
    SESSION_LOGGED_OUT: "Logged out (Đăng xuất)",
    TENANT_PROVISIONED: "Practice agency created (Khởi tạo cơ quan thực hành)",
}


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


def list_activity(
    session: Session, tenant: Tenant, *, limit: int | None = None, newest_first: bool = True
) -> Sequence[ActivityLog]:
    """The tenant's activity log."""
    order = (
        (ActivityLog.created_at.desc(), ActivityLog.id.desc())
        if newest_first
        else (ActivityLog.created_at, ActivityLog.id)
    )
    query = select(ActivityLog).where(ActivityLog.tenant_id == tenant.id).order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()


def describe_action(action: str) -> str:
    """Plain words for an action name, for the learner's activity page."""
    return ACTION_LABELS.get(action, action)


def activity_as_dict(entry: ActivityLog) -> dict[str, Any]:
    return {
        "at": entry.created_at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details,
    }
