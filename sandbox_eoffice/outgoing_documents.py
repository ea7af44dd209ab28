"""Outgoing documents (văn bản đi): draft, submit, approve or return, issue, send.

The outgoing register book numbers issued documents per agency and year with no gap and no
duplicate: the number comes from one atomic UPDATE ... RETURNING on the book's counter row,
in the transaction that issues the document (so concurrent issues queue on that row, and a
rolled-back issue gives its number back). A classified document (mật and above) is never
sent through the e-office. The digital signature comes between approval and issue with the
signatures module (`SIGNING_STEP`). Functions take a session; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from common.clock import VIETNAM_TZ
from sandbox_eoffice.activity import (
    DOCUMENT_RECEIVED,
    INCOMING_DOCUMENT,
    INTERCONNECTION_AXIS,
    OUTGOING_ACKNOWLEDGED,
    OUTGOING_APPROVED,
    OUTGOING_DOCUMENT,
    OUTGOING_DRAFTED,
    OUTGOING_EDITED,
    OUTGOING_ISSUED,
    OUTGOING_RETURNED,
    OUTGOING_SENT,
    OUTGOING_SUBMITTED,
    record_activity,
)
from sandbox_eoffice.agencies import finance_department, provincial_senders
from sandbox_eoffice.incoming_documents import (
    TEXT_TOO_LONG,
    UNKNOWN_COLLEAGUE,
    DocumentActionRefused,
    claim_state,
    clean_text,
    unit_of,
)
from sandbox_eoffice.models import (
    ClassExchange,
    Colleague,
    IncomingDocument,
    OutgoingDelivery,
    OutgoingDocument,
    RegisterCounter,
    Tenant,
    class_exchange_member,
    utc_now,
)
from sandbox_eoffice.search import search_text_for
from sandbox_eoffice.vocabulary import (
    DOCUMENT_TYPES,
    Confidentiality,
    DeliveryStatus,
    DocumentStatus,
    OutgoingStatus,
    RegisterBook,
    Urgency,
)

MAX_SUMMARY = 500
MAX_BODY = 20_000
MAX_RECIPIENT_LINES = 30

# reasons (translated by sandbox_eoffice.labels)
NOT_EDITABLE = "not_editable"
NOT_SUBMITTED = "not_submitted"
NOT_APPROVED = "not_approved"
NOT_ISSUED = "not_issued"
SIGNER_NOT_LEADER = "signer_not_leader"
UNKNOWN_TYPE = "unknown_type"
CLASSIFIED_NOT_SENDABLE = "classified_not_sendable"
NO_RECIPIENT = "no_recipient"
UNKNOWN_RECIPIENT = "unknown_recipient"
ALREADY_SENT = "already_sent"

EDITABLE = (OutgoingStatus.DRAFT, OutgoingStatus.RETURNED)


def _check_tenant(tenant: Tenant, document: OutgoingDocument) -> None:
    if document.tenant_id != tenant.id:
        raise ValueError("document belongs to another tenant")


def _recipient_lines(lines: Sequence[str]) -> list[str]:
    cleaned = [line.strip().lstrip("-").strip().rstrip(";.") for line in lines]
    cleaned = [line for line in cleaned if line]
    if len(cleaned) > MAX_RECIPIENT_LINES or any(len(line) > 255 for line in cleaned):
        raise DocumentActionRefused(TEXT_TOO_LONG)
    return cleaned


def exchange_partners(session: Session, tenant: Tenant) -> dict[str, Tenant]:
    """Classmates' agencies on the tenant's axis (open class exchanges), by their name on it:
    the agency and, since two learners may run agencies of the same name, the learner."""
    exchanges = select(class_exchange_member.c.exchange_id).join(
        ClassExchange, ClassExchange.id == class_exchange_member.c.exchange_id
    ).where(class_exchange_member.c.tenant_id == tenant.id, ClassExchange.closed_at.is_(None))
    partners = session.scalars(
        select(Tenant).join(class_exchange_member, class_exchange_member.c.tenant_id == Tenant.id)
        .where(class_exchange_member.c.exchange_id.in_(exchanges), Tenant.id != tenant.id)
        .options(selectinload(Tenant.agency)).distinct().order_by(Tenant.username)
    ).all()
    return {partner_name(partner): partner for partner in partners}


def partner_name(tenant: Tenant) -> str:
    agency = tenant.agency.name if tenant.agency else tenant.username
    return f"{agency} ({tenant.full_name})"


def axis_directory(session: Session, tenant: Tenant) -> list[str]:
    """Who the tenant can send to over the axis: the agencies of the simulated province, and
    the classmates' agencies of an open class exchange."""
    names: list[str] = []
    if tenant.agency is not None:
        province = tenant.agency.province
        names = [agency.name for agency in provincial_senders(province)]
        names.append(finance_department(province).name)
        names = [name for name in names if name != tenant.agency.name]
    return sorted(names) + sorted(exchange_partners(session, tenant))


def signers(session: Session, tenant: Tenant) -> Sequence[Colleague]:
    """Who may approve and sign: the agency's head and deputies."""
    return [c for c in session.scalars(
        select(Colleague).where(Colleague.tenant_id == tenant.id).order_by(Colleague.id)
    ) if c.position.is_leader]


def _leader(session: Session, tenant: Tenant, colleague_id: int) -> Colleague:
    colleague = session.get(Colleague, colleague_id)
    if colleague is None or colleague.tenant_id != tenant.id:
        raise DocumentActionRefused(UNKNOWN_COLLEAGUE)
    if not colleague.position.is_leader:
        raise DocumentActionRefused(SIGNER_NOT_LEADER)
    return colleague


def _log(session: Session, tenant: Tenant, actor: str, action: str,
         document: OutgoingDocument, **details: object) -> None:
    record_activity(session, tenant, actor, action, object_type=OUTGOING_DOCUMENT,
                    object_id=document.id, details={"summary": document.summary[:200],
                                                    "number_symbol": document.number_symbol,
                                                    **details})


def save_draft(
    session: Session,
    tenant: Tenant,
    *,
    actor: str,
    drafted_by: str,
    document_type: str,
    summary: str,
    body: str,
    recipients: Sequence[str],
    drafting_unit_id: int,
    signer_id: int,
    urgency: Urgency = Urgency.NORMAL,
    confidentiality: Confidentiality = Confidentiality.NORMAL,
    document: OutgoingDocument | None = None,
) -> OutgoingDocument:
    """Create a draft, or change one that is a draft or was returned."""
    if document is not None:
        _check_tenant(tenant, document)
        if document.status not in EDITABLE:
            raise DocumentActionRefused(NOT_EDITABLE)
    if document_type not in DOCUMENT_TYPES:
        raise DocumentActionRefused(UNKNOWN_TYPE)
    fields = {
        "document_type": document_type,
        "summary": clean_text(summary, required=True, limit=MAX_SUMMARY),
        "body": clean_text(body, required=True, limit=MAX_BODY),
        "recipients": _recipient_lines(recipients),
        "drafting_unit": unit_of(session, tenant, drafting_unit_id),
        "signer": _leader(session, tenant, signer_id),
        "urgency": urgency,
        "confidentiality": confidentiality,
    }
    created = document is None
    if document is None:
        document = OutgoingDocument(tenant_id=tenant.id, drafted_by=drafted_by)
        session.add(document)
    for name, value in fields.items():
        setattr(document, name, value)
    session.flush()
    _log(session, tenant, actor, OUTGOING_DRAFTED if created else OUTGOING_EDITED, document,
         document_type=document_type, confidentiality=confidentiality.value)
    return document


def submit_for_approval(session: Session, tenant: Tenant, document: OutgoingDocument, *,
                        actor: str) -> OutgoingDocument:
    _check_tenant(tenant, document)
    if document.status not in EDITABLE:
        raise DocumentActionRefused(NOT_EDITABLE)
    document.status = OutgoingStatus.SUBMITTED
    document.submitted_at = utc_now()
    document.return_comment = None
    _log(session, tenant, actor, OUTGOING_SUBMITTED, document,
         signer=document.signer.full_name if document.signer else None)
    session.flush()
    return document


def approve(session: Session, tenant: Tenant, document: OutgoingDocument, *,
            actor: str) -> OutgoingDocument:
    """The signer approves the draft (as that leader, in the sandbox)."""
    _check_tenant(tenant, document)
    if document.status is not OutgoingStatus.SUBMITTED:
        raise DocumentActionRefused(NOT_SUBMITTED)
    document.status = OutgoingStatus.APPROVED
    document.approved_at = utc_now()
    _log(session, tenant, actor, OUTGOING_APPROVED, document,
         approver=document.signer.full_name if document.signer else None)
    session.flush()
    return document


def return_for_revision(session: Session, tenant: Tenant, document: OutgoingDocument, *,
                        actor: str, comment: str) -> OutgoingDocument:
    _check_tenant(tenant, document)
    if document.status is not OutgoingStatus.SUBMITTED:
        raise DocumentActionRefused(NOT_SUBMITTED)
    document.return_comment = clean_text(comment, required=True)
    document.status = OutgoingStatus.RETURNED
    _log(session, tenant, actor, OUTGOING_RETURNED, document, comment=document.return_comment)
    session.flush()
    return document


def allocate_number(session: Session, tenant: Tenant, book: RegisterBook, year: int) -> int:
    """The next number of the tenant's `book` for `year`: atomic, gapless within committed
    transactions, the same on SQLite and PostgreSQL."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(RegisterCounter)
        .values(tenant_id=tenant.id, book=book, year=year, last_number=0)
        .on_conflict_do_nothing()
    )
    return session.execute(
        update(RegisterCounter)
        .where(RegisterCounter.tenant_id == tenant.id, RegisterCounter.book == book,
               RegisterCounter.year == year)
        .values(last_number=RegisterCounter.last_number + 1)
        .returning(RegisterCounter.last_number)
    ).scalar_one()


# Where the digital signature will go: between approval and issue (the signatures module).
SIGNING_STEP = "sign"


def issue(session: Session, tenant: Tenant, document: OutgoingDocument, *, actor: str,
          now: datetime | None = None) -> OutgoingDocument:
    """Phát hành: the next number of this year's outgoing register book, and the date."""
    _check_tenant(tenant, document)
    if document.status is not OutgoingStatus.APPROVED:
        raise DocumentActionRefused(NOT_APPROVED)
    if not claim_state(session, OutgoingDocument, document.id, OutgoingStatus.APPROVED,
                       OutgoingStatus.ISSUED):
        raise DocumentActionRefused(NOT_APPROVED)  # issued by another request meanwhile
    now = now or utc_now()
    year = now.astimezone(VIETNAM_TZ).year
    number = allocate_number(session, tenant, RegisterBook.OUTGOING, year)
    agency_symbol = tenant.agency.symbol if tenant.agency else "VP"
    unit_symbol = document.drafting_unit.symbol if document.drafting_unit else "VP"
    document.issue_year, document.issue_number = year, number
    document.number_symbol = f"{number}/{agency_symbol}-{unit_symbol}"
    document.issued_at = now
    document.status = OutgoingStatus.ISSUED
    _log(session, tenant, actor, OUTGOING_ISSUED, document, issue_year=year,
         issue_number=number)
    session.flush()
    return document


def send(session: Session, tenant: Tenant, document: OutgoingDocument, *, actor: str,
         recipients: Sequence[str]) -> list[OutgoingDelivery]:
    """Send an issued document over the interconnection axis to agencies of the province;
    each simulated agency acknowledges receipt. Never a classified document."""
    _check_tenant(tenant, document)
    if document.status is not OutgoingStatus.ISSUED:
        raise DocumentActionRefused(NOT_ISSUED)
    if document.confidentiality.is_classified:
        raise DocumentActionRefused(CLASSIFIED_NOT_SENDABLE)
    chosen = list(dict.fromkeys(recipients))
    if not chosen:
        raise DocumentActionRefused(NO_RECIPIENT)
    partners = exchange_partners(session, tenant)
    directory = set(axis_directory(session, tenant))
    if any(name not in directory for name in chosen):
        raise DocumentActionRefused(UNKNOWN_RECIPIENT)
    already = {delivery.recipient for delivery in document.deliveries}
    if set(chosen) & already:
        raise DocumentActionRefused(ALREADY_SENT)
    now = utc_now()
    deliveries = [OutgoingDelivery(tenant_id=tenant.id, document=document, recipient=name,
                                   sent_at=now, recipient_tenant=partners.get(name))
                  for name in chosen]
    session.add_all(deliveries)
    session.flush()
    _log(session, tenant, actor, OUTGOING_SENT, document, to=chosen)
    for delivery in deliveries:
        partner = partners.get(delivery.recipient)
        if partner is not None:
            # a classmate's agency: it arrives there, and is acknowledged when registered
            _deliver_to_classmate(session, tenant, document, delivery, partner)
            continue
        # a simulated agency's system answers at once with its acknowledgement
        delivery.status = DeliveryStatus.ACKNOWLEDGED
        delivery.acknowledged_at = utc_now()
        _log(session, tenant, delivery.recipient, OUTGOING_ACKNOWLEDGED, document,
             recipient=delivery.recipient)
    session.flush()
    return deliveries


def _deliver_to_classmate(session: Session, sender: Tenant, document: OutgoingDocument,
                          delivery: OutgoingDelivery, partner: Tenant) -> IncomingDocument:
    """The document arrives in the classmate's agency as a new incoming document."""
    issued = (document.issued_at or utc_now()).astimezone(VIETNAM_TZ).date()
    signer = document.signer
    incoming = IncomingDocument(
        tenant_id=partner.id,
        number_symbol=document.number_symbol or "",
        summary=document.summary,
        issuing_agency=sender.agency.name if sender.agency else sender.full_name,
        document_type=document.document_type,
        urgency=document.urgency,
        confidentiality=document.confidentiality,
        issued_date=issued,
        received_date=utc_now().astimezone(VIETNAM_TZ).date(),
        status=DocumentStatus.RECEIVED,
        signer_name=signer.full_name if signer else None,
        signer_title=signer.job_title.upper() if signer else None,
        search_text=search_text_for(document.number_symbol or "", document.summary),
        origin_delivery_id=delivery.id,
    )
    session.add(incoming)
    session.flush()
    record_activity(session, partner, INTERCONNECTION_AXIS, DOCUMENT_RECEIVED,
                    object_type=INCOMING_DOCUMENT, object_id=incoming.id,
                    details={"number_symbol": incoming.number_symbol,
                             "issuing_agency": incoming.issuing_agency})
    return incoming


def list_outgoing(session: Session, tenant: Tenant) -> Sequence[OutgoingDocument]:
    return session.scalars(
        select(OutgoingDocument)
        .where(OutgoingDocument.tenant_id == tenant.id)
        .options(selectinload(OutgoingDocument.signer), selectinload(OutgoingDocument.deliveries))
        .order_by(OutgoingDocument.created_at.desc(), OutgoingDocument.id.desc())
    ).all()


def get_outgoing(session: Session, tenant: Tenant, document_id: int, *,
                 for_update: bool = False) -> OutgoingDocument | None:
    query = select(OutgoingDocument).where(OutgoingDocument.tenant_id == tenant.id,
                                           OutgoingDocument.id == document_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()
