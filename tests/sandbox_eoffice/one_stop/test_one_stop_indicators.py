"""The desk's indicators on a small constructed set, computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from sandbox_eoffice.models import Tenant
from sandbox_eoffice.one_stop.indicators import DeskIndicators, desk_indicators
from sandbox_eoffice.one_stop.models import Channel, Dossier, DossierStatus

TODAY = date(2026, 5, 20)
START, END = date(2026, 5, 1), date(2026, 5, 20)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _dossier(tenant: Tenant, number: int, *, channel: Channel, received: str,
             status: DossierStatus, due: date | None, fee: int = 0, paid_online: bool = False,
             paid: bool = False, returned: str | None = None, digitised: bool = False,
             rating: int | None = None) -> Dossier:
    return Dossier(
        tenant_id=tenant.id, receipt_number=f"T-{number:04d}", procedure_code="KD-HKD",
        channel=channel, status=status, applicant_name="Lê Văn An", citizen_id="044090123456",
        date_of_birth=date(1990, 1, 1), address="Đồng Hới", phone="", received_at=_at(received),
        received_by="x", due_date=due, fee=fee, paid_online=paid_online,
        paid_at=_at(received) if paid else None,
        result_returned_at=_at(returned) if returned else None, result_digitised=digitised,
        satisfaction_rating=rating)


def _constructed(session: Session) -> Tenant:
    tenant = Tenant(username="desk", full_name="Desk", seed=1)
    other = Tenant(username="other", full_name="Other", seed=2)
    session.add_all([tenant, other])
    session.flush()
    online, counter = Channel.ONLINE, Channel.COUNTER
    returned, received = DossierStatus.RETURNED, DossierStatus.RECEIVED
    session.add_all([
        # on time (due 10/5, returned 8/5), paid online, digitised, rated 5
        _dossier(tenant, 1, channel=online, received="2026-05-04T02:00", status=returned,
                 due=date(2026, 5, 10), fee=100_000, paid=True, paid_online=True,
                 returned="2026-05-08T03:00", digitised=True, rating=5),
        # late (due 5/5, returned 7/5), free, not digitised, rated 2
        _dossier(tenant, 2, channel=counter, received="2026-05-04T03:00", status=returned,
                 due=date(2026, 5, 5), returned="2026-05-07T03:00", rating=2),
        # on time on its due date at 23:00 Vietnam time, paid at the counter, rated 4
        _dossier(tenant, 3, channel=online, received="2026-05-06T02:00", status=returned,
                 due=date(2026, 5, 12), fee=2_000, paid=True, returned="2026-05-12T16:00",
                 digitised=True, rating=4),
        # in review past its due date: overdue; a fee not yet paid
        _dossier(tenant, 4, channel=online, received="2026-05-05T02:00",
                 status=DossierStatus.IN_REVIEW, due=date(2026, 5, 12), fee=100_000),
        # received yesterday, not due yet
        _dossier(tenant, 5, channel=counter, received="2026-05-19T02:00", status=received,
                 due=date(2026, 5, 25)),
        _dossier(tenant, 6, channel=online, received="2026-05-11T02:00",
                 status=DossierStatus.REJECTED, due=date(2026, 5, 14)),
        # 20/5 at 23:30 in Vietnam (16:30 UTC): inside the period
        _dossier(tenant, 7, channel=counter, received="2026-05-20T16:30", status=received,
                 due=date(2026, 5, 21)),
        # 1/5 at 00:10 in Vietnam (30/4 17:10 UTC): inside; due 4/5, overdue
        _dossier(tenant, 8, channel=online, received="2026-04-30T17:10", status=received,
                 due=date(2026, 5, 4)),
        # outside the period: 30/4 at 23:50 and 21/5 at 00:05 in Vietnam
        _dossier(tenant, 9, channel=online, received="2026-04-30T16:50", status=returned,
                 due=date(2026, 5, 4), returned="2026-05-04T02:00", rating=1),
        _dossier(tenant, 10, channel=online, received="2026-05-20T17:05", status=received,
                 due=date(2026, 5, 22)),
        # another agency's dossier
        _dossier(other, 11, channel=counter, received="2026-05-06T02:00", status=returned,
                 due=date(2026, 5, 7), returned="2026-05-08T02:00", rating=1),
    ])
    session.commit()
    return tenant


def test_indicators_of_a_constructed_desk(session: Session) -> None:
    tenant = _constructed(session)
    result = desk_indicators(session, tenant, START, END, today=TODAY)
    assert result == DeskIndicators(
        received=8, received_online=5, with_fee=3, paid_online=1, resolved=3,
        resolved_on_time=2, resolved_late=1, overdue_in_progress=2, results_digitised=2,
        ratings=3, satisfied_ratings=2, rejected=1)
    assert result.online_percent == 62.5
    assert result.paid_online_percent == 33.3
    assert result.digitised_percent == 66.7
    assert result.on_time_percent == 66.7
    assert result.late_percent == 33.3
    assert result.satisfaction_percent == 66.7


def test_an_empty_period_has_no_percentages(session: Session) -> None:
    tenant = _constructed(session)
    result = desk_indicators(session, tenant, date(2025, 1, 1), date(2025, 1, 31), today=TODAY)
    assert result.received == 0
    assert result.online_percent is None and result.satisfaction_percent is None


def test_overdue_is_counted_on_the_given_day(session: Session) -> None:
    tenant = _constructed(session)
    assert desk_indicators(session, tenant, START, END,
                           today=date(2026, 5, 4)).overdue_in_progress == 0
    assert desk_indicators(session, tenant, START, END,
                           today=date(2026, 5, 5)).overdue_in_progress == 1
