"""Tables of the one-stop feature (SQLAlchemy 2.0, no web framework imports);
every row belongs to one Tenant, like the rest of the e-office.

- `Dossier`: a citizen's administrative-procedure dossier (hồ sơ thủ tục hành chính) with its
  receipt number, procedure, applicant, channel, status, legal due date, fee and result;
- `DossierDocument`: one document of its dossier list (thành phần hồ sơ), provided or not;
- `PopulationRecord`: the simulated national population database (per tenant);
- `PopulationLookup`: every lookup in it, by whom, when, for which purpose and dossier.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sandbox_eoffice.models import Base, Unit, UTCDateTime, utc_now
from sandbox_eoffice.one_stop.citizen_id import Sex


def _values(enum_class: type[StrEnum]) -> list[str]:
    return [member.value for member in enum_class]


class Channel(StrEnum):
    """How the dossier arrived."""

    ONLINE = "online"  # the public-service portal (Cổng dịch vụ công)
    COUNTER = "counter"  # in person at the one-stop counter (bộ phận một cửa)


class DossierStatus(StrEnum):
    """received → (additional_requested → received) → in_review → approved → returned;
    rejected ends it without a result."""

    RECEIVED = "received"
    ADDITIONAL_REQUESTED = "additional_requested"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"

    @property
    def is_finished(self) -> bool:
        return self in (DossierStatus.RETURNED, DossierStatus.REJECTED)


class LookupPurpose(StrEnum):
    """The lawful purposes for which the desk may look a citizen up: each tied to a dossier."""

    VERIFY_APPLICANT = "verify_applicant"  # identity of the applicant of this dossier
    VERIFY_RESIDENCE = "verify_residence"  # residence, where the procedure depends on it
    VERIFY_RELATED_PERSON = "verify_related_person"  # a person named in the dossier


class Dossier(Base):
    __tablename__ = "dossier"
    __table_args__ = (
        UniqueConstraint("tenant_id", "receipt_number"),
        Index("ix_dossier_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    receipt_number: Mapped[str] = mapped_column(String(40))
    procedure_code: Mapped[str] = mapped_column(String(20))
    channel: Mapped[Channel] = mapped_column(
        Enum(Channel, native_enum=False, length=20, values_callable=_values))
    status: Mapped[DossierStatus] = mapped_column(
        Enum(DossierStatus, native_enum=False, length=30, values_callable=_values),
        default=DossierStatus.RECEIVED)
    applicant_name: Mapped[str] = mapped_column(String(200))
    citizen_id: Mapped[str] = mapped_column(String(12))
    date_of_birth: Mapped[date] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str] = mapped_column(String(20), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    received_by: Mapped[str] = mapped_column(String(200))
    # the legal due date (ngày hẹn trả); none while the clock waits for missing documents
    due_date: Mapped[date | None] = mapped_column(Date)
    completeness_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    additional_request: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result_returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    fee: Mapped[int] = mapped_column(Integer, default=0)  # VND
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_reference: Mapped[str | None] = mapped_column(String(40))
    result_digitised: Mapped[bool] = mapped_column(Boolean, default=False)
    result_filename: Mapped[str | None] = mapped_column(String(255))
    result_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    satisfaction_rating: Mapped[int | None] = mapped_column(Integer)  # 1–5, by the citizen

    unit: Mapped[Unit | None] = relationship()
    documents: Mapped[list[DossierDocument]] = relationship(
        order_by="DossierDocument.position", back_populates="dossier")

    @property
    def missing_documents(self) -> list[DossierDocument]:
        return [document for document in self.documents if not document.provided]


class DossierDocument(Base):
    """One paper of the dossier's list (thành phần hồ sơ) and whether the citizen gave it."""

    __tablename__ = "dossier_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    provided: Mapped[bool] = mapped_column(Boolean, default=False)

    dossier: Mapped[Dossier] = relationship(back_populates="documents")


class PopulationRecord(Base):
    """A citizen in the simulated national population database (Cơ sở dữ liệu quốc gia về
    dân cư). Each practice agency has its own copy, made up from its seed."""

    __tablename__ = "population_record"
    __table_args__ = (UniqueConstraint("tenant_id", "citizen_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    citizen_id: Mapped[str] = mapped_column(String(12))
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(Enum(Sex, native_enum=False, length=10,
                                          values_callable=_values))
    hometown: Mapped[str] = mapped_column(String(255))  # quê quán
    permanent_address: Mapped[str] = mapped_column(String(255))  # nơi thường trú


class PopulationLookup(Base):
    """One lookup in the population database: personal data is read for a stated, lawful
    purpose only, and every reading is kept (the learner sees their own)."""

    __tablename__ = "population_lookup"
    __table_args__ = (Index("ix_population_lookup_tenant_at", "tenant_id", "looked_up_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(150))
    looked_up_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    citizen_id: Mapped[str] = mapped_column(String(12))
    purpose: Mapped[LookupPurpose] = mapped_column(
        Enum(LookupPurpose, native_enum=False, length=30, values_callable=_values))
    note: Mapped[str] = mapped_column(Text, default="")
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id", ondelete="SET NULL"))
    found: Mapped[bool] = mapped_column(Boolean, default=False)

    dossier: Mapped[Dossier | None] = relationship()
