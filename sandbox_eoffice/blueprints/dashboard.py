"""The home page: the learner's agency, what waits for them, their practical tasks."""

from __future__ import annotations

from flask import Blueprint, render_template

from sandbox_eoffice.access import current_tenant, current_username, learner_required
from sandbox_eoffice.activity import DASHBOARD_VIEWED, record_activity
from sandbox_eoffice.incoming_documents import (
    count_by_status,
    list_incoming_documents,
    overdue_count,
)
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import TASKS, evaluate_tasks
from sandbox_eoffice.vocabulary import DocumentStatus

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@learner_required
def index() -> str:
    session, tenant = db(), current_tenant()
    counts = count_by_status(session, tenant)
    waiting = list_incoming_documents(session, tenant, status=DocumentStatus.RECEIVED)
    results = evaluate_tasks(session, tenant.username)
    record_activity(session, tenant, current_username(), DASHBOARD_VIEWED)
    session.commit()
    return render_template(
        "dashboard.html",
        counts=counts,
        total=sum(counts.values()),
        overdue=overdue_count(session, tenant),
        waiting=waiting,
        tasks=[(TASKS[task_id], result) for task_id, result in results.items()],
    )
