"""Files learners upload: PDFs only, within a size limit, readable, or refused with a reason.

A file is checked completely before anything is stored: its name, its first bytes, its size,
and that pypdf can read its pages. A refused file leaves no trace but the refusal in the log.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy.orm import Session

from sandbox_eoffice.activity import OUTGOING_ATTACHED, OUTGOING_DOCUMENT, record_activity
from sandbox_eoffice.incoming_documents import DocumentActionRefused
from sandbox_eoffice.models import OutgoingAttachment, OutgoingDocument, Tenant
from sandbox_eoffice.outgoing_documents import EDITABLE, NOT_EDITABLE

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 10

# reasons (translated by sandbox_eoffice.labels)
EMPTY_FILE = "empty_file"
NOT_A_PDF = "not_a_pdf"
MALFORMED_PDF = "malformed_pdf"
TOO_LARGE = "too_large"
TOO_MANY_FILES = "too_many_files"


def clean_filename(name: str) -> str:
    """The file's own name (no folders, no control characters), at most 120 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in unicodedata.normalize("NFC", base)
                   if unicodedata.category(ch)[0] != "C").strip(" .")
    return (base or "tai-lieu.pdf")[-120:]


def check_pdf(filename: str, data: bytes) -> int:
    """The number of pages of an acceptable PDF; DocumentActionRefused otherwise."""
    if not data:
        raise DocumentActionRefused(EMPTY_FILE)
    if len(data) > MAX_UPLOAD_BYTES:
        raise DocumentActionRefused(TOO_LARGE)
    if not clean_filename(filename).lower().endswith(".pdf") or not data.startswith(b"%PDF-"):
        raise DocumentActionRefused(NOT_A_PDF)
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise DocumentActionRefused(MALFORMED_PDF)
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 (reading every page's box walks its whole structure)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise DocumentActionRefused(MALFORMED_PDF) from error
    if pages < 1:
        raise DocumentActionRefused(MALFORMED_PDF)
    return pages


def attach_pdf(session: Session, tenant: Tenant, document: OutgoingDocument, *, actor: str,
               filename: str, data: bytes) -> OutgoingAttachment:
    """Attach a checked PDF to a draft (a draft or a returned draft only). The caller commits."""
    if document.tenant_id != tenant.id:
        raise ValueError("document belongs to another tenant")
    if document.status not in EDITABLE:
        raise DocumentActionRefused(NOT_EDITABLE)
    if len(document.attachments) >= MAX_ATTACHMENTS:
        raise DocumentActionRefused(TOO_MANY_FILES)
    pages = check_pdf(filename, data)
    attachment = OutgoingAttachment(tenant_id=tenant.id, document_id=document.id,
                                    filename=clean_filename(filename), size=len(data),
                                    pages=pages, content=data, uploaded_by=actor)
    session.add(attachment)
    session.flush()
    record_activity(session, tenant, actor, OUTGOING_ATTACHED, object_type=OUTGOING_DOCUMENT,
                    object_id=document.id, details={"filename": attachment.filename,
                                                    "size": attachment.size, "pages": pages})
    return attachment
