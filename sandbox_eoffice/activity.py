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
DOCUMENT_RECEIVED = "document.received"
DOCUMENT_REGISTERED = "document.registered"
DOCUMENT_REGISTER_REFUSED = "document.register_refused"
DOCUMENT_ASSIGNED = "document.assigned"
DOCUMENT_FORWARDED = "document.forwarded"
DOCUMENT_COMMENTED = "document.commented"
DOCUMENT_COMPLETED = "document.completed"
DOCUMENT_ACTION_REFUSED = "document.action_refused"
ATTACHMENT_OPENED = "document.attachment_opened"
OUTGOING_LIST_VIEWED = "outgoing.list_viewed"
OUTGOING_VIEWED = "outgoing.viewed"
OUTGOING_DRAFTED = "outgoing.drafted"
OUTGOING_EDITED = "outgoing.edited"
OUTGOING_SUBMITTED = "outgoing.submitted"
OUTGOING_APPROVED = "outgoing.approved"
OUTGOING_RETURNED = "outgoing.returned"
OUTGOING_ISSUED = "outgoing.issued"
OUTGOING_SENT = "outgoing.sent"
OUTGOING_ACKNOWLEDGED = "outgoing.acknowledged"
OUTGOING_ACTION_REFUSED = "outgoing.action_refused"
OUTGOING_ATTACHED = "outgoing.attached"
OUTGOING_SIGNED = "outgoing.signed"
CERTIFICATE_REQUESTED = "certificate.requested"
CERTIFICATE_ISSUED = "certificate.issued"
CERTIFICATE_REVOKED = "certificate.revoked"
CERTIFICATE_PIN_CHANGED = "certificate.pin_changed"
CERTIFICATE_ACTION_REFUSED = "certificate.action_refused"
TOKEN_LOCKED = "token.locked"  # noqa: S105 (an action name)
TOKEN_UNLOCKED = "token.unlocked"  # noqa: S105 (an action name)
SIGNATURE_VERIFIED = "signature.verified"
SCENARIO_CLOCK_SHIFTED = "scenario.clock_shifted"
AGENCY_RENAMED = "scenario.agency_renamed"
ACTIVITY_VIEWED = "activity.viewed"
SESSION_LOGGED_IN = "session.logged_in"
SESSION_LOGGED_OUT = "session.logged_out"
TENANT_PROVISIONED = "tenant.provisioned"
TENANT_RESET = "tenant.reset"

INCOMING_DOCUMENT = "incoming_document"
OUTGOING_DOCUMENT = "outgoing_document"
CERTIFICATE = "signing_certificate"

# the actor of documents that arrive from other agencies
INTERCONNECTION_AXIS = "Trục liên thông văn bản quốc gia"

# the steps of a document's life that its history shows (views are evidence, not history)
HISTORY_ACTIONS: frozenset[str] = frozenset({
    DOCUMENT_RECEIVED,
    DOCUMENT_REGISTERED,
    DOCUMENT_ASSIGNED,
    DOCUMENT_FORWARDED,
    DOCUMENT_COMMENTED,
    DOCUMENT_COMPLETED,
    OUTGOING_DRAFTED,
    OUTGOING_EDITED,
    OUTGOING_SUBMITTED,
    OUTGOING_APPROVED,
    OUTGOING_RETURNED,
    OUTGOING_ISSUED,
    OUTGOING_SENT,
    OUTGOING_ACKNOWLEDGED,
    OUTGOING_ACTION_REFUSED,
    OUTGOING_ATTACHED,
    OUTGOING_SIGNED,
})


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
    session: Session,
    tenant: Tenant,
    *,
    limit: int | None = None,
    newest_first: bool = True,
    actor: str | None = None,
) -> Sequence[ActivityLog]:
    """The tenant's activity log; only `actor`'s entries when given."""
    order = (
        (ActivityLog.created_at.desc(), ActivityLog.id.desc())
        if newest_first
        else (ActivityLog.created_at, ActivityLog.id)
    )
    query = select(ActivityLog).where(ActivityLog.tenant_id == tenant.id).order_by(*order)
    if actor is not None:
        query = query.where(ActivityLog.actor == actor)
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()


def activity_as_dict(entry: ActivityLog) -> dict[str, Any]:
    return {
        "at": entry.created_at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details,
    }


def document_history(
    session: Session, tenant: Tenant, document_id: int, object_type: str = INCOMING_DOCUMENT
) -> Sequence[ActivityLog]:
    """The steps of one document's life, oldest first."""
    return session.scalars(
        select(ActivityLog)
        .where(
            ActivityLog.tenant_id == tenant.id,
            ActivityLog.object_type == object_type,
            ActivityLog.object_id == document_id,
            ActivityLog.action.in_(HISTORY_ACTIONS),
        )
        .order_by(ActivityLog.created_at, ActivityLog.id)
    ).all()
