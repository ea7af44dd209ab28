"""Provision a learner's sandbox agency with deterministic, real-looking Vietnamese data."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from faker import Faker
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ
from common.text import ascii_fold
from sample_data import vietnamese_faker, vietnamese_name
from sandbox_eoffice.agencies import (
    DEPARTMENT_UNITS,
    DISTRICT_UNITS,
    PROVINCES,
    IssuingAgency,
    Province,
    finance_department,
    provincial_senders,
)
from sandbox_eoffice.models import Agency, Colleague, IncomingDocument, Tenant
from sandbox_eoffice.tenants import get_tenant
from sandbox_eoffice.vocabulary import DocumentStatus, Urgency

COLLEAGUE_COUNT = 6
OTHER_DOCUMENT_COUNT = 8



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

FINANCE_TEMPLATE = DocumentTemplate(
    "Công văn",
    "V/v hướng dẫn xây dựng dự toán ngân sách nhà nước năm {next_year}",
    ("STC",),
)

# Status of the other documents, oldest first: older ones are already further along.
STATUS_PLAN: tuple[DocumentStatus, ...] = (
    DocumentStatus.DONE,
    DocumentStatus.ASSIGNED,
    DocumentStatus.ASSIGNED,
    DocumentStatus.REGISTERED,
    DocumentStatus.REGISTERED,
    DocumentStatus.RECEIVED,
    DocumentStatus.RECEIVED,
    DocumentStatus.RECEIVED,
)

URGENCY_WEIGHTS: tuple[tuple[Urgency, int], ...] = (
    (Urgency.NORMAL, 6),
    (Urgency.URGENT, 3),
    (Urgency.VERY_URGENT, 1),
    (Urgency.FLASH, 1),
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

    The same seed always gives the same agency, colleagues and documents (dates are
    relative to `today`, Vietnam time by default). An existing tenant only gets its
    full name updated.
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
    agency, units = _make_agency(rng, faker, province)
    agency.tenant_id = tenant.id
    colleagues = _make_colleagues(rng, faker, units, agency.symbol)
    for colleague in colleagues:
        colleague.tenant_id = tenant.id
    session.add(agency)
    session.add_all(colleagues)
    session.flush()

    documents = _make_documents(rng, province, agency.name, colleagues, today)
    for document in documents:
        document.tenant_id = tenant.id
    session.add_all(documents)
    session.flush()
    return tenant


def seed_for_username(username: str, base_seed: int = 0) -> int:
    """A stable seed for tenants created on first login (no seed given by the lead)."""
    value = base_seed
    for byte in username.encode("utf-8"):
        value = (value * 131 + byte) % 2_147_483_647
    return value


def _make_agency(
    rng: random.Random, faker: Faker, province: Province
) -> tuple[Agency, tuple[tuple[str, tuple[str, ...]], ...]]:
    if rng.random() < 0.6:
        district = rng.choice(province.districts)
        name = f"UBND huyện {district}"
        symbol = "UBND"
        units = DISTRICT_UNITS
        address = f"Thị trấn {district}, huyện {district}, tỉnh {province.name}"
    else:
        name = f"Sở Thông tin và Truyền thông tỉnh {province.name}"
        symbol = "STTTT"
        units = DEPARTMENT_UNITS
        address = f"Số {faker.building_number()} {faker.street_name()}, tỉnh {province.name}"
    agency = Agency(name=name, symbol=symbol, province=province.name, address=address)
    return agency, units


def _email_for(full_name: str, domain_symbol: str, taken: set[str]) -> str:
    ascii_name = (
        ascii_fold(full_name)
        .lower()
        .split()
    )
    local = ascii_name[-1] + "".join(part[0] for part in ascii_name[:-1])
    candidate, counter = local, 1
    while candidate in taken:
        counter += 1
        candidate = f"{local}{counter}"
    taken.add(candidate)
    return f"{candidate}@{domain_symbol.lower()}.sandbox.gov.vn"


def _make_colleagues(
    rng: random.Random,
    faker: Faker,
    units: tuple[tuple[str, tuple[str, ...]], ...],
    agency_symbol: str,
) -> list[Colleague]:
    positions = [(unit, title) for unit, titles in units for title in titles]
    # always a clerk (Văn thư): the person who normally registers incoming documents
    clerk = next(position for position in positions if position[1] == "Văn thư")
    others = [position for position in positions if position != clerk]
    chosen = [clerk, *rng.sample(others, COLLEAGUE_COUNT - 1)]
    taken: set[str] = set()
    colleagues = []
    for unit, title in chosen:
        name = vietnamese_name(faker, rng)
        colleagues.append(
            Colleague(
                full_name=name,
                job_title=title,
                unit=unit,
                email=_email_for(name, agency_symbol, taken),
            )
        )
    return colleagues


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


def _make_documents(
    rng: random.Random,
    province: Province,
    own_agency: str,
    colleagues: list[Colleague],
    today: date,
) -> list[IncomingDocument]:
    senders = {
        sender.symbol: sender
        for sender in provincial_senders(province.name)
        if sender.name != own_agency
    }
    templates = rng.sample(DOCUMENT_TEMPLATES, OTHER_DOCUMENT_COUNT)
    clerk = colleagues[0]
    handlers = colleagues[1:]
    documents: list[IncomingDocument] = []
    last_number_by_year: dict[int, int] = {}
    # oldest first, so register numbers follow the order documents arrived
    ages = sorted((rng.randint(2, 30) for _ in templates), reverse=True)
    for template, status, age in zip(templates, STATUS_PLAN, ages, strict=True):
        candidates = [senders[symbol] for symbol in template.senders if symbol in senders]
        sender = rng.choice(candidates or list(senders.values()))
        received = today - timedelta(days=age)
        issued = received - timedelta(days=rng.randint(0, 3))
        document = IncomingDocument(
            number_symbol=_number_symbol(rng, sender),
            summary=_summary(template, province, issued),
            issuing_agency=sender.name,
            document_type=template.document_type,
            urgency=_urgency(rng),
            issued_date=issued,
            received_date=received,
            status=status,
        )
        if status is not DocumentStatus.RECEIVED:
            last_number_by_year[received.year] = last_number_by_year.get(received.year, 0) + 1
            document.register_year = received.year
            document.register_number = last_number_by_year[received.year]
            document.registered_at = datetime.combine(
                received, datetime.min.time(), tzinfo=VIETNAM_TZ
            ) + timedelta(hours=rng.randint(8, 16), minutes=rng.randint(0, 59))
            document.registered_by = clerk.full_name
        if status in (DocumentStatus.ASSIGNED, DocumentStatus.DONE):
            document.assignee = rng.choice(handlers)
            document.deadline = received + timedelta(days=rng.randint(5, 15))
        documents.append(document)

    finance = finance_department(province.name)
    received = today - timedelta(days=1)
    issued = received - timedelta(days=rng.randint(1, 3))
    documents.append(
        IncomingDocument(
            number_symbol=_number_symbol(rng, finance),
            summary=_summary(FINANCE_TEMPLATE, province, issued),
            issuing_agency=finance.name,
            document_type=FINANCE_TEMPLATE.document_type,
            urgency=Urgency.URGENT,
            issued_date=issued,
            received_date=received,
            status=DocumentStatus.RECEIVED,
        )
    )
    return documents
