"""An admin's home page: the platform's status and its audit log (docs/dashboards-admin.md).

Every route of this blueprint needs the hub scope PLATFORM_SCOPE (the admin role).

- ``/admin/``: the hub and its services (up or not), versions, counts
  (dashboards.platform_status), the link to the hub's own admin page, the records export.
- ``/admin/audit``: the audit log (grading.audit), newest first, filtered by action, actor and
  dates, a page at a time, with the hash chain's verdict on top. The log is streamed: a page
  of a log of any size holds at most ``SINGLE_PASS_WINDOW`` entries in memory.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from jupyterhub.utils import url_path_join
from wtforms import DateField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, Length, Optional

from common.clock import to_vietnam
from common.i18n import Language
from common.roles import PLATFORM_SCOPE, Role
from course_kit.catalog import Course
from dashboards.config import layout_of
from dashboards.navigation import refuse_unless_role
from dashboards.platform_status import (
    ACADEMY_DISTRIBUTION,
    PROBE_TIMEOUT,
    HubProblem,
    HubTrouble,
    ProbeFailure,
    ServiceState,
    ServiceStatus,
    gather_status,
)
from grading.audit import (
    AuditAction,
    AuditEntry,
    AuditError,
    ChainReport,
    read_entries,
    verify_chain,
)
from people.roster import AccountStatus
from service_auth.hub_login import AcademyHubOAuth, get_hub_auth

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(lambda: refuse_unless_role(PLATFORM_SCOPE, Role.ADMIN))

#: entries on a page of the audit log view
PER_PAGE = 50
#: up to this many of the newest matching entries, a page is found in one pass over the log
#: (a ring buffer of them); a page further back takes two passes (count, then the page's
#: slice) holding only the page's entries
SINGLE_PASS_WINDOW = 1000

ROLE_LABELS = {
    Role.LEARNER: _l("Learners"),
    Role.TRAINER: _l("Trainers"),
    Role.HR: _l("HR officers"),
    Role.ADMIN: _l("Administrators"),
}
STATUS_LABELS = {
    AccountStatus.ACTIVE: _l("Active"),
    AccountStatus.NOT_ACTIVATED: _l("Not yet activated"),
    AccountStatus.LOCKED: _l("Locked"),
    AccountStatus.DEACTIVATED: _l("Deactivated"),
}
ACTION_LABELS = {
    AuditAction.HR_EXPORT: _l("Records exported"),
    AuditAction.HR_EXPORT_REFUSED: _l("Records export refused"),
    AuditAction.COMPLETION_OVERRIDE: _l("Completion overridden"),
    AuditAction.COMPLETION_OVERRIDE_REFUSED: _l("Completion override refused"),
    AuditAction.REGRADE: _l("Regraded"),
    AuditAction.GRADE_CHANGE: _l("Grade changed (manual grading)"),
    AuditAction.GRADE_CHANGE_UNREADABLE: _l("Unreadable grade change record"),
    AuditAction.CERTIFICATE_ISSUE: _l("Certificate issued"),
    AuditAction.CERTIFICATE_REVOKE: _l("Certificate revoked"),
    AuditAction.CERTIFICATE_REVOKE_REFUSED: _l("Certificate revocation refused"),
}
#: the details' keys the academy writes (grading.installation_records, academy/cli)
DETAIL_LABELS = {
    "format": _l("Format"),
    "out": _l("File"),
    "rows": _l("Rows"),
    "agency": _l("Agency"),
    "courses": _l("Courses"),
    "course": _l("Course"),
    "module": _l("Module"),
    "since": _l("From"),
    "until": _l("To"),
    "via": _l("Through"),
    "reason": _l("Reason"),
    "refused": _l("Refused because"),
    "user": _l("Learner"),
    "students": _l("Learners"),
    "student": _l("Learner"),
    "notebook": _l("Notebook"),
    "cell": _l("Graded cell"),
    "old": _l("Before"),
    "new": _l("After"),
    "journal": _l("Grade change journal"),
    "journal_line": _l("Journal line"),
    "line": _l("Line"),
    "problem": _l("Problem"),
    "text": _l("Text as found"),
    "not_graded": _l("Not graded"),
    "completed": _l("Completed"),
    "at": _l("Recorded at"),
    "certificate": _l("Certificate"),
    "os_user": _l("System account"),
}
VIA_LABELS = {"cli": _l("the academy command"), "dashboards": _l("the academy's pages"),
              "formgrader": _l("formgrader (manual grading)")}
SERVICE_LABELS = {
    "eoffice": _l("Sandbox e-office"),
    "dashboards": _l("The academy's pages (this service)"),
    "grading": _l("Grading on submission"),
    "idle-culler": _l("Stops idle learners' servers"),
    "roster-sync": _l("Roster sync (academy roster import)"),
}
STATE_LABELS = {
    ServiceState.UP: _l("up"),
    ServiceState.DOWN: _l("down"),
    ServiceState.THIS_SERVICE: _l("up"),
    ServiceState.STARTED: _l("started by the hub"),
    ServiceState.NOT_STARTED: _l("not started"),
    ServiceState.API_CLIENT: _l("token only"),
    ServiceState.NOT_PROBED: _l("not probed"),
}
HUB_PROBLEMS = {
    HubProblem.NO_ANSWER: _l("The hub does not answer: the state of its services and of the "
                             "learners' servers is unknown."),
    HubProblem.REFUSED: _l("The hub refused the dashboards' token (HTTP %(status)s): its role "
                           "\"dashboards-service\" may be missing a scope."),
    HubProblem.BAD_ANSWER: _l("The hub's answer is not what its API returns."),
}
HUB_PATHS = {
    "/info": _l("the hub's details"),
    "/services": _l("the services"),
    "/users": _l("the learners' servers"),
}


def vietnam_time(moment: datetime) -> str:
    return f"{to_vietnam(moment):%d/%m/%Y %H:%M}"


# --- the status page ---------------------------------------------------------------------


def _course_title(course: Course) -> str:
    if str(get_locale()) == Language.VIETNAMESE.value:
        return course.title_vi or course.title
    return course.title


def service_label(name: str, courses: Mapping[str, Course] | None) -> str:
    if name in SERVICE_LABELS:
        return str(SERVICE_LABELS[name])
    if courses and name in courses:
        return _("Formgrader of the course “%(title)s”", title=_course_title(courses[name]))
    return ""


def service_detail(service: ServiceStatus, probe_timeout: float) -> str:
    """What is known of a service's state, and how it is known."""
    probe = service.probe
    if service.state is ServiceState.UP and probe is not None:
        return _("answered HTTP %(status)s in %(ms)s ms", status=probe.http_status,
                 ms=probe.elapsed_ms)
    if service.state is ServiceState.DOWN and probe is not None:
        if probe.failure is ProbeFailure.TIMEOUT:
            return _("no answer within %(seconds)s s", seconds=f"{probe_timeout:g}")
        if probe.failure is ProbeFailure.SERVER_ERROR:
            return _("answered HTTP %(status)s: a server error", status=probe.http_status)
        return _("nothing answers at this address")
    if service.state is ServiceState.THIS_SERVICE:
        return _("it is serving this page")
    if service.state is ServiceState.STARTED:
        return _("the hub started it (process %(pid)s) and starts it again if it ends; it has "
                 "no address to probe", pid=service.pid)
    if service.state is ServiceState.NOT_STARTED:
        return _("the hub holds no process for it")
    if service.state is ServiceState.API_CLIENT:
        return _("an API token that a command uses; no process")
    return _("not probed: only http addresses on this machine (127.0.0.1) are probed")


def hub_problem(trouble: HubTrouble) -> str:
    return str(HUB_PROBLEMS[trouble.problem]) % {"status": trouble.http_status}


def hub_admin_url(hub: AcademyHubOAuth) -> str:
    """The hub's own admin page (users, their servers), which the admin's hub role opens."""
    return str(hub.hub_host) + url_path_join(hub.hub_prefix, "admin")


def _hub() -> AcademyHubOAuth:
    hub = get_hub_auth()
    if not isinstance(hub, AcademyHubOAuth):
        raise TypeError("the dashboards' HUB_AUTH must be an AcademyHubOAuth")
    return hub


@bp.get("/")
def status() -> str:
    hub = _hub()
    timeout = float(current_app.config.get("ADMIN_PROBE_TIMEOUT", PROBE_TIMEOUT))
    platform = gather_status(layout_of(current_app), hub, probe_timeout=timeout)
    return render_template(
        "admin/status.html", status=platform, hub_admin_url=hub_admin_url(hub),
        hub_api_url=hub.api_url, probe_timeout=timeout, academy=ACADEMY_DISTRIBUTION,
        role_labels=ROLE_LABELS, status_labels=STATUS_LABELS, state_labels=STATE_LABELS,
        hub_paths=HUB_PATHS, service_label=service_label, service_detail=service_detail,
        hub_problem=hub_problem, course_title=_course_title, vietnam_time=vietnam_time)


# --- the audit log -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditQuery:
    """Which entries to show: one action exactly (the list offers each refusal apart), an
    actor (the username, any case), Vietnam dates from and to (both included)."""

    action: str | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None

    def matches(self, entry: AuditEntry) -> bool:
        if self.action is not None and entry.action != self.action:
            return False
        if self.actor is not None and entry.actor.casefold() != self.actor.casefold():
            return False
        if self.since is None and self.until is None:
            return True
        day = to_vietnam(entry.at).date()
        return ((self.since is None or day >= self.since)
                and (self.until is None or day <= self.until))


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]  # newest first
    total: int  # entries matching the query
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _matching(path: Path, query: AuditQuery) -> Iterator[AuditEntry]:
    # read_entries streams the file a line at a time and filters since and action itself
    return (entry for entry in read_entries(path, query.since, query.action)
            if query.matches(entry))


def audit_page(path: Path, query: AuditQuery, page: int = 1,
               per_page: int = PER_PAGE) -> AuditPage:
    """Page `page` (1 the newest) of the entries matching `query`, newest first.

    The log is oldest first and may be large; it is never loaded whole. The first pages
    (up to SINGLE_PASS_WINDOW entries back) take one pass keeping the newest entries in a
    ring buffer; a page further back takes two passes, the first counting, the second
    keeping only the page's entries. Raises AuditError for an unreadable log or line."""
    page = max(1, page)
    window = page * per_page
    if window <= SINGLE_PASS_WINDOW:
        newest: deque[AuditEntry] = deque(maxlen=window)
        total = 0
        for entry in _matching(path, query):
            newest.append(entry)
            total += 1
        stop = total - (page - 1) * per_page  # index after the page's newest entry
        start = max(0, total - window)
        first = total - len(newest)  # index of the oldest entry the buffer holds
        chunk = list(newest)[start - first:stop - first] if stop > start else []
    else:
        total = sum(1 for _entry in _matching(path, query))
        stop = total - (page - 1) * per_page
        start = max(0, total - window)
        chunk = list(islice(_matching(path, query), start, stop)) if stop > start else []
    return AuditPage(list(reversed(chunk)), total, page, per_page)


def _readable(value: Any, key: str = "") -> str:
    """A detail's value as a person reads it: dates dd/mm/yyyy, moments in Vietnam time,
    lists joined, yes and no, "—" for nothing."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_readable(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        if key == "via" and value in VIA_LABELS:
            return str(VIA_LABELS[value])
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return f"{date.fromisoformat(value):%d/%m/%Y}"
            except ValueError:
                return value
        if re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value):
            try:
                return vietnam_time(datetime.fromisoformat(value))
            except ValueError:
                return value
    return str(value)


def detail_rows(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of an entry's details, the academy's keys in the person's language."""
    order = list(DETAIL_LABELS)
    keys = sorted(details, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [(str(DETAIL_LABELS.get(key, key)), _readable(details[key], key)) for key in keys]


def action_label(action: str) -> str:
    try:
        return str(ACTION_LABELS[AuditAction(action)])
    except (KeyError, ValueError):
        return action  # an action this version does not know: as written


def chain_problem(report: ChainReport) -> str:
    """verify_chain's finding in the person's language (its own words kept beside it)."""
    if report.problem.startswith("the line is incomplete"):
        return _("the line is incomplete: a write was cut off, or the file was cut")
    if report.problem.startswith("not an audit entry"):
        return _("the line is not an audit entry")
    if report.problem.startswith("does not follow"):
        return _("the line does not follow the line before it: a line was changed, inserted "
                 "or removed")
    return report.problem


class VietnamDateField(DateField):
    """A date as the browser's date picker sends it (yyyy-mm-dd) or typed (dd/mm/yyyy)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Not a date: choose one, or type it as dd/mm/yyyy.")) from None


class AuditFilterForm(FlaskForm):
    """The filters (GET: the URL says what is shown, so it can be shared and paged)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False, validators=[
        Optional(), AnyOf([a.value for a in AuditAction],
                          message=_l("Choose an action from the list."))])
    actor = StringField(_l("Done by (username)"), validators=[Optional(), Length(max=100)])
    since = VietnamDateField(_l("From"), format=["%Y-%m-%d", "%d/%m/%Y"],
                             validators=[Optional()])
    until = VietnamDateField(_l("To"), format=["%Y-%m-%d", "%d/%m/%Y"],
                             validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _("All actions"))] + [
            SelectChoice(a.value, str(ACTION_LABELS[a])) for a in AuditAction]

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.since.data and self.until.data and self.since.data > self.until.data:
            self.until.errors = [_("The end date is before the start date.")]
            return False
        return True

    def query(self) -> AuditQuery:
        return AuditQuery(self.action.data or None, (self.actor.data or "").strip() or None,
                          self.since.data, self.until.data)


@bp.get("/audit")
def audit() -> str:
    path = layout_of(current_app).audit_log_file
    form = AuditFilterForm(formdata=request.args)
    page_number = request.args.get("page", 1, type=int) or 1
    chain: ChainReport | None = None
    read_error = None
    page = None
    try:
        chain = verify_chain(path)
        if form.validate():
            page = audit_page(path, form.query(), page_number)
    except AuditError as error:
        read_error = str(error)
    filters = {key: value for key, value in request.args.items()
               if key in ("action", "actor", "since", "until") and value}
    return render_template(
        "admin/audit.html", form=form, chain=chain, read_error=read_error, page=page,
        filters=filters, log_path=path, action_label=action_label, detail_rows=detail_rows,
        chain_problem=chain_problem, vietnam_time=vietnam_time)
