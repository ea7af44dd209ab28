"""Single sign-on through the province's portal: what the site configs in this folder use.

A province that logs its staff in through its own portal puts one of these files, edited,
at ``<data>/secrets/jupyterhub_site_config.py`` (see docs/accounts.md); the hub loads it
after the academy's own configuration, so it replaces the login and keeps everything else:

- ``oidc_example.py``: OpenID Connect with oauthenticator's GenericOAuthenticator;
- ``ldap_example.py``: LDAP with jupyterhub-ldapauthenticator.

Whatever logs a person in, the roster stays the source of truth: the username is the one
``academy roster import`` made from the employee id, and the hub groups (course enrolment,
role) come from the roster, plus the portal's own ``academy-*`` groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tornado import web

from hub_config.rbac import hub_groups
from people.roster import load_roster
from people.roster_import import username_for

PORTAL_GROUP_PREFIX = "academy-"


def username_from_claim(roster_file: Path, claim: str) -> Callable[[dict[str, Any]], str]:
    """GenericOAuthenticator ``username_claim``: the roster's username of the person whose
    employee id the portal sends in ``claim``. Someone not on the roster gets the name
    ``academy roster import`` would give them, which the hub does not allow."""

    def username(userinfo: dict[str, Any]) -> str:
        value = str(userinfo.get(claim) or "").strip()
        if not value:
            raise web.HTTPError(
                403, f"Cổng đăng nhập không gửi mã cán bộ ({claim}) / "
                     f"The portal sent no employee id ({claim})")
        for person in load_roster(roster_file):
            if person.employee_id == value:
                return person.username
        return username_for(value)

    return username


def groups_from_roster(
    roster_file: Path, course_ids: Iterable[str], username_claim: str,
    groups_claim: str = "groups",
) -> Callable[[dict[str, Any]], list[str]]:
    """GenericOAuthenticator ``auth_state_groups_key``: the person's hub groups from the
    roster (role, course enrolment), plus the portal's groups named ``academy-*``."""
    course_ids = list(course_ids)
    username = username_from_claim(roster_file, username_claim)

    def groups(auth_state: dict[str, Any]) -> list[str]:
        userinfo = auth_state.get("oauth_user") or {}
        name = username(userinfo)
        roster = [p for p in load_roster(roster_file) if p.username == name and p.can_log_in]
        mine = sorted(g for g, spec in hub_groups(roster, course_ids).items()
                      if name in spec["users"])
        portal = userinfo.get(groups_claim) or []
        return mine + sorted(g for g in portal if str(g).startswith(PORTAL_GROUP_PREFIX))

    return groups
