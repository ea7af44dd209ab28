"""Tables of the reports feature (SQLAlchemy 2.0, no web framework imports);
every row belongs to one Tenant, like the rest of the e-office.

A `PeriodicReport` is one agency's report for one period (a month or a quarter): a draft the
learner fills, then submitted and locked. Its `ReportValue` rows are the eight indicators'
figures, each with the figure the agency's own data gave when it was last filled or
submitted (`system_value`), so that a changed figure shows, and is judged, as such.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sandbox_eoffice.models import Base, UTCDateTime, _enum_values, utc_now
from sandbox_eoffice.reports.catalogue import IndicatorSource
from sandbox_eoffice.reports.periods import Period, ReportKind, period_of


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


# 12 digits before the point, 2 after: a count, a share in percent
VALUE_TYPE = Numeric(14, 2)


class PeriodicReport(Base):
    """Báo cáo định kỳ: one agency's report for one month or quarter."""

    __tablename__ = "periodic_report"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[ReportKind] = mapped_column(
        Enum(ReportKind, native_enum=False, length=20, values_callable=_enum_values))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[ReportStatus] = mapped_column(
        Enum(ReportStatus, native_enum=False, length=20, values_callable=_enum_values),
        default=ReportStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # from the data, last
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str | None] = mapped_column(String(200))  # the person, as shown
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    values: Mapped[list[ReportValue]] = relationship(
        back_populates="report", order_by="ReportValue.id", cascade="all, delete-orphan")

    @property
    def period(self) -> Period:
        return period_of(self.kind, self.period_start)

    @property
    def locked(self) -> bool:
        return self.status is ReportStatus.SUBMITTED

    def value_of(self, code: str) -> ReportValue | None:
        return next((row for row in self.values if row.indicator == code), None)


class ReportValue(Base):
    """One indicator's figure in a report."""

    __tablename__ = "report_value"
    __table_args__ = (UniqueConstraint("report_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    report_id: Mapped[int] = mapped_column(
        ForeignKey("periodic_report.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(40))  # catalogue.Indicator.code
    source: Mapped[IndicatorSource] = mapped_column(
        Enum(IndicatorSource, native_enum=False, length=20, values_callable=_enum_values))
    value: Mapped[Decimal | None] = mapped_column(VALUE_TYPE)
    # what the agency's data said (computed indicators): at the last fill, then at submission
    system_value: Mapped[Decimal | None] = mapped_column(VALUE_TYPE)
    out_of_range: Mapped[bool] = mapped_column(Boolean, default=False)
    differs: Mapped[bool] = mapped_column(Boolean, default=False)  # from system_value
    note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[PeriodicReport] = relationship(back_populates="values")
