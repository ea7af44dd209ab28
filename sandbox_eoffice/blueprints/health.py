"""Liveness and schema check for the launcher (no login, no personal data)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy import text

from sandbox_eoffice.database import head_revision
from sandbox_eoffice.request_db import db

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> tuple[dict[str, Any], int]:
    session = db()
    try:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        session.rollback()
        return {"status": "error", "detail": "database not reachable or not migrated"}, 503
    head = head_revision()
    if revision != head:
        return {"status": "error", "detail": f"schema {revision}, expected {head}"}, 503
    return {"status": "ok", "schema": revision}, 200
