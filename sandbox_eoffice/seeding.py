"""Provision a learner's sandbox agency with deterministic, real-looking Vietnamese data.

A tenant holds the agency, 3–6 units, 20–60 colleagues with real positions, and 30–100
incoming documents in every state of their life cycle, each with its history in the activity
log (acted by the fictitious colleagues, never by the learner). The same seed always gives
the same agency, so a trainer's instructions can name things in it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from faker import Faker
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
from sandbox_eoffice.models import ActivityLog, Agency, Colleague, IncomingDocument, Tenant, Unit
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
    faker = vietnamese_faker(seed)
    rng = random.Random(seed)

    tenant = Tenant(username=username, full_name=full_name or username, seed=seed)
    session.add(tenant)
    session.flush()
    province = rng.choice(PROVINCES)
    agency, kind = _make_agency(rng, faker, province)
    agency.tenant_id = tenant.id
    session.add(agency)
    plans = _choose_units(rng, kind)
    units = [Unit(tenant_id=tenant.id, name=plan.name, symbol=plan.symbol) for plan in plans]
    session.add_all(units)
    session.flush()
    staff = _make_colleagues(rng, faker, kind, list(zip(plans, units, strict=True)),
                             agency.symbol)
    for colleague in staff.everyone:
        colleague.tenant_id = tenant.id
    session.add_all(staff.everyone)
    session.flush()

    seeded = _make_documents(rng, faker, province, agency.name, staff, units, today)
    for document, _ in seeded:
        document.tenant_id = tenant.id
    session.add_all([document for document, _ in seeded])
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
        for document, steps in seeded
        for step in steps
    )
    session.flush()
    return tenant


def seed_for_username(username: str, base_seed: int = 0) -> int:
    """A stable seed for tenants created on first login (no seed given by the lead)."""
    value = base_seed
    for byte in username.encode("utf-8"):
        value = (value * 131 + byte) % 2_147_483_647
    return value


def _street_address(rng: random.Random, faker: Faker) -> str:
    """"Số 12 đường Hùng Vương": a house number and a street, as on a letterhead."""
    return f"Số {rng.randint(1, 250)} đường {faker.street_name()}"


def _make_agency(rng: random.Random, faker: Faker, province: Province) -> tuple[Agency, AgencyKind]:
    if rng.random() < 0.5:
        district = rng.choice(province.districts)
        agency = Agency(
            name=f"UBND huyện {district}",
            symbol="UBND",
            province=province.name,
            address=f"{_street_address(rng, faker)}, thị trấn {district}, huyện {district}, "
            f"tỉnh {province.name}",
        )
        return agency, DISTRICT
    name, symbol = rng.choice(DEPARTMENTS)
    agency = Agency(
        name=f"{name} tỉnh {province.name}",
        symbol=symbol,
        province=province.name,
        address=f"{_street_address(rng, faker)}, phường {rng.choice(province.wards)}, "
        f"{province.city}, tỉnh {province.name}",
    )
    return agency, DEPARTMENT


def _choose_units(rng: random.Random, kind: AgencyKind) -> list[UnitPlan]:
    count = rng.randint(*UNIT_COUNT)
    others = rng.sample(kind.other_units, count - 1)
    return [kind.office, *sorted(others, key=kind.other_units.index)]


def _email_for(full_name: str, domain_symbol: str, taken: set[str]) -> str:
    ascii_name = ascii_fold(full_name).lower().split()
    local = ascii_name[-1] + "".join(part[0] for part in ascii_name[:-1])
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

    leaders: list[Colleague]  # head first
    clerks: list[Colleague]
    by_unit: dict[int, list[Colleague]]  # unit id → its people, head first

    @property
    def everyone(self) -> list[Colleague]:
        return [*self.leaders, *(c for people in self.by_unit.values() for c in people)]


def _make_colleagues(
    rng: random.Random,
    faker: Faker,
    kind: AgencyKind,
    units: list[tuple[UnitPlan, Unit]],
    agency_symbol: str,
) -> Staff:
    taken: set[str] = set()

    def person(position: Position, title: str, unit: Unit | None) -> Colleague:
        name = vietnamese_name(faker, rng)
        return Colleague(full_name=name, position=position, job_title=title, unit=unit,
                         unit_id=unit.id if unit else None,
                         email=_email_for(name, agency_symbol, taken))

    total = rng.randint(*COLLEAGUE_COUNT)
    leaders = [person(Position.HEAD, kind.head_title, None)] + [
        person(Position.DEPUTY_HEAD, kind.deputy_title, None) for _ in range(rng.randint(2, 3))
    ]
    by_unit: dict[int, list[Colleague]] = {}
    clerks: list[Colleague] = []
    for plan, unit in units:
        people = [person(*plan.head, unit), person(*plan.deputy, unit)]
        if plan.is_office:
            clerks = [person(Position.CLERK, "Văn thư", unit) for _ in range(rng.randint(1, 2))]
            people += clerks
        by_unit[unit.id] = people
    placed = len(leaders) + sum(len(people) for people in by_unit.values())
    for _ in range(max(0, total - placed)):
        plan, unit = rng.choice(units)
        by_unit[unit.id].append(person(*plan.staff, unit))
    return Staff(leaders, clerks, by_unit)


def _number_symbol(rng: random.Random, sender: IssuingAgency) -> str:
    return f"{rng.randint(12, 2980)}/{sender.symbol}-{rng.choice(sender.units)}"


def _urgency(rng: random.Random) -> Urgency:
    levels, weights = zip(*URGENCY_WEIGHTS, strict=True)
    return rng.choices(levels, weights=weights)[0]


def _summary(template: DocumentTemplate, province: Province, issued: date) -> str:
    return template.summary.format(
        year=issued.year,
        next_year=issued.year + 1,
        quarter=(issued.month - 1) // 3 + 1,
        month=issued.month,
        province=province.name,
    )


def _signer(rng: random.Random, faker: Faker, sender: IssuingAgency) -> tuple[str, str]:
    """The name and the signing block (thẩm quyền, chức vụ) of the sender's signer."""
    name = vietnamese_name(faker, rng)
    if rng.random() < 0.6:
        return name, f"KT. {sender.head_title} / {sender.deputy_title}"
    return name, sender.head_title


@dataclass(frozen=True)
class SeededStep:
    """A step of a seeded document's history, written to the activity log."""

    actor: str
    action: str
    at: datetime
    details: dict[str, object]


def _at(day: date, rng: random.Random) -> datetime:
    """A moment in office hours on `day`, Vietnam time."""
    return datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59)), VIETNAM_TZ)


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
    faker: Faker,
    province: Province,
    own_agency: str,
    staff: Staff,
    units: list[Unit],
    today: date,
) -> list[tuple[IncomingDocument, list[SeededStep]]]:
    senders = {
        sender.symbol: sender
        for sender in provincial_senders(province.name)
        if sender.name != own_agency
    }
    templates = (*DOCUMENT_TEMPLATES, *MORE_TEMPLATES)
    count = rng.randint(*DOCUMENT_COUNT) - 1
    # oldest first, so register numbers follow the order documents arrived
    ages = sorted((rng.randint(1, OLDEST_DOCUMENT_DAYS) for _ in range(count)), reverse=True)
    register: dict[int, int] = {}
    seeded = []
    for index, age in enumerate(ages):
        template = rng.choice(templates)
        candidates = [senders[symbol] for symbol in template.senders if symbol in senders]
        sender = rng.choice(candidates or list(senders.values()))
        status = _status_for(rng, count - 1 - index, age)
        seeded.append(_document(rng, faker, province, template, sender, today - timedelta(
            days=age), status, staff, units, register))

    finance = finance_department(province.name)
    received = today - timedelta(days=1)
    document, steps = _document(rng, faker, province, FINANCE_TEMPLATE, finance, received,
                                DocumentStatus.RECEIVED, staff, units, register)
    document.urgency = Urgency.URGENT
    seeded.append((document, steps))
    return seeded


def _document(
    rng: random.Random,
    faker: Faker,
    province: Province,
    template: DocumentTemplate,
    sender: IssuingAgency,
    received: date,
    status: DocumentStatus,
    staff: Staff,
    units: list[Unit],
    register: dict[int, int],
) -> tuple[IncomingDocument, list[SeededStep]]:
    issued = received - timedelta(days=rng.randint(0, 3))
    signer_name, signer_title = _signer(rng, faker, sender)
    number_symbol = _number_symbol(rng, sender)
    summary = _summary(template, province, issued)
    document = IncomingDocument(
        number_symbol=number_symbol,
        summary=summary,
        issuing_agency=sender.name,
        document_type=template.document_type,
        urgency=_urgency(rng),
        issued_date=issued,
        received_date=received,
        status=status,
        signer_name=signer_name,
        signer_title=signer_title,
        search_text=search_text_for(number_symbol, summary),
    )
    arrived = _at(received, rng)
    steps = [SeededStep(INTERCONNECTION_AXIS, DOCUMENT_RECEIVED, arrived,
                        {"number_symbol": number_symbol, "issuing_agency": sender.name})]
    if status is DocumentStatus.RECEIVED:
        return document, steps

    clerk = rng.choice(staff.clerks)
    register[received.year] = register.get(received.year, 0) + 1
    document.register_year = received.year
    document.register_number = register[received.year]
    document.registered_at = arrived + timedelta(minutes=rng.randint(5, 90))
    document.registered_by = clerk.full_name
    steps.append(SeededStep(clerk.full_name, DOCUMENT_REGISTERED, document.registered_at, {
        "register_year": received.year, "register_number": document.register_number}))
    if status is DocumentStatus.REGISTERED:
        return document, steps

    leader = rng.choice(staff.leaders)
    lead_unit = rng.choice(units[1:] or units)
    people = staff.by_unit[lead_unit.id]
    assigned_day = add_working_days(received, rng.randint(0, 1))
    document.lead_unit = lead_unit
    document.assignee = rng.choice(people[:1] + people[2:] if len(people) > 2 else people)
    document.coordinating_units = rng.sample(
        [unit for unit in units if unit is not lead_unit], rng.randint(0, min(2, len(units) - 1))
    )
    document.instruction = rng.choice(INSTRUCTIONS)
    document.assigned_at = max(_at(assigned_day, rng), document.registered_at + timedelta(hours=1))
    document.deadline = add_working_days(assigned_day, rng.choice((3, 5, 7, 10, 15)))
    steps.append(SeededStep(leader.full_name, DOCUMENT_ASSIGNED, document.assigned_at, {
        "lead_unit": lead_unit.name, "assignee": document.assignee.full_name,
        "coordinating_units": [unit.name for unit in document.coordinating_units],
        "deadline": document.deadline.isoformat(), "instruction": document.instruction}))
    if status is DocumentStatus.ASSIGNED:
        return document, steps

    finished = min(document.deadline, add_working_days(assigned_day, rng.randint(1, 8)))
    document.completed_at = max(_at(finished, rng), document.assigned_at + timedelta(hours=1))
    document.result_note = rng.choice(RESULT_NOTES)
    steps.append(SeededStep(document.assignee.full_name, DOCUMENT_COMPLETED,
                            document.completed_at, {"result_note": document.result_note}))
    return document, steps
