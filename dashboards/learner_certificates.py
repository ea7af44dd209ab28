"""A learner's own completion certificates (hub login): the list, each PDF to download and
its public verification link. Linked from My learning. Only the logged-in learner's own
certificates: another's id is simply not there (404)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template
from flask_babel import gettext as _

from dashboards.config import layout_of
from grading.certificates import CertificateRecord, load_registry
from service_auth.hub_login import (
    OAuthLoginError,
    current_hub_user,
    finish_login,
    login_required,
)

bp = Blueprint("learner_certificates", __name__)


@bp.get("/oauth_callback")
def oauth_callback() -> Response | tuple[str, int]:
    """The hub sends the browser back here after login (JUPYTERHUB_OAUTH_CALLBACK_URL)."""
    try:
        _user, next_url = finish_login()
    except OAuthLoginError as error:
        return render_template("message.html", message=error.message), error.status
    return redirect(next_url)


def _own() -> list[CertificateRecord]:
    username = current_hub_user()["name"]
    registry = load_registry(layout_of(current_app).certificates_dir)
    return sorted((c for c in registry if c.username == username),
                  key=lambda c: c.issued_at, reverse=True)


@bp.get("/certificates/")
@login_required
def my_certificates() -> str:
    return render_template("my_certificates.html", certificates=_own())


@bp.get("/certificates/<certificate_id>.pdf")
@login_required
def download(certificate_id: str) -> Response:
    record = next((c for c in _own() if c.certificate_id == certificate_id), None)
    if record is None:
        abort(404, description=_("You have no certificate with this id."))
    path = layout_of(current_app).certificates_dir / record.pdf_file
    response = Response(path.read_bytes(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="giay-chung-nhan-{record.certificate_id}.pdf"')
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
