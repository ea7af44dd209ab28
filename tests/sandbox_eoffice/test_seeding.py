"""Provisioning a learner's sandbox agency."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sandbox_eoffice.activity import document_history
from sandbox_eoffice.incoming_documents import is_overdue
from sandbox_eoffice.models import Agency, Colleague, IncomingDocument, Tenant, Unit
from sandbox_eoffice.seeding import provision_tenant, seed_for_username
from sandbox_eoffice.vocabulary import DocumentStatus, Position

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
    assert tenant.agency.name.startswith(("UBND huyện", "Sở "))
    units = session.scalars(select(Unit).where(Unit.tenant_id == tenant.id)).all()
    assert 3 <= len(units) <= 6
    colleagues = session.scalars(select(Colleague).where(Colleague.tenant_id == tenant.id)).all()
    assert 20 <= len(colleagues) <= 60
    positions = {colleague.position for colleague in colleagues}
    assert {Position.HEAD, Position.DEPUTY_HEAD, Position.CHIEF_OF_OFFICE, Position.UNIT_HEAD,
            Position.SPECIALIST, Position.CLERK} <= positions
    # every unit has its head; leaders belong to no unit
    assert all(any(c.unit_id == unit.id and c.position in (Position.UNIT_HEAD,
               Position.CHIEF_OF_OFFICE) for c in colleagues) for unit in units)
    assert all(c.unit_id is None for c in colleagues if c.position.is_leader)
    documents = _documents(session, tenant)
    assert 30 <= len(documents) <= 100
    assert {doc.status for doc in documents} == set(DocumentStatus)
    assert any(is_overdue(doc, TODAY) for doc in documents)
    assert all(
        doc.received_date <= TODAY and doc.issued_date <= doc.received_date for doc in documents
    )
    for doc in documents:
        if doc.status in (DocumentStatus.ASSIGNED, DocumentStatus.DONE):
            assert doc.deadline and doc.lead_unit and doc.assignee and doc.assigned_at
            assert doc.lead_unit not in doc.coordinating_units
        if doc.status is DocumentStatus.DONE:
            assert doc.completed_at and doc.result_note


def test_addresses_read_like_vietnamese_addresses(session: Session) -> None:
    for seed in range(40):
        tenant = provision_tenant(session, f"learner{seed}", "", seed=seed, today=TODAY)
        assert tenant.agency is not None
        address = tenant.agency.address
        assert "Số Số" not in address and address.startswith("Số ")
        assert address.endswith(f"tỉnh {tenant.agency.province}")
        assert (" đường " in address) and ("phường " in address or "thị trấn " in address)


def test_seeded_documents_have_their_history(session: Session) -> None:
    tenant = provision_tenant(session, "alice", "", seed=5, today=TODAY)
    session.commit()
    steps = {
        DocumentStatus.RECEIVED: ["document.received"],
        DocumentStatus.REGISTERED: ["document.received", "document.registered"],
        DocumentStatus.ASSIGNED: ["document.received", "document.registered",
                                  "document.assigned"],
        DocumentStatus.DONE: ["document.received", "document.registered", "document.assigned",
                              "document.completed"],
    }
    for doc in _documents(session, tenant):
        history = document_history(session, tenant, doc.id)
        assert [entry.action for entry in history] == steps[doc.status], doc.number_symbol
        # acted by the fictitious colleagues, never by the learner
        assert all(entry.actor != "alice" for entry in history)


def test_same_seed_same_agency(session: Session) -> None:
    def snapshot(username: str) -> tuple[object, ...]:
        tenant = provision_tenant(session, username, "", seed=11, today=TODAY)
        assert tenant.agency is not None
        return (tenant.agency.name, tenant.agency.address,
                [(d.number_symbol, d.summary, d.status) for d in _documents(session, tenant)])

    assert snapshot("one") == snapshot("two")


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
    by_year: dict[int, list[int]] = {}
    for doc in _documents(session, tenant):
        if doc.register_number is not None:
            by_year.setdefault(doc.register_year, []).append(doc.register_number)
    assert by_year
    for numbers in by_year.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_provision_is_idempotent(session: Session) -> None:
    first = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=7, today=TODAY)
    session.commit()
    documents = session.scalar(select(func.count()).select_from(IncomingDocument))
    again = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=99, today=TODAY)
    session.commit()
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Tenant)) == 1
    assert session.scalar(select(func.count()).select_from(Agency)) == 1
    assert session.scalar(select(func.count()).select_from(IncomingDocument)) == documents


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
