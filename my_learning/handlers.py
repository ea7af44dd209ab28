"""Tornado handlers of the "My learning" page (Học tập của tôi).

Routes, under the server's base_url:
  GET  learning                                   the page
  POST learning/fetch    course_id, assignment_id start a module, then open it in Voila
  POST learning/submit   course_id, assignment_id hand in the learner's copy
  GET  learning/feedback/<course>/<assignment>[/<notebook_id>]  feedback HTML
  GET  learning/language/<code>?next=<path>       the platform's language, then back
  GET  learning/api/frame?path=<notebook>&lang=    JSON: the module page's frame (which
                                                  module, titles, links, texts, the count)
  GET  learning/api/answered/<course>/<module>?lang=  JSON: questions answered out of how many

The two JSON routes serve the frame around a module page in Voila (``my_learning.frame``;
the template is ``hub_config/jupyter_data/voila/templates/academy``): My learning says which
module a notebook is and puts the frame's texts in the page's language through its own
catalogue, so the Voila template holds no text and no second catalogue.

Every text goes through the catalogue of ``my_learning.i18n`` in the language of the
platform's shared cookie. The learner is greeted by the full name the hub passes at spawn
(``FULL_NAME_ENV``, from the roster: ``hub_config.spawner``), or by their username.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

import jinja2
from babel.numbers import format_decimal
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_escape, url_path_join
from markupsafe import Markup
from tornado import web

from common.clock import to_vietnam
from common.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, N_, Language, language_from
from common.roles import DASHBOARDS_SERVICE, EOFFICE_SERVICE
from course_kit.catalog import CatalogError, Course, load_catalog
from course_kit.i18n import LANGUAGE_PARAMETER
from course_kit.questions.draws import learner_id
from grading.completion import Score
from grading.feedback import language_style
from installation.settings import CATALOG_DIR_ENV, FULL_NAME_ENV

from .frame import (
    ModuleRef,
    answered_payload,
    count_answered,
    frame_texts,
    inside,
    root_relative_parts,
)
from .i18n import LANGUAGE_NAMES, safe_local_path, translations
from .module_kernels import ModulePageKernelManager, page_query
from .nbgrader_client import LearningError, NbgraderClient
from .next_step import NextStepKind, next_step
from .overrides import fetch_overrides
from .progress import CourseProgress, ModuleProgress, Status, build_progress

CLIENT_SETTING = "my_learning_client"
JINJA_SETTING = "my_learning_jinja"
# Starting, submitting and listing read and write the learner's own files.
AUTH_RESOURCE = "contents"
CATALOG_ENV = CATALOG_DIR_ENV
#: the learner's full name, set by the hub's spawner from the roster (hub_config.spawner
#: sets the same name: a test checks that they agree)

T = TypeVar("T")

STATUS_LABELS: dict[Status, str] = {
    Status.NOT_OPEN: N_("Not open yet"),
    Status.NOT_STARTED: N_("Not started"),
    Status.IN_PROGRESS: N_("In progress"),
    Status.SUBMITTED: N_("Submitted"),
    Status.NOT_GRADED: N_("Could not be graded"),
    Status.GRADED: N_("Graded"),
}

ERROR_MESSAGES: dict[int, str] = {
    403: N_(
        "Your session has expired or this request was not allowed. "
        "Please go back to “My learning” and try again."
    ),
    404: N_("This page does not exist."),
}
OTHER_ERROR = N_("Something went wrong on our side. Please try again in a few minutes.")
NO_MODULE_CHOSEN = N_("Please choose a module on the page.")


def make_jinja_env(language: Language = Language.VIETNAMESE) -> jinja2.Environment:
    """The templates in ``language``: Jinja2's i18n extension with the catalogue installed
    (new-style gettext: placeholders are escaped, ``%`` is written ``%%``; blocks trimmed,
    as ``babel.cfg`` extracts them)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("my_learning", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    catalogue = translations(language)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    env.filters["local_time"] = format_local_time
    env.filters["number"] = functools.partial(format_number, language=language)
    env.filters["score"] = functools.partial(format_score, language=language)
    env.filters["percent"] = functools.partial(format_percent, language=language)
    env.globals.update(
        language=language,
        Language=Language,
        language_names=LANGUAGE_NAMES,
        Status=Status,
        NextStepKind=NextStepKind,
        next_step=next_step,
        status_label=lambda status: catalogue.gettext(STATUS_LABELS[status]),
    )
    return env


def make_jinja_envs() -> dict[Language, jinja2.Environment]:
    """One environment per language, built once: a request only picks one (installing
    translations per request would race between requests sharing an environment)."""
    return {language: make_jinja_env(language) for language in Language}


def learner_name(username: str, environ: Mapping[str, str] = os.environ) -> str:
    """Who the page greets: the full name the hub passed at spawn (``FULL_NAME_ENV``) when
    the person looking is the server's owner (``JUPYTERHUB_USER``; an admin visiting sees
    their own username), else the username."""
    owner = environ.get("JUPYTERHUB_USER")
    full_name = " ".join(environ.get(FULL_NAME_ENV, "").split())
    if full_name and (owner is None or owner == username):
        return full_name
    return username


def module_voila_url(base_url: str, module: ModuleProgress, language: Language) -> str | None:
    """The module in Voila, in ``language``: its English version for a learner reading
    English (when the module has one in their folder), else the Vietnamese notebook; the
    course kit reads ``?lang=`` (``course_kit.i18n``), so the module's own texts follow the
    choice made on My learning. None before the module is fetched."""
    open_path = module.open_path_in(language)
    if open_path is None:
        return None
    path = url_path_join(base_url, "voila", "render", url_escape(open_path))
    return f"{path}?{urlencode({LANGUAGE_PARAMETER: language.value})}"


def format_number(value: float, language: Language) -> str:
    """7.5 -> "7,5" in Vietnamese, "7.5" in English; at most two decimals."""
    return format_decimal(value, format="#,##0.##", locale=language.value)


def format_score(score: Score, language: Language) -> str:
    """"7,5 / 10": points out of the maximum, in the page's language."""
    return f"{format_number(score.points, language)} / {format_number(score.max_points, language)}"


def format_percent(value: float, language: Language) -> str:
    """One decimal at most, rounded DOWN: 69.96 shows "69,9", never a "70" that would look
    like a pass mark of 70 reached."""
    return format_decimal(math.floor(value * 10 + 1e-9) / 10, format="#,##0.#",
                          locale=language.value)


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


def module_ref(client: NbgraderClient, course_id: str, module_id: str,
               log: Any) -> ModuleRef | None:
    """A module of the catalog, fetched into this server's own files; None otherwise."""
    course = load_public_catalog(log).get(course_id)
    if course is None or module_id not in course.module_ids:
        return None
    folder = client.assignment_folder(course_id, module_id)
    if not folder.is_dir() or not inside(folder, Path(client.root_dir)):
        return None
    return ModuleRef(course, course.module(module_id), folder)


def module_of_notebook(client: NbgraderClient, path: str,
                       log: Any) -> tuple[ModuleRef, Language] | None:
    """The module whose notebook Voila shows at ``path`` (relative to the server's root,
    as in ``voila/render/<path>``), fetched into this server's files, and that notebook's
    language; None for any other notebook."""
    parts = root_relative_parts(path)
    if parts is None:
        return None
    notebook = Path(client.root_dir, *parts)
    for course in load_public_catalog(log).values():
        for module in course.modules:
            versions = {module.notebook: Language.VIETNAMESE}
            if module.notebook_en:
                versions[module.notebook_en] = Language.ENGLISH
            if notebook.name not in versions:
                continue
            if client.assignment_folder(course.id, module.id) != notebook.parent:
                continue
            ref = module_ref(client, course.id, module.id, log)
            if ref is not None and notebook.is_file():
                return ref, versions[notebook.name]
    return None


class LearningBaseHandler(JupyterHandler):
    auth_resource = AUTH_RESOURCE

    @property
    def client(self) -> NbgraderClient:
        return self.settings[CLIENT_SETTING]

    @property
    def language(self) -> Language:
        """The platform's language: its shared cookie, Vietnamese by default."""
        return language_from(self.get_cookie(LANGUAGE_COOKIE))

    @property
    def jinja_env(self) -> jinja2.Environment:
        return self.settings[JINJA_SETTING][self.language]

    def gettext(self, message: str) -> str:
        """``message`` (an ``N_``-marked msgid) in the page's language."""
        return translations(self.language).gettext(message)

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
            fetch_overrides(_username(self.current_user), os.environ),
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
        return module_voila_url(self.base_url, module, self.language)

    def feedback_url(self, module: ModuleProgress, notebook_id: str) -> str:
        parts = (module.course_id, module.assignment_id, notebook_id)
        escaped = (url_escape(p).replace("/", "%2F") for p in parts)
        return url_path_join(self.base_url, "learning", "feedback", *escaped)

    def language_url(self, language: Language) -> str:
        """The switch to ``language``, coming back to this page: the same address for a
        GET (without a login token in it), My learning after a form was posted."""
        url = url_path_join(self.base_url, "learning", "language", language.value)
        back = self.learning_url()
        if self.request.method == "GET":
            query = [(k, v) for k, v in parse_qsl(self.request.query) if k != "token"]
            back = self.request.path + (f"?{urlencode(query)}" if query else "")
        return f"{url}?{urlencode({'next': back})}"

    def render_page(self, template: str, status: int = 200, **context: Any) -> None:
        try:
            user = self.current_user
        except Exception:  # e.g. an error page before authentication ran
            user = None
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        html = self.jinja_env.get_template(template).render(
            user_name=learner_name(_username(user)) if user else "",
            language_urls={language: self.language_url(language) for language in Language},
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
        module = _find_module(courses, *submitted) if submitted else None
        if module is not None and module.last_submitted is None:
            module = None  # the confirmation says when: only for a submission
        self.run_next_module_ahead(courses)
        self.render_page(
            "learning.html", status=status, courses=courses, submitted_module=module,
            errors=[self.shown_error(e) for e in errors],
        )

    def run_next_module_ahead(self, courses: list[CourseProgress]) -> None:
        """Have the page of the first module this page says to continue run ahead, so
        that the click on it opens at once, and a spare kernel waiting for any other
        module page (module_kernels)."""
        manager = self.kernel_manager
        if not isinstance(manager, ModulePageKernelManager):
            return
        manager.keep_spare_kernel()
        for course in courses:
            step = next_step(course)
            if step.kind is not NextStepKind.CONTINUE or step.module is None:
                continue
            path = step.module.open_path_in(self.language)
            if path is not None:
                query = page_query(urlencode({LANGUAGE_PARAMETER: self.language.value}))
                manager.preheat(path, query, delay=manager.fill_delay)
                return

    def shown_error(self, error: LearningError) -> ShownError:
        return ShownError(self.gettext(error.message), error.detail)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A plain page in the learner's words, never a traceback."""
        message = self.gettext(ERROR_MESSAGES.get(status_code, OTHER_ERROR))
        try:
            self.render_page("message.html", status=status_code, message=message)
        except Exception:
            self.log.exception("my_learning: could not render the error page")
            self.finish(message)


@dataclass(frozen=True)
class ShownError:
    """A LearningError as the page shows it: its message translated, nbgrader's detail
    (for the trainer) as it came."""

    message: str
    detail: str | None


def _username(user: Any) -> str:
    """jupyter_server's User (``username``), or a plain name from an older identity."""
    return str(getattr(user, "username", "") or getattr(user, "name", "") or user)


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
                raise LearningError(NO_MODULE_CHOSEN, status=400)
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
                "learning.html", status=exc.status, courses=[], submitted_module=None,
                errors=[self.shown_error(exc)],
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
        # the page holds both languages (grading.feedback): the learner reads theirs
        style = language_style(self.language).encode("utf-8")
        html = html.replace(b"<head>", b"<head>" + style, 1) if b"<head>" in html else (
            style + html)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        # The feedback shows the learner's own notebook: keep its scripts away from this
        # server's cookies and API (unique origin), but let MathJax run.
        self.set_header(
            "Content-Security-Policy", "sandbox allow-scripts allow-popups; frame-ancestors 'self'"
        )
        self.finish(html)


class LanguageHandler(LearningBaseHandler):
    """GET learning/language/<code>?next=<path>: the platform's language cookie (the same
    cookie, path and lifetime as ``service_auth.languages``), then back to ``next`` when it
    is a path of this site, else to My learning: never an open redirect."""

    @web.authenticated
    @authorized
    def get(self, code: str) -> None:
        self.set_cookie(
            LANGUAGE_COOKIE,
            language_from(code).value,
            path="/",
            max_age=LANGUAGE_COOKIE_MAX_AGE,
            samesite="Lax",
            secure=self.request.protocol == "https",
        )
        target = self.get_query_argument("next", "")
        self.redirect(target if safe_local_path(target) else self.learning_url(), status=303)


class LearningApiHandler(APIHandler, LearningBaseHandler):
    """JSON for the module page's frame: jupyter_server's API rules (403 instead of a login
    redirect, JSON errors, same origin only), My learning's catalogue and client."""

    @property
    def page_language(self) -> Language:
        """The module page's language: its ``?lang=`` (the kernel's language) when it names
        one, else the platform's cookie."""
        requested = self.get_query_argument(LANGUAGE_PARAMETER, "")
        if requested in {language.value for language in Language}:
            return Language(requested)
        return self.language

    def write_json(self, payload: Mapping[str, Any], status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(payload, ensure_ascii=False))

    def module_ref(self, course_id: str, module_id: str) -> ModuleRef | None:
        """A module of the catalog, fetched into this server's own files; None otherwise."""
        return module_ref(self.client, course_id, module_id, self.log)

    def module_of_notebook(self, path: str) -> tuple[ModuleRef, Language] | None:
        """The module whose notebook Voila shows at ``path`` (see `module_of_notebook`)."""
        return module_of_notebook(self.client, path, self.log)

    def answered_url(self, ref: ModuleRef) -> str:
        escaped = (url_escape(p).replace("/", "%2F") for p in (ref.course.id, ref.module.id))
        return url_path_join(self.base_url, "learning", "api", "answered", *escaped)

    async def answered(self, ref: ModuleRef, language: Language) -> dict[str, Any]:
        count = await self.run_blocking(count_answered, ref, learner_id())
        return answered_payload(count, language)


class FrameHandler(LearningApiHandler):
    """GET learning/api/frame?path=<notebook>&lang=<code>: what the frame of a module page
    shows. A notebook that is no module's (a 404) still gets the texts and the way back."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        language = self.page_language
        payload: dict[str, Any] = {
            "language": language.value,
            "learning_url": self.learning_url(),
            "texts": frame_texts(language),
        }
        try:
            found = await self.run_blocking(
                self.module_of_notebook, self.get_query_argument("path", "")
            )
        except LearningError as exc:
            self.log.warning("my_learning: frame: %s", exc.detail)
            raise web.HTTPError(exc.status) from exc
        if found is None:
            self.write_json(payload, status=404)
            return
        ref, version = found
        payload.update(
            course={"id": ref.course.id, "title": ref.course.title_in(language)},
            module={
                "id": ref.module.id,
                "title": ref.module.title_in(language),
                "version": version.value,
            },
            submit_url=url_path_join(self.base_url, "learning", "submit"),
            answered_url=self.answered_url(ref),
            xsrf=self.xsrf_token.decode("ascii"),
            answered=await self.answered(ref, language),
        )
        self.write_json(payload)


class AnsweredHandler(LearningApiHandler):
    """GET learning/api/answered/<course>/<module>?lang=<code>: how many of the module's
    questions the learner has answered (``my_learning.frame.count_answered``); 404 for a
    course or module that is not in the catalog or not in the learner's folder."""

    @web.authenticated
    @authorized
    async def get(self, course_id: str, module_id: str) -> None:
        try:
            ref = await self.run_blocking(self.module_ref, course_id, module_id)
        except LearningError as exc:
            self.log.warning("my_learning: answered: %s", exc.detail)
            raise web.HTTPError(exc.status) from exc
        if ref is None:
            raise web.HTTPError(404)
        self.write_json(await self.answered(ref, self.page_language))


def handlers(base_url: str) -> list[tuple[str, type[JupyterHandler]]]:
    return [
        (url_path_join(base_url, r"/learning/?"), LearningPageHandler),
        (url_path_join(base_url, r"/learning/language/([^/]+)"), LanguageHandler),
        (url_path_join(base_url, r"/learning/(fetch|submit)"), LearningActionHandler),
        (url_path_join(base_url, r"/learning/api/frame"), FrameHandler),
        (url_path_join(base_url, r"/learning/api/answered/([^/]+)/([^/]+)"), AnsweredHandler),
        (
            url_path_join(base_url, r"/learning/feedback/([^/]+)/([^/]+)(?:/([^/]+))?"),
            FeedbackHandler,
        ),
    ]
