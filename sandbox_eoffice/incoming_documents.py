"""Incoming documents (văn bản đến): find, register, assign, forward, comment, complete.

Every step is checked here, whoever asks (page or API), and logged in the activity log in
the same transaction. Functions take a session; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from common.clock import VIETNAM_TZ
from common.working_days import add_working_days
from sandbox_eoffice.activity import (
    DOCUMENT_ASSIGNED,
    DOCUMENT_COMMENTED,
    DOCUMENT_COMPLETED,
    DOCUMENT_FORWARDED,
    DOCUMENT_REGISTERED,
    INCOMING_DOCUMENT,
    OUTGOING_ACKNOWLEDGED,
    OUTGOING_DOCUMENT,
    record_activity,
)
from sandbox_eoffice.models import (
    Colleague,
    DocumentComment,
    DocumentForward,
    IncomingDocument,
    OutgoingDelivery,
    OutgoingDocument,
    SigningCertificate,
    Tenant,
    Unit,
    utc_now,
)
from sandbox_eoffice.search import matches
from sandbox_eoffice.vocabulary import DeliveryStatus, DocumentStatus, Urgency

PAGE_SIZE = 20
MAX_DEADLINE_WORKING_DAYS = 60
MAX_NOTE_LENGTH = 2000


class AlreadyRegistered(Exception):
    """The document already has a number in the register book."""

    def __init__(self, document: IncomingDocument) -> None:
        super().__init__(
            f"{document.number_symbol} is already registered as number "
            f"{document.register_number}/{document.register_year}"
        )
        self.document = document


class DocumentActionRefused(Exception):
    """A step that the document's state or the request does not allow; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# reasons, as codes: the pages and the API translate them for the person
NOT_REGISTERED = "not_registered"
ALREADY_DONE = "already_done"
NOT_ASSIGNED = "not_assigned"
NO_LEAD = "no_lead"
LEAD_ALSO_COORDINATING = "lead_also_coordinating"
BAD_DEADLINE = "bad_deadline"
UNKNOWN_UNIT = "unknown_unit"
UNKNOWN_COLLEAGUE = "unknown_colleague"
EMPTY_TEXT = "empty_text"
TEXT_TOO_LONG = "text_too_long"


@dataclass(frozen=True)
class DocumentFilter:
    """What the incoming list shows: every field optional."""

    status: DocumentStatus | None = None
    urgency: Urgency | None = None
    issuing_agency: str | None = None
    received_from: date | None = None
    received_until: date | None = None
    query: str = ""
    overdue_only: bool = False


@dataclass(frozen=True)
class DocumentPage:
    documents: Sequence[IncomingDocument]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def is_overdue(document: IncomingDocument, today: date) -> bool:
    """Past its handling deadline and not done (quá hạn)."""
    return (
        document.deadline is not None
        and document.status is not DocumentStatus.DONE
        and document.deadline < today
    )


def vietnam_today() -> date:
    return utc_now().astimezone(VIETNAM_TZ).date()


def find_incoming_documents(
    session: Session,
    tenant: Tenant,
    criteria: DocumentFilter = DocumentFilter(),
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    today: date | None = None,
) -> DocumentPage:
    """One page of the tenant's incoming documents matching `criteria`, newest first."""
    conditions = [IncomingDocument.tenant_id == tenant.id, matches(criteria.query)]
    if criteria.status is not None:
        conditions.append(IncomingDocument.status == criteria.status)
    if criteria.urgency is not None:
        conditions.append(IncomingDocument.urgency == criteria.urgency)
    if criteria.issuing_agency:
        conditions.append(IncomingDocument.issuing_agency == criteria.issuing_agency)
    if criteria.received_from is not None:
        conditions.append(IncomingDocument.received_date >= criteria.received_from)
    if criteria.received_until is not None:
        conditions.append(IncomingDocument.received_date <= criteria.received_until)
    if criteria.overdue_only:
        conditions += [
            IncomingDocument.deadline < (today or vietnam_today()),
            IncomingDocument.status != DocumentStatus.DONE,
        ]
    total = session.scalar(select(func.count()).select_from(IncomingDocument).where(*conditions))
    page = max(1, page)
    documents = session.scalars(
        select(IncomingDocument)
        .where(*conditions)
        .options(selectinload(IncomingDocument.assignee), selectinload(IncomingDocument.lead_unit))
        .order_by(IncomingDocument.received_date.desc(), IncomingDocument.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return DocumentPage(documents, total or 0, page, page_size)


def list_incoming_documents(
    session: Session, tenant: Tenant, *, status: DocumentStatus | None = None
) -> Sequence[IncomingDocument]:
    """All the tenant's incoming documents (with `status`), most recently received first."""
    query = (
        select(IncomingDocument)
        .where(IncomingDocument.tenant_id == tenant.id)
        .options(selectinload(IncomingDocument.assignee))
        .order_by(IncomingDocument.received_date.desc(), IncomingDocument.id.desc())
    )
    if status is not None:
        query = query.where(IncomingDocument.status == status)
    return session.scalars(query).all()


def issuing_agencies(session: Session, tenant: Tenant) -> list[str]:
    """The agencies the tenant has received documents from, for the filter."""
    return sorted(session.scalars(
        select(IncomingDocument.issuing_agency)
        .where(IncomingDocument.tenant_id == tenant.id)
        .distinct()
    ))


def list_units(session: Session, tenant: Tenant) -> Sequence[Unit]:
    return session.scalars(
        select(Unit).where(Unit.tenant_id == tenant.id).order_by(Unit.id)
    ).all()


def list_colleagues(session: Session, tenant: Tenant) -> Sequence[Colleague]:
    return session.scalars(
        select(Colleague)
        .where(Colleague.tenant_id == tenant.id)
        .options(selectinload(Colleague.unit))
        .order_by(Colleague.unit_id.is_not(None), Colleague.unit_id, Colleague.id)
    ).all()


def overdue_count(session: Session, tenant: Tenant, today: date | None = None) -> int:
    return session.scalar(
        select(func.count()).select_from(IncomingDocument).where(
            IncomingDocument.tenant_id == tenant.id,
            IncomingDocument.deadline < (today or vietnam_today()),
            IncomingDocument.status != DocumentStatus.DONE,
        )
    ) or 0


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


def claim_state(session: Session, model: type[IncomingDocument] | type[OutgoingDocument]
                | type[SigningCertificate],
                document_id: int, expected: StrEnum, new: StrEnum) -> bool:
    """Move one document from `expected` to `new` in the database itself, or report that
    another request got there first. The loaded object may be stale (SQLite takes no row
    locks, and its transactions begin at the first write): this UPDATE is the first write,
    so on SQLite it also takes the database's write lock for the rest of the transaction."""
    result = session.execute(
        update(model).where(model.id == document_id, model.status == expected)
        .values(status=new).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


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
    # serialise allocations per tenant on PostgreSQL (NO KEY UPDATE: a classmate's
    # acknowledgement may insert rows referencing this tenant meanwhile without deadlock)
    session.execute(select(Tenant.id).where(Tenant.id == tenant.id)
                    .with_for_update(key_share=True))
    if not claim_state(session, IncomingDocument, document.id, DocumentStatus.RECEIVED,
                       DocumentStatus.REGISTERED):
        session.refresh(document)
        raise AlreadyRegistered(document)
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
    _acknowledge_classmate_delivery(session, tenant, document)
    session.flush()
    return document


def _acknowledge_classmate_delivery(
    session: Session, receiver: Tenant, document: IncomingDocument
) -> None:
    """Sent by a classmate's agency (class exchange): registering it is the receipt the
    sender sees on their delivery, as the axis returns it."""
    if document.origin_delivery_id is None:
        return
    delivery = session.get(OutgoingDelivery, document.origin_delivery_id)
    if delivery is None or delivery.status is DeliveryStatus.ACKNOWLEDGED:
        return
    delivery.status = DeliveryStatus.ACKNOWLEDGED
    delivery.acknowledged_at = utc_now()
    sender = session.get(Tenant, delivery.tenant_id)
    agency = receiver.agency.name if receiver.agency else receiver.full_name
    if sender is not None:
        record_activity(session, sender, agency, OUTGOING_ACKNOWLEDGED,
                        object_type=OUTGOING_DOCUMENT, object_id=delivery.document_id,
                        details={"recipient": delivery.recipient,
                                 "number_symbol": document.number_symbol})


def clean_text(text: str, *, required: bool, limit: int = MAX_NOTE_LENGTH) -> str:
    """`text` without surrounding blanks; refused when required and empty, or too long."""
    text = text.strip()
    if required and not text:
        raise DocumentActionRefused(EMPTY_TEXT)
    if len(text) > limit:
        raise DocumentActionRefused(TEXT_TOO_LONG)
    return text


def unit_of(session: Session, tenant: Tenant, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or unit.tenant_id != tenant.id:
        raise DocumentActionRefused(UNKNOWN_UNIT)
    return unit


def _colleague_of(session: Session, tenant: Tenant, colleague_id: int) -> Colleague:
    colleague = session.get(Colleague, colleague_id)
    if colleague is None or colleague.tenant_id != tenant.id:
        raise DocumentActionRefused(UNKNOWN_COLLEAGUE)
    return colleague


def assign_incoming_document(
    session: Session,
    tenant: Tenant,
    document: IncomingDocument,
    *,
    actor: str,
    lead_unit_id: int | None,
    assignee_id: int | None,
    coordinating_unit_ids: Sequence[int] = (),
    deadline_working_days: int,
    instruction: str = "",
    today: date | None = None,
) -> IncomingDocument:
    """Giao xử lý: a lead unit and/or lead person, coordinating units, and a deadline counted
    in working days (weekends and Vietnamese public holidays skipped). A registered or
    already assigned document only (re-assigning is allowed and logged)."""
    if document.tenant_id != tenant.id:
        raise ValueError("document belongs to another tenant")
    if document.status is DocumentStatus.RECEIVED:
        raise DocumentActionRefused(NOT_REGISTERED)
    if document.status is DocumentStatus.DONE:
        raise DocumentActionRefused(ALREADY_DONE)
    if lead_unit_id is None and assignee_id is None:
        raise DocumentActionRefused(NO_LEAD)
    if not 1 <= deadline_working_days <= MAX_DEADLINE_WORKING_DAYS:
        raise DocumentActionRefused(BAD_DEADLINE)
    lead_unit = unit_of(session, tenant, lead_unit_id) if lead_unit_id is not None else None
    assignee = _colleague_of(session, tenant, assignee_id) if assignee_id is not None else None
    coordinating = [unit_of(session, tenant, unit_id) for unit_id in dict.fromkeys(
        coordinating_unit_ids)]
    if lead_unit is not None and lead_unit in coordinating:
        raise DocumentActionRefused(LEAD_ALSO_COORDINATING)
    instruction = clean_text(instruction, required=False)
    start = today or vietnam_today()
    document.lead_unit = lead_unit
    document.assignee = assignee
    document.coordinating_units = coordinating
    document.deadline = add_working_days(start, deadline_working_days)
    document.instruction = instruction or None
    document.assigned_at = utc_now()
    document.status = DocumentStatus.ASSIGNED
    record_activity(session, tenant, actor, DOCUMENT_ASSIGNED, object_type=INCOMING_DOCUMENT,
                    object_id=document.id, details={
                        "number_symbol": document.number_symbol,
                        "lead_unit": lead_unit.name if lead_unit else None,
                        "lead_unit_id": lead_unit.id if lead_unit else None,
                        "assignee": assignee.full_name if assignee else None,
                        "assignee_id": assignee.id if assignee else None,
                        "coordinating_units": [unit.name for unit in coordinating],
                        "deadline_working_days": deadline_working_days,
                        "deadline": document.deadline.isoformat(),
                        "instruction": instruction,
                    })
    session.flush()
    return document


def forward_incoming_document(
    session: Session,
    tenant: Tenant,
    document: IncomingDocument,
    *,
    actor: str,
    forwarded_by: str,
    colleague_ids: Sequence[int],
    note: str = "",
) -> list[DocumentForward]:
    """Chuyển: send a registered document to colleagues, for information or action."""
    if document.tenant_id != tenant.id:
        raise ValueError("document belongs to another tenant")
    if document.status is DocumentStatus.RECEIVED:
        raise DocumentActionRefused(NOT_REGISTERED)
    colleagues = [_colleague_of(session, tenant, cid) for cid in dict.fromkeys(colleague_ids)]
    if not colleagues:
        raise DocumentActionRefused(UNKNOWN_COLLEAGUE)
    note = clean_text(note, required=False)
    forwards = [
        DocumentForward(tenant_id=tenant.id, document_id=document.id, colleague=colleague,
                        colleague_id=colleague.id, note=note, forwarded_by=forwarded_by)
        for colleague in colleagues
    ]
    session.add_all(forwards)
    record_activity(session, tenant, actor, DOCUMENT_FORWARDED, object_type=INCOMING_DOCUMENT,
                    object_id=document.id, details={
                        "number_symbol": document.number_symbol,
                        "to": [colleague.full_name for colleague in colleagues],
                        "to_ids": [colleague.id for colleague in colleagues],
                        "note": note,
                    })
    session.flush()
    return forwards


def comment_on_incoming_document(
    session: Session, tenant: Tenant, document: IncomingDocument, *, actor: str, author: str,
    body: str,
) -> DocumentComment:
    """Ý kiến: a comment in the document's history, at any stage."""
    if document.tenant_id != tenant.id:
        raise ValueError("document belongs to another tenant")
    body = clean_text(body, required=True)
    comment = DocumentComment(tenant_id=tenant.id, document_id=document.id, author=author,
                              body=body)
    session.add(comment)
    record_activity(session, tenant, actor, DOCUMENT_COMMENTED, object_type=INCOMING_DOCUMENT,
                    object_id=document.id, details={"number_symbol": document.number_symbol,
                                                    "comment": body})
    session.flush()
    return comment


def complete_incoming_document(
    session: Session, tenant: Tenant, document: IncomingDocument, *, actor: str,
    result_note: str, today: date | None = None,
) -> IncomingDocument:
    """Hoàn thành: an assigned document is done; the result is noted (required)."""
    if document.tenant_id != tenant.id:
        raise ValueError("document belongs to another tenant")
    if document.status is DocumentStatus.DONE:
        raise DocumentActionRefused(ALREADY_DONE)
    if document.status is not DocumentStatus.ASSIGNED:
        raise DocumentActionRefused(NOT_ASSIGNED)
    result_note = clean_text(result_note, required=True)
    if not claim_state(session, IncomingDocument, document.id, DocumentStatus.ASSIGNED,
                       DocumentStatus.DONE):
        raise DocumentActionRefused(ALREADY_DONE)
    late = is_overdue(document, today or vietnam_today())
    document.status = DocumentStatus.DONE
    document.completed_at = utc_now()
    document.result_note = result_note
    record_activity(session, tenant, actor, DOCUMENT_COMPLETED, object_type=INCOMING_DOCUMENT,
                    object_id=document.id, details={
                        "number_symbol": document.number_symbol,
                        "result_note": result_note,
                        "deadline": document.deadline.isoformat() if document.deadline else None,
                        "late": late,
                    })
    session.flush()
    return document


def list_comments(
    session: Session, tenant: Tenant, document: IncomingDocument
) -> Sequence[DocumentComment]:
    return session.scalars(
        select(DocumentComment)
        .where(DocumentComment.tenant_id == tenant.id,
               DocumentComment.document_id == document.id)
        .order_by(DocumentComment.created_at, DocumentComment.id)
    ).all()
