"""The records export behind the HR dashboard's and the admin page's buttons: the same code
as `academy hr export` (docs/hr-export.md), audited the same way.

Every route of this blueprint needs the hub scope EXPORT_SCOPE (the hr and admin roles); the
export itself (``grading.installation_records.export_records``) checks the roster as well:
a hub login holding the scope whose roster role is neither hr nor admin is refused (403) and
the refusal audited. The file is written into a fresh private temporary folder, opened, and
the folder removed before a byte is sent: the response streams from the open file, and
nothing is left on disk whatever happens to the download (docs/dashboards-hr.md).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _

from common.clock import vietnam_now
from common.roles import EXPORT_SCOPE
from dashboards.config import layout_of
from grading.hr_export import ExportError
from grading.installation_records import ActionRefused, ExportRequest, export_records
from grading.records import RecordFilter
from service_auth.hub_login import current_hub_user, refuse_unless

bp = Blueprint("records_export", __name__, url_prefix="/records")
bp.before_request(lambda: refuse_unless(EXPORT_SCOPE))

#: The export's formats (``grading.hr_export``) and the type each file is sent as.
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
#: ASCII and Vietnamese at once ("hồ sơ đào tạo" without its marks): safe in any browser
#: and file system, readable to the person who saves it.
FILENAME = "ho-so-dao-tao-{day:%Y%m%d}.{fmt}"
#: The filter fields, as the forms name them (the dashboard's GET, the export's POST).
FILTER_FIELDS = ("agency", "course", "since", "until")


class FilterError(ValueError):
    """A filter the person typed cannot be used; the message (translated) says why."""


@dataclass(frozen=True)
class RecordFilters:
    """The filters of the dashboard and the export, as typed (for the forms) and checked."""

    agency: str = ""
    course: str = ""
    since: date | None = None
    until: date | None = None

    def record_filter(self) -> RecordFilter:
        return RecordFilter(course_ids=(self.course,) if self.course else None,
                            agency=self.agency or None, since=self.since, until=self.until)

    def as_form(self) -> dict[str, str]:
        """The non-empty filters as form values (dates ISO, as ``<input type=date>``)."""
        values = {"agency": self.agency, "course": self.course,
                  "since": self.since.isoformat() if self.since else "",
                  "until": self.until.isoformat() if self.until else ""}
        return {name: value for name, value in values.items() if value}

    @property
    def any(self) -> bool:
        return bool(self.as_form())


def parse_date(text: str) -> date:
    """YYYY-MM-DD (a date field's value) or dd/mm/yyyy (how people write it here)."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_filters(values: Mapping[str, str], *, agencies: Collection[str] | None = None,
                  courses: Collection[str] | None = None) -> RecordFilters:
    """The filters from form or query values; FilterError (translated) for a date that is
    not one, a period that ends before it starts, or an agency or course not in the given
    choices (when given)."""
    agency = (values.get("agency") or "").strip()
    course = (values.get("course") or "").strip()
    dates: dict[str, date | None] = {}
    for name, label in (("since", _("Completed from")), ("until", _("Completed until"))):
        text = (values.get(name) or "").strip()
        try:
            dates[name] = parse_date(text) if text else None
        except ValueError:
            raise FilterError(_('"%(field)s": %(value)s is not a date; write it as '
                                'dd/mm/yyyy, for example 31/12/2026.',
                                field=label, value=text[:40])) from None
    since, until = dates["since"], dates["until"]
    if since and until and since > until:
        raise FilterError(_("The period starts on %(since)s, after it ends (%(until)s).",
                            since=f"{since:%d/%m/%Y}", until=f"{until:%d/%m/%Y}"))
    if agency and agencies is not None and agency.casefold() not in {
            a.casefold() for a in agencies}:
        raise FilterError(_("No learner of the roster works for the agency %(agency)s.",
                            agency=agency[:200]))
    if course and courses is not None and course not in courses:
        raise FilterError(_("There is no course %(course)s in the catalog.",
                            course=course[:200]))
    return RecordFilters(agency, course, since, until)


def _problem(message: str, detail: str, status: int) -> tuple[str, int]:
    return render_template("records/export_problem.html", message=message,
                           detail=detail), status


@bp.post("/export")
def export() -> Response | tuple[str, int]:
    """The export as the CLI makes it, for the hub login, sent as an attachment."""
    fmt = request.form.get("format", "")
    if fmt not in MIMETYPES:
        return _problem(_("Choose one of the export formats: CSV, XLSX or JSON."), "", 400)
    try:
        filters = parse_filters(request.form)
    except FilterError as error:
        return _problem(str(error), "", 400)
    layout = layout_of(current_app)
    name = FILENAME.format(day=vietnam_now().date(), fmt=fmt)
    workdir = Path(tempfile.mkdtemp(prefix="academy-records-export-"))  # 0700, ours only
    try:
        out = workdir / name
        export_records(layout, ExportRequest(fmt, out, current_hub_user()["name"],
                                             filters.record_filter(), via="dashboards"))
        handle = out.open("rb")
    except ActionRefused as refused:
        return _problem(_("Your roster entry does not allow exporting training records: "
                          "only HR officers and admins may."), str(refused), 403)
    except (ExportError, ValueError) as error:
        return _problem(_("The export could not be made."), str(error), 400)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # the open file lives on until sent
    response = Response(_FileChunks(handle), mimetype=MIMETYPES[fmt], direct_passthrough=True)
    response.content_length = os.fstat(handle.fileno()).st_size
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class _FileChunks:
    """The open export file in chunks, closed when the last chunk is sent or when the server
    closes the response (a download cut short): an export can be hundreds of MB."""

    CHUNK = 256 * 1024

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle

    def __iter__(self) -> Iterator[bytes]:
        try:
            while chunk := self.handle.read(self.CHUNK):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self.handle.close()
