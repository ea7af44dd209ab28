"""nbgrader's exchange for one learner, called in-process.

Mirrors nbgrader's own `server_extensions/assignment_list` (ExchangeFactory, CourseDirectory,
Authenticator built from the nbgrader config), with two differences:

- no `os.chdir`: the calls run in worker threads, so the exchange's `assignment_dir` is made
  absolute (relative values are taken relative to the server's root_dir, as nbgrader does
  after changing into root_dir);
- errors become `LearningError`s carrying a message a learner can read (an English msgid
  marked with `N_`, translated where the page shows it); nbgrader's own message is kept in
  `detail` for the log and for the trainer.

Config is looked up like nbgrader's apps do: `nbgrader_config.py` / `.json` in every
directory of `jupyter_config_path()` (JUPYTER_CONFIG_DIR, JUPYTER_CONFIG_PATH, the
environment's and the system's etc/jupyter), then the server's root_dir, then the
exchange's assignment directory if different; later ones win.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_config_path
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeError, ExchangeFactory
from traitlets.config import Config
from traitlets.config.loader import JSONFileConfigLoader, PyFileConfigLoader

from common.i18n import N_

CONFIG_BASENAME = "nbgrader_config"

log_default = logging.getLogger("my_learning")


class LearningError(Exception):
    """A step the learner asked for could not be done; `message` is safe to show them: a
    msgid of My learning's catalogue (``N_``), shown translated."""

    def __init__(self, message: str, status: int = 400, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Snapshot:
    """nbgrader's listings for the learner (see `progress.build_progress`)."""

    released: list[dict[str, Any]]
    submitted: list[dict[str, Any]]
    enrolled: list[str] | None  # None: the authenticator does not restrict courses


def load_nbgrader_config(root_dir: str, log: logging.Logger | None = None) -> Config:
    """nbgrader config for a learner whose server root is `root_dir`."""
    log = log or log_default
    directories = [root_dir, *jupyter_config_path()]  # highest priority first
    config = _load_from(directories, log)
    lister = ExchangeFactory(config=config, log=log).List(config=config)
    assignment_dir = os.path.abspath(os.path.join(root_dir, lister.assignment_dir))
    if os.path.abspath(assignment_dir) != os.path.abspath(root_dir):
        config.merge(_load_from([assignment_dir], log))
    for section in list(config.values()):
        if isinstance(section, Config) and "assignment_dir" in section:
            section.assignment_dir = assignment_dir
    config.Exchange.assignment_dir = assignment_dir
    return config


def _load_from(directories: list[str], log: logging.Logger) -> Config:
    config = Config()
    seen: set[str] = set()
    for directory in reversed(directories):
        directory = os.path.abspath(directory)
        if directory in seen:
            continue
        seen.add(directory)
        for loader_class, ext in ((PyFileConfigLoader, ".py"), (JSONFileConfigLoader, ".json")):
            if os.path.isfile(os.path.join(directory, CONFIG_BASENAME + ext)):
                loader = loader_class(CONFIG_BASENAME + ext, path=directory, log=log)
                config.merge(loader.load_config())
                log.debug("Loaded nbgrader config %s", loader.full_filename)
    return config


class NbgraderClient:
    """Lists, fetches, submits and fetches feedback for the user running this server."""

    def __init__(self, root_dir: str, log: logging.Logger | None = None) -> None:
        self.root_dir = os.path.abspath(root_dir)
        self.log = log or log_default
        self._fetch_layout: tuple[str, bool] | None = None

    def load_config(self) -> Config:
        try:
            return load_nbgrader_config(self.root_dir, self.log)
        except Exception as exc:
            self.log.exception("my_learning: could not load the nbgrader config")
            raise LearningError(
                N_("The training system is not set up correctly. Please tell your trainer."),
                status=503,
                detail=f"nbgrader config: {exc}",
            ) from exc

    def _exchange(
        self, course_id: str = "", assignment_id: str = ""
    ) -> tuple[Config, CourseDirectory, Authenticator, ExchangeFactory]:
        config = self.load_config()
        # The page shows every course the learner belongs to, whatever a shared config says.
        config.CourseDirectory.course_id = course_id
        config.CourseDirectory.assignment_id = assignment_id
        coursedir = CourseDirectory(config=config, log=self.log)
        authenticator = Authenticator(config=config, log=self.log)
        return config, coursedir, authenticator, ExchangeFactory(config=config, log=self.log)

    def list_released(self) -> list[dict[str, Any]]:
        """Released assignments of the learner's courses (status "released" or "fetched")."""
        config, coursedir, authenticator, factory = self._exchange()
        with _translate_errors(self.log, "list"):
            lister = factory.List(coursedir=coursedir, authenticator=authenticator, config=config)
            return list(lister.start())

    def list_submitted(self, course_id: str = "") -> list[dict[str, Any]]:
        """The learner's own submissions, from nbgrader's submission cache."""
        config, coursedir, authenticator, factory = self._exchange(course_id)
        config.ExchangeList.cached = True
        with _translate_errors(self.log, "list"):
            lister = factory.List(coursedir=coursedir, authenticator=authenticator, config=config)
            return list(lister.start())

    def enrolled_courses(self) -> list[str] | None:
        config, coursedir, authenticator, _ = self._exchange()
        with _translate_errors(self.log, "list"):
            courses = authenticator.get_student_courses(coursedir.student_id)
        return None if courses is None else sorted(courses)

    def snapshot(self) -> Snapshot:
        """Everything the page needs; fetches feedback the trainer has released first."""
        released = self.list_released()
        submitted = self.list_submitted()
        fetched_any = False
        for assignment in submitted:
            if any(_feedback_waiting(s) for s in assignment.get("submissions", [])):
                try:
                    self.fetch_feedback(assignment["course_id"], assignment["assignment_id"])
                    fetched_any = True
                except LearningError as exc:
                    self.log.warning("my_learning: feedback not fetched: %s", exc.detail)
        if fetched_any:
            submitted = self.list_submitted()
        return Snapshot(released, submitted, self.enrolled_courses())

    def fetch_assignment(self, course_id: str, assignment_id: str) -> None:
        """Copy a released assignment into the learner's folder (nbgrader fetch_assignment)."""
        release = self._find_release(course_id, assignment_id)
        if release["status"] == "fetched":
            return  # already there: nothing to copy, the learner just opens it
        config, coursedir, authenticator, factory = self._exchange(course_id, assignment_id)
        with _translate_errors(self.log, "fetch"):
            factory.FetchAssignment(
                coursedir=coursedir, authenticator=authenticator, config=config
            ).start()

    def submit(self, course_id: str, assignment_id: str) -> str:
        """Hand in the learner's copy (nbgrader submit); returns nbgrader's timestamp."""
        release = self._find_release(course_id, assignment_id)
        if release["status"] != "fetched":
            raise LearningError(
                N_("You have not started this module yet: press “Start” first."), status=409
            )
        config, coursedir, authenticator, factory = self._exchange(course_id, assignment_id)
        with _translate_errors(self.log, "submit"):
            submit = factory.Submit(coursedir=coursedir, authenticator=authenticator, config=config)
            submit.start()
            return str(submit.timestamp)

    def fetch_feedback(self, course_id: str, assignment_id: str) -> None:
        """Copy released feedback into `<assignment>/feedback/<timestamp>/` (fetch_feedback)."""
        config, coursedir, authenticator, factory = self._exchange(course_id, assignment_id)
        with _translate_errors(self.log, "fetch_feedback"):
            factory.FetchFeedback(
                coursedir=coursedir, authenticator=authenticator, config=config
            ).start()

    def assignment_folder(self, course_id: str, assignment_id: str) -> Path:
        """Where nbgrader fetches a module for this learner (``ExchangeFetchAssignment
        .init_dest``): ``<assignment_dir>/<course>/<module>``, or ``<assignment_dir>/<module>``
        without ``Exchange.path_includes_course``. Pure path arithmetic on nbgrader's config,
        read once per server (the frame of a module page asks every few seconds); whether
        the folder exists, and is inside the server's root, is the caller's question."""
        if self._fetch_layout is None:
            config = self.load_config()
            fetch = ExchangeFactory(config=config, log=self.log).FetchAssignment(
                config=config, log=self.log
            )
            self._fetch_layout = (
                os.path.abspath(os.path.join(self.root_dir, fetch.assignment_dir)),
                bool(fetch.path_includes_course),
            )
        assignment_dir, includes_course = self._fetch_layout
        parts = (course_id, assignment_id) if includes_course else (assignment_id,)
        return Path(assignment_dir, *parts)

    def _find_release(self, course_id: str, assignment_id: str) -> dict[str, Any]:
        for release in self.list_released():
            if release["course_id"] == course_id and release["assignment_id"] == assignment_id:
                return release
        raise LearningError(
            N_(
                "This module was not found in your courses. It may have been withdrawn by the "
                "trainer, or the link is out of date. Please reload this page."
            ),
            status=404,
            detail=f"no released assignment {course_id!r}/{assignment_id!r}",
        )


def _feedback_waiting(submission: dict[str, Any]) -> bool:
    if not submission.get("has_exchange_feedback"):
        return False
    return not submission.get("has_local_feedback") or bool(submission.get("feedback_updated"))


@contextmanager
def _translate_errors(log: logging.Logger, step: str) -> Iterator[None]:
    """Turns nbgrader and hub failures into LearningErrors."""
    try:
        yield
    except LearningError:
        raise
    except ExchangeError as exc:
        detail = f"nbgrader {step}: {exc}"
        log.warning("my_learning: %s", detail)
        text = str(exc)
        if "do not have access" in text:
            raise LearningError(
                N_("You are not enrolled in this course. Please contact your trainer."),
                status=403,
                detail=detail,
            ) from exc
        if "not found" in text:
            raise LearningError(
                N_(
                    "This module could not be found in the course exchange. "
                    "Please reload the page or contact your trainer."
                ),
                status=404,
                detail=detail,
            ) from exc
        raise LearningError(
            N_(
                "The course system could not do this step. Please try again later or contact "
                "your trainer."
            ),
            status=503 if step == "list" else 409,
            detail=detail,
        ) from exc
    except Exception as exc:
        log.exception("my_learning: nbgrader %s failed", step)
        raise LearningError(
            N_("The course system is not available right now. Please try again in a few minutes."),
            status=503,
            detail=f"nbgrader {step}: {type(exc).__name__}: {exc}",
        ) from exc
