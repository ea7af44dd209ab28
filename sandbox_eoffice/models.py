"""Database models of the sandbox e-office (SQLAlchemy 2.0, no web framework imports).

Every row belongs to exactly one Tenant: the learner's own sandbox agency.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from sandbox_eoffice.vocabulary import (
    CertificateStatus,
    Confidentiality,
    DeliveryStatus,
    DocumentStatus,
    OutgoingStatus,
    Position,
    RegisterBook,
    Urgency,
)
from signing.authority import CertificateKind, RevocationReason

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always returned timezone-aware (UTC).

    SQLite has no time zones; storing naive UTC everywhere keeps both databases alike.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _enum_values(enum_class: type[Any]) -> list[str]:
    return [member.value for member in enum_class]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Tenant(Base):
    """One learner's sandbox: named after their hub username."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    # a trainer's scenario clock: the tenant's certificates live this many days ahead
    clock_offset_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # the agency's other systems it has been given (sandbox_eoffice.seeding.SYSTEMS_VERSION):
    # a sandbox made before official mail, the one-stop desk and the reports existed gets
    # them on its next visit (seed_missing_systems)
    systems_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    agency: Mapped[Agency | None] = relationship(back_populates="tenant", uselist=False)


class Agency(Base):
    """The learner's own agency (cơ quan), e.g. "UBND huyện Lập Thạch"."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    symbol: Mapped[str] = mapped_column(String(30))
    province: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(255))

    tenant: Mapped[Tenant] = relationship(back_populates="agency")


class Unit(Base):
    """A unit (phòng, ban) of the learner's agency, e.g. "Văn phòng Sở", "Phòng Nội vụ"."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    symbol: Mapped[str] = mapped_column(String(20))  # its part of a số, ký hiệu: 123/SNV-VP


class Colleague(Base):
    """A fictitious colleague in the learner's agency (cán bộ, công chức).

    The agency's leaders (Giám đốc, Phó Giám đốc; Chủ tịch, Phó Chủ tịch) belong to no unit.
    """

    __tablename__ = "colleague"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[Position] = mapped_column(
        Enum(Position, native_enum=False, length=30, values_callable=_enum_values)
    )
    job_title: Mapped[str] = mapped_column(String(100))  # as printed: "Trưởng phòng"
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(200))

    unit: Mapped[Unit | None] = relationship()


incoming_document_coordinating_unit = Table(
    "incoming_document_coordinating_unit",
    Base.metadata,
    Column(
        "document_id",
        ForeignKey("incoming_document.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
)


class IncomingDocument(Base):
    """Văn bản đến: received from another agency, registered in the yearly register book."""

    __tablename__ = "incoming_document"
    __table_args__ = (
        UniqueConstraint("tenant_id", "register_year", "register_number"),
        # each verification exercise once per inbox (NULLs, the other documents, are distinct)
        UniqueConstraint("tenant_id", "signature_case"),
        Index("ix_incoming_document_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    number_symbol: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(Text)
    issuing_agency: Mapped[str] = mapped_column(String(255))
    document_type: Mapped[str] = mapped_column(String(50))
    urgency: Mapped[Urgency] = mapped_column(
        Enum(Urgency, native_enum=False, length=20, values_callable=_enum_values)
    )
    issued_date: Mapped[date] = mapped_column(Date)
    received_date: Mapped[date] = mapped_column(Date)
    status: Mapped[DocumentStatus] = mapped_column(
        Enum(DocumentStatus, native_enum=False, length=20, values_callable=_enum_values)
    )
    register_year: Mapped[int | None] = mapped_column(Integer)
    register_number: Mapped[int | None] = mapped_column(Integer)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_by: Mapped[str | None] = mapped_column(String(200))
    confidentiality: Mapped[Confidentiality] = mapped_column(
        Enum(Confidentiality, native_enum=False, length=20, values_callable=_enum_values),
        default=Confidentiality.NORMAL,
    )
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(100))  # "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"
    # giao xử lý: the lead unit and/or lead person, the coordinating units, the deadline
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("colleague.id", ondelete="SET NULL"))
    instruction: Mapped[str | None] = mapped_column(Text)  # ý kiến chỉ đạo
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result_note: Mapped[str | None] = mapped_column(Text)
    # number, symbol and summary without diacritics, lower case: what the search box matches
    search_text: Mapped[str] = mapped_column(Text, default="")
    # sent by a classmate's agency (class exchange): registering it acknowledges receipt
    # one of the verification exercises (signing.scenario_documents.SignatureCase)
    signature_case: Mapped[str | None] = mapped_column(String(40))
    origin_delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_delivery.id", ondelete="SET NULL")
    )

    assignee: Mapped[Colleague | None] = relationship()
    lead_unit: Mapped[Unit | None] = relationship()
    coordinating_units: Mapped[list[Unit]] = relationship(
        secondary=incoming_document_coordinating_unit, order_by="Unit.name"
    )


class DocumentComment(Base):
    """A comment (ý kiến) on an incoming document, shown in its history."""

    __tablename__ = "document_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_document.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class DocumentForward(Base):
    """An incoming document forwarded (chuyển) to a colleague, for information or action."""

    __tablename__ = "document_forward"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_document.id", ondelete="CASCADE"), index=True
    )
    colleague_id: Mapped[int] = mapped_column(ForeignKey("colleague.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    forwarded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    colleague: Mapped[Colleague] = relationship()


class RegisterCounter(Base):
    """The last number given in one of the tenant's yearly register books.

    Numbers are allocated by one atomic UPDATE ... RETURNING in the issuing transaction, so
    concurrent issues queue on the row, and a rolled-back issue gives its number back.
    """

    __tablename__ = "register_counter"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True
    )
    book: Mapped[RegisterBook] = mapped_column(
        Enum(RegisterBook, native_enum=False, length=20, values_callable=_enum_values),
        primary_key=True,
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class OutgoingDocument(Base):
    """Văn bản đi: drafted in the agency, approved by a leader, issued with the next number of
    the outgoing register book, then sent over the interconnection axis."""

    __tablename__ = "outgoing_document"
    __table_args__ = (
        UniqueConstraint("tenant_id", "issue_year", "issue_number"),
        Index("ix_outgoing_document_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    document_type: Mapped[str] = mapped_column(String(50))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)  # nơi nhận, as printed
    urgency: Mapped[Urgency] = mapped_column(
        Enum(Urgency, native_enum=False, length=20, values_callable=_enum_values),
        default=Urgency.NORMAL,
    )
    confidentiality: Mapped[Confidentiality] = mapped_column(
        Enum(Confidentiality, native_enum=False, length=20, values_callable=_enum_values),
        default=Confidentiality.NORMAL,
    )
    status: Mapped[OutgoingStatus] = mapped_column(
        Enum(OutgoingStatus, native_enum=False, length=20, values_callable=_enum_values),
        default=OutgoingStatus.DRAFT,
    )
    drafting_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="SET NULL")
    )
    drafted_by: Mapped[str] = mapped_column(String(200))
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("colleague.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_comment: Mapped[str | None] = mapped_column(Text)
    issue_year: Mapped[int | None] = mapped_column(Integer)
    issue_number: Mapped[int | None] = mapped_column(Integer)
    number_symbol: Mapped[str | None] = mapped_column(String(60))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    drafting_unit: Mapped[Unit | None] = relationship()
    signer: Mapped[Colleague | None] = relationship()
    deliveries: Mapped[list[OutgoingDelivery]] = relationship(
        back_populates="document", order_by="OutgoingDelivery.id"
    )
    attachments: Mapped[list[OutgoingAttachment]] = relationship(order_by="OutgoingAttachment.id")
    # the signed PDF: personally signed at approval, then with the agency's signature at issue
    signed_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    personal_signer: Mapped[str | None] = mapped_column(String(200))


class OutgoingAttachment(Base):
    """A PDF attached to an outgoing draft (phụ lục, tài liệu kèm theo), kept in the database
    so that it is saved, backed up and deleted with its document in one transaction."""

    __tablename__ = "outgoing_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[str] = mapped_column(String(150))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class ClassExchange(Base):
    """A trainer's "class exchange" scenario: the members' agencies are on one another's
    interconnection axis, so what one learner sends arrives in a classmate's agency."""

    __tablename__ = "class_exchange"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    opened_by: Mapped[str] = mapped_column(String(150))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    members: Mapped[list[Tenant]] = relationship(secondary="class_exchange_member",
                                                 order_by="Tenant.username")


class_exchange_member = Table(
    "class_exchange_member",
    Base.metadata,
    Column("exchange_id", ForeignKey("class_exchange.id", ondelete="CASCADE"), primary_key=True),
    Column("tenant_id", ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True),
)


class OutgoingDelivery(Base):
    """One recipient agency of an issued document, and whether it acknowledged receipt.

    A simulated agency of the province acknowledges at once; a classmate's agency (a class
    exchange) acknowledges when that learner registers the document it received.
    """

    __tablename__ = "outgoing_delivery"
    __table_args__ = (UniqueConstraint("document_id", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(255))
    recipient_tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenant.id", ondelete="SET NULL")
    )
    recipient_tenant: Mapped[Tenant | None] = relationship(foreign_keys=[recipient_tenant_id])
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=20, values_callable=_enum_values),
        default=DeliveryStatus.SENT,
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[OutgoingDocument] = relationship(back_populates="deliveries")


class ActivityLog(Base):
    """One action a person took in the e-office. The only source of grading evidence."""

    __tablename__ = "activity_log"
    __table_args__ = (Index("ix_activity_log_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class SigningCertificate(Base):
    """A digital-signature certificate of the sandbox PKI with its token (the key sealed
    under the holder's PIN). A learner's personal certificates and their agency's
    organisation certificate have the tenant; the province's fictitious signers of the
    verification exercises have none (nor have those of a sandbox since reset)."""

    __tablename__ = "signing_certificate"
    __table_args__ = (
        Index("ix_signing_certificate_tenant_kind", "tenant_id", "kind"),
        # one request at a time per learner and kind, even when two arrive at once
        Index("uq_signing_certificate_one_request", "tenant_id", "kind", unique=True,
              sqlite_where=text("status = 'requested'"),
              postgresql_where=text("status = 'requested'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # a CA never forgets what it issued: a reset sandbox leaves its certificates behind
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="SET NULL"))
    kind: Mapped[CertificateKind] = mapped_column(
        Enum(CertificateKind, native_enum=False, length=20, values_callable=_enum_values))
    status: Mapped[CertificateStatus] = mapped_column(
        Enum(CertificateStatus, native_enum=False, length=20, values_callable=_enum_values),
        default=CertificateStatus.REQUESTED)
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    serial_number: Mapped[str | None] = mapped_column(String(40), unique=True)  # hex
    certificate_der: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_key: Mapped[bytes | None] = mapped_column(LargeBinary)  # the token's key
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    failed_pin_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requested_by: Mapped[str] = mapped_column(String(150))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    approved_by: Mapped[str | None] = mapped_column(String(150))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[RevocationReason | None] = mapped_column(
        Enum(RevocationReason, native_enum=False, length=30, values_callable=_enum_values))
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("signing_certificate.id", ondelete="SET NULL"))

    tenant: Mapped[Tenant | None] = relationship()


class SignatureSample(Base):
    """A document of the verification exercises (validly signed, tampered, revoked, ...):
    made once per installation and put in every learner's inbox."""

    __tablename__ = "signature_sample"

    case: Mapped[str] = mapped_column(String(40), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


# The feature packages' tables join this metadata (their models import Base from here), so
# that Alembic and the schema check see every table whichever module is imported first.
from sandbox_eoffice.mail import models as _mail_models  # noqa: E402, F401
from sandbox_eoffice.one_stop import models as _one_stop_models  # noqa: E402, F401
from sandbox_eoffice.reports import models as _reports_models  # noqa: E402, F401
