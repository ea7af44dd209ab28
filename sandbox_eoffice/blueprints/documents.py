"""Incoming documents (văn bản đến): list, open, register in the register book."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from common.clock import VIETNAM_TZ
from sandbox_eoffice.access import current_tenant, current_username, learner_required
from sandbox_eoffice.activity import (
    DOCUMENT_LIST_VIEWED,
    DOCUMENT_NOT_FOUND,
    DOCUMENT_REGISTER_REFUSED,
    DOCUMENT_VIEWED,
    INCOMING_DOCUMENT,
    record_activity,
)
from sandbox_eoffice.incoming_documents import (
    AlreadyRegistered,
    get_incoming_document,
    list_incoming_documents,
    next_register_number,
    register_incoming_document,
)
from sandbox_eoffice.models import IncomingDocument, utc_now
from sandbox_eoffice.request_db import db
from sandbox_eoffice.vocabulary import DocumentStatus

bp = Blueprint("documents", __name__, url_prefix="/documents")

NOT_FOUND_MESSAGE = "This document does not exist in your agency's e-office."


def _document_or_404(document_id: int, *, for_update: bool = False) -> IncomingDocument:
    session, tenant = db(), current_tenant()
    document = get_incoming_document(session, tenant, document_id, for_update=for_update)
    if document is None:
        record_activity(
            session,
            tenant,
            current_username(),
            DOCUMENT_NOT_FOUND,
            object_type=INCOMING_DOCUMENT,
            object_id=document_id,
            details={"method": request.method},
        )
        session.commit()
        abort(404, description=NOT_FOUND_MESSAGE)
    return document


@bp.get("/incoming")
@learner_required
def incoming_list() -> str:
    session, tenant = db(), current_tenant()
    status_filter = request.args.get("status") or None
    status = DocumentStatus(status_filter) if status_filter in set(DocumentStatus) else None
    documents = list_incoming_documents(session, tenant, status=status)
    record_activity(
        session,
        tenant,
        current_username(),
        DOCUMENT_LIST_VIEWED,
        details={"status_filter": status.value if status else None, "shown": len(documents)},
    )
    session.commit()
    return render_template("documents/incoming_list.html", documents=documents, status=status)


@bp.get("/incoming/<int:document_id>")
@learner_required
def incoming_detail(document_id: int) -> str:
    session, tenant = db(), current_tenant()
    document = _document_or_404(document_id)
    record_activity(
        session,
        tenant,
        current_username(),
        DOCUMENT_VIEWED,
        object_type=INCOMING_DOCUMENT,
        object_id=document.id,
        details={"number_symbol": document.number_symbol, "status": document.status.value},
    )
    session.commit()
    year = utc_now().astimezone(VIETNAM_TZ).year
    return render_template(
        "documents/incoming_detail.html",
        document=document,
        register_year=year,
        next_number=next_register_number(session, tenant, year),
    )


@bp.post("/incoming/<int:document_id>/register")
@learner_required
def incoming_register(document_id: int) -> Response:
    session, tenant = db(), current_tenant()
    username = current_username()
    document = _document_or_404(document_id, for_update=True)
    detail_url = url_for(".incoming_detail", document_id=document.id)
    try:
        register_incoming_document(
            session, tenant, document, actor=username, registered_by=tenant.full_name
        )
        session.commit()
    except AlreadyRegistered:
        session.rollback()
        record_activity(
            session,
            tenant,
            username,
            DOCUMENT_REGISTER_REFUSED,
            object_type=INCOMING_DOCUMENT,
            object_id=document.id,
            details={"register_number": document.register_number},
        )
        session.commit()
        flash(
            f"Not registered: this document is already in the register book as number "
            f"{document.register_number}/{document.register_year}. "
            "A document is registered only once (mỗi văn bản chỉ vào sổ một lần).",
            "warning",
        )
        return redirect(detail_url)
    except IntegrityError:
        # someone registered another document at the same moment and took the number
        session.rollback()
        flash("The register book was busy. Please press Register again.", "warning")
        return redirect(detail_url)
    flash(
        f"Registered: {document.number_symbol} is number {document.register_number} "
        f"in the {document.register_year} incoming register book (Sổ văn bản đến).",
        "success",
    )
    return redirect(detail_url)
