"""Incoming documents (văn bản đến): listing, opening and registering in the register book."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from common.clock import VIETNAM_TZ
from sandbox_eoffice.activity import DOCUMENT_REGISTERED, INCOMING_DOCUMENT, record_activity
from sandbox_eoffice.models import IncomingDocument, Tenant, utc_now
from sandbox_eoffice.vocabulary import DocumentStatus


class AlreadyRegistered(Exception):
    """The document already has a number in the register book."""

    def __init__(self, document: IncomingDocument) -> None:
        super().__init__(
            f"{document.number_symbol} is already registered as number "
            f"{document.register_number}/{document.register_year}"
        )
        self.document = document


def list_incoming_documents(
    session: Session, tenant: Tenant, *, status: DocumentStatus | None = None
) -> Sequence[IncomingDocument]:
    """The tenant's incoming documents, most recently received first."""
    query = (
        select(IncomingDocument)
        .where(IncomingDocument.tenant_id == tenant.id)
        .options(selectinload(IncomingDocument.assignee))
        .order_by(IncomingDocument.received_date.desc(), IncomingDocument.id.desc())
    )
    if status is not None:
        query = query.where(IncomingDocument.status == status)
    return session.scalars(query).all()


def get_incoming_document(
    session: Session, tenant: Tenant, document_id: int, *, for_update: bool = False
) -> IncomingDocument | None:
    """One of the tenant's documents, or None (also for another tenant's document)."""
    query = select(IncomingDocument).where(
        IncomingDocument.tenant_id == tenant.id, IncomingDocument.id == document_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def count_by_status(session: Session, tenant: Tenant) -> dict[DocumentStatus, int]:
    rows = session.execute(
        select(IncomingDocument.status, func.count())
        .where(IncomingDocument.tenant_id == tenant.id)
        .group_by(IncomingDocument.status)
    ).all()
    counts = dict.fromkeys(DocumentStatus, 0)
    counts.update({status: count for status, count in rows})
    return counts


def next_register_number(session: Session, tenant: Tenant, year: int) -> int:
    """The next running number of the tenant's register book for `year`."""
    highest = session.scalar(
        select(func.max(IncomingDocument.register_number)).where(
            IncomingDocument.tenant_id == tenant.id, IncomingDocument.register_year == year
        )
    )
    return (highest or 0) + 1


def register_incoming_document(
    session: Session,
    tenant: Tenant,
    document: IncomingDocument,
    *,
    actor: str,
    registered_by: str,
    now: datetime | None = None,
) -> IncomingDocument:
    """Enter the document in this year's register book and log it. The caller commits.

    Raises AlreadyRegistered if the document already has a register number.
    """
    if document.tenant_id != tenant.id:
        raise ValueError("document belongs to another tenant")
    if document.register_number is not None or document.status is not DocumentStatus.RECEIVED:
        raise AlreadyRegistered(document)
    now = now or utc_now()
    # serialise allocations per tenant (PostgreSQL); SQLite serialises writers itself
    session.execute(select(Tenant.id).where(Tenant.id == tenant.id).with_for_update())
    year = now.astimezone(VIETNAM_TZ).year
    document.register_year = year
    document.register_number = next_register_number(session, tenant, year)
    document.registered_at = now
    document.registered_by = registered_by
    document.status = DocumentStatus.REGISTERED
    record_activity(
        session,
        tenant,
        actor,
        DOCUMENT_REGISTERED,
        object_type=INCOMING_DOCUMENT,
        object_id=document.id,
        details={
            "number_symbol": document.number_symbol,
            "issuing_agency": document.issuing_agency,
            "register_year": year,
            "register_number": document.register_number,
        },
    )
    session.flush()
    return document
