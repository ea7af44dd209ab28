"""Outgoing documents (service layer): the flow, the rules, and gapless numbering under
concurrent issues on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sandbox_eoffice.activity import OUTGOING_DOCUMENT, document_history
from sandbox_eoffice.database import make_session_factory
from sandbox_eoffice.incoming_documents import DocumentActionRefused, list_colleagues, list_units
from sandbox_eoffice.models import OutgoingDocument, Tenant
from sandbox_eoffice.outgoing_documents import (
    CLASSIFIED_NOT_SENDABLE,
    NOT_APPROVED,
    NOT_EDITABLE,
    SIGNER_NOT_LEADER,
    UNKNOWN_RECIPIENT,
    approve,
    axis_directory,
    issue,
    return_for_revision,
    save_draft,
    send,
    signers,
    submit_for_approval,
)
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.vocabulary import Confidentiality, DeliveryStatus, OutgoingStatus, Position

TODAY = date(2026, 3, 16)
NOW = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)


@pytest.fixture
def alice(session: Session) -> Tenant:
    tenant = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=1, today=TODAY)
    session.commit()
    return tenant


def _draft(session: Session, tenant: Tenant, **changes) -> OutgoingDocument:
    arguments = {
        "actor": tenant.username, "drafted_by": tenant.full_name, "document_type": "Công văn",
        "summary": "V/v báo cáo kết quả chuyển đổi số", "body": "Kính gửi ...\n\nNội dung.",
        "recipients": ["- Như trên;", "- Lưu: VT."],
        "drafting_unit_id": list_units(session, tenant)[0].id,
        "signer_id": signers(session, tenant)[0].id,
    } | changes
    return save_draft(session, tenant, **arguments)


def _approved(session: Session, tenant: Tenant, **changes) -> OutgoingDocument:
    document = _draft(session, tenant, **changes)
    submit_for_approval(session, tenant, document, actor="alice")
    approve(session, tenant, document, actor="alice")
    return document


@pytest.mark.both_databases
def test_draft_approve_issue_send(session: Session, alice: Tenant) -> None:
    document = _draft(session, alice)
    assert document.recipients == ["Như trên", "Lưu: VT"]
    submit_for_approval(session, alice, document, actor="alice")
    return_for_revision(session, alice, document, actor="alice", comment="Bổ sung số liệu.")
    assert (document.status, document.return_comment) == (OutgoingStatus.RETURNED,
                                                          "Bổ sung số liệu.")
    _draft(session, alice, document=document, body="Nội dung đã bổ sung số liệu.")
    submit_for_approval(session, alice, document, actor="alice")
    approve(session, alice, document, actor="alice")
    issue(session, alice, document, actor="alice", now=NOW)
    assert document.status is OutgoingStatus.ISSUED
    assert (document.issue_year, document.issue_number) == (2026, 1)
    assert document.number_symbol == f"1/{alice.agency.symbol}-{document.drafting_unit.symbol}"
    recipients = axis_directory(session, alice)[:2]
    send(session, alice, document, actor="alice", recipients=recipients)
    session.commit()
    assert [(d.recipient, d.status) for d in document.deliveries] == [
        (name, DeliveryStatus.ACKNOWLEDGED) for name in recipients]
    actions = [e.action for e in document_history(session, alice, document.id,
                                                  OUTGOING_DOCUMENT)]
    assert actions == ["outgoing.drafted", "outgoing.submitted", "outgoing.returned",
                       "outgoing.edited", "outgoing.submitted", "outgoing.approved",
                       "outgoing.issued", "outgoing.sent", "outgoing.acknowledged",
                       "outgoing.acknowledged"]


def test_the_rules_of_the_flow(session: Session, alice: Tenant) -> None:
    specialist = next(c for c in list_colleagues(session, alice)
                      if c.position is Position.SPECIALIST)
    with pytest.raises(DocumentActionRefused) as refused:
        _draft(session, alice, signer_id=specialist.id)
    assert refused.value.reason == SIGNER_NOT_LEADER
    document = _draft(session, alice)
    with pytest.raises(DocumentActionRefused) as refused:
        issue(session, alice, document, actor="alice")
    assert refused.value.reason == NOT_APPROVED
    submit_for_approval(session, alice, document, actor="alice")
    with pytest.raises(DocumentActionRefused) as refused:
        _draft(session, alice, document=document, summary="changed after submitting")
    assert refused.value.reason == NOT_EDITABLE
    approve(session, alice, document, actor="alice")
    issue(session, alice, document, actor="alice")
    with pytest.raises(DocumentActionRefused) as refused:
        send(session, alice, document, actor="alice", recipients=["Bộ Quốc phòng"])
    assert refused.value.reason == UNKNOWN_RECIPIENT


def test_a_classified_document_is_never_sent_through_the_e_office(
    session: Session, alice: Tenant
) -> None:
    document = _approved(session, alice, confidentiality=Confidentiality.CONFIDENTIAL)
    issue(session, alice, document, actor="alice")
    with pytest.raises(DocumentActionRefused) as refused:
        send(session, alice, document, actor="alice", recipients=axis_directory(session, alice)[:1])
    assert refused.value.reason == CLASSIFIED_NOT_SENDABLE
    assert document.deliveries == []


@pytest.mark.both_databases
def test_concurrent_issues_get_every_number_once(engine: Engine, alice: Tenant,
                                                 session: Session) -> None:
    """Eight workers issue 40 documents at once: numbers 1..40, no gap, no duplicate."""
    ids = [_approved(session, alice).id for _ in range(40)]
    session.commit()
    sessions = make_session_factory(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(chunk: list[int]) -> None:
        try:
            start.wait()
            for document_id in chunk:
                with sessions() as own, own.begin():
                    tenant = own.get(Tenant, alice.id)
                    document = own.get(OutgoingDocument, document_id)
                    issue(own, tenant, document, actor="alice", now=NOW)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(ids[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session.expire_all()
    numbers = sorted(session.scalars(select(OutgoingDocument.issue_number).where(
        OutgoingDocument.tenant_id == alice.id)))
    assert numbers == list(range(1, 41))


@pytest.mark.both_databases
def test_the_same_document_issued_twice_at_once_gets_one_number(
    engine: Engine, alice: Tenant, session: Session
) -> None:
    """A double click on "Phát hành": one issue, one refusal, no number lost."""
    from sandbox_eoffice.incoming_documents import (
        AlreadyRegistered,
        list_incoming_documents,
        register_incoming_document,
    )
    from sandbox_eoffice.models import IncomingDocument, RegisterCounter
    from sandbox_eoffice.vocabulary import DocumentStatus

    document_id = _approved(session, alice).id
    incoming_id = list_incoming_documents(session, alice, status=DocumentStatus.RECEIVED)[0].id
    session.commit()
    sessions = make_session_factory(engine)
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def issue_it() -> None:
        with sessions() as own:
            tenant, document = own.get(Tenant, alice.id), own.get(OutgoingDocument, document_id)
            start.wait()  # both have read the document as approved
            try:
                issue(own, tenant, document, actor="alice", now=NOW)
                own.commit()
                outcomes.append("issued")
            except DocumentActionRefused as refused:
                own.rollback()
                outcomes.append(refused.reason)

    def register_it() -> None:
        with sessions() as own:
            tenant, document = own.get(Tenant, alice.id), own.get(IncomingDocument, incoming_id)
            start.wait()
            try:
                register_incoming_document(own, tenant, document, actor="alice",
                                           registered_by="Lan", now=NOW)
                own.commit()
                outcomes.append("registered")
            except AlreadyRegistered:
                own.rollback()
                outcomes.append("already registered")

    threads = [threading.Thread(target=f) for f in (issue_it, issue_it, register_it,
                                                     register_it)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted(["issued", NOT_APPROVED, "registered",
                                       "already registered"])
    session.expire_all()
    assert session.get(OutgoingDocument, document_id).issue_number == 1
    assert session.scalars(select(RegisterCounter.last_number)).all() == [1]
    registered = session.get(IncomingDocument, incoming_id)
    numbers = session.scalars(select(IncomingDocument.register_number).where(
        IncomingDocument.tenant_id == alice.id, IncomingDocument.register_year == 2026,
        IncomingDocument.register_number.is_not(None))).all()
    assert sorted(numbers) == list(range(1, len(numbers) + 1))  # no gap
    assert registered.register_number == max(numbers)
