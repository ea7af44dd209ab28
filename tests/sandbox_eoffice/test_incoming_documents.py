"""Registering incoming documents in the register book (service layer)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_eoffice.activity import DOCUMENT_REGISTERED, list_activity
from sandbox_eoffice.incoming_documents import (
    AlreadyRegistered,
    count_by_status,
    get_incoming_document,
    list_incoming_documents,
    register_incoming_document,
)
from sandbox_eoffice.models import IncomingDocument, Tenant
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.vocabulary import DocumentStatus

TODAY = date(2026, 3, 16)
NOW = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)


def _waiting(session: Session, tenant: Tenant) -> list[IncomingDocument]:
    return list(list_incoming_documents(session, tenant, status=DocumentStatus.RECEIVED))


@pytest.fixture
def alice(session: Session) -> Tenant:
    tenant = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=1, today=TODAY)
    session.commit()
    return tenant


@pytest.fixture
def bob(session: Session) -> Tenant:
    tenant = provision_tenant(session, "bob", "Trần Văn Bình", seed=2, today=TODAY)
    session.commit()
    return tenant


def test_register_allocates_the_next_number(session: Session, alice: Tenant) -> None:
    registered = [d for d in list_incoming_documents(session, alice) if d.register_number]
    highest = max(d.register_number or 0 for d in registered if d.register_year == 2026)
    first, second = _waiting(session, alice)[:2]
    register_incoming_document(session, alice, first, actor="alice", registered_by="Lan", now=NOW)
    register_incoming_document(session, alice, second, actor="alice", registered_by="Lan", now=NOW)
    session.commit()
    assert (first.register_year, first.register_number) == (2026, highest + 1)
    assert second.register_number == highest + 2
    assert first.status is DocumentStatus.REGISTERED
    assert first.registered_at == NOW
    assert first.registered_by == "Lan"


def test_register_is_logged(session: Session, alice: Tenant) -> None:
    document = _waiting(session, alice)[0]
    register_incoming_document(session, alice, document, actor="alice", registered_by="Lan")
    session.commit()
    [entry] = [
        e for e in list_activity(session, alice, actor="alice") if e.action == DOCUMENT_REGISTERED
    ]
    assert (entry.actor, entry.object_type, entry.object_id) == (
        "alice",
        "incoming_document",
        document.id,
    )
    assert entry.details["register_number"] == document.register_number
    assert entry.created_at.tzinfo is not None


def test_double_register_is_refused(session: Session, alice: Tenant) -> None:
    document = _waiting(session, alice)[0]
    register_incoming_document(session, alice, document, actor="alice", registered_by="Lan")
    session.commit()
    number = document.register_number
    with pytest.raises(AlreadyRegistered):
        register_incoming_document(session, alice, document, actor="alice", registered_by="Lan")
    session.rollback()
    assert session.get(IncomingDocument, document.id).register_number == number


def test_numbers_are_per_tenant(session: Session, alice: Tenant, bob: Tenant) -> None:
    a = _waiting(session, alice)[0]
    b = _waiting(session, bob)[0]
    register_incoming_document(session, alice, a, actor="alice", registered_by="x", now=NOW)
    register_incoming_document(session, bob, b, actor="bob", registered_by="y", now=NOW)
    session.commit()
    for tenant, document in ((alice, a), (bob, b)):
        others = [
            d.register_number
            for d in list_incoming_documents(session, tenant)
            if d.register_year == 2026 and d.id != document.id and d.register_number
        ]
        assert document.register_number == max(others, default=0) + 1


def test_tenant_isolation(session: Session, alice: Tenant, bob: Tenant) -> None:
    bobs = _waiting(session, bob)[0]
    assert get_incoming_document(session, alice, bobs.id) is None
    assert get_incoming_document(session, bob, bobs.id) is not None
    assert all(d.tenant_id == alice.id for d in list_incoming_documents(session, alice))
    with pytest.raises(ValueError):
        register_incoming_document(session, alice, bobs, actor="alice", registered_by="x")
    assert bobs.register_number is None


def test_count_by_status(session: Session, alice: Tenant) -> None:
    counts = count_by_status(session, alice)
    assert counts[DocumentStatus.RECEIVED] == 4
    documents = session.scalars(
        select(IncomingDocument).where(IncomingDocument.tenant_id == alice.id)
    ).all()
    assert sum(counts.values()) == len(documents)
