"""The role pages a logged-in person may open, for the header of every page, and the error
pages (refused, not found) in the person's language."""

from __future__ import annotations

import logging
from typing import NamedTuple

from flask import Flask, Response, abort, current_app, render_template, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from common.roles import CLASSES_SCOPE, PLATFORM_SCOPE, RECORDS_SCOPE, Role
from dashboards.config import layout_of
from grading.contest import contest_folders
from people.roster import load_roster
from service_auth.hub_login import current_hub_user, has_scopes, refuse_unless, resolve_hub_user

log = logging.getLogger(__name__)


class RolePage(NamedTuple):
    endpoint: str
    scope: str
    label: str


#: Each role's home page and the hub scope that opens it (hub_config.rbac gives the scopes).
ROLE_PAGES = (
    RolePage("trainer.overview", CLASSES_SCOPE, _l("My classes")),
    RolePage("hr.dashboard", RECORDS_SCOPE, _l("Training records")),
    RolePage("admin.status", PLATFORM_SCOPE, _l("Platform administration")),
)

CONTESTS_LABEL = _l("Contests")


def refuse_unless_role(scope: str, *roles: Role) -> Response | None:
    """For a role page's ``before_request``: the hub scope first (``refuse_unless``), then
    the roster: the logged-in person must hold one of ``roles`` there too. The hub's groups
    give the scope, and a hub token able to change groups (a course service's) must not be
    enough to open HR's or an admin's pages: the roster, HR's own record, decides."""
    refused = refuse_unless(scope)
    if refused is not None:
        return refused
    username = current_hub_user()["name"]
    try:
        roster = load_roster(layout_of(current_app).roster_file)
    except (OSError, ValueError) as error:
        # no roster to ask (not made yet, or broken: the admin page is where that shows);
        # the hub's scope, given by the roster's last import, decides alone
        log.warning("role page: the roster cannot be read (%s); the hub scope decides", error)
        return None
    person = next((p for p in roster if p.username == username), None)
    if person is None or person.role not in roles:
        log.warning("role page refused to %s: the roster does not give them the role", username)
        abort(403)
    return None


def _contests_installed() -> bool:
    return bool(contest_folders(layout_of(current_app).contests_dir))


def role_links() -> list[tuple[str, str]]:
    """(label, url) of the role pages the logged-in person may open; none without a login
    (the hub is asked only when the session holds a login). A person without a role page (a
    learner) gets the contests instead, when there are some (docs/contest.md): the header of
    a role's home page names that home alone, and the trainers' class overview links to the
    contests."""
    from flask import session

    from service_auth.hub_login import LOGIN_SESSION_KEY

    if not session.get(LOGIN_SESSION_KEY):
        return []
    try:
        user = resolve_hub_user()
    except HTTPException:
        return []
    if user is None:
        return []
    links = [(str(page.label), url_for(page.endpoint)) for page in ROLE_PAGES
             if has_scopes(user, page.scope)]
    if not links and _contests_installed():
        links.append((str(CONTESTS_LABEL), url_for("contest.index")))
    return links


_MESSAGES = {
    403: _l("You do not have permission to see this page: it belongs to another role."),
    404: _l("This page does not exist."),
}


def _error_page(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    message = _MESSAGES.get(status)
    if status == 404 and error.description and error.description != HTTPException.description:
        message = error.description  # a view's own, translated, explanation
    return render_template("message.html", message=message or error.description), status


def init_navigation(app: Flask) -> None:
    app.context_processor(lambda: {"role_links": role_links})
    for status in _MESSAGES:
        app.register_error_handler(status, _error_page)
