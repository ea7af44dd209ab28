"""Words of the e-office: document statuses, urgency levels, document types.

Stored values are short English codes; the UI shows English with the Vietnamese term
in parentheses, the way learners will meet them in the real system.
"""

from __future__ import annotations

from enum import StrEnum


class DocumentStatus(StrEnum):
    """Life cycle of an incoming document: received → registered → assigned → done."""

    RECEIVED = "received"
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    DONE = "done"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[DocumentStatus, str] = {
    DocumentStatus.RECEIVED: "Not registered (Chưa vào sổ)",
    DocumentStatus.REGISTERED: "Registered (Đã vào sổ)",
    DocumentStatus.ASSIGNED: "Assigned for handling (Đã giao xử lý)",
    DocumentStatus.DONE: "Done (Đã xử lý xong)",
}


class Urgency(StrEnum):
    """Độ khẩn of a document."""

    NORMAL = "normal"
    URGENT = "urgent"
    VERY_URGENT = "very_urgent"
    FLASH = "flash"

    @property
    def label(self) -> str:
        return URGENCY_LABELS[self]


URGENCY_LABELS: dict[Urgency, str] = {
    Urgency.NORMAL: "Normal (Thường)",
    Urgency.URGENT: "Urgent (Khẩn)",
    Urgency.VERY_URGENT: "Very urgent (Thượng khẩn)",
    Urgency.FLASH: "Flash (Hỏa tốc)",
}

# Vietnamese document type → English label shown beside it.
DOCUMENT_TYPES: dict[str, str] = {
    "Công văn": "Official letter",
    "Quyết định": "Decision",
    "Tờ trình": "Submission",
    "Thông báo": "Notice",
    "Kế hoạch": "Plan",
}

TASK_TARGET_AGENCY_PREFIX = "Sở Tài chính"
