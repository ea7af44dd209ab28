"""The one-stop desk's work on a dossier: receive, check completeness, request additional
documents, transfer to the specialist unit, approve or reject, collect the fee (online, a
simulated payment gateway, or at the counter), digitise the result, return it; and the
population-database lookup, always for a stated purpose tied to a dossier.

Every step is checked here, whoever asks (page or API): a step the dossier's status does not
allow raises `DossierActionRefused` with a reason code and changes nothing. Every step is
written to the activity log in the same transaction. Functions take a session; the caller
commits (or rolls back on a refusal).

Deadlines: the legal processing time runs in working days (`common.working_days`) from the
day a complete dossier is received; while the desk waits for missing documents the clock
stops (no due date), and it starts again from the day they arrive. A dossier is on time when
its result is returned on or before its due date (Vietnam dates).
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from common.clock import VIETNAM_TZ
from common.working_days import add_working_days
from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.incoming_documents import DocumentActionRefused
from sandbox_eoffice.models import ActivityLog, Colleague, Tenant, Unit, utc_now
from sandbox_eoffice.one_stop.citizen_id import (
    CitizenId,
    InvalidCitizenId,
    parse_citizen_id,
)
from sandbox_eoffice.one_stop.models import (
    Channel,
    Dossier,
    DossierDocument,
    DossierStatus,
    LookupPurpose,
    PopulationLookup,
    PopulationRecord,
)
from sandbox_eoffice.one_stop.procedures import PROCEDURES, Procedure, procedure_for
from sandbox_eoffice.uploads import check_pdf, clean_filename

# --- the vocabulary of the activity log -----------------------------------------------------

DOSSIER = "dossier"
DESK_VIEWED = "one_stop.desk_viewed"
DOSSIER_VIEWED = "dossier.viewed"
DOSSIER_RECEIVED = "dossier.received"
DOSSIER_CHECKED = "dossier.checked"
DOSSIER_ADDITIONAL_REQUESTED = "dossier.additional_requested"
DOSSIER_SUPPLEMENTED = "dossier.supplemented"
DOSSIER_TRANSFERRED = "dossier.transferred"
DOSSIER_APPROVED = "dossier.approved"
DOSSIER_REJECTED = "dossier.rejected"
DOSSIER_FEE_PAID = "dossier.fee_paid"
DOSSIER_RESULT_DIGITISED = "dossier.result_digitised"
DOSSIER_RESULT_RETURNED = "dossier.result_returned"
DOSSIER_RATED = "dossier.rated"
DOSSIER_ACTION_REFUSED = "dossier.action_refused"
CITIZEN_LOOKED_UP = "population.looked_up"
CITIZEN_LOOKUP_REFUSED = "population.lookup_refused"
LOOKUPS_VIEWED = "population.lookups_viewed"

# the steps of a dossier's life that its history shows
HISTORY_ACTIONS: frozenset[str] = frozenset({
    DOSSIER_RECEIVED, DOSSIER_CHECKED, DOSSIER_ADDITIONAL_REQUESTED, DOSSIER_SUPPLEMENTED,
    DOSSIER_TRANSFERRED, DOSSIER_APPROVED, DOSSIER_REJECTED, DOSSIER_FEE_PAID,
    DOSSIER_RESULT_DIGITISED, DOSSIER_RESULT_RETURNED, DOSSIER_RATED, DOSSIER_ACTION_REFUSED,
    CITIZEN_LOOKED_UP,
})

# who acts for the online portal and the payment gateway in the log
PUBLIC_SERVICE_PORTAL = "Cổng Dịch vụ công quốc gia"
PAYMENT_GATEWAY = "Nền tảng thanh toán trực tuyến (PayGov)"

# --- reasons (translated by sandbox_eoffice.one_stop.labels) --------------------------------

UNKNOWN_PROCEDURE = "unknown_procedure"
MISSING_APPLICANT_DATA = "missing_applicant_data"
BIRTH_YEAR_MISMATCH = "birth_year_mismatch"
BIRTH_DATE_IN_FUTURE = "birth_date_in_future"
NOT_RECEIVED = "dossier_not_received"
NOT_CHECKED = "dossier_not_checked"
INCOMPLETE = "dossier_incomplete"
ALREADY_COMPLETE = "dossier_already_complete"
NO_MISSING_CHOSEN = "no_missing_chosen"
NOT_WAITING_FOR_DOCUMENTS = "not_waiting_for_documents"
NOT_IN_REVIEW = "dossier_not_in_review"
NOT_APPROVED = "dossier_not_approved"
FINISHED = "dossier_finished"
NO_FEE = "no_fee"
ALREADY_PAID = "already_paid"
FEE_NOT_PAID = "fee_not_paid"
UNKNOWN_UNIT = "dossier_unknown_unit"
REASON_REQUIRED = "reason_required"
NO_PURPOSE = "lookup_no_purpose"
NO_DOSSIER = "lookup_no_dossier"
DOSSIER_CLOSED = "lookup_dossier_closed"
TEXT_TOO_LONG = "dossier_text_too_long"

MAX_TEXT = 1000
MAX_NAME = 200
MAX_ADDRESS = 255
MAX_PHONE = 20
SATISFIED_FROM = 4  # a rating of 4 or 5 out of 5 counts as satisfied


class DossierActionRefused(DocumentActionRefused):
    """A step the dossier's status or the request does not allow; `reason` says why."""


def vietnam_date(moment: datetime) -> date:
    return moment.astimezone(VIETNAM_TZ).date()


def vietnam_today() -> date:
    return vietnam_date(utc_now())


def procedure_of(dossier: Dossier) -> Procedure:
    procedure = procedure_for(dossier.procedure_code)
    if procedure is None:  # only the list's codes are ever stored
        raise LookupError(dossier.procedure_code)
    return procedure


def due_date_from(day: date, procedure: Procedure) -> date:
    """The legal due date of a complete dossier received on `day`."""
    return add_working_days(day, procedure.processing_days)


def is_overdue(dossier: Dossier, today: date) -> bool:
    """Not finished and past its due date (quá hạn)."""
    return (not dossier.status.is_finished and dossier.due_date is not None
            and dossier.due_date < today)


def returned_on_time(dossier: Dossier) -> bool | None:
    """Whether the result was returned on or before the due date; None if not returned."""
    if dossier.result_returned_at is None or dossier.due_date is None:
        return None
    return vietnam_date(dossier.result_returned_at) <= dossier.due_date


def citizen_rating(dossier: Dossier, on_time: bool) -> int:
    """The simulated citizen's satisfaction (1–5), a fixed function of the dossier: an on-time
    result pleases (4 or 5), a late one does not (2 or 3)."""
    digest = hashlib.sha256(f"{dossier.receipt_number}|{dossier.citizen_id}".encode()).digest()
    if on_time:
        return 4 if digest[0] % 5 == 0 else 5
    return 2 + digest[0] % 2


def _clean(text: str | None, limit: int, *, required: bool) -> str:
    cleaned = unicodedata.normalize("NFC", (text or "").strip())
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch) != "Cc" or ch in "\n\t")
    if required and not cleaned:
        raise DossierActionRefused(MISSING_APPLICANT_DATA)
    if len(cleaned) > limit:
        raise DossierActionRefused(TEXT_TOO_LONG)
    return cleaned


def _check_tenant(tenant: Tenant, dossier: Dossier) -> None:
    if dossier.tenant_id != tenant.id:
        raise ValueError("dossier belongs to another tenant")


def _log(session: Session, tenant: Tenant, actor: str, action: str, dossier: Dossier,
         **details: object) -> None:
    record_activity(session, tenant, actor, action, object_type=DOSSIER, object_id=dossier.id,
                    details={"receipt_number": dossier.receipt_number,
                             "procedure": dossier.procedure_code, **details})


# --- reading --------------------------------------------------------------------------------


def list_dossiers(session: Session, tenant: Tenant,
                  status: DossierStatus | None = None) -> Sequence[Dossier]:
    """The desk's dossiers, newest first."""
    query = (select(Dossier).where(Dossier.tenant_id == tenant.id)
             .options(selectinload(Dossier.documents), selectinload(Dossier.unit))
             .order_by(Dossier.received_at.desc(), Dossier.id.desc()))
    if status is not None:
        query = query.where(Dossier.status == status)
    return session.scalars(query).all()


def get_dossier(session: Session, tenant: Tenant, dossier_id: int, *,
                for_update: bool = False) -> Dossier | None:
    query = select(Dossier).where(Dossier.tenant_id == tenant.id, Dossier.id == dossier_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def dossier_history(session: Session, tenant: Tenant, dossier: Dossier) -> list[ActivityLog]:
    """The steps of the dossier's life, oldest first."""
    return list(session.scalars(
        select(ActivityLog).where(ActivityLog.tenant_id == tenant.id,
                                  ActivityLog.object_type == DOSSIER,
                                  ActivityLog.object_id == dossier.id,
                                  ActivityLog.action.in_(HISTORY_ACTIONS))
        .order_by(ActivityLog.created_at, ActivityLog.id)).all())


def specialist_units(session: Session, tenant: Tenant) -> Sequence[Unit]:
    return session.scalars(select(Unit).where(Unit.tenant_id == tenant.id)
                           .order_by(Unit.name)).all()


# --- receiving ------------------------------------------------------------------------------


def next_receipt_number(session: Session, tenant: Tenant, day: date) -> str:
    """`<agency symbol>-<yymmdd>-<running number of the day, 4 digits>`, e.g.
    UBND-241124-0003 (the shape of iGate's receipt numbers, with the agency's symbol)."""
    symbol = tenant.agency.symbol if tenant.agency else "MC"
    prefix = f"{symbol}-{day:%y%m%d}-"
    taken = session.scalar(select(func.max(Dossier.receipt_number)).where(
        Dossier.tenant_id == tenant.id, Dossier.receipt_number.like(prefix + "%")))
    number = int(taken.rsplit("-", 1)[1]) + 1 if taken else 1
    return f"{prefix}{number:04d}"


@dataclass(frozen=True)
class Applicant:
    full_name: str
    citizen_id: str
    date_of_birth: date
    address: str
    phone: str = ""


def _parsed_citizen_id(citizen_id: str, today: date) -> CitizenId:
    try:
        return parse_citizen_id(citizen_id, today)
    except InvalidCitizenId as invalid:
        raise DossierActionRefused(invalid.reason) from invalid


def checked_citizen_id(citizen_id: str, today: date) -> str:
    """The ID without blanks; DossierActionRefused with the rule it breaks otherwise."""
    return _parsed_citizen_id(citizen_id, today).number


def check_applicant(applicant: Applicant, today: date) -> Applicant:
    """The applicant's data, cleaned, with a well-formed citizen ID that agrees with the date
    of birth; DossierActionRefused otherwise."""
    parsed = _parsed_citizen_id(applicant.citizen_id, today)
    if applicant.date_of_birth > today:
        raise DossierActionRefused(BIRTH_DATE_IN_FUTURE)
    if applicant.date_of_birth.year != parsed.birth_year:
        raise DossierActionRefused(BIRTH_YEAR_MISMATCH)
    return Applicant(
        full_name=_clean(applicant.full_name, MAX_NAME, required=True),
        citizen_id=parsed.number,
        date_of_birth=applicant.date_of_birth,
        address=_clean(applicant.address, MAX_ADDRESS, required=True),
        phone=_clean(applicant.phone, MAX_PHONE, required=False),
    )


def receive_dossier(session: Session, tenant: Tenant, *, actor: str, received_by: str,
                    procedure_code: str, applicant: Applicant, provided: Sequence[int],
                    channel: Channel = Channel.COUNTER, now: datetime | None = None) -> Dossier:
    """Tiếp nhận: a new dossier with its receipt number and its list of documents (`provided`:
    the positions, from 0, of those the citizen handed in). Its due date counts from today;
    the completeness check comes next."""
    procedure = procedure_for(procedure_code)
    if procedure is None:
        raise DossierActionRefused(UNKNOWN_PROCEDURE)
    now = now or utc_now()
    today = vietnam_date(now)
    applicant = check_applicant(applicant, today)
    given = set(provided)
    dossier = Dossier(
        tenant_id=tenant.id, receipt_number=next_receipt_number(session, tenant, today),
        procedure_code=procedure.code, channel=channel, status=DossierStatus.RECEIVED,
        applicant_name=applicant.full_name, citizen_id=applicant.citizen_id,
        date_of_birth=applicant.date_of_birth, address=applicant.address,
        phone=applicant.phone, received_at=now, received_by=received_by,
        due_date=due_date_from(today, procedure), fee=procedure.fee)
    dossier.documents = [DossierDocument(tenant_id=tenant.id, position=index, name=name,
                                         provided=index in given)
                         for index, name in enumerate(procedure.documents)]
    session.add(dossier)
    session.flush()
    _log(session, tenant, actor, DOSSIER_RECEIVED, dossier, channel=channel.value,
         due_date=dossier.due_date.isoformat() if dossier.due_date else None,
         documents_missing=len(dossier.missing_documents))
    return dossier


# --- the workflow ---------------------------------------------------------------------------


def _require(dossier: Dossier, *statuses: DossierStatus, reason: str) -> None:
    if dossier.status.is_finished:
        raise DossierActionRefused(FINISHED)
    if dossier.status not in statuses:
        raise DossierActionRefused(reason)


def _claim(session: Session, dossier: Dossier, new: DossierStatus, reason: str) -> None:
    """Move the dossier from the status it was read in to `new` in the database itself, or
    refuse when another request changed it meanwhile (the loaded object may be stale: SQLite
    takes no row locks). On SQLite this first write also takes the database's write lock."""
    result = session.execute(
        update(Dossier).where(Dossier.id == dossier.id, Dossier.status == dossier.status)
        .values(status=new).execution_options(synchronize_session=False))
    if not result.rowcount:
        raise DossierActionRefused(reason)
    dossier.status = new


def check_completeness(session: Session, tenant: Tenant, dossier: Dossier, *,
                       actor: str) -> list[str]:
    """Kiểm tra thành phần hồ sơ: the names of the missing documents (none: complete)."""
    _check_tenant(tenant, dossier)
    _require(dossier, DossierStatus.RECEIVED, reason=NOT_RECEIVED)
    # still received in the database (and kept so until the caller commits)
    _claim(session, dossier, DossierStatus.RECEIVED, NOT_RECEIVED)
    missing = [document.name for document in dossier.missing_documents]
    dossier.completeness_checked_at = utc_now()
    _log(session, tenant, actor, DOSSIER_CHECKED, dossier, complete=not missing,
         missing=missing)
    session.flush()
    return missing


def request_additional_documents(session: Session, tenant: Tenant, dossier: Dossier, *,
                                 actor: str, note: str) -> Dossier:
    """Yêu cầu bổ sung: the citizen is asked, once and in writing, for every missing document;
    the legal clock stops until they arrive."""
    _check_tenant(tenant, dossier)
    _require(dossier, DossierStatus.RECEIVED, reason=NOT_RECEIVED)
    missing = [document.name for document in dossier.missing_documents]
    if not missing:
        raise DossierActionRefused(ALREADY_COMPLETE)
    text = _clean(note, MAX_TEXT, required=False)
    _claim(session, dossier, DossierStatus.ADDITIONAL_REQUESTED, NOT_RECEIVED)
    dossier.additional_request = "\n".join(missing) + (f"\n{text}" if text else "")
    dossier.due_date = None
    _log(session, tenant, actor, DOSSIER_ADDITIONAL_REQUESTED, dossier, missing=missing,
         note=text)
    session.flush()
    return dossier


def record_supplement(session: Session, tenant: Tenant, dossier: Dossier, *, actor: str,
                      now: datetime | None = None) -> Dossier:
    """The citizen brought the missing documents: the dossier is received again, complete,
    and its due date counts anew from today."""
    _check_tenant(tenant, dossier)
    _require(dossier, DossierStatus.ADDITIONAL_REQUESTED, reason=NOT_WAITING_FOR_DOCUMENTS)
    now = now or utc_now()
    _claim(session, dossier, DossierStatus.RECEIVED, NOT_WAITING_FOR_DOCUMENTS)
    for document in dossier.documents:
        document.provided = True
    dossier.completeness_checked_at = None
    dossier.due_date = due_date_from(vietnam_date(now), procedure_of(dossier))
    _log(session, tenant, actor, DOSSIER_SUPPLEMENTED, dossier,
         due_date=dossier.due_date.isoformat())
    session.flush()
    return dossier


def transfer_to_unit(session: Session, tenant: Tenant, dossier: Dossier, *, actor: str,
                     unit_id: int) -> Dossier:
    """Chuyển phòng chuyên môn: only a checked, complete dossier."""
    _check_tenant(tenant, dossier)
    _require(dossier, DossierStatus.RECEIVED, reason=NOT_RECEIVED)
    if dossier.missing_documents:
        raise DossierActionRefused(INCOMPLETE)
    if dossier.completeness_checked_at is None:
        raise DossierActionRefused(NOT_CHECKED)
    unit = session.get(Unit, unit_id)
    if unit is None or unit.tenant_id != tenant.id:
        raise DossierActionRefused(UNKNOWN_UNIT)
    _claim(session, dossier, DossierStatus.IN_REVIEW, NOT_RECEIVED)
    dossier.unit = unit
    dossier.transferred_at = utc_now()
    _log(session, tenant, actor, DOSSIER_TRANSFERRED, dossier, unit=unit.name)
    session.flush()
    return dossier


def _approver(session: Session, tenant: Tenant) -> str | None:
    leaders = [c for c in session.scalars(select(Colleague).where(
        Colleague.tenant_id == tenant.id).order_by(Colleague.id)) if c.position.is_leader]
    return leaders[0].full_name if leaders else None


def approve_dossier(session: Session, tenant: Tenant, dossier: Dossier, *,
                    actor: str) -> Dossier:
    """Phê duyệt: the leader approves the unit's proposal; the result is ready."""
    _check_tenant(tenant, dossier)
    _require(dossier, DossierStatus.IN_REVIEW, reason=NOT_IN_REVIEW)
    _claim(session, dossier, DossierStatus.APPROVED, NOT_IN_REVIEW)
    dossier.approved_at = utc_now()
    _log(session, tenant, actor, DOSSIER_APPROVED, dossier, leader=_approver(session, tenant))
    session.flush()
    return dossier


def reject_dossier(session: Session, tenant: Tenant, dossier: Dossier, *, actor: str,
                   reason: str) -> Dossier:
    """Từ chối giải quyết: with the reason in writing, for the citizen."""
    _check_tenant(tenant, dossier)
    _require(dossier, DossierStatus.RECEIVED, DossierStatus.ADDITIONAL_REQUESTED,
             DossierStatus.IN_REVIEW, reason=NOT_RECEIVED)
    text = _clean(reason, MAX_TEXT, required=False)
    if not text:
        raise DossierActionRefused(REASON_REQUIRED)
    _claim(session, dossier, DossierStatus.REJECTED, FINISHED)
    dossier.rejected_at = utc_now()
    dossier.rejection_reason = text
    _log(session, tenant, actor, DOSSIER_REJECTED, dossier, reason=text)
    session.flush()
    return dossier


def collect_fee(session: Session, tenant: Tenant, dossier: Dossier, *, actor: str,
                online: bool, now: datetime | None = None) -> Dossier:
    """Thu phí, lệ phí: online, the desk sends the payment request and the (simulated) gateway
    confirms the citizen's payment at once; or in cash at the counter, with a receipt."""
    _check_tenant(tenant, dossier)
    if dossier.status.is_finished:
        raise DossierActionRefused(FINISHED)
    if dossier.fee <= 0:
        raise DossierActionRefused(NO_FEE)
    if dossier.paid_at is not None:
        raise DossierActionRefused(ALREADY_PAID)
    now = now or utc_now()
    open_statuses = [status for status in DossierStatus if not status.is_finished]
    paid = session.execute(
        update(Dossier).where(Dossier.id == dossier.id, Dossier.paid_at.is_(None),
                              Dossier.status.in_(open_statuses))
        .values(paid_at=now).execution_options(synchronize_session=False))
    if not paid.rowcount:  # paid, returned or rejected by another request meanwhile
        session.refresh(dossier, ["status", "paid_at"])
        raise DossierActionRefused(ALREADY_PAID if dossier.paid_at else FINISHED)
    dossier.paid_at = now
    dossier.paid_online = online
    prefix = "PG" if online else "BL"  # PayGov transaction / biên lai (receipt)
    dossier.payment_reference = f"{prefix}{vietnam_date(now):%y%m%d}{dossier.id:06d}"
    _log(session, tenant, actor, DOSSIER_FEE_PAID, dossier, online=online, amount=dossier.fee,
         reference=dossier.payment_reference,
         confirmed_by=PAYMENT_GATEWAY if online else None)
    session.flush()
    return dossier


def digitise_result(session: Session, tenant: Tenant, dossier: Dossier, *, actor: str,
                    filename: str, data: bytes) -> Dossier:
    """Số hóa kết quả: the scanned result, a real PDF (checked like every upload), kept with
    the dossier (and in the citizen's data store, in the real system)."""
    _check_tenant(tenant, dossier)
    _require(dossier, DossierStatus.APPROVED, reason=NOT_APPROVED)
    try:
        pages = check_pdf(filename, data)
    except DossierActionRefused:
        raise
    except DocumentActionRefused as refused:  # the shared upload checks' reasons
        raise DossierActionRefused(refused.reason) from refused
    # still approved in the database: a result returned meanwhile is not digitised after
    _claim(session, dossier, DossierStatus.APPROVED, NOT_APPROVED)
    dossier.result_pdf = data
    dossier.result_filename = clean_filename(filename)
    dossier.result_digitised = True
    _log(session, tenant, actor, DOSSIER_RESULT_DIGITISED, dossier,
         filename=dossier.result_filename, size=len(data), pages=pages)
    session.flush()
    return dossier


def return_result(session: Session, tenant: Tenant, dossier: Dossier, *, actor: str,
                  now: datetime | None = None) -> Dossier:
    """Trả kết quả: an approved dossier whose fee is paid; on time or late against its due
    date, then the citizen's (simulated) satisfaction rating."""
    _check_tenant(tenant, dossier)
    _require(dossier, DossierStatus.APPROVED, reason=NOT_APPROVED)
    if dossier.fee > 0 and dossier.paid_at is None:
        raise DossierActionRefused(FEE_NOT_PAID)
    _claim(session, dossier, DossierStatus.RETURNED, FINISHED)
    dossier.result_returned_at = now or utc_now()
    on_time = bool(returned_on_time(dossier))
    dossier.satisfaction_rating = citizen_rating(dossier, on_time)
    _log(session, tenant, actor, DOSSIER_RESULT_RETURNED, dossier, on_time=on_time,
         due_date=dossier.due_date.isoformat() if dossier.due_date else None,
         digitised=dossier.result_digitised, paid_online=dossier.paid_online)
    _log(session, tenant, dossier.applicant_name, DOSSIER_RATED, dossier,
         rating=dossier.satisfaction_rating)
    session.flush()
    return dossier


# --- the population database ----------------------------------------------------------------


@dataclass(frozen=True)
class LookupResult:
    lookup: PopulationLookup
    record: PopulationRecord | None
    mismatches: tuple[str, ...]  # fields of the dossier that differ: full_name, date_of_birth,
    # address


def _same_text(left: str, right: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return norm(left) == norm(right)


def compare_with_dossier(record: PopulationRecord, dossier: Dossier) -> tuple[str, ...]:
    mismatches = []
    if record.citizen_id != dossier.citizen_id:
        return ()  # another person named in the dossier: nothing to compare
    if not _same_text(record.full_name, dossier.applicant_name):
        mismatches.append("full_name")
    if record.date_of_birth != dossier.date_of_birth:
        mismatches.append("date_of_birth")
    if not _same_text(record.permanent_address, dossier.address):
        mismatches.append("address")
    return tuple(mismatches)


def look_up_citizen(session: Session, tenant: Tenant, *, actor: str, citizen_id: str,
                    purpose: LookupPurpose | None, dossier: Dossier | None,
                    note: str = "", now: datetime | None = None) -> LookupResult:
    """Tra cứu CSDL quốc gia về dân cư: refused without a purpose, without an open dossier
    of the agency, or with a malformed ID; otherwise logged (whether found or not)."""
    now = now or utc_now()
    if purpose is None:
        raise DossierActionRefused(NO_PURPOSE)
    if dossier is None:
        raise DossierActionRefused(NO_DOSSIER)
    _check_tenant(tenant, dossier)
    if dossier.status.is_finished:
        raise DossierActionRefused(DOSSIER_CLOSED)
    number = checked_citizen_id(citizen_id, vietnam_date(now))
    text = _clean(note, MAX_TEXT, required=False)
    record = session.scalars(select(PopulationRecord).where(
        PopulationRecord.tenant_id == tenant.id,
        PopulationRecord.citizen_id == number)).one_or_none()
    lookup = PopulationLookup(tenant_id=tenant.id, actor=actor, looked_up_at=now,
                              citizen_id=number, purpose=purpose, note=text,
                              dossier_id=dossier.id, found=record is not None)
    session.add(lookup)
    session.flush()
    mismatches = compare_with_dossier(record, dossier) if record is not None else ()
    record_activity(session, tenant, actor, CITIZEN_LOOKED_UP, object_type=DOSSIER,
                    object_id=dossier.id, details={
                        "receipt_number": dossier.receipt_number, "citizen_id": number,
                        "purpose": purpose.value, "note": text, "found": record is not None,
                        "lookup_id": lookup.id, "mismatches": list(mismatches)})
    return LookupResult(lookup, record, mismatches)


def my_lookups(session: Session, tenant: Tenant, actor: str) -> Sequence[PopulationLookup]:
    """The person's own lookups, newest first."""
    return session.scalars(
        select(PopulationLookup).where(PopulationLookup.tenant_id == tenant.id,
                                       PopulationLookup.actor == actor)
        .options(selectinload(PopulationLookup.dossier))
        .order_by(PopulationLookup.looked_up_at.desc(), PopulationLookup.id.desc())).all()


# --- who waits at the counter ---------------------------------------------------------------


@dataclass(frozen=True)
class CounterVisitor:
    """A citizen at the counter with their papers: what they declare on the form (which may
    differ from the population database) and which documents they brought."""

    record: PopulationRecord
    procedure: Procedure
    declared_name: str
    declared_date_of_birth: date
    declared_address: str
    phone: str
    brought: tuple[int, ...]


def counter_queue(session: Session, tenant: Tenant, limit: int = 3) -> list[CounterVisitor]:
    """The next citizens waiting at the counter: people of the population database with no
    dossier yet, each with a procedure and papers fixed by the agency's seed."""
    with_dossier = select(Dossier.citizen_id).where(Dossier.tenant_id == tenant.id)
    records = session.scalars(
        select(PopulationRecord).where(PopulationRecord.tenant_id == tenant.id,
                                       PopulationRecord.citizen_id.not_in(with_dossier))
        .order_by(PopulationRecord.id)).all()
    visitors = []
    for record in records[:limit]:
        rng = random.Random(f"{tenant.seed}|{record.citizen_id}")
        procedure = rng.choice(PROCEDURES[:-1])  # land dossiers go to the land registry office
        brought = tuple(range(len(procedure.documents)))
        if rng.random() < 0.4:  # forgot one paper
            forgotten = rng.randrange(len(procedure.documents))
            brought = tuple(i for i in brought if i != forgotten)
        declared = record.date_of_birth
        phone = f"09{rng.randrange(10_000_000, 99_999_999)}"
        if rng.random() < 0.35:  # writes a wrong day and month on the form (the same year)
            declared = declared.replace(month=declared.month % 12 + 1, day=min(declared.day, 28))
        visitors.append(CounterVisitor(
            record, procedure, record.full_name, declared, record.permanent_address, phone,
            brought))
    return visitors

