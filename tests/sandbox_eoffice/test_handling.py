"""Handling incoming documents (service layer): find, assign, forward, comment, complete."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.working_days import add_working_days
from sandbox_eoffice.activity import document_history
from sandbox_eoffice.incoming_documents import (
    ALREADY_DONE,
    BAD_DEADLINE,
    EMPTY_TEXT,
    LEAD_ALSO_COORDINATING,
    NO_LEAD,
    NOT_ASSIGNED,
    NOT_REGISTERED,
    UNKNOWN_COLLEAGUE,
    UNKNOWN_UNIT,
    DocumentActionRefused,
    DocumentFilter,
    assign_incoming_document,
    comment_on_incoming_document,
    complete_incoming_document,
    find_incoming_documents,
    forward_incoming_document,
    is_overdue,
    list_colleagues,
    list_incoming_documents,
    list_units,
)
from sandbox_eoffice.models import DocumentComment, DocumentForward, IncomingDocument, Tenant
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.vocabulary import DocumentStatus, Urgency

TODAY = date(2026, 3, 16)  # a Monday


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


def _one(session: Session, tenant: Tenant, status: DocumentStatus) -> IncomingDocument:
    return list_incoming_documents(session, tenant, status=status)[0]


def _assign(session: Session, tenant: Tenant, document: IncomingDocument, **changes):
    units = list_units(session, tenant)
    arguments = {
        "actor": tenant.username,
        "lead_unit_id": units[1].id,
        "assignee_id": list_colleagues(session, tenant)[-1].id,
        "coordinating_unit_ids": [units[0].id],
        "deadline_working_days": 5,
        "instruction": "Chủ trì tham mưu.",
        "today": TODAY,
    } | changes
    return assign_incoming_document(session, tenant, document, **arguments)


@pytest.mark.both_databases
def test_assign_sets_lead_coordination_and_a_working_day_deadline(
    session: Session, alice: Tenant
) -> None:
    document = _one(session, alice, DocumentStatus.REGISTERED)
    _assign(session, alice, document, deadline_working_days=5)
    session.commit()
    session.expire_all()
    document = session.get(IncomingDocument, document.id)
    assert document is not None and document.status is DocumentStatus.ASSIGNED
    assert document.deadline == date(2026, 3, 23)  # Monday + 5 working days: next Monday
    assert document.deadline == add_working_days(TODAY, 5)
    assert document.lead_unit is not None and document.assignee is not None
    assert [u.id for u in document.coordinating_units] == [list_units(session, alice)[0].id]
    last = document_history(session, alice, document.id)[-1]
    assert (last.actor, last.action) == ("alice", "document.assigned")
    assert last.details["deadline"] == "2026-03-23"
    assert last.details["coordinating_units"] == [list_units(session, alice)[0].name]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"lead_unit_id": None, "assignee_id": None}, NO_LEAD),
        ({"deadline_working_days": 0}, BAD_DEADLINE),
        ({"deadline_working_days": 61}, BAD_DEADLINE),
    ],
)
def test_assign_refuses_bad_requests(session: Session, alice: Tenant, changes, reason) -> None:
    document = _one(session, alice, DocumentStatus.REGISTERED)
    with pytest.raises(DocumentActionRefused) as refused:
        _assign(session, alice, document, **changes)
    assert refused.value.reason == reason
    session.rollback()
    assert session.get(IncomingDocument, document.id).status is DocumentStatus.REGISTERED


def test_lead_unit_cannot_coordinate(session: Session, alice: Tenant) -> None:
    document = _one(session, alice, DocumentStatus.REGISTERED)
    lead = list_units(session, alice)[1].id
    with pytest.raises(DocumentActionRefused) as refused:
        _assign(session, alice, document, lead_unit_id=lead, coordinating_unit_ids=[lead])
    assert refused.value.reason == LEAD_ALSO_COORDINATING


def test_a_document_is_assigned_only_after_registration(session: Session, alice: Tenant) -> None:
    with pytest.raises(DocumentActionRefused) as refused:
        _assign(session, alice, _one(session, alice, DocumentStatus.RECEIVED))
    assert refused.value.reason == NOT_REGISTERED
    with pytest.raises(DocumentActionRefused) as refused:
        _assign(session, alice, _one(session, alice, DocumentStatus.DONE))
    assert refused.value.reason == ALREADY_DONE


def test_another_tenants_unit_or_colleague_is_refused(
    session: Session, alice: Tenant, bob: Tenant
) -> None:
    document = _one(session, alice, DocumentStatus.REGISTERED)
    with pytest.raises(DocumentActionRefused) as refused:
        _assign(session, alice, document, lead_unit_id=list_units(session, bob)[0].id)
    assert refused.value.reason == UNKNOWN_UNIT
    with pytest.raises(DocumentActionRefused) as refused:
        forward_incoming_document(session, alice, document, actor="alice", forwarded_by="Lan",
                                  colleague_ids=[list_colleagues(session, bob)[0].id])
    assert refused.value.reason == UNKNOWN_COLLEAGUE
    with pytest.raises(ValueError, match="another tenant"):
        _assign(session, bob, document)


@pytest.mark.both_databases
def test_forward_and_comment_are_kept_and_in_the_history(session: Session, alice: Tenant) -> None:
    document = _one(session, alice, DocumentStatus.REGISTERED)
    colleagues = list_colleagues(session, alice)[:2]
    forward_incoming_document(session, alice, document, actor="alice", forwarded_by="Lan",
                              colleague_ids=[c.id for c in colleagues], note="Để biết.")
    comment_on_incoming_document(session, alice, document, actor="alice", author="Lan",
                                 body="  Đề nghị Văn phòng theo dõi.  ")
    session.commit()
    forwards = session.scalars(select(DocumentForward).where(
        DocumentForward.document_id == document.id)).all()
    assert {f.colleague_id for f in forwards} == {c.id for c in colleagues}
    [comment] = session.scalars(select(DocumentComment).where(
        DocumentComment.document_id == document.id)).all()
    assert comment.body == "Đề nghị Văn phòng theo dõi."
    actions = [e.action for e in document_history(session, alice, document.id)]
    assert actions[-2:] == ["document.forwarded", "document.commented"]
    with pytest.raises(DocumentActionRefused) as refused:
        comment_on_incoming_document(session, alice, document, actor="alice", author="Lan",
                                     body="   ")
    assert refused.value.reason == EMPTY_TEXT


def test_complete_needs_an_assigned_document_and_a_result(session: Session, alice: Tenant) -> None:
    registered = _one(session, alice, DocumentStatus.REGISTERED)
    with pytest.raises(DocumentActionRefused) as refused:
        complete_incoming_document(session, alice, registered, actor="alice", result_note="x")
    assert refused.value.reason == NOT_ASSIGNED
    _assign(session, alice, registered)
    with pytest.raises(DocumentActionRefused) as refused:
        complete_incoming_document(session, alice, registered, actor="alice", result_note=" ")
    assert refused.value.reason == EMPTY_TEXT
    complete_incoming_document(session, alice, registered, actor="alice",
                               result_note="Đã báo cáo.", today=TODAY)
    session.commit()
    assert registered.status is DocumentStatus.DONE and registered.completed_at is not None
    last = document_history(session, alice, registered.id)[-1]
    assert (last.action, last.details["late"]) == ("document.completed", False)
    with pytest.raises(DocumentActionRefused) as refused:
        complete_incoming_document(session, alice, registered, actor="alice", result_note="x")
    assert refused.value.reason == ALREADY_DONE


def test_completing_after_the_deadline_is_recorded_as_late(
    session: Session, alice: Tenant
) -> None:
    document = _one(session, alice, DocumentStatus.REGISTERED)
    _assign(session, alice, document, deadline_working_days=1)
    later = add_working_days(TODAY, 3)
    assert is_overdue(document, later)
    complete_incoming_document(session, alice, document, actor="alice", result_note="Muộn.",
                               today=later)
    assert document_history(session, alice, document.id)[-1].details["late"] is True
    assert not is_overdue(document, later)  # done is never overdue


@pytest.mark.both_databases
def test_find_filters_search_and_pages(session: Session, alice: Tenant, bob: Tenant) -> None:
    every = list_incoming_documents(session, alice)
    page = find_incoming_documents(session, alice, page_size=7, today=TODAY)
    assert page.total == len(every) and len(page.documents) == 7
    assert page.page_count == -(-len(every) // 7)
    last = find_incoming_documents(session, alice, page=page.page_count, page_size=7)
    seen = [d.id for n in range(1, page.page_count + 1)
            for d in find_incoming_documents(session, alice, page=n, page_size=7).documents]
    assert sorted(seen) == sorted(d.id for d in every) and len(last.documents) >= 1

    def ids(**criteria) -> set[int]:
        found = find_incoming_documents(session, alice, DocumentFilter(**criteria),
                                        page_size=1000, today=TODAY)
        return {d.id for d in found.documents}

    assert ids(status=DocumentStatus.DONE) == {d.id for d in every
                                                if d.status is DocumentStatus.DONE}
    assert ids(urgency=Urgency.URGENT) == {d.id for d in every if d.urgency is Urgency.URGENT}
    agency = every[0].issuing_agency
    assert ids(issuing_agency=agency) == {d.id for d in every if d.issuing_agency == agency}
    start, end = date(2026, 2, 1), date(2026, 2, 28)
    assert ids(received_from=start, received_until=end) == {
        d.id for d in every if start <= d.received_date <= end}
    assert ids(overdue_only=True) == {d.id for d in every if is_overdue(d, TODAY)} != set()
    # search: words in any order, with or without diacritics, number and symbol too
    finance = next(d for d in every if d.issuing_agency.startswith("Sở Tài chính"))
    assert finance.id in ids(query="du toan ngan sach")
    assert finance.id in ids(query="NGÂN SÁCH dự toán")
    assert ids(query=finance.number_symbol) == {finance.id}
    assert ids(query="du toan khong-co-tu-nay") == set()
    assert ids(query="100%_") == set()  # LIKE wildcards are plain characters
    # never another tenant's documents
    assert not ids(query="") & {d.id for d in list_incoming_documents(session, bob)}
