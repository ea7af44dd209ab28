"""Tenants: one sandbox agency per learner, found by hub username."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_eoffice.models import Tenant


def get_tenant(session: Session, username: str) -> Tenant | None:
    return session.scalars(select(Tenant).where(Tenant.username == username)).one_or_none()
