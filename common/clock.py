"""Vietnam time: what learners, trainers and HR officers read dates and times in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

#: Indochina Time: a fixed UTC+7 offset, no daylight saving time.
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


def vietnam_now() -> datetime:
    """The current time in Vietnam (timezone-aware)."""
    return datetime.now(VIETNAM_TZ)


def to_vietnam(moment: datetime) -> datetime:
    """``moment`` in Vietnam time; a naive value is taken as UTC (as nbgrader stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM_TZ)
