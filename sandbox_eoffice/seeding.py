"""Provision a learner's sandbox agency with deterministic, real-looking Vietnamese data.

A tenant holds the agency, 3–6 units, 20–60 colleagues with real positions, and 30–100
incoming documents in every state of their life cycle, each with its history in the activity
log (acted by the fictitious colleagues, never by the learner). The same seed always gives
the same agency, so a trainer's instructions can name things in it.

`generate_tenant` makes the agency as plain rows (no database, no ORM objects);
`provision_tenant` writes them through the ORM for one learner, and
`sandbox_eoffice.province_seed` writes thousands of them in bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any, NamedTuple, Protocol

from faker import Faker
from sqlalchemy import update
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ
from common.text import ascii_fold
from common.working_days import add_working_days
from sample_data import vietnamese_faker, vietnamese_name
from sandbox_eoffice.activity import (
    DOCUMENT_ASSIGNED,
    DOCUMENT_COMPLETED,
    DOCUMENT_RECEIVED,
    DOCUMENT_REGISTERED,
    INCOMING_DOCUMENT,
    INTERCONNECTION_AXIS,
)
from sandbox_eoffice.agencies import (
    DEPARTMENT,
    DEPARTMENTS,
    DISTRICT,
    PROVINCES,
    AgencyKind,
    IssuingAgency,
    Province,
    UnitPlan,
    finance_department,
    provincial_senders,
)
from sandbox_eoffice.mail.seeding import seed_mailbox
from sandbox_eoffice.models import ActivityLog, Agency, Colleague, IncomingDocument, Tenant, Unit
from sandbox_eoffice.one_stop.seeding import seed_dossiers
from sandbox_eoffice.reports.seeding import seed_reports
from sandbox_eoffice.search import search_text_for
from sandbox_eoffice.tenants import get_tenant
from sandbox_eoffice.vocabulary import DocumentStatus, Position, Urgency

UNIT_COUNT = (3, 6)
COLLEAGUE_COUNT = (20, 60)
DOCUMENT_COUNT = (30, 100)  # the Sở Tài chính document included
OLDEST_DOCUMENT_DAYS = 120


@dataclass(frozen=True)
class DocumentTemplate:
    document_type: str
    summary: str
    senders: tuple[str, ...]  # symbols of the agencies that would plausibly send it


# Trích yếu of everyday documents about digital transformation and administration.
DOCUMENT_TEMPLATES: tuple[DocumentTemplate, ...] = (
    DocumentTemplate(
        "Công văn",
        "V/v đôn đốc sử dụng chữ ký số chuyên dùng trong gửi, nhận văn bản điện tử",
        ("BCY", "STTTT", "BTTTT"),
    ),
    DocumentTemplate(
        "Công văn",
        "V/v báo cáo tình hình xử lý văn bản trên hệ thống quản lý văn bản và điều hành "
        "quý {quarter}/{year}",
        ("VPUBND", "STTTT"),
    ),
    DocumentTemplate(
        "Công văn",
        "V/v rà soát, cập nhật tài khoản thư điện tử công vụ",
        ("STTTT", "SNV"),
    ),
    DocumentTemplate(
        "Công văn",
        "V/v tăng cường bảo đảm an toàn thông tin mạng dịp cuối năm",
        ("BTTTT", "STTTT", "UBND"),
    ),
    DocumentTemplate(
        "Công văn",
        "V/v cung cấp số liệu hồ sơ dịch vụ công trực tuyến toàn trình tháng {month}/{year}",
        ("VPUBND", "SKHĐT"),
    ),
    DocumentTemplate(
        "Quyết định",
        "Quyết định ban hành Kế hoạch chuyển đổi số tỉnh {province} năm {year}",
        ("UBND",),
    ),
    DocumentTemplate(
        "Quyết định",
        "Quyết định công bố danh mục thủ tục hành chính được tiếp nhận trực tuyến",
        ("UBND",),
    ),
    DocumentTemplate(
        "Thông báo",
        "Thông báo lịch tập huấn quản lý, sử dụng chữ ký số cho cán bộ, công chức",
        ("STTTT", "SKHCN", "BCY"),
    ),
    DocumentTemplate(
        "Thông báo",
        "Thông báo kết luận của Chủ tịch UBND tỉnh tại cuộc họp về chuyển đổi số",
        ("VPUBND",),
    ),
    DocumentTemplate(
        "Kế hoạch",
        "Kế hoạch tổ chức Cuộc thi trực tuyến tìm hiểu về chuyển đổi số năm {year}",
        ("STTTT", "SNV", "UBND"),
    ),
    DocumentTemplate(
        "Kế hoạch",
        "Kế hoạch bồi dưỡng kỹ năng số cho cán bộ, công chức, viên chức",
        ("SNV", "UBND"),
    ),
    DocumentTemplate(
        "Tờ trình",
        "Tờ trình đề nghị cấp mới chứng thư chữ ký số cho cơ quan sau sắp xếp",
        ("SNV", "STTTT"),
    ),
)

MORE_TEMPLATES: tuple[DocumentTemplate, ...] = (
    DocumentTemplate(
        "Công văn",
        "V/v triển khai gửi, nhận văn bản điện tử qua Trục liên thông văn bản quốc gia",
        ("VPUBND", "STTTT", "BTTTT"),
    ),
    DocumentTemplate(
        "Công văn",
        "V/v gia hạn, thu hồi chứng thư chữ ký số của cơ quan, tổ chức sau sắp xếp",
        ("BCY", "STTTT"),
    ),
    DocumentTemplate(
        "Công văn",
        "V/v cảnh báo chiến dịch thư điện tử giả mạo tấn công các cơ quan nhà nước",
        ("STTTT", "BTTTT"),
    ),
    DocumentTemplate(
        "Công văn",
        "V/v rà soát, chuẩn hóa dữ liệu hồ sơ cán bộ, công chức trên phần mềm quản lý",
        ("SNV",),
    ),
    DocumentTemplate(
        "Báo cáo",
        "Báo cáo kết quả thực hiện cải cách hành chính quý {quarter}/{year}",
        ("SNV", "VPUBND"),
    ),
    DocumentTemplate(
        "Báo cáo",
        "Báo cáo tình hình bảo đảm an toàn thông tin mạng tháng {month}/{year}",
        ("STTTT",),
    ),
    DocumentTemplate(
        "Giấy mời",
        "Giấy mời dự Hội nghị sơ kết công tác chuyển đổi số 6 tháng đầu năm {year}",
        ("UBND", "STTTT"),
    ),
    DocumentTemplate(
        "Giấy mời",
        "Giấy mời dự lớp bồi dưỡng kiến thức an toàn thông tin cho cán bộ chuyên trách",
        ("STTTT", "SNV"),
    ),
    DocumentTemplate(
        "Thông báo",
        "Thông báo tạm dừng hệ thống thư điện tử công vụ để nâng cấp, bảo trì",
        ("STTTT",),
    ),
    DocumentTemplate(
        "Quyết định",
        "Quyết định phê duyệt danh sách cán bộ, công chức tham gia bồi dưỡng kỹ năng số",
        ("UBND", "SNV"),
    ),
    DocumentTemplate(
        "Kế hoạch",
        "Kế hoạch kiểm tra công tác văn thư, lưu trữ năm {year}",
        ("SNV", "UBND"),
    ),
    DocumentTemplate(
        "Công văn",
        "V/v đẩy mạnh thanh toán trực tuyến phí, lệ phí thủ tục hành chính",
        ("VPUBND", "SKHĐT"),
    ),
)

FINANCE_TEMPLATE = DocumentTemplate(
    "Công văn",
    "V/v hướng dẫn xây dựng dự toán ngân sách nhà nước năm {next_year}",
    ("STC",),
)

URGENCY_WEIGHTS: tuple[tuple[Urgency, int], ...] = (
    (Urgency.NORMAL, 6),
    (Urgency.URGENT, 3),
    (Urgency.VERY_URGENT, 1),
    (Urgency.FLASH, 1),
)
_URGENCY_LEVELS = tuple(level for level, _ in URGENCY_WEIGHTS)
_URGENCY_CUMULATIVE = tuple(accumulate(weight for _, weight in URGENCY_WEIGHTS))

RESULT_NOTES: tuple[str, ...] = (
    "Đã tổng hợp, báo cáo theo đề nghị.",
    "Đã triển khai đến các phòng chuyên môn.",
    "Đã cử cán bộ tham dự.",
    "Đã rà soát, cập nhật số liệu và gửi báo cáo.",
)

INSTRUCTIONS: tuple[str, ...] = (
    "Giao chủ trì tham mưu, báo cáo kết quả trước hạn.",
    "Nghiên cứu, đề xuất phương án thực hiện.",
    "Phối hợp tổng hợp số liệu, báo cáo lãnh đạo.",
    "Triển khai thực hiện theo đúng hướng dẫn.",
)


class NameSource(Protocol):
    """Where a tenant's made-up people and streets come from."""

    def person(self, rng: random.Random) -> str:
        """A Vietnamese full name: family name, middle name, given name."""
        ...

    def street(self, rng: random.Random) -> str:
        """A street name, for an address."""
        ...


@dataclass(frozen=True)
class FakerNames:
    """Faker ``vi_VN``, seeded per tenant: what `provision_tenant` uses."""

    faker: Faker

    def person(self, rng: random.Random) -> str:
        return vietnamese_name(self.faker, rng)

    def street(self, rng: random.Random) -> str:
        return self.faker.street_name()


# --- a tenant as plain rows -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgencyRow:
    name: str
    symbol: str
    province: str
    address: str


@dataclass(frozen=True, slots=True, eq=False)
class UnitRow:
    number: int  # its place among the tenant's units, from 0
    name: str
    symbol: str


@dataclass(slots=True, eq=False)
class ColleagueRow:
    full_name: str
    position: Position
    job_title: str
    unit: UnitRow | None  # None for the agency's leaders
    email: str
    number: int = 0  # its place in TenantRows.colleagues, from 0


class SeededStep(NamedTuple):
    """A step of a seeded document's history, written to the activity log."""

    actor: str
    action: str
    at: datetime
    details: dict[str, Any]


@dataclass(slots=True, eq=False)
class DocumentRow:
    """An incoming document with the history of the steps it went through."""

    number_symbol: str
    summary: str
    issuing_agency: str
    document_type: str
    urgency: Urgency
    issued_date: date
    received_date: date
    status: DocumentStatus
    signer_name: str
    signer_title: str
    search_text: str
    steps: list[SeededStep]
    register_year: int | None = None
    register_number: int | None = None
    registered_at: datetime | None = None
    registered_by: str | None = None
    lead_unit: UnitRow | None = None
    assignee: ColleagueRow | None = None
    coordinating_units: list[UnitRow] = field(default_factory=list)
    instruction: str | None = None
    assigned_at: datetime | None = None
    deadline: date | None = None
    completed_at: datetime | None = None
    result_note: str | None = None


@dataclass(slots=True)
class TenantRows:
    """A learner's whole sandbox agency, before it is written to a database."""

    agency: AgencyRow
    units: list[UnitRow]  # the office first
    colleagues: list[ColleagueRow]  # the leaders first, then unit by unit
    documents: list[DocumentRow]  # oldest first; the Sở Tài chính document last


def generate_tenant(
    rng: random.Random,
    names: NameSource,
    today: date,
    *,
    document_count: int | None = None,
) -> TenantRows:
    """A tenant's agency, units, colleagues and documents, drawn from `rng` and `names`.

    `document_count` (at least 1, the Sở Tài chính document included) defaults to a random
    number in DOCUMENT_COUNT.
    """
    province = rng.choice(PROVINCES)
    agency, kind = _make_agency(rng, names, province)
    plans = _choose_units(rng, kind)
    units = [UnitRow(number, plan.name, plan.symbol) for number, plan in enumerate(plans)]
    staff = _make_colleagues(rng, names, kind, list(zip(plans, units, strict=True)),
                             agency.symbol)
    documents = _make_documents(rng, names, province, agency.name, staff, units, today,
                                document_count)
    return TenantRows(agency, units, staff.everyone, documents)


# --- one learner, through the ORM -------------------------------------------------------


def provision_tenant(
    session: Session,
    username: str,
    full_name: str,
    seed: int,
    *,
    today: date | None = None,
) -> Tenant:
    """Create the learner's sandbox agency if missing; idempotent. The caller commits.

    The same seed always gives the same agency, units, colleagues and documents (dates are
    relative to `today`, Vietnam time by default). An existing tenant only gets its full
    name updated.
    """
    tenant = get_tenant(session, username)
    if tenant is not None:
        if full_name and tenant.full_name != full_name:
            tenant.full_name = full_name
        return tenant

    today = today or datetime.now(VIETNAM_TZ).date()
    rows = generate_tenant(random.Random(seed), FakerNames(vietnamese_faker(seed)), today)

    tenant = Tenant(username=username, full_name=full_name or username, seed=seed)
    session.add(tenant)
    session.flush()
    session.add(Agency(tenant_id=tenant.id, name=rows.agency.name, symbol=rows.agency.symbol,
                       province=rows.agency.province, address=rows.agency.address))
    units = [Unit(tenant_id=tenant.id, name=row.name, symbol=row.symbol) for row in rows.units]
    session.add_all(units)
    session.flush()
    colleagues = [
        Colleague(tenant_id=tenant.id, full_name=row.full_name, position=row.position,
                  job_title=row.job_title, unit=units[row.unit.number] if row.unit else None,
                  email=row.email)
        for row in rows.colleagues
    ]
    session.add_all(colleagues)
    session.flush()

    documents = [_incoming_document(tenant, row, units, colleagues) for row in rows.documents]
    session.add_all(documents)
    session.flush()
    session.add_all(
        ActivityLog(
            tenant_id=tenant.id,
            actor=step.actor,
            action=step.action,
            object_type=INCOMING_DOCUMENT,
            object_id=document.id,
            details=step.details,
            created_at=step.at,
        )
        for document, row in zip(documents, rows.documents, strict=True)
        for step in row.steps
    )
    session.flush()
    # the other systems of the agency: official mail, the one-stop desk, periodic reports
    for seed_feature in (seed_mailbox, seed_dossiers, seed_reports):
        seed_feature(session, tenant, seed, today)
        session.flush()
    tenant.systems_version = SYSTEMS_VERSION
    return tenant


#: 1: official mail, the one-stop desk and the periodic reports (migrations 0007-0009)
SYSTEMS_VERSION = 1


def seed_missing_systems(session: Session, tenant: Tenant, *, today: date | None = None) -> bool:
    """Give a sandbox made before the agency's other systems existed what a new one starts
    with (deterministic from its own seed); True if it was given them now. The caller
    commits. A conditional UPDATE claims the tenant first, so two first requests at once
    (two tabs) seed once: the second waits for the first's commit, then finds it done."""
    if tenant.systems_version >= SYSTEMS_VERSION:
        return False
    claimed = session.execute(
        update(Tenant).where(Tenant.id == tenant.id, Tenant.systems_version < SYSTEMS_VERSION)
        .values(systems_version=SYSTEMS_VERSION)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        session.refresh(tenant, ["systems_version"])
        return False
    tenant.systems_version = SYSTEMS_VERSION
    today = today or datetime.now(VIETNAM_TZ).date()
    for seed_feature in (seed_mailbox, seed_dossiers, seed_reports):
        seed_feature(session, tenant, tenant.seed, today)
        session.flush()
    return True


def _incoming_document(
    tenant: Tenant, row: DocumentRow, units: list[Unit], colleagues: list[Colleague]
) -> IncomingDocument:
    return IncomingDocument(
        tenant_id=tenant.id,
        number_symbol=row.number_symbol,
        summary=row.summary,
        issuing_agency=row.issuing_agency,
        document_type=row.document_type,
        urgency=row.urgency,
        issued_date=row.issued_date,
        received_date=row.received_date,
        status=row.status,
        signer_name=row.signer_name,
        signer_title=row.signer_title,
        search_text=row.search_text,
        register_year=row.register_year,
        register_number=row.register_number,
        registered_at=row.registered_at,
        registered_by=row.registered_by,
        lead_unit=units[row.lead_unit.number] if row.lead_unit else None,
        assignee=colleagues[row.assignee.number] if row.assignee else None,
        coordinating_units=[units[unit.number] for unit in row.coordinating_units],
        instruction=row.instruction,
        assigned_at=row.assigned_at,
        deadline=row.deadline,
        completed_at=row.completed_at,
        result_note=row.result_note,
    )


def seed_for_username(username: str, base_seed: int = 0) -> int:
    """A stable seed for tenants created on first login (no seed given by the lead)."""
    value = base_seed
    for byte in username.encode("utf-8"):
        value = (value * 131 + byte) % 2_147_483_647
    return value


# --- the generators ---------------------------------------------------------------------


def _street_address(rng: random.Random, names: NameSource) -> str:
    """"Số 12 đường Hùng Vương": a house number and a street, as on a letterhead."""
    return f"Số {rng.randint(1, 250)} đường {names.street(rng)}"


def _make_agency(
    rng: random.Random, names: NameSource, province: Province
) -> tuple[AgencyRow, AgencyKind]:
    if rng.random() < 0.5:
        district = rng.choice(province.districts)
        agency = AgencyRow(
            name=f"UBND huyện {district}",
            symbol="UBND",
            province=province.name,
            address=f"{_street_address(rng, names)}, thị trấn {district}, huyện {district}, "
            f"tỉnh {province.name}",
        )
        return agency, DISTRICT
    name, symbol = rng.choice(DEPARTMENTS)
    agency = AgencyRow(
        name=f"{name} tỉnh {province.name}",
        symbol=symbol,
        province=province.name,
        address=f"{_street_address(rng, names)}, phường {rng.choice(province.wards)}, "
        f"{province.city}, tỉnh {province.name}",
    )
    return agency, DEPARTMENT


def _choose_units(rng: random.Random, kind: AgencyKind) -> list[UnitPlan]:
    count = rng.randint(*UNIT_COUNT)
    others = rng.sample(kind.other_units, count - 1)
    return [kind.office, *sorted(others, key=kind.other_units.index)]


@lru_cache(maxsize=8192)
def _email_local_part(full_name: str) -> str:
    ascii_name = ascii_fold(full_name).lower().split()
    return ascii_name[-1] + "".join(part[0] for part in ascii_name[:-1])


def _email_for(full_name: str, domain_symbol: str, taken: set[str]) -> str:
    local = _email_local_part(full_name)
    candidate, counter = local, 1
    while candidate in taken:
        counter += 1
        candidate = f"{local}{counter}"
    taken.add(candidate)
    domain = ascii_fold(domain_symbol).lower()
    return f"{candidate}@{domain}.sandbox.gov.vn"


@dataclass
class Staff:
    """The agency's people, by the part they play in the document flow."""

    leaders: list[ColleagueRow]  # head first
    clerks: list[ColleagueRow]
    by_unit: dict[int, list[ColleagueRow]]  # unit number → its people, head first

    @property
    def everyone(self) -> list[ColleagueRow]:
        return [*self.leaders, *(c for people in self.by_unit.values() for c in people)]


def _make_colleagues(
    rng: random.Random,
    names: NameSource,
    kind: AgencyKind,
    units: list[tuple[UnitPlan, UnitRow]],
    agency_symbol: str,
) -> Staff:
    taken: set[str] = set()

    def person(position: Position, title: str, unit: UnitRow | None) -> ColleagueRow:
        name = names.person(rng)
        return ColleagueRow(name, position, title, unit, _email_for(name, agency_symbol, taken))

    total = rng.randint(*COLLEAGUE_COUNT)
    leaders = [person(Position.HEAD, kind.head_title, None)] + [
        person(Position.DEPUTY_HEAD, kind.deputy_title, None) for _ in range(rng.randint(2, 3))
    ]
    by_unit: dict[int, list[ColleagueRow]] = {}
    clerks: list[ColleagueRow] = []
    for plan, unit in units:
        people = [person(*plan.head, unit), person(*plan.deputy, unit)]
        if plan.is_office:
            clerks = [person(Position.CLERK, "Văn thư", unit) for _ in range(rng.randint(1, 2))]
            people += clerks
        by_unit[unit.number] = people
    placed = len(leaders) + sum(len(people) for people in by_unit.values())
    for _ in range(max(0, total - placed)):
        plan, unit = rng.choice(units)
        by_unit[unit.number].append(person(*plan.staff, unit))
    staff = Staff(leaders, clerks, by_unit)
    for number, colleague in enumerate(staff.everyone):
        colleague.number = number
    return staff


def _number_symbol(rng: random.Random, sender: IssuingAgency) -> str:
    return f"{rng.randint(12, 2980)}/{sender.symbol}-{rng.choice(sender.units)}"


def _urgency(rng: random.Random) -> Urgency:
    return rng.choices(_URGENCY_LEVELS, cum_weights=_URGENCY_CUMULATIVE)[0]


def _summary(template: DocumentTemplate, province: Province, issued: date) -> str:
    return template.summary.format(
        year=issued.year,
        next_year=issued.year + 1,
        quarter=(issued.month - 1) // 3 + 1,
        month=issued.month,
        province=province.name,
    )


def _signer(rng: random.Random, names: NameSource, sender: IssuingAgency) -> tuple[str, str]:
    """The name and the signing block (thẩm quyền, chức vụ) of the sender's signer."""
    name = names.person(rng)
    if rng.random() < 0.6:
        return name, f"KT. {sender.head_title} / {sender.deputy_title}"
    return name, sender.head_title


def _at(day: date, rng: random.Random) -> datetime:
    """A moment in office hours on `day`, Vietnam time."""
    return datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59)), VIETNAM_TZ)


# a pure function of small arguments, called for every seeded document
_add_working_days = lru_cache(maxsize=16384)(add_working_days)


def _status_for(rng: random.Random, newest_rank: int, age: int) -> DocumentStatus:
    """Older documents are further along; the newest few always wait for the learner."""
    if newest_rank < 3:
        return DocumentStatus.RECEIVED
    if newest_rank < 6:
        return DocumentStatus.REGISTERED
    if age <= 10:
        return rng.choice((DocumentStatus.RECEIVED, DocumentStatus.REGISTERED,
                           DocumentStatus.ASSIGNED))
    if age <= 40:
        return rng.choices((DocumentStatus.REGISTERED, DocumentStatus.ASSIGNED,
                            DocumentStatus.DONE), weights=(1, 3, 2))[0]
    return rng.choices((DocumentStatus.ASSIGNED, DocumentStatus.DONE), weights=(1, 9))[0]


def _make_documents(
    rng: random.Random,
    names: NameSource,
    province: Province,
    own_agency: str,
    staff: Staff,
    units: list[UnitRow],
    today: date,
    document_count: int | None = None,
) -> list[DocumentRow]:
    senders = {
        sender.symbol: sender
        for sender in provincial_senders(province.name)
        if sender.name != own_agency
    }
    templates = (*DOCUMENT_TEMPLATES, *MORE_TEMPLATES)
    if document_count is None:
        count = rng.randint(*DOCUMENT_COUNT) - 1
    elif document_count < 1:
        raise ValueError(f"a tenant has at least 1 document, not {document_count}")
    else:
        count = document_count - 1
    # oldest first, so register numbers follow the order documents arrived
    ages = sorted((rng.randint(1, OLDEST_DOCUMENT_DAYS) for _ in range(count)), reverse=True)
    register: dict[int, int] = {}
    seeded = []
    for index, age in enumerate(ages):
        template = rng.choice(templates)
        candidates = [senders[symbol] for symbol in template.senders if symbol in senders]
        sender = rng.choice(candidates or list(senders.values()))
        status = _status_for(rng, count - 1 - index, age)
        seeded.append(_document(rng, names, province, template, sender, today - timedelta(
            days=age), status, staff, units, register))

    finance = finance_department(province.name)
    received = today - timedelta(days=1)
    document = _document(rng, names, province, FINANCE_TEMPLATE, finance, received,
                         DocumentStatus.RECEIVED, staff, units, register)
    document.urgency = Urgency.URGENT
    seeded.append(document)
    return seeded


def _document(
    rng: random.Random,
    names: NameSource,
    province: Province,
    template: DocumentTemplate,
    sender: IssuingAgency,
    received: date,
    status: DocumentStatus,
    staff: Staff,
    units: list[UnitRow],
    register: dict[int, int],
) -> DocumentRow:
    issued = received - timedelta(days=rng.randint(0, 3))
    signer_name, signer_title = _signer(rng, names, sender)
    number_symbol = _number_symbol(rng, sender)
    summary = _summary(template, province, issued)
    urgency = _urgency(rng)
    arrived = _at(received, rng)
    document = DocumentRow(
        number_symbol=number_symbol,
        summary=summary,
        issuing_agency=sender.name,
        document_type=template.document_type,
        urgency=urgency,
        issued_date=issued,
        received_date=received,
        status=status,
        signer_name=signer_name,
        signer_title=signer_title,
        search_text=search_text_for(number_symbol, summary),
        steps=[SeededStep(INTERCONNECTION_AXIS, DOCUMENT_RECEIVED, arrived,
                          {"number_symbol": number_symbol, "issuing_agency": sender.name})],
    )
    steps = document.steps
    if status is DocumentStatus.RECEIVED:
        return document

    clerk = rng.choice(staff.clerks)
    register[received.year] = register.get(received.year, 0) + 1
    registered_at = arrived + timedelta(minutes=rng.randint(5, 90))
    document.register_year = received.year
    document.register_number = register[received.year]
    document.registered_at = registered_at
    document.registered_by = clerk.full_name
    steps.append(SeededStep(clerk.full_name, DOCUMENT_REGISTERED, registered_at, {
        "register_year": received.year, "register_number": document.register_number}))
    if status is DocumentStatus.REGISTERED:
        return document

    leader = rng.choice(staff.leaders)
    lead_unit = rng.choice(units[1:] or units)
    people = staff.by_unit[lead_unit.number]
    assigned_day = _add_working_days(received, rng.randint(0, 1))
    assignee = rng.choice(people[:1] + people[2:] if len(people) > 2 else people)
    coordinating = rng.sample(
        [unit for unit in units if unit is not lead_unit], rng.randint(0, min(2, len(units) - 1))
    )
    instruction = rng.choice(INSTRUCTIONS)
    assigned_at = max(_at(assigned_day, rng), registered_at + timedelta(hours=1))
    deadline = _add_working_days(assigned_day, rng.choice((3, 5, 7, 10, 15)))
    document.lead_unit = lead_unit
    document.assignee = assignee
    document.coordinating_units = coordinating
    document.instruction = instruction
    document.assigned_at = assigned_at
    document.deadline = deadline
    steps.append(SeededStep(leader.full_name, DOCUMENT_ASSIGNED, assigned_at, {
        "lead_unit": lead_unit.name, "assignee": assignee.full_name,
        "coordinating_units": [unit.name for unit in coordinating],
        "deadline": deadline.isoformat(), "instruction": instruction}))
    if status is DocumentStatus.ASSIGNED:
        return document

    finished = min(deadline, _add_working_days(assigned_day, rng.randint(1, 8)))
    document.completed_at = max(_at(finished, rng), assigned_at + timedelta(hours=1))
    document.result_note = rng.choice(RESULT_NOTES)
    steps.append(SeededStep(assignee.full_name, DOCUMENT_COMPLETED,
                            document.completed_at, {"result_note": document.result_note}))
    return document
