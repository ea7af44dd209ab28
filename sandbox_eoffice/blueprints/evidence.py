"""Grader-only JSON API: what a learner has done, as recorded by the e-office."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint

from common.roles import EVIDENCE_SCOPE
from sandbox_eoffice.activity import activity_as_dict, list_activity
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import evaluate_tasks
from sandbox_eoffice.tenants import get_tenant
from service_auth.hub_login import current_hub_user, require_scopes

log = logging.getLogger(__name__)

bp = Blueprint("evidence", __name__, url_prefix="/api")


@bp.get("/evidence/<username>")
@require_scopes(EVIDENCE_SCOPE, api=True)
def learner_evidence(username: str) -> dict[str, Any]:
    """Task results and the full activity log (oldest first) of `username`.

    An unknown username is not an error: all tasks are simply not done.
    """
    session = db()
    reader = current_hub_user()
    log.info("evidence of %s read by %s %s", username, reader["kind"], reader["name"])
    tenant = get_tenant(session, username)
    # the learner's own actions (not the fictitious colleagues' seeded steps)
    activity = (
        list_activity(session, tenant, newest_first=False, actor=username) if tenant else []
    )
    return {
        "username": username,
        "tasks": {
            task_id: result.as_dict()
            for task_id, result in evaluate_tasks(session, username).items()
        },
        "activity": [activity_as_dict(entry) for entry in activity],
    }
