"""The one-stop desk's indicators, as the provinces' reports quote them (online share, paid
online, digitised, on time, late, satisfaction), computed from the desk's own dossiers.

The periodic reports (`sandbox_eoffice.reports`) fill their one-stop indicators from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ
from sandbox_eoffice.models import Tenant
from sandbox_eoffice.one_stop.dossiers import (
    SATISFIED_FROM,
    is_overdue,
    returned_on_time,
    vietnam_today,
)
from sandbox_eoffice.one_stop.models import Channel, Dossier, DossierStatus


@dataclass(frozen=True)
class DeskIndicators:
    """Counts for the dossiers received from `start` to `end` (inclusive, Vietnam dates)."""

    received: int
    received_online: int
    with_fee: int
    paid_online: int
    resolved: int
    resolved_on_time: int
    resolved_late: int
    overdue_in_progress: int
    results_digitised: int
    ratings: int
    satisfied_ratings: int
    # added by the one-stop feature (defaults keep older constructions valid)
    rejected: int = 0  # finished without a result (từ chối), in none of the shares above

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        """part/whole in percent (one decimal), None when there is nothing to count."""
        return round(100 * part / whole, 1) if whole else None

    @property
    def online_percent(self) -> float | None:
        return self.share(self.received_online, self.received)

    @property
    def paid_online_percent(self) -> float | None:
        return self.share(self.paid_online, self.with_fee)

    @property
    def digitised_percent(self) -> float | None:
        return self.share(self.results_digitised, self.resolved)

    @property
    def on_time_percent(self) -> float | None:
        return self.share(self.resolved_on_time, self.resolved)

    @property
    def late_percent(self) -> float | None:
        return self.share(self.resolved_late, self.resolved)

    @property
    def satisfaction_percent(self) -> float | None:
        return self.share(self.satisfied_ratings, self.ratings)


def desk_indicators(session: Session, tenant: Tenant, start: date, end: date, *,
                    today: date | None = None) -> DeskIndicators:
    """The desk's indicators over the dossiers received from `start` to `end` inclusive
    (Vietnam dates).

    - online: received through the portal, of all received;
    - paid online: paid through the payment gateway, of those with a fee;
    - digitised, on time, late: of the dossiers whose result was returned (resolved); on
      time when returned on or before the due date;
    - overdue in progress: not finished and past the due date on `today` (Vietnam, default);
    - satisfaction: ratings of 4 or 5 out of 5, of all ratings.
    """
    today = today or vietnam_today()
    first = datetime.combine(start, time.min, VIETNAM_TZ)
    after_last = datetime.combine(end + timedelta(days=1), time.min, VIETNAM_TZ)
    dossiers = session.scalars(select(Dossier).where(
        Dossier.tenant_id == tenant.id, Dossier.received_at >= first,
        Dossier.received_at < after_last)).all()
    resolved = [d for d in dossiers if d.status is DossierStatus.RETURNED]
    with_fee = [d for d in dossiers if d.fee > 0]
    ratings = [d.satisfaction_rating for d in dossiers if d.satisfaction_rating is not None]
    return DeskIndicators(
        received=len(dossiers),
        received_online=sum(d.channel is Channel.ONLINE for d in dossiers),
        with_fee=len(with_fee),
        paid_online=sum(d.paid_online and d.paid_at is not None for d in with_fee),
        resolved=len(resolved),
        resolved_on_time=sum(returned_on_time(d) is True for d in resolved),
        resolved_late=sum(returned_on_time(d) is False for d in resolved),
        overdue_in_progress=sum(is_overdue(d, today) for d in dossiers),
        results_digitised=sum(d.result_digitised for d in resolved),
        ratings=len(ratings),
        satisfied_ratings=sum(rating >= SATISFIED_FROM for rating in ratings),
        rejected=sum(d.status is DossierStatus.REJECTED for d in dossiers),
    )
