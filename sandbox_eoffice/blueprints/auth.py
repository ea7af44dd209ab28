"""Hub login: the OAuth callback and logout."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template

from sandbox_eoffice.access import ensure_tenant
from sandbox_eoffice.activity import SESSION_LOGGED_IN, SESSION_LOGGED_OUT, record_activity
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tenants import get_tenant
from service_auth.hub_login import (
    OAuthLoginError,
    current_hub_user,
    end_session,
    finish_login,
    login_required,
)

bp = Blueprint("auth", __name__)


@bp.get("/oauth_callback")
def oauth_callback() -> Response | tuple[str, int]:
    """The hub sends the browser back here after login (JUPYTERHUB_OAUTH_CALLBACK_URL)."""
    try:
        user, next_url = finish_login()
    except OAuthLoginError as error:
        page = render_template(
            "error.html", status=error.status, message=error.message, show_login_again=True
        )
        return page, error.status
    if user.get("kind", "user") == "user":
        tenant = ensure_tenant(user["name"])
        record_activity(db(), tenant, user["name"], SESSION_LOGGED_IN)
        db().commit()
    return redirect(next_url)


@bp.post("/logout")
@login_required
def logout() -> Response:
    user = current_hub_user()
    tenant = get_tenant(db(), user["name"])
    if tenant is not None:
        record_activity(db(), tenant, user["name"], SESSION_LOGGED_OUT)
        db().commit()
    return redirect(end_session())
