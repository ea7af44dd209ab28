"""Words of the e-office: statuses, urgency and confidentiality levels, positions.

Stored values are short English codes. What a person reads is in sandbox_eoffice/labels.py,
translated through the gettext catalogues (Vietnamese by default, English on switch).
"""

from __future__ import annotations

from enum import StrEnum


class DocumentStatus(StrEnum):
    """Life cycle of an incoming document: received → registered → assigned → done."""

    RECEIVED = "received"
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    DONE = "done"


class OutgoingStatus(StrEnum):
    """Life cycle of an outgoing document: draft → submitted → approved → issued; a returned
    draft goes back to its drafter."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    ISSUED = "issued"


class DeliveryStatus(StrEnum):
    """An issued document on its way to another agency over the interconnection axis."""

    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"


class CertificateStatus(StrEnum):
    """A digital-signature certificate in the sandbox: requested by the learner, approved
    (issued) by a trainer acting as the registration officer, or revoked."""

    REQUESTED = "requested"
    ACTIVE = "active"
    REVOKED = "revoked"


class RegisterBook(StrEnum):
    """The yearly register books whose numbers run without gaps or duplicates."""

    OUTGOING = "outgoing"


class Urgency(StrEnum):
    """Độ khẩn of a document."""

    NORMAL = "normal"
    URGENT = "urgent"
    VERY_URGENT = "very_urgent"
    FLASH = "flash"


class Confidentiality(StrEnum):
    """Độ mật. Anything above NORMAL never travels through the ordinary e-office."""

    NORMAL = "normal"
    CONFIDENTIAL = "confidential"  # Mật
    SECRET = "secret"  # noqa: S105 (Tối mật: a classification, not a password)
    TOP_SECRET = "top_secret"  # noqa: S105 (Tuyệt mật)

    @property
    def is_classified(self) -> bool:
        return self is not Confidentiality.NORMAL


class Position(StrEnum):
    """What a colleague's job is, for the rules (who may approve, who registers)."""

    HEAD = "head"  # Giám đốc / Chủ tịch UBND
    DEPUTY_HEAD = "deputy_head"  # Phó Giám đốc / Phó Chủ tịch
    CHIEF_OF_OFFICE = "chief_of_office"  # Chánh Văn phòng
    DEPUTY_CHIEF_OF_OFFICE = "deputy_chief_of_office"  # Phó Chánh Văn phòng
    UNIT_HEAD = "unit_head"  # Trưởng phòng, Chánh Thanh tra
    DEPUTY_UNIT_HEAD = "deputy_unit_head"  # Phó Trưởng phòng, Phó Chánh Thanh tra
    SPECIALIST = "specialist"  # Chuyên viên, Thanh tra viên
    CLERK = "clerk"  # Văn thư

    @property
    def is_leader(self) -> bool:
        """Heads and deputies of the agency: the people who assign and approve."""
        return self in (Position.HEAD, Position.DEPUTY_HEAD)


# the Vietnamese document types (loại văn bản) the sandbox uses, as printed on documents
DOCUMENT_TYPES: tuple[str, ...] = (
    "Công văn",
    "Quyết định",
    "Tờ trình",
    "Thông báo",
    "Kế hoạch",
    "Báo cáo",
    "Giấy mời",
)

TASK_TARGET_AGENCY_PREFIX = "Sở Tài chính"
