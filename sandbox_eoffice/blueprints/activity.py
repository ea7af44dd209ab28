"""The learner's own activity log (nhật ký hoạt động)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from sandbox_eoffice.access import current_tenant, current_username, learner_required
from sandbox_eoffice.activity import ACTIVITY_VIEWED, list_activity, record_activity
from sandbox_eoffice.request_db import db

bp = Blueprint("activity", __name__)


@bp.get("/activity")
@learner_required
def my_activity() -> str:
    session, tenant = db(), current_tenant()
    record_activity(session, tenant, current_username(), ACTIVITY_VIEWED)
    session.commit()
    entries = list_activity(
        session,
        tenant,
        limit=int(current_app.config["ACTIVITY_PAGE_SIZE"]),
        actor=current_username(),
    )
    return render_template("activity.html", entries=entries)
