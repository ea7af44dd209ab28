"""Trainers' scenarios: reset a sandbox, the same scenario for a class, a class exchange."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_eoffice.activity import list_activity
from sandbox_eoffice.incoming_documents import (
    list_incoming_documents,
    list_units,
    register_incoming_document,
)
from sandbox_eoffice.models import IncomingDocument, OutgoingDocument, Tenant
from sandbox_eoffice.outgoing_documents import (
    approve,
    axis_directory,
    issue,
    partner_name,
    save_draft,
    send,
    signers,
    submit_for_approval,
)
from sandbox_eoffice.scenarios import (
    ScenarioError,
    close_class_exchange,
    give_class_scenario,
    open_class_exchange,
    reset_tenant,
)
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.tenants import get_tenant
from sandbox_eoffice.vocabulary import DeliveryStatus, DocumentStatus

TODAY = date(2026, 3, 16)


def _learner(session: Session, name: str, seed: int) -> Tenant:
    tenant = provision_tenant(session, name, name.title(), seed=seed, today=TODAY)
    session.commit()
    return tenant


def _snapshot(session: Session, tenant: Tenant) -> list[tuple[str, str, DocumentStatus]]:
    return [(d.number_symbol, d.summary, d.status)
            for d in list_incoming_documents(session, tenant)]


@pytest.mark.both_databases
def test_reset_gives_back_the_sandbox_as_it_was(session: Session) -> None:
    alice = _learner(session, "alice", 5)
    before = _snapshot(session, alice)
    waiting = list_incoming_documents(session, alice, status=DocumentStatus.RECEIVED)[0]
    register_incoming_document(session, alice, waiting, actor="alice", registered_by="Lan")
    session.commit()
    assert _snapshot(session, alice) != before
    fresh = reset_tenant(session, "alice", actor="trainer", today=TODAY)
    session.commit()
    assert _snapshot(session, fresh) == before
    assert list_activity(session, fresh, actor="alice") == []
    assert fresh.full_name == "Alice"
    with pytest.raises(ScenarioError, match="nobody: no sandbox yet"):
        reset_tenant(session, "nobody", actor="trainer")


def test_a_class_gets_the_same_scenario(session: Session) -> None:
    _learner(session, "alice", 1)
    _learner(session, "bob", 2)
    tenants = give_class_scenario(session, ["alice", "bob", "carol"], seed=42, actor="trainer",
                                  today=TODAY)
    session.commit()
    agencies = {t.agency.name for t in tenants}
    assert len(tenants) == 3 and len(agencies) == 1
    first, *others = [_snapshot(session, t) for t in tenants]
    assert all(snapshot == first for snapshot in others)


@pytest.mark.both_databases
def test_a_class_exchange_sends_between_learners_agencies(session: Session) -> None:
    alice = _learner(session, "alice", 1)
    bob = _learner(session, "bob", 2)
    carol = _learner(session, "carol", 3)
    with pytest.raises(ScenarioError, match="at least two learners"):
        open_class_exchange(session, "Lớp K1", ["alice"], actor="trainer")
    open_class_exchange(session, "Lớp K1", ["alice", "bob"], actor="trainer")
    session.commit()
    with pytest.raises(ScenarioError, match="exists already"):
        open_class_exchange(session, "Lớp K1", ["alice", "carol"], actor="trainer")
    bob_on_axis = partner_name(bob)
    assert bob_on_axis in axis_directory(session, alice)
    assert bob_on_axis not in axis_directory(session, carol)

    document = save_draft(session, alice, actor="alice", drafted_by="Alice",
                          document_type="Công văn", summary="V/v phối hợp tổ chức hội nghị",
                          body="Đề nghị phối hợp.", recipients=["Như trên"],
                          drafting_unit_id=list_units(session, alice)[0].id,
                          signer_id=signers(session, alice)[0].id)
    submit_for_approval(session, alice, document, actor="alice")
    approve(session, alice, document, actor="alice")
    issue(session, alice, document, actor="alice")
    [delivery] = send(session, alice, document, actor="alice", recipients=[bob_on_axis])
    session.commit()
    assert delivery.status is DeliveryStatus.SENT  # not until bob registers it
    [arrived] = [d for d in list_incoming_documents(session, bob)
                 if d.number_symbol == document.number_symbol]
    assert (arrived.status, arrived.issuing_agency) == (DocumentStatus.RECEIVED,
                                                        alice.agency.name)
    register_incoming_document(session, bob, arrived, actor="bob", registered_by="Bob")
    session.commit()
    session.refresh(delivery)
    assert delivery.status is DeliveryStatus.ACKNOWLEDGED
    # bob works only in his agency: alice's outgoing document is not his
    assert session.scalars(select(OutgoingDocument).where(
        OutgoingDocument.tenant_id == bob.id)).all() == []

    close_class_exchange(session, "Lớp K1")
    session.commit()
    assert bob_on_axis not in axis_directory(session, alice)
    assert session.get(IncomingDocument, arrived.id) is not None  # what arrived stays


def test_a_reset_learner_stays_in_the_exchange(session: Session) -> None:
    _learner(session, "alice", 1)
    _learner(session, "bob", 2)
    open_class_exchange(session, "Lớp K2", ["alice", "bob"], actor="trainer")
    session.commit()
    reset_tenant(session, "bob", actor="trainer", today=TODAY)
    session.commit()
    alice = get_tenant(session, "alice")
    assert partner_name(get_tenant(session, "bob")) in axis_directory(session, alice)
