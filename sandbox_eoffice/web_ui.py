"""Template filters and error pages: dates the Vietnamese way, friendly messages."""

from __future__ import annotations

from datetime import date, datetime

from flask import (
    Flask,
    Response,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from common.clock import VIETNAM_TZ
from sandbox_eoffice.access import current_tenant, current_username
from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.labels import (
    CERTIFICATE_STATUS_LABELS,
    CONFIDENTIALITY_LABELS,
    DELIVERY_STATUS_LABELS,
    INDICATION_LABELS,
    MODIFICATION_LABELS,
    OUTGOING_STATUS_LABELS,
    REFUSAL_MESSAGES,
    STATUS_LABELS,
    TIME_SOURCE_LABELS,
    URGENCY_LABELS,
    describe_action,
)
from sandbox_eoffice.request_db import db
from sandbox_eoffice.vocabulary import DocumentStatus, Urgency

URGENCY_BADGES = {
    Urgency.NORMAL: "badge-normal",
    Urgency.URGENT: "badge-urgent",
    Urgency.VERY_URGENT: "badge-very-urgent",
    Urgency.FLASH: "badge-flash",
}

STATUS_BADGES = {
    DocumentStatus.RECEIVED: "status-received",
    DocumentStatus.REGISTERED: "status-registered",
    DocumentStatus.ASSIGNED: "status-assigned",
    DocumentStatus.DONE: "status-done",
}


def vn_date(value: date | None) -> str:
    """dd/mm/yyyy, as on Vietnamese documents."""
    return value.strftime("%d/%m/%Y") if value else ""


def iso_date(value: str | None) -> str:
    """An ISO date kept in the activity log ("2026-11-24"), shown dd/mm/yyyy."""
    return vn_date(date.fromisoformat(value)) if value else ""


def vn_datetime(value: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time."""
    return value.astimezone(VIETNAM_TZ).strftime("%H:%M %d/%m/%Y") if value else ""




def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF the browser opens inline and never sniffs as anything else."""
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["X-Content-Type-Options"] = "nosniff"
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-"
                   for ch in filename) or "tai-lieu.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{safe}"'
    return response


def explain_refusal(
    object_type: str, object_id: int, action: str, reason: str, back_to: str, **details: object
) -> Response:
    """A step the document's state did not allow: nothing of it is kept (rolled back), the
    refusal itself is logged, and the learner is told why on the page they came from."""
    session, tenant = db(), current_tenant()
    session.rollback()
    record_activity(session, tenant, current_username(), action, object_type=object_type,
                    object_id=object_id, details={"reason": reason, **details})
    session.commit()
    message = str(REFUSAL_MESSAGES[reason])
    attempts_left = details.get("attempts_left")
    if isinstance(attempts_left, int) and attempts_left > 0:
        message += " " + _("%(count)s attempts left before the token locks.",
                           count=attempts_left)
    flash(message, "warning")
    return redirect(back_to)


def _error_page(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status


def init_ui(app: Flask) -> None:
    app.jinja_env.filters.update(
        vn_date=vn_date,
        vn_datetime=vn_datetime,
        iso_date=iso_date,
        describe_action=describe_action,
    )
    app.jinja_env.globals.update(
        URGENCY_BADGES=URGENCY_BADGES,
        STATUS_BADGES=STATUS_BADGES,
        STATUS_LABELS=STATUS_LABELS,
        URGENCY_LABELS=URGENCY_LABELS,
        CONFIDENTIALITY_LABELS=CONFIDENTIALITY_LABELS,
        OUTGOING_STATUS_LABELS=OUTGOING_STATUS_LABELS,
        DELIVERY_STATUS_LABELS=DELIVERY_STATUS_LABELS,
        CERTIFICATE_STATUS_LABELS=CERTIFICATE_STATUS_LABELS,
        INDICATION_LABELS=INDICATION_LABELS,
        TIME_SOURCE_LABELS=TIME_SOURCE_LABELS,
        MODIFICATION_LABELS=MODIFICATION_LABELS,
        DocumentStatus=DocumentStatus,
    )

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> tuple[str, int]:
        return _error_page(400, _(
            "The form could not be sent because its security code is missing or out of "
            "date. Please go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str | Response, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        message = error.description or error.name
        if error.code == 413:
            message = _("The file is larger than 5 MB. Nothing was stored.")
        if request.path.startswith("/api/"):
            body: dict[str, object] = {"error": message, "status": error.code}
            messages = getattr(error, "data", {}).get("messages")  # request validation
            if messages:
                body["errors"] = messages
            return jsonify(body), error.code
        return _error_page(error.code, message)
