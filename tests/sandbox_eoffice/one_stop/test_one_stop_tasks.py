"""The one-stop practical tasks: graded from the e-office's own records, done and not done."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_eoffice.models import Tenant, Unit
from sandbox_eoffice.one_stop import dossiers as service
from sandbox_eoffice.one_stop.dossiers import Applicant
from sandbox_eoffice.one_stop.models import Dossier, DossierStatus, LookupPurpose
from sandbox_eoffice.one_stop.tasks import ONE_STOP_TASKS
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.tasks import TASKS
from tests.sandbox_eoffice.test_uploads import a_pdf

TODAY = date(2026, 4, 29)
NOW = datetime(2026, 4, 29, 2, 30, tzinfo=UTC)
TASK_IDS = [task.task_id for task in ONE_STOP_TASKS]


@pytest.fixture
def alice(session: Session) -> Tenant:
    tenant = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=4, today=TODAY)
    session.commit()
    return tenant


def _result(session: Session, tenant: Tenant, task_id: str):  # noqa: ANN202
    return TASKS[task_id].evaluate(session, tenant)


def _receive(session: Session, tenant: Tenant, actor: str = "alice") -> Dossier:
    return service.receive_dossier(
        session, tenant, actor=actor, received_by="x", procedure_code="KD-HKD",
        applicant=Applicant("Trần Thị Mai", "044190123456", date(1990, 5, 17), "Đồng Hới"),
        provided=[0, 1, 2], now=NOW)


def _process(session: Session, tenant: Tenant, dossier: Dossier, returned: datetime,
             actor: str = "alice") -> None:
    unit = session.scalars(select(Unit).where(Unit.tenant_id == tenant.id)).first()
    service.check_completeness(session, tenant, dossier, actor=actor)
    service.transfer_to_unit(session, tenant, dossier, actor=actor, unit_id=unit.id)
    service.approve_dossier(session, tenant, dossier, actor=actor)
    service.collect_fee(session, tenant, dossier, actor=actor, online=True)
    service.return_result(session, tenant, dossier, actor=actor, now=returned)
    session.commit()


def test_the_tasks_are_in_the_catalogue() -> None:
    assert len(TASK_IDS) == 5
    assert all(task_id in TASKS for task_id in TASK_IDS)


def test_nothing_is_done_in_a_fresh_sandbox(session: Session, alice: Tenant) -> None:
    for task_id in TASK_IDS:
        result = _result(session, alice, task_id)
        assert not result.done and result.completed_at is None, task_id


def test_processed_on_time(session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    _process(session, alice, dossier, returned=datetime(2026, 5, 6, 3, 0, tzinfo=UTC))
    result = _result(session, alice, "one-stop-processed-on-time")
    assert result.done and dossier.receipt_number in result.detail
    assert _result(session, alice, "one-stop-fee-collected-online").done


def test_processed_late_is_not_done(session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    _process(session, alice, dossier, returned=datetime(2026, 5, 7, 3, 0, tzinfo=UTC))
    result = _result(session, alice, "one-stop-processed-on-time")
    assert not result.done and "after its due date" in result.detail


def test_a_seeded_dossier_finished_by_the_learner_is_not_processed_from_receipt(
        session: Session, alice: Tenant) -> None:
    """The learner did not receive it: the task asks for the whole process."""
    dossier = next(d for d in service.list_dossiers(session, alice, DossierStatus.RECEIVED)
                   if not d.missing_documents and d.fee)
    _process(session, alice, dossier, returned=NOW)
    result = _result(session, alice, "one-stop-processed-on-time")
    assert not result.done and "dossier.received" in result.detail


def test_someone_elses_steps_do_not_count(session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice, actor="colleague")
    _process(session, alice, dossier, returned=NOW, actor="colleague")
    for task_id in TASK_IDS:
        assert not _result(session, alice, task_id).done, task_id


def test_lookup_with_purpose(session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    service.look_up_citizen(session, alice, actor="alice", citizen_id=dossier.citizen_id,
                            purpose=LookupPurpose.VERIFY_APPLICANT, dossier=dossier)
    session.commit()
    result = _result(session, alice, "one-stop-lookup-with-purpose")
    assert result.done and dossier.citizen_id in result.detail


def test_requested_additional_documents(session: Session, alice: Tenant) -> None:
    dossier = next(d for d in service.list_dossiers(session, alice, DossierStatus.RECEIVED)
                   if d.missing_documents)
    service.check_completeness(session, alice, dossier, actor="alice")
    service.request_additional_documents(session, alice, dossier, actor="alice", note="")
    session.commit()
    result = _result(session, alice, "one-stop-requested-additional-documents")
    assert result.done and dossier.receipt_number in result.detail


def test_fee_paid_at_the_counter_is_not_online(session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    service.collect_fee(session, alice, dossier, actor="alice", online=False)
    session.commit()
    assert not _result(session, alice, "one-stop-fee-collected-online").done


def test_digitised_result(session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    unit = session.scalars(select(Unit).where(Unit.tenant_id == alice.id)).first()
    service.check_completeness(session, alice, dossier, actor="alice")
    service.transfer_to_unit(session, alice, dossier, actor="alice", unit_id=unit.id)
    service.approve_dossier(session, alice, dossier, actor="alice")
    assert not _result(session, alice, "one-stop-result-digitised").done
    service.digitise_result(session, alice, dossier, actor="alice", filename="kq.pdf",
                            data=a_pdf(2))
    session.commit()
    result = _result(session, alice, "one-stop-result-digitised")
    assert result.done and "2 pages" in result.detail
