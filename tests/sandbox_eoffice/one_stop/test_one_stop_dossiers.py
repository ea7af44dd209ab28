"""The one-stop desk's service layer: receiving, the workflow and its refusals, deadlines in
working days, the population lookup and its log, the seed (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ
from sandbox_eoffice.database import make_session_factory
from sandbox_eoffice.models import ActivityLog, Tenant, Unit
from sandbox_eoffice.one_stop import dossiers as service
from sandbox_eoffice.one_stop.citizen_id import NOT_TWELVE_DIGITS, UNKNOWN_PROVINCE_CODE
from sandbox_eoffice.one_stop.dossiers import Applicant, DossierActionRefused
from sandbox_eoffice.one_stop.models import (
    Channel,
    Dossier,
    DossierStatus,
    LookupPurpose,
    PopulationLookup,
    PopulationRecord,
)
from sandbox_eoffice.one_stop.seeding import PLANS, seed_dossiers
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.uploads import NOT_A_PDF
from tests.sandbox_eoffice.test_uploads import a_pdf

TODAY = date(2026, 4, 29)  # a Wednesday before 30/4 and 1/5
NOW = datetime(2026, 4, 29, 2, 30, tzinfo=UTC)  # 09:30 in Vietnam
APPLICANT = Applicant("Trần Thị Mai", "044190123456", date(1990, 5, 17),
                      "Số 12 đường Lý Thường Kiệt, phường Hải Đình, thành phố Đồng Hới")


@pytest.fixture
def alice(session: Session) -> Tenant:
    tenant = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=4, today=TODAY)
    session.commit()
    return tenant


def _receive(session: Session, tenant: Tenant, code: str = "KD-HKD",
             provided: list[int] | None = None, now: datetime = NOW,
             applicant: Applicant = APPLICANT) -> Dossier:
    procedure_documents = {"KD-HKD": 3, "HT-KS": 3, "CT-BS": 2}
    dossier = service.receive_dossier(
        session, tenant, actor="alice", received_by=tenant.full_name, procedure_code=code,
        applicant=applicant, now=now,
        provided=list(range(procedure_documents[code])) if provided is None else provided)
    session.commit()
    return dossier


def _unit(session: Session, tenant: Tenant) -> Unit:
    return session.scalars(select(Unit).where(Unit.tenant_id == tenant.id)).first()


def test_a_counter_dossier_gets_a_receipt_number_and_a_due_date_in_working_days(
        session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    assert dossier.channel is Channel.COUNTER
    assert dossier.status is DossierStatus.RECEIVED
    symbol = alice.agency.symbol
    assert dossier.receipt_number.startswith(f"{symbol}-260429-")
    # 3 working days from Wednesday 29/4: 30/4 and 1/5 are holidays, 2–3/5 a weekend
    assert dossier.due_date == date(2026, 5, 6)
    assert dossier.fee == 100_000
    assert [d.name for d in dossier.documents][0] == "Giấy đề nghị đăng ký hộ kinh doanh"
    second = _receive(session, alice)
    assert int(second.receipt_number[-4:]) == int(dossier.receipt_number[-4:]) + 1
    entry = session.scalars(select(ActivityLog).where(
        ActivityLog.action == service.DOSSIER_RECEIVED, ActivityLog.object_id == dossier.id,
        ActivityLog.actor == "alice")).one()
    assert entry.details["due_date"] == "2026-05-06"


def test_the_whole_workflow_returns_the_result_on_time(session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    assert service.check_completeness(session, alice, dossier, actor="alice") == []
    service.transfer_to_unit(session, alice, dossier, actor="alice",
                             unit_id=_unit(session, alice).id)
    assert dossier.status is DossierStatus.IN_REVIEW
    service.approve_dossier(session, alice, dossier, actor="alice")
    service.collect_fee(session, alice, dossier, actor="alice", online=True, now=NOW)
    assert dossier.paid_online and dossier.payment_reference.startswith("PG260429")
    service.digitise_result(session, alice, dossier, actor="alice", filename="ket-qua.pdf",
                            data=a_pdf(1))
    service.return_result(session, alice, dossier, actor="alice",
                          now=datetime(2026, 5, 6, 9, 0, tzinfo=UTC))  # 16:00 on the due date
    session.commit()
    assert dossier.status is DossierStatus.RETURNED
    assert service.returned_on_time(dossier) is True
    assert dossier.satisfaction_rating in (4, 5)
    assert dossier.result_digitised and dossier.result_filename == "ket-qua.pdf"


def test_a_result_returned_after_the_due_date_is_late_and_rated_low(
        session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice, code="HT-KS")
    service.check_completeness(session, alice, dossier, actor="alice")
    service.transfer_to_unit(session, alice, dossier, actor="alice",
                             unit_id=_unit(session, alice).id)
    service.approve_dossier(session, alice, dossier, actor="alice")
    # due the next working day, 4/5; returned on 5/5
    assert dossier.due_date == date(2026, 5, 4)
    service.return_result(session, alice, dossier, actor="alice",
                          now=datetime(2026, 5, 5, 3, 0, tzinfo=UTC))
    assert service.returned_on_time(dossier) is False
    assert dossier.satisfaction_rating in (2, 3)
    assert dossier.fee == 0  # free: returned without a payment


def _snapshot(session: Session, dossier: Dossier) -> tuple[object, ...]:
    session.expire_all()
    row = session.get(Dossier, dossier.id)
    return (row.status, row.due_date, row.unit_id, row.approved_at, row.paid_at,
            row.result_digitised, row.completeness_checked_at,
            tuple(d.provided for d in row.documents))


@pytest.mark.parametrize(("step", "reason"), [
    ("approve", service.NOT_IN_REVIEW),
    ("transfer_unchecked", service.NOT_CHECKED),
    ("return", service.NOT_APPROVED),
    ("digitise", service.NOT_APPROVED),
    ("supplement", service.NOT_WAITING_FOR_DOCUMENTS),
])
def test_a_step_the_status_does_not_allow_is_refused_and_changes_nothing(
        session: Session, alice: Tenant, step: str, reason: str) -> None:
    dossier = _receive(session, alice)
    before = _snapshot(session, dossier)
    actions = {
        "approve": lambda: service.approve_dossier(session, alice, dossier, actor="alice"),
        "transfer_unchecked": lambda: service.transfer_to_unit(
            session, alice, dossier, actor="alice", unit_id=_unit(session, alice).id),
        "return": lambda: service.return_result(session, alice, dossier, actor="alice"),
        "digitise": lambda: service.digitise_result(session, alice, dossier, actor="alice",
                                                    filename="a.pdf", data=a_pdf(1)),
        "supplement": lambda: service.record_supplement(session, alice, dossier, actor="alice"),
    }
    with pytest.raises(DossierActionRefused) as refused:
        actions[step]()
    assert refused.value.reason == reason
    session.rollback()
    assert _snapshot(session, dossier) == before


def test_an_incomplete_dossier_is_never_sent_on_and_its_clock_stops(
        session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice, provided=[0, 1])  # no minutes of the family meeting
    missing = service.check_completeness(session, alice, dossier, actor="alice")
    assert missing == ["Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh"]
    with pytest.raises(DossierActionRefused) as refused:
        service.transfer_to_unit(session, alice, dossier, actor="alice",
                                 unit_id=_unit(session, alice).id)
    assert refused.value.reason == service.INCOMPLETE
    session.rollback()
    service.request_additional_documents(session, alice, dossier, actor="alice",
                                         note="Bổ sung trong 05 ngày.")
    assert dossier.status is DossierStatus.ADDITIONAL_REQUESTED
    assert dossier.due_date is None
    assert "Biên bản họp" in dossier.additional_request
    # the papers arrive on Monday 4/5: 3 working days from then
    service.record_supplement(session, alice, dossier, actor="alice",
                              now=datetime(2026, 5, 4, 2, 0, tzinfo=UTC))
    assert dossier.status is DossierStatus.RECEIVED
    assert dossier.due_date == date(2026, 5, 7)
    assert not dossier.missing_documents
    assert dossier.completeness_checked_at is None  # checked again before going on


def test_requesting_documents_for_a_complete_dossier_is_refused(
        session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    with pytest.raises(DossierActionRefused) as refused:
        service.request_additional_documents(session, alice, dossier, actor="alice", note="")
    assert refused.value.reason == service.ALREADY_COMPLETE


def test_fees_are_collected_once_and_only_when_there_is_one(
        session: Session, alice: Tenant) -> None:
    free = _receive(session, alice, code="HT-KS")
    with pytest.raises(DossierActionRefused) as refused:
        service.collect_fee(session, alice, free, actor="alice", online=True)
    assert refused.value.reason == service.NO_FEE
    paid = _receive(session, alice)
    service.collect_fee(session, alice, paid, actor="alice", online=False)
    assert not paid.paid_online and paid.payment_reference.startswith("BL")
    with pytest.raises(DossierActionRefused) as again:
        service.collect_fee(session, alice, paid, actor="alice", online=True)
    assert again.value.reason == service.ALREADY_PAID


def test_the_result_waits_for_the_fee(session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    service.check_completeness(session, alice, dossier, actor="alice")
    service.transfer_to_unit(session, alice, dossier, actor="alice",
                             unit_id=_unit(session, alice).id)
    service.approve_dossier(session, alice, dossier, actor="alice")
    with pytest.raises(DossierActionRefused) as refused:
        service.return_result(session, alice, dossier, actor="alice")
    assert refused.value.reason == service.FEE_NOT_PAID


def test_a_text_file_named_result_pdf_is_not_a_digitised_result(
        session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    service.check_completeness(session, alice, dossier, actor="alice")
    service.transfer_to_unit(session, alice, dossier, actor="alice",
                             unit_id=_unit(session, alice).id)
    service.approve_dossier(session, alice, dossier, actor="alice")
    session.commit()
    with pytest.raises(DossierActionRefused) as refused:
        service.digitise_result(session, alice, dossier, actor="alice",
                                filename="result.pdf", data=b"Ket qua giai quyet ho so\n")
    assert refused.value.reason == NOT_A_PDF
    session.rollback()
    assert not session.get(Dossier, dossier.id).result_digitised


def test_a_transfer_to_another_agencys_unit_is_refused(session: Session, alice: Tenant) -> None:
    bob = provision_tenant(session, "bob", "Bob", seed=9, today=TODAY)
    dossier = _receive(session, alice)
    service.check_completeness(session, alice, dossier, actor="alice")
    with pytest.raises(DossierActionRefused) as refused:
        service.transfer_to_unit(session, alice, dossier, actor="alice",
                                 unit_id=_unit(session, bob).id)
    assert refused.value.reason == service.UNKNOWN_UNIT


def test_a_refusal_needs_its_reason_and_ends_the_dossier(session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    with pytest.raises(DossierActionRefused) as refused:
        service.reject_dossier(session, alice, dossier, actor="alice", reason="   ")
    assert refused.value.reason == service.REASON_REQUIRED
    service.reject_dossier(session, alice, dossier, actor="alice",
                           reason="Ngành nghề kinh doanh có điều kiện.")
    assert dossier.status is DossierStatus.REJECTED
    with pytest.raises(DossierActionRefused) as finished:
        service.check_completeness(session, alice, dossier, actor="alice")
    assert finished.value.reason == service.FINISHED


@pytest.mark.parametrize(("citizen_id", "reason"), [
    ("04419012345", NOT_TWELVE_DIGITS),
    ("003190123456", UNKNOWN_PROVINCE_CODE),
])
def test_a_malformed_citizen_id_is_refused_at_receipt(
        session: Session, alice: Tenant, citizen_id: str, reason: str) -> None:
    count = session.scalar(select(func.count()).select_from(Dossier))
    with pytest.raises(DossierActionRefused) as refused:
        _receive(session, alice, applicant=Applicant(
            APPLICANT.full_name, citizen_id, APPLICANT.date_of_birth, APPLICANT.address))
    assert refused.value.reason == reason
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Dossier)) == count


def test_the_date_of_birth_must_agree_with_the_citizen_id(
        session: Session, alice: Tenant) -> None:
    with pytest.raises(DossierActionRefused) as refused:
        _receive(session, alice, applicant=Applicant(
            APPLICANT.full_name, APPLICANT.citizen_id, date(1991, 5, 17), APPLICANT.address))
    assert refused.value.reason == service.BIRTH_YEAR_MISMATCH


# --- the population database ------------------------------------------------------------------


def _mismatched(session: Session, tenant: Tenant, field: str) -> tuple[Dossier, PopulationRecord]:
    for dossier in service.list_dossiers(session, tenant):
        record = session.scalars(select(PopulationRecord).where(
            PopulationRecord.tenant_id == tenant.id,
            PopulationRecord.citizen_id == dossier.citizen_id)).one()
        if service.compare_with_dossier(record, dossier) == (field,):
            return dossier, record
    raise AssertionError(f"no seeded dossier differs in {field}")


def test_a_lookup_with_a_purpose_finds_the_citizen_and_shows_the_difference(
        session: Session, alice: Tenant) -> None:
    dossier, record = _mismatched(session, alice, "date_of_birth")
    assert dossier.status is DossierStatus.RECEIVED
    result = service.look_up_citizen(session, alice, actor="alice",
                                     citizen_id=f" {dossier.citizen_id[:6]} "
                                                f"{dossier.citizen_id[6:]}",
                                     purpose=LookupPurpose.VERIFY_APPLICANT, dossier=dossier,
                                     note="Đối chiếu ngày sinh")
    session.commit()
    assert result.record is not None and result.record.id == record.id
    assert result.mismatches == ("date_of_birth",)
    assert record.date_of_birth != dossier.date_of_birth
    assert record.date_of_birth.year == dossier.date_of_birth.year
    lookup = session.scalars(select(PopulationLookup)).one()
    assert (lookup.actor, lookup.citizen_id, lookup.purpose, lookup.dossier_id, lookup.found) == (
        "alice", dossier.citizen_id, LookupPurpose.VERIFY_APPLICANT, dossier.id, True)
    assert lookup.note == "Đối chiếu ngày sinh"
    entry = session.scalars(select(ActivityLog).where(
        ActivityLog.action == service.CITIZEN_LOOKED_UP)).one()
    assert entry.details["mismatches"] == ["date_of_birth"]
    assert service.my_lookups(session, alice, "alice") == [lookup]
    assert service.my_lookups(session, alice, "someone else") == []


def test_the_seed_has_an_address_difference_too(session: Session, alice: Tenant) -> None:
    dossier, record = _mismatched(session, alice, "address")
    assert record.permanent_address != dossier.address


def test_an_unknown_citizen_is_not_found_and_the_lookup_is_still_logged(
        session: Session, alice: Tenant) -> None:
    dossier = _receive(session, alice)
    result = service.look_up_citizen(session, alice, actor="alice", citizen_id="001090000001",
                                     purpose=LookupPurpose.VERIFY_RELATED_PERSON,
                                     dossier=dossier)
    assert result.record is None and result.mismatches == ()
    assert session.scalars(select(PopulationLookup.found)).one() is False


@pytest.mark.parametrize("case", ["no purpose", "no dossier", "closed dossier", "bad id"])
def test_a_lookup_without_a_lawful_ground_is_refused_and_not_logged_as_made(
        session: Session, alice: Tenant, case: str) -> None:
    dossier = _receive(session, alice)
    purpose: LookupPurpose | None = LookupPurpose.VERIFY_APPLICANT
    target: Dossier | None = dossier
    citizen_id = dossier.citizen_id
    expected = {"no purpose": service.NO_PURPOSE, "no dossier": service.NO_DOSSIER,
                "closed dossier": service.DOSSIER_CLOSED, "bad id": UNKNOWN_PROVINCE_CODE}[case]
    if case == "no purpose":
        purpose = None
    elif case == "no dossier":
        target = None
    elif case == "closed dossier":
        service.reject_dossier(session, alice, dossier, actor="alice", reason="Không đủ điều kiện")
    else:
        citizen_id = "099190123456"
    with pytest.raises(DossierActionRefused) as refused:
        service.look_up_citizen(session, alice, actor="alice", citizen_id=citizen_id,
                                purpose=purpose, dossier=target)
    assert refused.value.reason == expected
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PopulationLookup)) == 0


# --- the seed ---------------------------------------------------------------------------------


def _seeded(session: Session, tenant: Tenant) -> list[tuple[object, ...]]:
    return [(d.procedure_code, d.channel, d.status, d.applicant_name, d.citizen_id,
             d.date_of_birth, d.due_date, d.received_at, d.satisfaction_rating)
            for d in session.scalars(select(Dossier).where(Dossier.tenant_id == tenant.id)
                                     .order_by(Dossier.id))]


def test_the_seed_is_varied_and_realistic(session: Session, alice: Tenant) -> None:
    dossiers = service.list_dossiers(session, alice)
    assert len(dossiers) == len(PLANS) == 16
    assert {d.status for d in dossiers} == set(DossierStatus)
    assert {d.channel for d in dossiers} == set(Channel)
    assert sum(service.is_overdue(d, TODAY) for d in dossiers) >= 2
    assert any(d.missing_documents and d.status is DossierStatus.RECEIVED for d in dossiers)
    for dossier in dossiers:
        assert dossier.received_at.date() <= TODAY
        assert service.checked_citizen_id(dossier.citizen_id, TODAY) == dossier.citizen_id
        assert dossier.date_of_birth.year == int(
            ("19" if dossier.citizen_id[3] in "01" else "20") + dossier.citizen_id[4:6])
        if dossier.status is DossierStatus.RETURNED:
            assert dossier.result_returned_at is not None and dossier.satisfaction_rating
            assert dossier.result_returned_at.date() <= TODAY + timedelta(days=1)
    records = session.scalar(select(func.count()).select_from(PopulationRecord).where(
        PopulationRecord.tenant_id == alice.id))
    assert records == len(PLANS) + 4
    # every dossier has its history, acted by the desk's people or the portal, never alice
    entries = session.scalars(select(ActivityLog).where(
        ActivityLog.tenant_id == alice.id, ActivityLog.object_type == service.DOSSIER)).all()
    assert {e.object_id for e in entries} == {d.id for d in dossiers}
    assert "alice" not in {e.actor for e in entries}
    assert len(service.counter_queue(session, alice)) == 3


def test_the_seed_is_deterministic_per_seed(session: Session) -> None:
    first = provision_tenant(session, "one", "One", seed=21, today=TODAY)
    second = provision_tenant(session, "two", "Two", seed=21, today=TODAY)
    third = provision_tenant(session, "three", "Three", seed=22, today=TODAY)
    session.commit()
    assert _seeded(session, first) == _seeded(session, second)
    assert _seeded(session, first) != _seeded(session, third)


def test_seeding_a_bare_tenant_works_without_an_agency(session: Session) -> None:
    tenant = Tenant(username="bare", full_name="Bare", seed=3)
    session.add(tenant)
    session.flush()
    seed_dossiers(session, tenant, 3, TODAY)
    session.commit()
    assert len(service.list_dossiers(session, tenant)) == len(PLANS)
    assert all(d.receipt_number.startswith("MC-") for d in service.list_dossiers(session, tenant))


@pytest.mark.parametrize("today", [date(2026, 1, 2), date(2026, 2, 23), date(2026, 5, 4),
                                   date(2026, 9, 3), date(2027, 2, 11), date(2027, 1, 1)])
def test_the_seeds_story_fits_before_today_around_holidays(session: Session, today: date) -> None:
    tenant = Tenant(username="bare", full_name="Bare", seed=11)
    session.add(tenant)
    session.flush()
    seed_dossiers(session, tenant, 11, today)
    session.commit()
    dossiers = service.list_dossiers(session, tenant)
    for dossier in dossiers:
        assert dossier.received_at.astimezone(VIETNAM_TZ).date() <= today
        for moment in (dossier.approved_at, dossier.result_returned_at, dossier.paid_at):
            assert moment is None or moment.astimezone(VIETNAM_TZ).date() <= today
    by_status = {status: [d for d in dossiers if d.status is status] for status in DossierStatus}
    assert not any(service.is_overdue(d, today) for d in by_status[DossierStatus.RECEIVED])
    assert sum(service.is_overdue(d, today) for d in dossiers) == 2
    returned = by_status[DossierStatus.RETURNED]
    assert [service.returned_on_time(d) for d in returned].count(False) == 1


def test_a_step_already_taken_by_another_request_is_refused(
        engine: Engine, session: Session, alice: Tenant) -> None:
    """Two clerks' requests on the same approved dossiers: the second, holding copies read
    before the first committed, neither returns a result again nor takes a fee twice."""
    approved = []
    for code in ("HT-KS", "KD-HKD"):
        dossier = _receive(session, alice, code=code)
        service.check_completeness(session, alice, dossier, actor="alice")
        service.transfer_to_unit(session, alice, dossier, actor="alice",
                                 unit_id=_unit(session, alice).id)
        service.approve_dossier(session, alice, dossier, actor="alice")
        approved.append(dossier.id)
    session.commit()
    free_id, paid_id = approved
    with make_session_factory(engine)() as first, make_session_factory(engine)() as second:
        tenant_two = second.get(Tenant, alice.id)
        stale_free, stale_paid = second.get(Dossier, free_id), second.get(Dossier, paid_id)
        assert (stale_free.status, stale_paid.paid_at) == (DossierStatus.APPROVED, None)
        tenant_one = first.get(Tenant, alice.id)
        service.return_result(first, tenant_one, first.get(Dossier, free_id), actor="alice")
        service.collect_fee(first, tenant_one, first.get(Dossier, paid_id), actor="alice",
                            online=True)
        first.commit()
        with pytest.raises(DossierActionRefused) as returned:
            service.return_result(second, tenant_two, stale_free, actor="bob")
        assert returned.value.reason == service.FINISHED
        with pytest.raises(DossierActionRefused) as paid:
            service.collect_fee(second, tenant_two, stale_paid, actor="bob", online=False)
        assert paid.value.reason == service.ALREADY_PAID
        second.rollback()
    session.expire_all()
    assert session.get(Dossier, paid_id).paid_online is True
    assert session.get(Dossier, free_id).status is DossierStatus.RETURNED
    actors = session.scalars(select(ActivityLog.actor).where(
        ActivityLog.action.in_([service.DOSSIER_RESULT_RETURNED, service.DOSSIER_FEE_PAID]),
        ActivityLog.object_id.in_(approved))).all()
    assert actors == ["alice", "alice"]


def test_the_counter_queue_is_stable_and_its_forms_pass_the_id_check(
        session: Session, alice: Tenant) -> None:
    queue = service.counter_queue(session, alice)
    assert [v.record.citizen_id for v in queue] == [
        v.record.citizen_id for v in service.counter_queue(session, alice)]
    for visitor in queue:
        assert visitor.declared_date_of_birth.year == visitor.record.date_of_birth.year
        assert visitor.brought and set(visitor.brought) <= set(
            range(len(visitor.procedure.documents)))
    first = queue[0]
    dossier = service.receive_dossier(
        session, alice, actor="alice", received_by="x", procedure_code=first.procedure.code,
        applicant=Applicant(first.declared_name, first.record.citizen_id,
                            first.declared_date_of_birth, first.declared_address),
        provided=list(first.brought), now=NOW)
    session.commit()
    assert first.record.citizen_id not in {
        v.record.citizen_id for v in service.counter_queue(session, alice)}
    assert dossier.missing_documents == [
        d for d in dossier.documents if d.position not in first.brought]


def test_a_stale_copy_cannot_digitise_a_returned_result_nor_take_a_rejected_fee(
        engine: Engine, session: Session, alice: Tenant) -> None:
    """The second request read the dossiers before the first returned one result and
    rejected the other: digitising the returned one and taking the rejected one's fee are
    refused, and nothing of theirs changes."""
    dossiers = []
    for code in ("HT-KS", "KD-HKD"):
        dossier = _receive(session, alice, code=code)
        service.check_completeness(session, alice, dossier, actor="alice")
        service.transfer_to_unit(session, alice, dossier, actor="alice",
                                 unit_id=_unit(session, alice).id)
        dossiers.append(dossier)
    service.approve_dossier(session, alice, dossiers[0], actor="alice")
    session.commit()
    returned_id, rejected_id = (d.id for d in dossiers)
    with make_session_factory(engine)() as first, make_session_factory(engine)() as second:
        stale_tenant = second.get(Tenant, alice.id)
        stale_returned = second.get(Dossier, returned_id)
        stale_rejected = second.get(Dossier, rejected_id)
        tenant_one = first.get(Tenant, alice.id)
        service.return_result(first, tenant_one, first.get(Dossier, returned_id), actor="alice")
        service.reject_dossier(first, tenant_one, first.get(Dossier, rejected_id),
                               actor="alice", reason="Không thuộc thẩm quyền giải quyết")
        first.commit()
        assert (stale_returned.status, stale_rejected.status) == (
            DossierStatus.APPROVED, DossierStatus.IN_REVIEW)  # what the second request saw
        with pytest.raises(DossierActionRefused) as fee:
            service.collect_fee(second, stale_tenant, stale_rejected, actor="alice", online=True)
        assert fee.value.reason == service.FINISHED
        with pytest.raises(DossierActionRefused) as digitised:
            service.digitise_result(second, stale_tenant, stale_returned, actor="alice",
                                    filename="ket-qua.pdf", data=a_pdf(1))
        assert digitised.value.reason == service.NOT_APPROVED
        second.rollback()
    session.expire_all()
    returned, rejected = session.get(Dossier, returned_id), session.get(Dossier, rejected_id)
    assert (returned.status, returned.result_digitised) == (DossierStatus.RETURNED, False)
    assert (rejected.status, rejected.paid_at) == (DossierStatus.REJECTED, None)
