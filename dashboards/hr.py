"""An HR officer's home page: the training records dashboard (docs/dashboards-hr.md).

Completion rates by agency and by course, competency coverage by agency (charts drawn on the
server, ``dashboards.charts``, each with its table), who is overdue or has not started, the
filters, and the export buttons (``dashboards.records_export``). The numbers come from
``grading.records_dashboard``: the export's records, folded in one pass.

Speed: at province scale reading every record takes tens of seconds, so the dashboard is
computed once per set of filters and kept in this process (``DashboardCache``) while
nothing it was computed from has changed: the stamps (modification time and size) of the
roster, the settings, the catalog's files, the overrides, the certificate registry and the
SQLite gradebooks (``grading.records_dashboard.source_stamps``). An entry also ends at
Vietnam midnight (days overdue count up), when the next due date passes (the overdue list
grows), and, when a gradebook is on PostgreSQL (no file to look at), after
``HR_DASHBOARD_CACHE_SECONDS`` (default 300).

Every route of this blueprint needs the hub scope RECORDS_SCOPE (the hr role)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from common.clock import VIETNAM_TZ, to_vietnam, vietnam_now
from common.roles import RECORDS_SCOPE, Role
from course_kit.catalog import load_catalog
from dashboards import charts
from dashboards.config import layout_of
from dashboards.navigation import refuse_unless_role
from dashboards.records_export import FilterError, parse_filters
from grading.competencies import load_framework
from grading.records import RecordFilter, RecordsError, course_title
from grading.records_dashboard import (
    RecordsDashboard,
    installation_dashboard,
    source_stamps,
)
from installation.layout import DataLayout
from people.roster import load_roster

bp = Blueprint("hr", __name__, url_prefix="/hr")
bp.before_request(lambda: refuse_unless_role(RECORDS_SCOPE, Role.HR))

CACHE_SIZE = 16  # sets of filters kept per process
DEFAULT_UNSEEN_TTL = 300  # seconds, when a gradebook's changes cannot be seen (PostgreSQL)
AGENCY_CHART_ROWS = 40  # the charts show the largest agencies; the tables list them all


@dataclass
class _Entry:
    value: Any
    expires: datetime | None
    charts: dict[str, dict[str, str]] = field(default_factory=dict)  # language -> charts


class DashboardCache:
    """Computed dashboards of this process, by key (filters and source stamps), each valid
    until its own moment; the least recently used go first. One computation at a time: a
    second request for the same view waits for the first and gets its result."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._computing = threading.Lock()
        self.computed = 0  # how many times a value was computed (for the tests and logs)

    def _get(self, key: Hashable, now: datetime) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires is not None and now >= entry.expires:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def get_or_compute(self, key: Hashable, now: datetime,
                       compute: Callable[[], tuple[Any, datetime | None]]) -> _Entry:
        entry = self._get(key, now)
        if entry is not None:
            return entry
        with self._computing:
            entry = self._get(key, now)
            if entry is not None:
                return entry
            value, expires = compute()
            self.computed += 1
            entry = _Entry(value, expires)
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def dashboard_cache(app: Flask) -> DashboardCache:
    cache: DashboardCache = app.extensions.setdefault("hr_dashboard_cache", DashboardCache())
    return cache


def _next_midnight(now: datetime) -> datetime:
    tomorrow = to_vietnam(now).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(), VIETNAM_TZ)


@dataclass(frozen=True)
class FilterChoices:
    agencies: tuple[str, ...]  # the learners' agencies, by name
    courses: tuple[tuple[str, str], ...]  # (course id, title), catalog order


def _choices(layout: DataLayout) -> FilterChoices:
    agencies = {p.agency for p in load_roster(layout.roster_file) if p.is_learner}
    catalog = load_catalog(layout.catalog_dir)
    return FilterChoices(tuple(sorted(agencies, key=lambda a: (a.casefold(), a))),
                         tuple((cid, course_title(c)) for cid, c in catalog.items()))


def _expiry(now: datetime, dashboard: RecordsDashboard | None, complete: bool) -> datetime:
    moments = [_next_midnight(now)]
    if dashboard is not None and dashboard.next_due is not None:
        moments.append(dashboard.next_due)
    if not complete:
        ttl = int(current_app.config.get("HR_DASHBOARD_CACHE_SECONDS", DEFAULT_UNSEEN_TTL))
        moments.append(now + timedelta(seconds=ttl))
    return min(moments)


def percent_text(share: float | None) -> str:
    """0.6667 -> "66,7%" in Vietnamese (decimal comma), "66.7%" in English; None -> "—"."""
    if share is None:
        return "—"
    return f"{format_decimal(round(100 * share, 1), format='#,##0.#')}%"


def _agency_label(agency: str) -> str:
    return agency or _("(no agency in the roster)")


def _charts(dashboard: RecordsDashboard) -> dict[str, str]:
    biggest = {r.key for r in sorted(dashboard.by_agency,
                                     key=lambda r: -r.enrolled)[:AGENCY_CHART_ROWS]}
    agencies = [r for r in dashboard.by_agency if r.key in biggest]
    coverage = {row.agency: row for row in dashboard.coverage}
    rows = [coverage[r.key] for r in agencies if r.key in coverage]
    codes = dashboard.competency_codes
    return {
        "by_agency": charts.data_uri(charts.completion_bars(
            _("Completion rate by agency"), [_agency_label(r.label) for r in agencies],
            [r.completed for r in agencies], [r.enrolled for r in agencies], percent_text,
            _("Enrolments completed"), _("No enrolment matches the filters."))),
        "by_course": charts.data_uri(charts.completion_bars(
            _("Completion rate by course"), [r.label for r in dashboard.by_course],
            [r.completed for r in dashboard.by_course],
            [r.enrolled for r in dashboard.by_course], percent_text,
            _("Enrolments completed"), _("No enrolment matches the filters."))),
        "coverage": charts.data_uri(charts.coverage_heatmap(
            _("Competency coverage by agency"), [_agency_label(r.agency) for r in rows],
            list(codes),
            [[row.share(i) for i in range(len(codes))] for row in rows], percent_text,
            _("Learners who reached the competency"),
            _("No competency or learner matches the filters."))),
    }


@bp.get("/")
def dashboard() -> tuple[str, int] | str:
    layout = layout_of(current_app)
    cache = dashboard_cache(current_app)
    now = vietnam_now()
    stamps = source_stamps(layout)
    language = str(get_locale())
    # the choices come from the roster and the catalog only: graded work does not change them
    choice_sources = tuple(s for s in stamps.files if s[0] == str(layout.roster_file)
                           or s[0].startswith(str(layout.catalog_dir)))
    choices_entry = cache.get_or_compute(
        ("choices", choice_sources), now,
        lambda: (_choices(layout), _expiry(now, None, stamps.complete)))
    choices: FilterChoices = choices_entry.value
    typed = {name: request.args.get(name, "")[:200] for name in ("agency", "course", "since",
                                                                  "until")}
    context: dict[str, Any] = {"choices": choices, "shown": typed, "percent": percent_text,
                               "agency_label": _agency_label, "export_filters": {}}
    try:
        filters = parse_filters(request.args, agencies=choices.agencies,
                                courses=[cid for cid, _t in choices.courses])
    except FilterError as error:
        return render_template("hr/dashboard.html", error=str(error), **context), 400
    where = filters.record_filter()
    context["shown"] = {"agency": filters.agency, "course": filters.course,
                        "since": f"{filters.since:%d/%m/%Y}" if filters.since else "",
                        "until": f"{filters.until:%d/%m/%Y}" if filters.until else ""}
    context["filters"] = filters
    try:
        entry = cache.get_or_compute(
            ("dashboard", where, stamps.files), now,
            lambda: _computed(layout, where, now, stamps.complete))
    except (RecordsError, ValueError, OSError) as error:  # a catalog, roster or gradebook
        return render_template("hr/dashboard.html", records_error=str(error), **context), 500
    board: RecordsDashboard = entry.value
    if language not in entry.charts:
        entry.charts[language] = _charts(board)
    framework = load_framework()
    return render_template(
        "hr/dashboard.html", board=board, charts=entry.charts[language],
        competency_labels={code: framework.platform[code].label.in_language(language)
                           for code in board.competency_codes if code in framework.platform},
        **(context | {"export_filters": filters.as_form()}))


def _computed(layout: DataLayout, where: RecordFilter, now: datetime,
              complete: bool) -> tuple[RecordsDashboard, datetime]:
    board = installation_dashboard(layout, where, now)
    return board, _expiry(now, board, complete)
