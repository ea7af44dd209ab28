"""Tell a running hub about a changed roster, so that nobody waits for a restart.

`academy roster import` calls ``sync_running_hub``. If the platform runs from this data
directory, it uses the hub's REST API with the `roster-sync` service's token, whose role
allows only managing users and groups:

- it creates the hub users of the people who may log in (the hub then allows them);
- it adds each person to the groups the roster gives them (role, course enrolment:
  ``rbac.hub_groups``);
- it takes deactivated people out of every academy group. The account store already
  refuses their logins.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import requests

from hub_config.rbac import hub_groups
from installation.layout import DataLayout
from installation.settings import read_secret
from people.roster import Person

Log = Callable[[str], None]


class HubSyncError(RuntimeError):
    """The running hub refused or did not answer; the message says which request."""


def sync_running_hub(layout: DataLayout, people: list[Person], course_ids: list[str],
                     log: Log = print) -> bool:
    """Apply the roster to the running hub; False if no platform runs from ``layout``."""
    from academy.supervisor import running_ports

    ports = running_ports(layout)
    if ports is None:
        return False
    api = f"http://127.0.0.1:{ports.hub}/hub/api"
    with requests.Session() as http:
        http.headers["Authorization"] = f"token {read_secret(layout, 'roster_api_token')}"

        def call(method: str, path: str, payload: dict, ok: tuple[int, ...]) -> None:
            r = http.request(method, f"{api}{path}", json=payload, timeout=60)
            if r.status_code not in ok:
                raise HubSyncError(f"the running hub refused {method} {path}: "
                                   f"{r.status_code} {r.text[:200]}")

        active = [p for p in people if p.can_log_in]
        left = [p.username for p in people if not p.can_log_in]
        if active:  # 409: they all exist already
            call("POST", "/users", {"usernames": [p.username for p in active]},
                 (200, 201, 409))
        groups = hub_groups(active, course_ids)
        for name, spec in groups.items():
            path = f"/groups/{quote(name, safe='')}"
            call("POST", path, {}, (200, 201, 409))
            if spec["users"]:
                call("POST", f"{path}/users", {"users": spec["users"]}, (200,))
            if left:
                call("DELETE", f"{path}/users", {"users": left}, (200, 404))
    log(f"the running hub knows the roster now: {len(active)} people, {len(groups)} groups")
    return True
