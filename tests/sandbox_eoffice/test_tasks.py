"""Practical tasks are graded from the database only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from sandbox_eoffice.activity import DOCUMENT_REGISTERED, INCOMING_DOCUMENT, record_activity
from sandbox_eoffice.incoming_documents import list_incoming_documents, register_incoming_document
from sandbox_eoffice.models import IncomingDocument, Tenant
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.tasks import TASKS, evaluate_tasks
from sandbox_eoffice.vocabulary import DocumentStatus

TASK = "register-incoming-from-so-tai-chinh"


@pytest.fixture
def alice(session: Session) -> Tenant:
    tenant = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=5, today=date(2026, 5, 4))
    session.commit()
    return tenant


def _finance_document(session: Session, tenant: Tenant) -> IncomingDocument:
    [document] = [
        d
        for d in list_incoming_documents(session, tenant)
        if d.issuing_agency.startswith("Sở Tài chính")
    ]
    return document


def test_task_catalogue() -> None:
    assert TASK in TASKS


def test_not_done_before_registering(session: Session, alice: Tenant) -> None:
    result = evaluate_tasks(session, "alice")[TASK]
    assert not result.done and result.completed_at is None
    assert "not registered" in result.detail


def test_done_after_the_learner_registers(session: Session, alice: Tenant) -> None:
    document = _finance_document(session, alice)
    register_incoming_document(session, alice, document, actor="alice", registered_by="Lan")
    session.commit()
    result = evaluate_tasks(session, "alice")[TASK]
    assert result.done
    assert result.completed_at is not None and result.completed_at.tzinfo is not None
    assert document.number_symbol in result.detail


def test_registering_another_document_does_not_count(session: Session, alice: Tenant) -> None:
    other = next(
        d
        for d in list_incoming_documents(session, alice, status=DocumentStatus.RECEIVED)
        if not d.issuing_agency.startswith("Sở Tài chính")
    )
    register_incoming_document(session, alice, other, actor="alice", registered_by="Lan")
    session.commit()
    assert not evaluate_tasks(session, "alice")[TASK].done


def test_state_without_a_log_entry_does_not_count(session: Session, alice: Tenant) -> None:
    document = _finance_document(session, alice)
    document.register_number, document.register_year = 99, 2026
    document.status = DocumentStatus.REGISTERED
    session.commit()
    result = evaluate_tasks(session, "alice")[TASK]
    assert not result.done
    assert "not by this learner" in result.detail


def test_log_entry_by_someone_else_does_not_count(session: Session, alice: Tenant) -> None:
    document = _finance_document(session, alice)
    register_incoming_document(session, alice, document, actor="trainer", registered_by="x")
    session.commit()
    assert not evaluate_tasks(session, "alice")[TASK].done


def test_log_entry_without_register_number_does_not_count(session: Session, alice: Tenant) -> None:
    document = _finance_document(session, alice)
    record_activity(
        session,
        alice,
        "alice",
        DOCUMENT_REGISTERED,
        object_type=INCOMING_DOCUMENT,
        object_id=document.id,
    )
    session.commit()
    assert not evaluate_tasks(session, "alice")[TASK].done


def test_unknown_user_has_all_tasks_not_done(session: Session) -> None:
    results = evaluate_tasks(session, "nobody")
    assert set(results) == set(TASKS)
    assert not any(result.done for result in results.values())


ASSIGN = "assign-incoming-from-so-tai-chinh"


def test_assign_task_says_what_is_missing(session: Session, alice: Tenant) -> None:
    from sandbox_eoffice.incoming_documents import (
        assign_incoming_document,
        list_colleagues,
        list_units,
    )

    document = _finance_document(session, alice)
    register_incoming_document(session, alice, document, actor="alice", registered_by="Lan")
    units, people = list_units(session, alice), list_colleagues(session, alice)
    assert "has not been assigned" in evaluate_tasks(session, "alice")[ASSIGN].detail
    assign_incoming_document(session, alice, document, actor="alice", lead_unit_id=units[1].id,
                             assignee_id=None, deadline_working_days=5)
    session.commit()
    result = evaluate_tasks(session, "alice")[ASSIGN]
    assert not result.done
    assert result.detail == "Assigned, but without a lead person and a coordinating unit."
    assign_incoming_document(session, alice, document, actor="alice", lead_unit_id=units[1].id,
                             assignee_id=people[-1].id, coordinating_unit_ids=[units[0].id],
                             deadline_working_days=5)
    session.commit()
    result = evaluate_tasks(session, "alice")[ASSIGN]
    assert result.done and units[1].name in result.detail
    # the same steps by someone else never count
    assert not evaluate_tasks(session, "alice")["complete-incoming-from-so-tai-chinh"].done


def test_outgoing_tasks_follow_the_learners_own_steps(session: Session, alice: Tenant) -> None:
    from sandbox_eoffice.incoming_documents import list_units
    from sandbox_eoffice.outgoing_documents import (
        return_for_revision,
        save_draft,
        signers,
        submit_for_approval,
    )

    def done(task_id: str) -> bool:
        return evaluate_tasks(session, "alice")[task_id].done

    document = save_draft(session, alice, actor="alice", drafted_by="Lan",
                          document_type="Công văn", summary="V/v thử", body="Nội dung.",
                          recipients=[], drafting_unit_id=list_units(session, alice)[0].id,
                          signer_id=signers(session, alice)[0].id)
    session.commit()
    assert not done("draft-and-submit-outgoing-document")
    submit_for_approval(session, alice, document, actor="alice")
    return_for_revision(session, alice, document, actor="trainer", comment="Sửa lại.")
    session.commit()
    assert done("draft-and-submit-outgoing-document")
    assert not done("return-outgoing-for-revision")  # someone else returned it
    submit_for_approval(session, alice, document, actor="alice")
    return_for_revision(session, alice, document, actor="alice", comment="Bổ sung số liệu.")
    session.commit()
    result = evaluate_tasks(session, "alice")["return-outgoing-for-revision"]
    assert result.done and "Bổ sung số liệu." in result.detail
