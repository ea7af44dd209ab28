"""Who may use which page: learners (hub users) on their own sandbox agency only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, current_app, g
from sqlalchemy.exc import IntegrityError

from sandbox_eoffice.activity import TENANT_PROVISIONED, record_activity
from sandbox_eoffice.models import Tenant
from sandbox_eoffice.request_db import db
from sandbox_eoffice.seeding import (
    SYSTEMS_VERSION,
    provision_tenant,
    seed_for_username,
    seed_missing_systems,
)
from sandbox_eoffice.signatures import add_samples_to_inbox
from sandbox_eoffice.tenants import get_tenant
from service_auth.hub_login import current_hub_user, login_required

P = ParamSpec("P")
R = TypeVar("R")


def ensure_tenant(username: str) -> Tenant:
    """The learner's sandbox agency, created (and committed) on their first visit."""
    session = db()
    tenant = get_tenant(session, username)
    if tenant is not None:
        if tenant.systems_version < SYSTEMS_VERSION and seed_missing_systems(session, tenant):
            session.commit()  # a sandbox from before mail, one-stop and reports existed
        return tenant
    seed = seed_for_username(username, int(current_app.config["DEFAULT_SEED"]))
    try:
        tenant = provision_tenant(session, username, username, seed)
        add_samples_to_inbox(session, tenant)  # the signature exercises
        record_activity(session, tenant, "system", TENANT_PROVISIONED, details={"seed": seed})
        session.commit()
    except IntegrityError:
        # a parallel first request created it a moment ago
        session.rollback()
        tenant = get_tenant(session, username)
        if tenant is None:
            raise
    return tenant


def learner_required(view: Callable[P, R]) -> Callable[P, R]:
    """A logged-in hub *user* with access to the service; loads g.tenant (their sandbox)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        user = current_hub_user()
        if user.get("kind", "user") != "user":
            abort(403, description="These pages are for learners; services use the API.")
        g.tenant = ensure_tenant(user["name"])
        return view(*args, **kwargs)

    return login_required(wrapper)  # type: ignore[return-value]


def current_tenant() -> Tenant:
    tenant: Tenant = g.tenant
    return tenant


def current_username() -> str:
    return str(current_hub_user()["name"])
