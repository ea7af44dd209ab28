"""A trainer's home page: the class overview of each course they teach (docs/dashboards.md,
docs/dashboards-trainer.md).

Every route of this blueprint needs the hub scope CLASSES_SCOPE (the trainer role); the
courses are the roster's (the trainer's ``courses``), and a course the trainer does not teach
is refused (403) whatever the URL says. The numbers come from ``grading.class_overview``
(the gradebooks, the exchange, the one completion rule); this module only renders them.

Nothing here grades or signs: "grade now" and the certificate after a completion override
are jobs queued in ``grading.grading_jobs``' spool, done by the grading service
(`academy grade watch`); the page shows each job's state and polls it for progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from common.clock import to_vietnam
from common.roles import CLASSES_SCOPE, EOFFICE_SERVICE
from common.text import ascii_fold
from course_kit.catalog import Course, load_catalog
from dashboards.config import layout_of
from grading.class_overview import (
    CellStatus,
    ClassOverview,
    LearnerStatus,
    load_class_overview,
    override_history,
    taught_courses,
)
from grading.completion import format_points
from grading.gradebook import GradebookError
from grading.grading_jobs import GradingJob, JobError, JobKind, JobSpool, JobState
from grading.installation_records import ActionRefused, override_completion
from grading.records import RecordsError
from people.roster import Person, load_roster
from service_auth.hub_login import current_hub_user, get_hub_auth, refuse_unless

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
bp.before_request(lambda: refuse_unless(CLASSES_SCOPE))

#: the recent grading jobs shown per course
RECENT_JOBS = 8
MAX_REASON = 500

CELL_LABELS = {
    CellStatus.NOT_SUBMITTED: _l("Not submitted"),
    CellStatus.WAITING_FOR_GRADING: _l("Submitted, waiting for grading"),
    CellStatus.WAITING_FOR_MANUAL_GRADING: _l("Waiting for manual grading"),
    CellStatus.GRADED: _l("Graded"),
}
STATUS_LABELS = {
    LearnerStatus.COMPLETED: _l("Completed"),
    LearnerStatus.NOT_COMPLETED: _l("Not completed"),
    LearnerStatus.NOT_STARTED: _l("Not started (nothing submitted)"),
    LearnerStatus.WAITING_FOR_GRADING: _l("Waiting for grading"),
    LearnerStatus.WAITING_FOR_MANUAL_GRADING: _l("Waiting for manual grading"),
    LearnerStatus.OVERRIDDEN: _l("Completion overridden"),
}
JOB_STATE_LABELS = {
    JobState.QUEUED: _l("Queued"),
    JobState.RUNNING: _l("Running"),
    JobState.DONE: _l("Done"),
    JobState.FAILED: _l("Failed"),
}


class GradeNowForm(FlaskForm):
    """The "grade now" button: nothing but the CSRF token."""


class OverrideForm(FlaskForm):
    completed = RadioField(
        _l("Completed"), choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(_l("Choose yes or no."))])
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Say why the completion is overridden.")),
        Length(max=MAX_REASON, message=_l("At most %(max)d characters."))])


# --- who, and their courses -------------------------------------------------------------


@dataclass(frozen=True)
class Classes:
    trainer: str
    roster: list[Person]
    courses: list[Course]

    def course(self, course_id: str) -> Course:
        """The course if the trainer teaches it; 403 otherwise (another's, or none)."""
        for course in self.courses:
            if course.id == course_id:
                return course
        abort(403)


def _classes() -> Classes:
    layout = layout_of(current_app)
    trainer = current_hub_user()["name"]
    roster = load_roster(layout.roster_file)
    return Classes(trainer, roster, taught_courses(roster, load_catalog(layout.catalog_dir),
                                                   trainer))


def _spool() -> JobSpool:
    return JobSpool.of(layout_of(current_app))


# --- links to the hub's other services --------------------------------------------------


def hub_base_url() -> str:
    """The hub's base URL (its host, when it has one, and path; "/" for "/hub/"): the
    services live at <base>services/<name>/."""
    hub_auth = get_hub_auth()
    base = hub_auth.hub_prefix.rstrip("/").removesuffix("/hub") + "/"
    return f"{hub_auth.hub_host or ''}{base}"


def formgrader_url(course_id: str, *path: str) -> str:
    """nbgrader's formgrader of a course (the hub service named by the course id)."""
    tail = "/".join(quote(part, safe="") for part in path)
    return f"{hub_base_url()}services/{quote(course_id, safe='')}/formgrader/{tail}"


def campaign_urls() -> dict[str, str]:
    """The e-office's phishing campaign pages (its own access control decides who sees)."""
    mail = f"{hub_base_url()}services/{EOFFICE_SERVICE}/mail"
    return {"campaigns": f"{mail}/campaigns", "metrics": f"{mail}/campaigns/metrics"}


# --- formatting ---------------------------------------------------------------------------


def vietnam_time(moment: datetime | None) -> str:
    return f"{to_vietnam(moment):%d/%m/%Y %H:%M}" if moment else ""


def job_view(job: GradingJob) -> dict[str, Any]:
    """What the page (and its JSON) says of a job, in the person's language."""
    if job.kind is JobKind.GRADE:
        what = _("Grading of module %(module)s", module=job.module_id)
    else:
        what = _("Certificate of %(user)s after the override", user=job.username)
    if job.state is JobState.DONE:
        if job.kind is JobKind.GRADE:
            message = ngettext("%(num)d submission graded.", "%(num)d submissions graded.",
                               job.outcome.submissions)
            if job.outcome.submissions:
                message += " " + _("Reload the page to see the grades.")
        else:
            message = _("Certificates issued: %(issued)d, withdrawn: %(withdrawn)d.",
                        issued=len(job.outcome.certificates_issued),
                        withdrawn=len(job.outcome.certificates_withdrawn))
    elif job.state is JobState.FAILED:
        message = _("Failed: %(error)s", error=job.error)
    elif job.state is JobState.RUNNING and job.total:
        message = _("%(done)d of %(total)d submissions graded", done=job.done, total=job.total)
    elif job.state is JobState.RUNNING:
        message = _("The grading service is working on it.")
    else:
        message = _("Waiting for the grading service (within a minute).")
    return {
        "id": job.job_id, "kind": job.kind.value, "course_id": job.course_id,
        "module_id": job.module_id, "username": job.username, "state": job.state.value,
        "state_label": str(JOB_STATE_LABELS[job.state]), "active": job.active,
        "done": job.done, "total": job.total, "percent": job.percent,
        "what": what, "message": message, "requested_by": job.requested_by,
        "requested_at": vietnam_time(job.requested_at),
        "url": url_for("trainer.job_status", job_id=job.job_id),
    }


def _filters(overviews: list[ClassOverview]) -> tuple[str | None, LearnerStatus | None]:
    """The query's agency and status; anything not offered is no filter."""
    agency = request.args.get("agency") or None
    if agency is not None and not any(agency in o.agencies for o in overviews):
        agency = None
    try:
        status = LearnerStatus(request.args.get("status", ""))
    except ValueError:
        status = None
    return agency, status


# --- the page ------------------------------------------------------------------------------


def _render(classes: Classes, *, status_code: int = 200,
            override_errors: dict[tuple[str, str], list[str]] | None = None,
            override_form: OverrideForm | None = None) -> tuple[str, int]:
    layout = layout_of(current_app)
    overviews = []
    for course in classes.courses:
        try:
            overviews.append(load_class_overview(layout, course, classes.roster))
        except (RecordsError, GradebookError) as problem:  # one course's, not the page's
            flash(_("The class of %(course)s could not be read: %(problem)s",
                    course=course.id, problem=str(problem)), "warning")
    agency, status = _filters(overviews)
    course_ids = [c.id for c in classes.courses]
    try:
        jobs = _spool().jobs(course_ids)
    except (JobError, OSError):
        jobs = []
        flash(_("The grading jobs could not be read just now."), "warning")
    latest_grading: dict[tuple[str, str], dict[str, Any]] = {}
    recent: dict[str, list[dict[str, Any]]] = {cid: [] for cid in course_ids}
    for job in jobs:  # oldest first: the newest of each module wins
        view = job_view(job)
        if job.kind is JobKind.GRADE:
            latest_grading[(job.course_id, job.module_id)] = view
        recent[job.course_id].append(view)
    recent = {cid: list(reversed(views))[:RECENT_JOBS] for cid, views in recent.items()}
    history = override_history(layout.completion_overrides_file, course_ids)
    names = {p.username: p.full_name for p in classes.roster}
    return render_template(
        "trainer/overview.html", overviews=overviews, agency=agency, status=status,
        agencies=sorted({a for o in overviews for a in o.agencies},
                        key=lambda name: (ascii_fold(name).casefold(), name)),
        CellStatus=CellStatus, CELL_LABELS=CELL_LABELS, STATUS_LABELS=STATUS_LABELS,
        latest_grading=latest_grading, recent_jobs=recent, history=history, names=names,
        override_form=override_form or OverrideForm(formdata=None),
        override_errors=override_errors or {}, formgrader_url=formgrader_url,
        campaigns=campaign_urls(), points=format_points, vietnam_time=vietnam_time,
    ), status_code


@bp.get("/")
def overview() -> tuple[str, int]:
    classes = _classes()
    if not classes.courses:
        return render_template("message.html", message=_(
            "You do not teach any course yet: your courses are set in the roster (ask an "
            "administrator).")), 200
    return _render(classes)


def _back_to(course_id: str) -> Response:
    return redirect(url_for("trainer.overview", **{
        k: v for k, v in request.args.items() if k in ("agency", "status")
    }) + f"#course-{course_id}")


@bp.post("/<course_id>/modules/<module_id>/grade")
def grade_now(course_id: str, module_id: str) -> Response:
    """Queue the grading of a module's new submissions (the grading service runs
    `academy grade autograde MODULE --course C`); never twice at once."""
    classes = _classes()
    course = classes.course(course_id)
    if module_id not in course.module_ids:
        abort(404)
    if not GradeNowForm().validate_on_submit():
        abort(400)
    job, created = _spool().request_grading(course_id, module_id, classes.trainer)
    if created:
        flash(_("Grading of %(module)s queued: the grading service starts it within a "
                "minute.", module=module_id), "success")
    else:
        flash(_("Grading of %(module)s is already queued or running.", module=module_id),
              "warning")
    return _back_to(course_id)


@bp.get("/jobs/<job_id>")
def job_status(job_id: str) -> Response:
    """A job's state and progress (JSON), for the page's progress bars; only a job of a
    course the trainer teaches."""
    classes = _classes()
    job = _spool().get(job_id)
    if job is None or job.course_id not in {c.id for c in classes.courses}:
        return _json_error(404, _("There is no such grading job among your courses."))
    response = jsonify(job_view(job))
    response.headers["Cache-Control"] = "no-store"
    return response


def _json_error(status: int, message: str) -> Response:
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


@bp.post("/<course_id>/learners/<username>/override")
def override(course_id: str, username: str) -> Response | tuple[str, int]:
    """A completion override (the same code as `academy hr override`: checked against the
    roster and audited, refusals included), then the certificate follows it through a job
    of the grading service."""
    classes = _classes()
    taught = any(c.id == course_id for c in classes.courses)
    form = OverrideForm()
    key = (course_id, username)
    if not form.validate_on_submit():
        if not taught:
            abort(403)
        errors = [str(e) for field in (form.completed, form.reason) for e in field.errors]
        if form.csrf_token.errors:
            abort(400)
        return _render(classes, status_code=400, override_errors={key: errors},
                       override_form=form)
    completed = form.completed.data == "yes"
    reason = (form.reason.data or "").strip()
    try:
        override_completion(layout_of(current_app), course_id, username, completed, reason,
                            classes.trainer, via="dashboards")
    except ActionRefused as refused:
        if not taught:
            abort(403)
        return _render(classes, status_code=400, override_errors={key: [str(refused)]},
                       override_form=form)
    flash(_("Completion of %(user)s recorded: %(answer)s.", user=username,
            answer=_("completed") if completed else _("not completed")), "success")
    try:
        _spool().request_certificates(course_id, username, classes.trainer, reason)
    except (JobError, OSError):
        flash(_("The certificate could not be queued to follow the override: ask an "
                "administrator to run `academy certificate issue --course %(course)s --user "
                "%(user)s`.", course=course_id, user=username), "warning")
    return _back_to(course_id)
