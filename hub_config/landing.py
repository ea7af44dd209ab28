"""Where a person lands after logging in (``c.JupyterHub.default_url``): a learner on My
learning (their own server, the hub's default), a trainer, HR officer or admin on their
role's home page in the dashboards service (docs/dashboards.md)."""

from __future__ import annotations

from typing import Any

from common.roles import DASHBOARDS_SERVICE, ROLE_HOME_PATHS


def role_home_path(group_names: set[str]) -> str:
    """The home page of the first role (trainer, HR, admin) among the person's hub groups,
    relative to the hub's base URL; "" for a learner (and anyone else)."""
    for role, path in ROLE_HOME_PATHS.items():
        if role.value in group_names:
            return f"services/{DASHBOARDS_SERVICE}/{path}"
    return ""


def home_url(handler: Any) -> str:
    """``c.JupyterHub.default_url``: JupyterHub calls it with the request's handler; an
    empty answer keeps the hub's default (start the learner's server, open My learning)."""
    user = handler.current_user
    if user is None:
        return ""
    path = role_home_path({group.name for group in user.groups})
    return f"{handler.base_url}{path}" if path else ""


__all__ = ["home_url", "role_home_path"]
