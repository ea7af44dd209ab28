"""nbgrader's formgrader with every manual grade change journalled: the course services'
jupyter_server extension (``hub_config/jupyter_server_config.py``, course role).

Formgrader saves a manual grade with ``PUT …/formgrader/api/grade/<grade id>`` (nbgrader's
``GradeHandler.put``: ``manual_score`` and ``extra_credit`` from the JSON body, committed
to the gradebook). ``AuditedGradeHandler`` is that handler, which also reads the grade
before, and after the commit appends who changed what from what to what to the course's
grade-change journal (``grading.grade_changes``); the grading service puts it into the
audit log. A change that cannot be journalled is undone and answered with an error: no
manual grade changes unrecorded.

This extension loads formgrader itself (the course role enables this extension and not
``nbgrader.server_extensions.formgrader``), for two reasons:

* the order: it adds the audited handler, then formgrader's handlers. Tornado's
  ``Application.add_handlers`` inserts each call's rules before the server's own and after
  the earlier calls' (``self.default_router.rules.insert(-1, rule)``), and the router
  takes the first rule that matches (``RuleRouter.find_handler``), so the audited handler
  wins on formgrader's own URL pattern whatever the order jupyter_server loads extensions
  in (alphabetical by name, ``ExtensionManager.load_all_extensions``);
* failing closed: jupyter_server only logs an extension that cannot be loaded and starts
  without it; if this module cannot be loaded, formgrader is not there either, rather than
  there unaudited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.utils import url_path_join
from nbgrader.api import MissingEntry
from nbgrader.server_extensions import formgrader
from nbgrader.server_extensions.formgrader.apihandlers import GradeHandler
from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf
from tornado import web

from common.clock import vietnam_now
from grading.grade_changes import GradeChange, GradeScores, append_grade_change

#: formgrader's own pattern for one grade (nbgrader.server_extensions.formgrader.apihandlers)
GRADE_PATTERN = r"/formgrader/api/grade/([^/]+)"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "grading.formgrader_audit"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    webapp = serverapp.web_app
    add_audited_handlers(webapp)  # first: see the module's docstring
    formgrader.load_jupyter_server_extension(serverapp)
    serverapp.log.info("formgrader loaded: manual grade changes go to the course's journal")


def add_audited_handlers(webapp: web.Application) -> None:
    """Route formgrader's grade URL to ``AuditedGradeHandler``; call before formgrader adds
    its own handlers (the rules added first are matched first)."""
    pattern = url_path_join(webapp.settings.get("base_url", "/"), GRADE_PATTERN.lstrip("/"))
    webapp.add_handlers(".*$", [(pattern, AuditedGradeHandler)])


class AuditedGradeHandler(GradeHandler):
    """nbgrader's grade handler; a change of a manual grade goes to the journal first."""

    def prepare(self) -> Any:
        if "nbgrader_formgrader" not in self.settings:  # formgrader did not load
            raise web.HTTPError(404)
        return super().prepare()

    @web.authenticated
    @check_xsrf
    @check_notebook_dir
    def put(self, grade_id: str) -> None:
        try:
            grade = self.gradebook.find_grade_by_id(grade_id)
        except MissingEntry:
            raise web.HTTPError(404) from None
        old = GradeScores(grade.manual_score, grade.extra_credit)
        needed_manual_grade = grade.needs_manual_grade
        super().put(grade_id)  # nbgrader's own: sets, commits, writes the grade
        new = GradeScores(grade.manual_score, grade.extra_credit)
        if new == old:
            return  # saved again as it was (formgrader saves on every change event)
        change = GradeChange(
            at=vietnam_now(), user=self._username(), course=self.coursedir.course_id,
            assignment=grade.assignment.name, student=grade.student.id,
            notebook=grade.notebook.name, cell=grade.name, old=old, new=new)
        try:
            append_grade_change(Path(self.coursedir.root), change)
        except (OSError, ValueError) as exc:
            grade.manual_score, grade.extra_credit = old.manual_score, old.extra_credit
            grade.needs_manual_grade = needed_manual_grade
            self.gradebook.db.commit()
            self.log.error("grade %s of %s not changed: the course's grade-change journal "
                           "cannot be written (%s)", grade_id, grade.student.id, exc)
            raise web.HTTPError(
                500, "The grade was not changed: it could not be recorded in the course's "
                     "grade-change journal.") from exc

    def _username(self) -> str:
        """The hub user who made the change (jupyterhub-singleuser: the hub's name)."""
        user = self.current_user
        return str(getattr(user, "username", None) or user)
