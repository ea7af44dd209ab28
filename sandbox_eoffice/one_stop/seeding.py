"""What a new sandbox agency starts with in the one-stop feature (deterministic per seed):
about sixteen dossiers in every state and both channels (some overdue, some finished on time
and one late, one refused), each with its history, and the simulated population database:
every applicant, two of them with a deliberate difference from what the dossier declares
(a date of birth, an address) for the learner to notice, and a few citizens who will come to
the counter. Dates are relative to `today`; people come from Faker vi_VN.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ
from common.working_days import add_working_days, is_working_day
from sample_data import sample_person, vietnamese_faker
from sandbox_eoffice.agencies import PROVINCES, Province
from sandbox_eoffice.models import ActivityLog, Colleague, Tenant, Unit
from sandbox_eoffice.one_stop.citizen_id import PROVINCE_CODES, Sex, make_citizen_id
from sandbox_eoffice.one_stop.dossiers import (
    DOSSIER,
    DOSSIER_ADDITIONAL_REQUESTED,
    DOSSIER_APPROVED,
    DOSSIER_CHECKED,
    DOSSIER_FEE_PAID,
    DOSSIER_RATED,
    DOSSIER_RECEIVED,
    DOSSIER_REJECTED,
    DOSSIER_RESULT_DIGITISED,
    DOSSIER_RESULT_RETURNED,
    DOSSIER_TRANSFERRED,
    PAYMENT_GATEWAY,
    PUBLIC_SERVICE_PORTAL,
    citizen_rating,
    due_date_from,
)
from sandbox_eoffice.one_stop.models import (
    Channel,
    Dossier,
    DossierDocument,
    DossierStatus,
    PopulationRecord,
)
from sandbox_eoffice.one_stop.procedures import PROCEDURES, Procedure, procedure_for

ONLINE_SHARE = 0.75  # the provinces report 60–80% of dossiers received online
WALK_IN_CITIZENS = 4


@dataclass(frozen=True)
class _Plan:
    """One seeded dossier: its final status and how its story goes."""

    status: DossierStatus
    overdue: bool = False
    late: bool = False
    missing_document: bool = False
    mismatch: str | None = None  # "date_of_birth" or "address": the database differs
    procedure: str | None = None  # a fixed procedure, else drawn


PLANS: tuple[_Plan, ...] = (
    _Plan(DossierStatus.RECEIVED, missing_document=True, procedure="KD-HKD"),
    _Plan(DossierStatus.RECEIVED, mismatch="date_of_birth", procedure="HT-XNHN"),
    _Plan(DossierStatus.RECEIVED, mismatch="address"),
    _Plan(DossierStatus.RECEIVED),
    _Plan(DossierStatus.ADDITIONAL_REQUESTED, missing_document=True),
    _Plan(DossierStatus.IN_REVIEW, overdue=True),
    _Plan(DossierStatus.IN_REVIEW),
    _Plan(DossierStatus.IN_REVIEW, procedure="DD-GCN"),
    _Plan(DossierStatus.APPROVED, procedure="LLTP"),
    _Plan(DossierStatus.APPROVED, overdue=True),
    _Plan(DossierStatus.RETURNED),
    _Plan(DossierStatus.RETURNED),
    _Plan(DossierStatus.RETURNED),
    _Plan(DossierStatus.RETURNED),
    _Plan(DossierStatus.RETURNED, late=True),
    _Plan(DossierStatus.REJECTED),
)


@dataclass
class _Story:
    """The seeded dossier's history: (moment, actor, action, details)."""

    steps: list[tuple[datetime, str, str, dict[str, object]]] = field(default_factory=list)

    def add(self, at: datetime, actor: str, action: str, **details: object) -> None:
        self.steps.append((at, actor, action, details))


def _at(day: date, rng: random.Random, earliest: int = 7, latest: int = 16) -> datetime:
    return datetime.combine(day, time(rng.randint(earliest, latest), rng.randint(0, 59)),
                            VIETNAM_TZ)


def _province(tenant: Tenant) -> Province:
    name = tenant.agency.province if tenant.agency else PROVINCES[0].name
    return next((p for p in PROVINCES if p.name == name), PROVINCES[0])


def _province_code(name: str) -> str:
    return next((code for code, province in PROVINCE_CODES.items() if province == name), "001")


def _working_day_before(day: date, rng: random.Random, spread: int) -> date:
    """A working day `spread` calendar days or so before `day`."""
    candidate = day - timedelta(days=spread)
    while not is_working_day(candidate):
        candidate -= timedelta(days=1)
    return candidate


class _People:
    """Made-up citizens of the province (Faker vi_VN, seeded), with unique citizen IDs."""

    def __init__(self, seed: int, rng: random.Random, province: Province, today: date) -> None:
        self.faker = vietnamese_faker(seed * 31 + 8)
        self.rng = rng
        self.province = province
        self.today = today
        self.home_code = _province_code(province.name)
        self.taken: set[str] = set()

    def citizen(self) -> PopulationRecord:
        rng = self.rng
        person = sample_person(self.faker, rng)
        sex = Sex.MALE if person.gender.value == "male" else Sex.FEMALE
        born = self.today - timedelta(days=rng.randint(19 * 365, 72 * 365))
        born_in = self.home_code if rng.random() < 0.8 else rng.choice(sorted(PROVINCE_CODES))
        number = make_citizen_id(born_in, sex, born.year, rng.randrange(1_000_000))
        while number in self.taken:
            number = make_citizen_id(born_in, sex, born.year, rng.randrange(1_000_000))
        self.taken.add(number)
        district = rng.choice(self.province.districts)
        hometown = (f"huyện {district}, tỉnh {self.province.name}" if born_in == self.home_code
                    else f"tỉnh {PROVINCE_CODES[born_in]}")
        return PopulationRecord(citizen_id=number, full_name=person.full_name,
                                date_of_birth=born, sex=sex, hometown=hometown,
                                permanent_address=self.address())

    def address(self) -> str:
        rng = self.rng
        return (f"Số {rng.randint(1, 250)} đường {self.faker.street_name()}, phường "
                f"{rng.choice(self.province.wards)}, {self.province.city}, tỉnh "
                f"{self.province.name}")

    def phone(self) -> str:
        return f"0{self.rng.choice((3, 8, 9))}{self.rng.randrange(10_000_000, 99_999_999)}"


def _officers(session: Session, tenant: Tenant) -> tuple[list[str], list[Unit]]:
    colleagues = session.scalars(select(Colleague).where(Colleague.tenant_id == tenant.id)
                                 .order_by(Colleague.id)).all()
    units = list(session.scalars(select(Unit).where(Unit.tenant_id == tenant.id)
                                 .order_by(Unit.id)).all())
    names = [c.full_name for c in colleagues if not c.position.is_leader] or ["Cán bộ một cửa"]
    return names, units


def _choose_procedure(rng: random.Random, plan: _Plan) -> Procedure:
    if plan.procedure:
        procedure = procedure_for(plan.procedure)
        assert procedure is not None
        return procedure
    short = [p for p in PROCEDURES if p.processing_days <= 10]
    if plan.status is DossierStatus.RETURNED:
        return rng.choice(short)
    return rng.choice([p for p in short if p.processing_days <= 5])


def _received_day(rng: random.Random, plan: _Plan, procedure: Procedure, today: date) -> date:
    """When the dossier came in, so that its story fits before `today`."""
    days = procedure.processing_days
    if plan.status is DossierStatus.RECEIVED:
        candidate = _working_day_before(today, rng, rng.randint(1, 2))
        while due_date_from(candidate, procedure) < today:
            candidate += timedelta(days=1)
        return candidate
    if plan.overdue:
        candidate = _working_day_before(today, rng, int(days * 1.4) + rng.randint(5, 9))
        while due_date_from(candidate, procedure) >= today:
            candidate -= timedelta(days=1)
        return candidate
    if plan.status in (DossierStatus.RETURNED, DossierStatus.REJECTED):
        candidate = _working_day_before(today, rng, int(days * 1.4) + rng.randint(8, 40))
        while add_working_days(due_date_from(candidate, procedure), 3) >= today:
            candidate -= timedelta(days=1)
        return candidate
    # in progress, not yet due: well inside the processing time
    candidate = _working_day_before(today, rng, rng.randint(1, max(1, days // 3)))
    while due_date_from(candidate, procedure) < today:
        candidate += timedelta(days=1)
    return candidate


def seed_dossiers(session: Session, tenant: Tenant, seed: int, today: date) -> None:
    """Called by `provision_tenant` for every new tenant; the caller commits."""
    rng = random.Random(seed * 7_919 + 8)
    people = _People(seed, rng, _province(tenant), today)
    officers, units = _officers(session, tenant)
    symbol = tenant.agency.symbol if tenant.agency else "MC"
    daily: dict[date, int] = {}
    records: list[PopulationRecord] = []
    stories: list[tuple[Dossier, _Story]] = []
    for plan in PLANS:
        procedure = _choose_procedure(rng, plan)
        record = people.citizen()
        records.append(record)
        day = _received_day(rng, plan, procedure, today)
        channel = Channel.ONLINE if rng.random() < ONLINE_SHARE else Channel.COUNTER
        received_at = _at(day, rng, 7, 15)
        daily[day] = daily.get(day, 0) + 1
        dossier = Dossier(
            tenant_id=tenant.id, receipt_number=f"{symbol}-{day:%y%m%d}-{daily[day]:04d}",
            procedure_code=procedure.code, channel=channel, status=plan.status,
            applicant_name=record.full_name, citizen_id=record.citizen_id,
            date_of_birth=record.date_of_birth, address=record.permanent_address,
            phone=people.phone(), received_at=received_at,
            received_by=PUBLIC_SERVICE_PORTAL if channel is Channel.ONLINE
            else rng.choice(officers),
            due_date=due_date_from(day, procedure), fee=procedure.fee)
        missing = rng.randrange(len(procedure.documents)) if plan.missing_document else None
        dossier.documents = [
            DossierDocument(tenant_id=tenant.id, position=index, name=name,
                            provided=index != missing)
            for index, name in enumerate(procedure.documents)]
        _deliberate_mismatch(rng, people, plan, record, dossier)
        stories.append((dossier, _story(rng, plan, procedure, dossier, officers, units, today)))
    for _ in range(WALK_IN_CITIZENS):
        records.append(people.citizen())
    for record in records:
        record.tenant_id = tenant.id
    session.add_all(records)
    session.add_all(dossier for dossier, _ in stories)
    session.flush()
    session.add_all(
        ActivityLog(tenant_id=tenant.id, actor=actor, action=action, object_type=DOSSIER,
                    object_id=dossier.id, created_at=at,
                    details={"receipt_number": dossier.receipt_number,
                             "procedure": dossier.procedure_code, **details})
        for dossier, story in stories for at, actor, action, details in story.steps)


def _deliberate_mismatch(rng: random.Random, people: _People, plan: _Plan,
                         record: PopulationRecord, dossier: Dossier) -> None:
    """What the citizen declared differs from the population database."""
    if plan.mismatch == "date_of_birth":
        # the same year (the citizen ID agrees), another day and month
        declared = record.date_of_birth.replace(month=(record.date_of_birth.month % 12) + 1,
                                                day=min(record.date_of_birth.day, 28))
        dossier.date_of_birth = declared
    elif plan.mismatch == "address":
        dossier.address = people.address()


def _pay(dossier: Dossier, story: _Story, at: datetime, *, online: bool, reference: str,
         officer: str) -> None:
    dossier.paid_at, dossier.paid_online, dossier.payment_reference = at, online, reference
    story.add(at, PAYMENT_GATEWAY if online else officer, DOSSIER_FEE_PAID, online=online,
              amount=dossier.fee, reference=reference)


def _story(rng: random.Random, plan: _Plan, procedure: Procedure, dossier: Dossier,
           officers: list[str], units: list[Unit], today: date) -> _Story:
    """Fill in the dossier's steps up to its status, with their history."""
    story = _Story()
    officer = rng.choice(officers)
    received_at = dossier.received_at
    day = received_at.astimezone(VIETNAM_TZ).date()
    story.add(received_at, dossier.received_by, DOSSIER_RECEIVED, channel=dossier.channel.value,
              due_date=dossier.due_date.isoformat() if dossier.due_date else None,
              documents_missing=len(dossier.missing_documents))
    status = plan.status
    if (procedure.fee and dossier.channel is Channel.ONLINE
            and status is not DossierStatus.REJECTED and rng.random() < 0.8):
        # on the portal the citizen usually pays when submitting
        _pay(dossier, story, received_at + timedelta(minutes=rng.randint(1, 9)), online=True,
             reference=f"PG{rng.randrange(10**9):09d}", officer=officer)
    if status is DossierStatus.RECEIVED:
        return story
    checked_at = received_at + timedelta(minutes=rng.randint(10, 90))
    missing = [d.name for d in dossier.documents if not d.provided]
    story.add(checked_at, officer, DOSSIER_CHECKED, complete=not missing, missing=missing)
    if status is DossierStatus.ADDITIONAL_REQUESTED:
        dossier.status = status
        dossier.additional_request = "\n".join(missing)
        dossier.due_date = None
        story.add(checked_at + timedelta(minutes=5), officer, DOSSIER_ADDITIONAL_REQUESTED,
                  missing=missing, note="")
        return story
    dossier.completeness_checked_at = checked_at
    due = dossier.due_date
    assert due is not None
    if status is DossierStatus.REJECTED:
        dossier.rejected_at = checked_at + timedelta(days=rng.randint(1, 2))
        dossier.rejection_reason = ("Thửa đất/ nội dung đề nghị không thuộc thẩm quyền giải "
                                    "quyết; hướng dẫn công dân nộp tại cơ quan có thẩm quyền.")
        story.add(dossier.rejected_at, officer, DOSSIER_REJECTED,
                  reason=dossier.rejection_reason)
        return story
    unit = rng.choice(units) if units else None
    dossier.unit_id = unit.id if unit else None
    dossier.transferred_at = checked_at + timedelta(minutes=rng.randint(20, 180))
    story.add(dossier.transferred_at, officer, DOSSIER_TRANSFERRED,
              unit=unit.name if unit else None)
    if status is DossierStatus.IN_REVIEW:
        return story
    # approved on or before the due date, unless late or overdue
    if plan.late:
        approved_day = add_working_days(due, 1)
    elif plan.overdue:
        approved_day = add_working_days(due, 0)
    else:
        approved_day = add_working_days(day, max(0, procedure.processing_days - 1))
    approved_day = min(approved_day, today)
    dossier.approved_at = max(_at(approved_day, rng, 8, 11), dossier.transferred_at)
    story.add(dossier.approved_at, "Lãnh đạo cơ quan", DOSSIER_APPROVED)
    if procedure.fee and dossier.paid_at is None and (
            status is DossierStatus.RETURNED or rng.random() < 0.5):
        online = rng.random() < 0.4  # a QR code at the counter, or cash with a receipt
        _pay(dossier, story, dossier.approved_at + timedelta(minutes=rng.randint(5, 120)),
             online=online, reference=f"{'PG' if online else 'BL'}{rng.randrange(10**9):09d}",
             officer=officer)
    if status is DossierStatus.APPROVED:
        return story
    returned_day = add_working_days(due, rng.randint(1, 3)) if plan.late else min(
        add_working_days(approved_day, 0), due)
    returned_day = min(returned_day, today)
    returned_at = max(_at(returned_day, rng, 13, 16), dossier.approved_at)
    if rng.random() < 0.9:
        dossier.result_digitised = True
        dossier.result_filename = f"ket-qua-{dossier.receipt_number}.pdf"
        story.add(returned_at - timedelta(minutes=30), officer, DOSSIER_RESULT_DIGITISED,
                  filename=dossier.result_filename)
    dossier.result_returned_at = returned_at
    on_time = returned_at.astimezone(VIETNAM_TZ).date() <= due
    dossier.satisfaction_rating = citizen_rating(dossier, on_time)
    story.add(returned_at, officer, DOSSIER_RESULT_RETURNED, on_time=on_time,
              due_date=due.isoformat(), digitised=dossier.result_digitised,
              paid_online=dossier.paid_online)
    story.add(returned_at + timedelta(hours=2), dossier.applicant_name, DOSSIER_RATED,
              rating=dossier.satisfaction_rating)
    return story
