"""The practical task card: what to do in the sandbox e-office, a link that opens it, and a
"Check my work" button that asks the e-office whether the task is done.

The check runs in the learner's kernel, as the learner: the kernel of a learner's server
holds the server's hub token (``JUPYTERHUB_API_TOKEN``, the learner's own scopes), and the
e-office's ``GET /api/v1/tasks/<task_id>/check`` evaluates the task with the grader's own
rule on that learner's sandbox agency, and answers what is still missing in plain words,
never the answer key. The card shows "Done" or that list, or why the e-office could not
answer. It saves nothing: a task is graded from the e-office's evidence when the module is
graded, never from anything in the notebook (the learner could change that).

Where the kernel reaches the e-office: ``ACADEMY_EOFFICE_URL``, the e-office's address as the
hub's proxy forwards to it (the service's ``url`` in the hub's configuration: on one machine
``http://127.0.0.1:<port>``, no detour through the public proxy); the hub's configuration
gives it to learners' servers. Without it, the public address of the server
(``JUPYTERHUB_PUBLIC_URL``, set when the hub has a ``public_url``). The path is the
e-office's prefix behind the hub (``JUPYTERHUB_BASE_URL`` + ``services/eoffice/``), which
the e-office serves under whichever address it is reached at.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote, urlsplit

import ipywidgets as w
import requests

from common.clock import vietnam_now
from common.i18n import Language
from common.roles import EOFFICE_URL_ENV

from .i18n import N_, current_language, gettext
from .question_widgets import CSS

__all__ = [
    "EOFFICE_URL_ENV",
    "CheckOutcome",
    "PracticalTask",
    "TaskCheck",
    "check_task",
    "eoffice_api_url",
    "eoffice_url",
    "practical_task",
]

#: The hub token of the learner's server (its name, not a secret).
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"  # noqa: S105
EOFFICE_PREFIX = "services/eoffice/"
#: Seconds to connect, then to wait for the answer (a learner's first visit creates their
#: sandbox agency, which takes a moment).
CHECK_TIMEOUT = (3.05, 30.0)


class CheckOutcome(StrEnum):
    DONE = "done"
    NOT_DONE = "not_done"
    NO_ADDRESS = "no_address"  # the server was not told where the e-office is
    NOT_SIGNED_IN = "not_signed_in"  # no hub token here, or the e-office refused it (401)
    REFUSED = "refused"  # the token has no access to the e-office (403)
    UNKNOWN_TASK = "unknown_task"  # the e-office has no task of this id (an authoring slip)
    UNREACHABLE = "unreachable"  # no answer: down, restarting, network
    UNREADABLE = "unreadable"  # an answer the card does not understand


@dataclass(frozen=True)
class TaskCheck:
    """What the e-office answered about one task (or why it could not)."""

    outcome: CheckOutcome
    missing: tuple[str, ...] = ()
    http_status: int | None = None


def eoffice_url(eoffice_path: str = "/services/eoffice/") -> str:
    """Absolute URL path of the sandbox e-office behind the hub (JUPYTERHUB_BASE_URL), for
    the learner's browser."""
    if eoffice_path.startswith(("http://", "https://")):
        return eoffice_path
    return _hub_base() + eoffice_path.lstrip("/")


def _hub_base() -> str:
    base = os.environ.get("JUPYTERHUB_BASE_URL", "/") or "/"
    if not base.startswith("/"):
        base = "/" + base
    return base.rstrip("/") + "/"


def _eoffice_origin() -> str | None:
    given = os.environ.get(EOFFICE_URL_ENV, "").strip()
    if not given:
        public = urlsplit(os.environ.get("JUPYTERHUB_PUBLIC_URL", "").strip())
        given = f"{public.scheme}://{public.netloc}" if public.scheme and public.netloc else ""
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def eoffice_api_url(task_id: str) -> str | None:
    """Where this kernel asks the e-office about `task_id`; None when nobody said where the
    e-office is."""
    origin = _eoffice_origin()
    if origin is None:
        return None
    return (f"{origin}{_hub_base()}{EOFFICE_PREFIX}api/v1/tasks/"
            f"{quote(task_id, safe='')}/check")


def check_task(task_id: str, language: Language) -> TaskCheck:
    """Ask the e-office, as the learner whose hub token this kernel holds, whether `task_id`
    is done; the missing steps in `language`. Never raises for a network or HTTP problem:
    the outcome says what went wrong, for the card to tell the learner."""
    url = eoffice_api_url(task_id)
    if url is None:
        return TaskCheck(CheckOutcome.NO_ADDRESS)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        return TaskCheck(CheckOutcome.NOT_SIGNED_IN)
    try:
        with requests.Session() as session:
            # the learner's token goes to the e-office and nowhere else: no proxy from the
            # environment, no redirect followed (a login page is not an answer)
            session.trust_env = False
            response = session.get(url, params={"lang": language.value},
                                   headers={"Authorization": f"token {token}",
                                            "Accept": "application/json"},
                                   timeout=CHECK_TIMEOUT, allow_redirects=False)
    except requests.RequestException:
        return TaskCheck(CheckOutcome.UNREACHABLE)
    return _read_answer(response)


def _read_answer(response: requests.Response) -> TaskCheck:
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if status == 401:
        return TaskCheck(CheckOutcome.NOT_SIGNED_IN, http_status=status)
    if status == 403:
        return TaskCheck(CheckOutcome.REFUSED, http_status=status)
    if status == 404 and isinstance(body, dict) and body.get("reason") == "unknown_task":
        return TaskCheck(CheckOutcome.UNKNOWN_TASK, http_status=status)
    if status in (502, 503, 504):  # the proxy answered for an e-office that did not
        return TaskCheck(CheckOutcome.UNREACHABLE, http_status=status)
    if (status != 200 or not isinstance(body, dict) or not isinstance(body.get("done"), bool)
            or not isinstance(body.get("missing"), list)):
        return TaskCheck(CheckOutcome.UNREADABLE, http_status=status)
    if body["done"]:
        return TaskCheck(CheckOutcome.DONE, http_status=status)
    return TaskCheck(CheckOutcome.NOT_DONE, tuple(str(step) for step in body["missing"]),
                     http_status=status)


# -- the card's texts (English msgids of the kit's catalogue, course_kit.i18n) ---------------

HEADING = N_("Practical task")
INTRO = N_("Do this in the sandbox e-office. It is a practice copy: nothing you do there "
           "reaches a real agency.")
OPEN_LINK = N_("Open the sandbox e-office ↗")
NEW_TAB = N_("It opens in a new browser tab; keep this page open and come back here when you "
             "are done.")
HOW_GRADED_LABEL = N_("How this is graded:")
HOW_GRADED = N_("from what you actually do in the sandbox e-office (its activity record), "
                "not from anything on this page. There is nothing to fill in here. When you "
                "submit this module, the grader checks that the task has been done. "
                "\"Check my work\" asks the e-office what it has recorded so far; it saves "
                "nothing.")
CHECK_BUTTON = N_("Check my work")
CHECK_TOOLTIP = N_("Ask the sandbox e-office whether this task is done")
CHECKING = N_("Asking the e-office…")
CHECKED_AT = N_("Checked at %(time)s.")
DONE = N_("Done ✓ The e-office has recorded this task as done.")
NOT_DONE = N_("Not done yet. Still missing:")
PROBLEMS: dict[CheckOutcome, str] = {
    CheckOutcome.NO_ADDRESS: N_(
        "This page cannot check your work: it was not told where the sandbox e-office is. "
        "Please tell your trainer."),
    CheckOutcome.NOT_SIGNED_IN: N_(
        "The e-office could not tell who you are. Open this module again from My learning "
        "and check again."),
    CheckOutcome.REFUSED: N_(
        "Your account has no access to the sandbox e-office. Please tell your trainer."),
    CheckOutcome.UNKNOWN_TASK: N_(
        "The sandbox e-office does not know this task. Please tell your trainer."),
    CheckOutcome.UNREACHABLE: N_(
        "The sandbox e-office cannot be reached right now. Try again in a minute; if it "
        "keeps happening, tell your trainer."),
    CheckOutcome.UNREADABLE: N_(
        "The sandbox e-office gave an answer this page cannot read. Try again in a minute; "
        "if it keeps happening, tell your trainer."),
}


# the kit's one style sheet (CSS) plus the answer's own look
_CHECK_CSS = """<style>
.ck-task .ck-check { margin-top: 4px; }
.ck-check-result { margin-top: 8px; line-height: 1.5; }
.ck-check-result ul { margin: 4px 0 0 0; padding-left: 22px; }
.ck-status-missing { color: #7a2e00; }
.ck-check-time { color: #6b7280; font-weight: normal; }
</style>"""


def _status(kind: str, inner: str, role: str = "status") -> str:
    return f'<div class="ck-check-result ck-status-{kind}" role="{role}">{inner}</div>'


class PracticalTask(w.VBox):
    """The card: the task, the link into the e-office, and "Check my work"."""

    def __init__(self, task_id: str, title: str, steps: Sequence[str], url: str,
                 language: Language) -> None:
        self.task_id = task_id
        self.url = url
        self.language = language
        items = "".join(f'<li style="margin:4px 0">{step}</li>' for step in steps)
        self.card = w.HTML(
            f'<div style="font-size:13px;color:#1d4ed8;font-weight:700;letter-spacing:.5px;'
            f'text-transform:uppercase">{self._t(HEADING)}</div>'
            f'<div style="font-size:17px;font-weight:600;margin:4px 0 8px">{title}</div>'
            f"<div>{self._t(INTRO)}</div>"
            f'<ol style="margin:8px 0 8px 0;padding-left:22px">{items}</ol>'
            f'<div style="margin:10px 0">'
            f'<a class="ck-open" href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener">{self._t(OPEN_LINK)}</a></div>'
            f'<div style="color:#374151">{self._t(NEW_TAB)}</div>'
            f'<div class="ck-notice" style="margin-top:8px"><b>{self._t(HOW_GRADED_LABEL)}'
            f"</b> {self._t(HOW_GRADED)}</div>"
        )
        # a <button>: reached with Tab, pressed with Enter or Space
        self.check_button = w.Button(description=self._t(CHECK_BUTTON), icon="check",
                                     tooltip=self._t(CHECK_TOOLTIP),
                                     layout=w.Layout(width="auto"))
        self.check_button.add_class("ck-check")
        self.check_button.on_click(self._on_check)
        self.result = w.HTML("")
        super().__init__(
            [w.HTML(CSS + _CHECK_CSS), self.card, self.check_button, self.result],
            layout=w.Layout(width="100%", max_width="860px"),
        )
        self.add_class("ck-card")
        self.add_class("ck-task")

    def _t(self, message: str, **values: str) -> str:
        text = gettext(message, self.language)
        return html.escape(text % values if values else text)

    def check(self) -> TaskCheck:
        """Ask the e-office now and show its answer; what "Check my work" does."""
        # the button stays enabled (a disabled button loses the keyboard focus); a second
        # press while the first waits is simply a second check, after it
        self.result.value = _status("wait", self._t(CHECKING))
        answer = check_task(self.task_id, self.language)
        checked_at = self._t(CHECKED_AT, time=vietnam_now().strftime("%H:%M"))
        when = f' <span class="ck-check-time">{checked_at}</span>'
        if answer.outcome is CheckOutcome.DONE:
            self.result.value = _status("ok", self._t(DONE) + when)
        elif answer.outcome is CheckOutcome.NOT_DONE:
            steps = "".join(f"<li>{html.escape(step)}</li>" for step in answer.missing)
            self.result.value = _status(
                "missing", f"<b>{self._t(NOT_DONE)}</b>{when}<ul>{steps}</ul>")
        else:
            self.result.value = _status("error", self._t(PROBLEMS[answer.outcome]), "alert")
        return answer

    def _on_check(self, _button: w.Button) -> None:
        self.check()


def practical_task(
    task_id: str, title: str, steps: Sequence[str], eoffice_path: str = "/services/eoffice/",
    *, language: Language | None = None,
) -> PracticalTask:
    """A card describing a task in the sandbox e-office, with a link that opens it and a
    "Check my work" button.

    `title` and `steps` may contain simple HTML; write them in the notebook's language. The
    card's own texts follow the page's language (`course_kit.i18n.current_language`) unless
    `language` is given. The task is graded by the academy's grader from the e-office's
    evidence API, through a task cell `practical-<task_id>`; `task_id` must be one of the
    e-office's tasks (sandbox_eoffice.tasks.TASKS).
    """
    return PracticalTask(task_id, title, steps, eoffice_url(eoffice_path),
                         language or current_language())
