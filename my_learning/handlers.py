"""Tornado handlers of the "My learning" page (Học tập của tôi).

Routes, under the server's base_url:
  GET  learning                                   the page
  POST learning/fetch    course_id, assignment_id start a module, then open it in Voila
  POST learning/submit   course_id, assignment_id hand in the learner's copy
  GET  learning/feedback/<course>/<assignment>[/<notebook_id>]  feedback HTML
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import jinja2
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_escape, url_path_join
from markupsafe import Markup
from tornado import web

from common.clock import to_vietnam
from common.roles import DASHBOARDS_SERVICE, EOFFICE_SERVICE
from course_kit.catalog import CatalogError, Course, load_catalog
from installation.settings import CATALOG_DIR_ENV

from .nbgrader_client import LearningError, NbgraderClient
from .progress import CourseProgress, ModuleProgress, Status, build_progress

CLIENT_SETTING = "my_learning_client"
JINJA_SETTING = "my_learning_jinja"
# Starting, submitting and listing read and write the learner's own files.
AUTH_RESOURCE = "contents"
CATALOG_ENV = CATALOG_DIR_ENV

T = TypeVar("T")

STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.NOT_OPEN: ("Not open yet", "Chưa mở"),
    Status.NOT_STARTED: ("Not started", "Chưa bắt đầu"),
    Status.IN_PROGRESS: ("In progress", "Đang học"),
    Status.SUBMITTED: ("Submitted", "Đã nộp bài"),
    Status.NOT_GRADED: ("Could not be graded", "Không chấm được"),
    Status.GRADED: ("Graded", "Đã chấm điểm"),
}

ERROR_MESSAGES: dict[int, str] = {
    403: "Your session has expired or this request was not allowed. "
    "Please go back to “My learning” and try again.",
    404: "This page does not exist.",
}


def make_jinja_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("my_learning", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["local_time"] = format_local_time
    env.globals["status_labels"] = STATUS_LABELS
    env.globals["Status"] = Status
    return env


def format_local_time(moment: datetime | None) -> str:
    """"14:05, 03/06/2025": Vietnamese day/month order, in Vietnam time (naive = UTC)."""
    if moment is None:
        return ""
    return to_vietnam(moment).strftime("%H:%M, %d/%m/%Y")


def load_public_catalog(log: Any) -> dict[str, Course]:
    """The public course catalog (titles, pass marks); empty if not configured or broken."""
    directory = os.environ.get(CATALOG_ENV)
    if not directory or not Path(directory).is_dir():
        return {}
    try:
        return load_catalog(Path(directory))
    except (CatalogError, OSError) as exc:
        log.error("my_learning: course catalog not loaded, showing course ids: %s", exc)
        return {}


class LearningBaseHandler(JupyterHandler):
    auth_resource = AUTH_RESOURCE

    @property
    def client(self) -> NbgraderClient:
        return self.settings[CLIENT_SETTING]

    @property
    def jinja_env(self) -> jinja2.Environment:
        return self.settings[JINJA_SETTING]

    async def run_blocking(self, func: Callable[..., T], *args: Any) -> T:
        """Run an nbgrader call in a worker thread, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(func, *args))

    async def load_courses(self) -> list[CourseProgress]:
        return await self.run_blocking(self._load_courses)

    def _load_courses(self) -> list[CourseProgress]:
        snapshot = self.client.snapshot()
        return build_progress(
            snapshot.released,
            snapshot.submitted,
            load_public_catalog(self.log),
            self.client.root_dir,
            snapshot.enrolled,
        )

    def eoffice_url(self) -> str:
        """The sandbox e-office, a hub service on the same origin (trainers find their desks
        there: certificate registration, phishing campaigns)."""
        return self.service_url(EOFFICE_SERVICE, "")

    def service_url(self, service: str, path: str) -> str:
        """A page of one of the platform's hub services (same origin)."""
        hub_base = os.environ.get("JUPYTERHUB_BASE_URL", "/")
        return url_path_join(hub_base, "services", service) + "/" + path

    def learning_url(self, **query: str) -> str:
        url = url_path_join(self.base_url, "learning")
        return f"{url}?{urlencode(query)}" if query else url

    def voila_url(self, module: ModuleProgress) -> str | None:
        if module.open_path is None:
            return None
        return url_path_join(self.base_url, "voila", "render", url_escape(module.open_path))

    def feedback_url(self, module: ModuleProgress, notebook_id: str) -> str:
        parts = (module.course_id, module.assignment_id, notebook_id)
        escaped = (url_escape(p).replace("/", "%2F") for p in parts)
        return url_path_join(self.base_url, "learning", "feedback", *escaped)

    def render_page(self, template: str, status: int = 200, **context: Any) -> None:
        try:
            user = self.current_user
        except Exception:  # e.g. an error page before authentication ran
            user = None
        user_name = (getattr(user, "display_name", "") or getattr(user, "name", "")) if user else ""
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        html = self.jinja_env.get_template(template).render(
            user_name=user_name,
            xsrf_form_html=Markup(self.xsrf_form_html()),  # noqa: S704 - tornado builds and escapes it
            learning_url=self.learning_url(),
            fetch_url=url_path_join(self.base_url, "learning", "fetch"),
            submit_url=url_path_join(self.base_url, "learning", "submit"),
            logout_url=url_path_join(self.base_url, "logout"),
            eoffice_url=self.eoffice_url(),
            certificates_url=self.service_url(DASHBOARDS_SERVICE, "certificates/"),
            voila_url=self.voila_url,
            feedback_url=self.feedback_url,
            **context,
        )
        self.finish(html)

    async def show_learning(
        self,
        status: int = 200,
        error: LearningError | None = None,
        submitted: tuple[str, str] | None = None,
    ) -> None:
        """The page, with `error` on top, or a confirmation for the `submitted` module."""
        courses: list[CourseProgress] = []
        errors = [error] if error is not None else []
        try:
            courses = await self.load_courses()
        except LearningError as exc:
            errors.append(exc)
            status = max(status, exc.status)
        notice = None
        module = _find_module(courses, *submitted) if submitted else None
        if module is not None and module.last_submitted is not None:
            notice = (
                f"Your work on “{module.title}” was submitted (đã nộp bài) at "
                f"{format_local_time(module.last_submitted)}. If you change your answers, you can "
                "submit again."
            )
        self.render_page(
            "learning.html", status=status, courses=courses, notice=notice, errors=errors
        )

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A plain page in the learner's words, never a traceback."""
        message = ERROR_MESSAGES.get(
            status_code, "Something went wrong on our side. Please try again in a few minutes."
        )
        try:
            self.render_page("message.html", status=status_code, message=message)
        except Exception:
            self.log.exception("my_learning: could not render the error page")
            self.finish(message)


def _find_module(
    courses: list[CourseProgress], course_id: str, assignment_id: str
) -> ModuleProgress | None:
    for course in courses:
        if course.course_id == course_id:
            return course.module(assignment_id)
    return None


class LearningPageHandler(LearningBaseHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        submitted = None
        if self.get_query_argument("done", "") == "submitted":
            submitted = (
                self.get_query_argument("course", ""),
                self.get_query_argument("module", ""),
            )
        await self.show_learning(submitted=submitted)


class LearningActionHandler(LearningBaseHandler):
    """POST learning/(fetch|submit): form fields course_id and assignment_id, plus _xsrf."""

    @web.authenticated
    @authorized
    async def post(self, action: str) -> None:
        course_id = self.get_body_argument("course_id", "").strip()
        assignment_id = self.get_body_argument("assignment_id", "").strip()
        try:
            if not course_id or not assignment_id:
                raise LearningError("Please choose a module on the page.", status=400)
            if action == "fetch":
                await self.run_blocking(self.client.fetch_assignment, course_id, assignment_id)
                courses = await self.load_courses()
                module = _find_module(courses, course_id, assignment_id)
                target = self.voila_url(module) if module is not None else None
                self.redirect(target or self.learning_url(), status=303)
            else:
                await self.run_blocking(self.client.submit, course_id, assignment_id)
                self.redirect(
                    self.learning_url(done="submitted", course=course_id, module=assignment_id),
                    status=303,
                )
        except LearningError as exc:
            self.log.warning(
                "my_learning: %s %s/%s refused: %s", action, course_id, assignment_id, exc.detail
            )
            await self.show_learning(status=exc.status, error=exc)


class FeedbackHandler(LearningBaseHandler):
    """The feedback HTML nbgrader generated, from the learner's fetched copy."""

    @web.authenticated
    @authorized
    async def get(self, course_id: str, assignment_id: str, notebook_id: str | None = None) -> None:
        try:
            courses = await self.load_courses()
        except LearningError as exc:
            self.render_page(
                "learning.html", status=exc.status, courses=[], notice=None, errors=[exc]
            )
            return
        module = _find_module(courses, course_id, assignment_id)
        if module is None or not module.feedback_notebooks or module.feedback_dir is None:
            raise web.HTTPError(404)
        notebook_id = notebook_id or module.feedback_notebooks[0]
        if notebook_id not in module.feedback_notebooks:
            raise web.HTTPError(404)
        path = Path(module.feedback_dir) / f"{notebook_id}.html"
        try:
            html = await self.run_blocking(path.read_bytes)
        except OSError as exc:
            raise web.HTTPError(404) from exc
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        # The feedback shows the learner's own notebook: keep its scripts away from this
        # server's cookies and API (unique origin), but let MathJax run.
        self.set_header(
            "Content-Security-Policy", "sandbox allow-scripts allow-popups; frame-ancestors 'self'"
        )
        self.finish(html)


def handlers(base_url: str) -> list[tuple[str, type[JupyterHandler]]]:
    return [
        (url_path_join(base_url, r"/learning/?"), LearningPageHandler),
        (url_path_join(base_url, r"/learning/(fetch|submit)"), LearningActionHandler),
        (
            url_path_join(base_url, r"/learning/feedback/([^/]+)/([^/]+)(?:/([^/]+))?"),
            FeedbackHandler,
        ),
    ]
