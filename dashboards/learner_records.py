"""A learner's own completion overrides, for their My learning page: the learner's server
asks with its own hub token (the learner's identity; nobody else's overrides are ever
answered), and applies them through the one completion rule (``grading.completion``).
Learners' servers cannot read the platform's records folder themselves."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from dashboards.config import layout_of
from grading.completion_overrides import load_overrides
from service_auth.hub_login import current_hub_user, login_required

bp = Blueprint("learner_records", __name__, url_prefix="/api/v1/me")


@bp.get("/completion-overrides")
@login_required
def completion_overrides() -> ResponseReturnValue:
    """``{"overrides": [{course_id, completed, reason, by, at}]}``: the latest override of
    each of the caller's courses (none for anyone who has none)."""
    username = current_hub_user()["name"]
    latest = load_overrides(layout_of(current_app).completion_overrides_file)
    mine: list[dict[str, Any]] = [
        {"course_id": o.course_id, "completed": o.completed, "reason": o.reason,
         "by": o.by, "at": o.at.isoformat()}
        for (user, _course), o in sorted(latest.items()) if user == username
    ]
    response = jsonify({"overrides": mine})
    response.headers["Cache-Control"] = "private, no-store"
    return response
