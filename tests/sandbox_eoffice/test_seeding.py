"""Provisioning a learner's sandbox agency."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sandbox_eoffice.models import Agency, Colleague, IncomingDocument, Tenant
from sandbox_eoffice.seeding import provision_tenant, seed_for_username
from sandbox_eoffice.vocabulary import DocumentStatus

TODAY = date(2026, 3, 16)


def _documents(session: Session, tenant: Tenant) -> list[IncomingDocument]:
    return list(
        session.scalars(
            select(IncomingDocument)
            .where(IncomingDocument.tenant_id == tenant.id)
            .order_by(IncomingDocument.id)
        )
    )


def test_provision_creates_agency_colleagues_documents(session: Session) -> None:
    tenant = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=7, today=TODAY)
    session.commit()
    assert tenant.agency is not None
    assert tenant.agency.name.startswith(("UBND huyện", "Sở Thông tin và Truyền thông"))
    colleagues = session.scalars(select(Colleague).where(Colleague.tenant_id == tenant.id)).all()
    assert len(colleagues) == 6
    assert any(colleague.job_title == "Văn thư" for colleague in colleagues)
    documents = _documents(session, tenant)
    assert len(documents) == 9
    assert all(
        doc.received_date <= TODAY and doc.issued_date <= doc.received_date for doc in documents
    )


def test_exactly_one_unregistered_document_from_so_tai_chinh(session: Session) -> None:
    for seed in range(12):
        tenant = provision_tenant(session, f"learner{seed}", "", seed=seed, today=TODAY)
        finance = [
            d
            for d in _documents(session, tenant)
            if d.issuing_agency.startswith("Sở Tài chính tỉnh ")
        ]
        assert len(finance) == 1
        assert finance[0].status is DocumentStatus.RECEIVED
        assert finance[0].register_number is None
        assert "/STC-" in finance[0].number_symbol
    session.commit()


def test_seeded_register_numbers_are_a_running_sequence(session: Session) -> None:
    tenant = provision_tenant(session, "alice", "", seed=3, today=TODAY)
    numbers = sorted(
        doc.register_number for doc in _documents(session, tenant) if doc.register_number
    )
    assert numbers == list(range(1, len(numbers) + 1))


def test_provision_is_idempotent(session: Session) -> None:
    first = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=7, today=TODAY)
    session.commit()
    again = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=99, today=TODAY)
    session.commit()
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Tenant)) == 1
    assert session.scalar(select(func.count()).select_from(Agency)) == 1
    assert session.scalar(select(func.count()).select_from(IncomingDocument)) == 9


def test_provision_updates_only_the_full_name(session: Session) -> None:
    provision_tenant(session, "alice", "alice", seed=7, today=TODAY)
    tenant = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=7, today=TODAY)
    session.commit()
    assert tenant.full_name == "Nguyễn Thị Lan"


def test_same_seed_gives_the_same_sandbox(session: Session) -> None:
    a = provision_tenant(session, "a", "", seed=42, today=TODAY)
    b = provision_tenant(session, "b", "", seed=42, today=TODAY)
    session.commit()
    assert a.agency and b.agency and a.agency.name == b.agency.name

    def content(tenant: Tenant) -> list[tuple[object, ...]]:
        return [
            (d.number_symbol, d.summary, d.issuing_agency, d.urgency, d.received_date)
            for d in _documents(session, tenant)
        ]

    assert content(a) == content(b)


def test_seed_for_username_is_stable() -> None:
    assert seed_for_username("alice") == seed_for_username("alice")
    assert seed_for_username("alice") != seed_for_username("bob")
    assert seed_for_username("alice", 1) != seed_for_username("alice", 2)
