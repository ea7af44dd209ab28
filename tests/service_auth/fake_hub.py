"""A fake hub for Flask services: a real ``HubOAuth`` subclass that answers from a table.

Shared by the tests of ``service_auth`` and of the sandbox e-office.
"""

from __future__ import annotations

from typing import Any

from common.roles import (
    CAMPAIGN_MANAGER_SCOPE,
    CERTIFICATE_OFFICER_SCOPE,
    CLASSES_SCOPE,
    EVIDENCE_SCOPE,
    EXPORT_SCOPE,
    PLATFORM_SCOPE,
    RECORDS_SCOPE,
)
from service_auth.hub_login import AcademyHubOAuth

PREFIX = "/services/eoffice/"
ACCESS_SCOPE = "access:services!service=eoffice"
DASHBOARDS_ACCESS = "access:services!service=dashboards"


def _user(name: str, *scopes: str, kind: str = "user") -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "admin": False,
        "groups": [],
        "roles": [],
        "scopes": [*scopes, f"read:users:name!user={name}"] if kind == "user" else [*scopes],
    }


# token -> the model the hub would answer for it
HUB_TOKENS: dict[str, dict[str, Any]] = {
    "token-alice": _user("alice", ACCESS_SCOPE, DASHBOARDS_ACCESS),
    "token-bob": _user("bob", ACCESS_SCOPE, DASHBOARDS_ACCESS),
    "token-trainer": _user("trainer", ACCESS_SCOPE, EVIDENCE_SCOPE, CERTIFICATE_OFFICER_SCOPE,
                           CAMPAIGN_MANAGER_SCOPE, CLASSES_SCOPE, DASHBOARDS_ACCESS),
    "token-outsider": _user("outsider"),
    "token-admin": _user("admin", "access:services", "admin:users", PLATFORM_SCOPE,
                         EXPORT_SCOPE),
    "token-grading": _user("grading", EVIDENCE_SCOPE, kind="service"),
    # the dashboards' tests' roster (tests/dashboards/installation.py), with the scopes
    # hub_config.rbac gives each role and the dashboards' login carries
    **{f"token-{name}": _user(name, DASHBOARDS_ACCESS)
       for name in ("an", "binh", "chi", "dung")},
    **{f"token-{name}": _user(name, DASHBOARDS_ACCESS, CLASSES_SCOPE)
       for name in ("giang", "khoa")},
    "token-hoa": _user("hoa", DASHBOARDS_ACCESS, RECORDS_SCOPE, EXPORT_SCOPE),
    "token-minh": _user("minh", "access:services", "admin:users", PLATFORM_SCOPE, EXPORT_SCOPE),
}


# the hub's groups: a course's learners are nbgrader-<course>
HUB_GROUPS: dict[str, list[str]] = {
    "nbgrader-digital-signatures": ["alice", "bob"],
    "nbgrader-cybersecurity": ["carol"],
    "formgrade-digital-signatures": ["trainer"],
    "learner": ["alice", "bob", "carol"],
}


class FakeHubOAuth(AcademyHubOAuth):
    """The academy's real HubOAuth whose token lookups (and groups) answer from HUB_TOKENS
    (and HUB_GROUPS) instead of the hub API."""

    def groups_with_prefix(self, prefix: str) -> dict[str, list[str]]:
        return {name.removeprefix(prefix): sorted(users)
                for name, users in HUB_GROUPS.items() if name.startswith(prefix)}

    def user_for_token(
        self, token: str, use_cache: bool = True, session_id: str = "", *, sync: bool = True
    ) -> dict[str, Any] | None:
        model = HUB_TOKENS.get(token)
        return dict(model) if model else None

    def token_for_code(
        self, code: str, *, code_verifier: str | None = None, sync: bool = True
    ) -> str:
        # the fake hub issues "code-<username>" -> "token-<username>"
        self.last_code_verifier = code_verifier
        return "token-" + code.removeprefix("code-")

    def hub_api_get(self, path: str, params: dict[str, str | int] | None = None, *,
                    paginated: bool = False, timeout: float = 5.0) -> Any:
        """The hub's REST API answered from HUB_API (by path, e.g. "/services"), or from
        ``self.hub_api_answers`` when a test sets it; None there: the hub is unreachable."""
        import json

        from service_auth.hub_login import HubUnavailable

        answers = getattr(self, "hub_api_answers", HUB_API)
        key = "/" + path.strip("/")
        if answers is None or key not in answers:
            raise HubUnavailable()
        answer = answers[key]
        if callable(answer):
            answer = answer(dict(params or {}), paginated)
        return json.loads(json.dumps(answer))  # a fresh copy, as from the wire


def make_fake_hub_auth(service: str = "eoffice") -> FakeHubOAuth:
    return FakeHubOAuth(
        api_token="fake-service-token",
        oauth_client_id=f"service-{service}",
        base_url=f"/services/{service}/",
        hub_prefix="/hub/",
        access_scopes={f"access:services!service={service}"},
        cache_max_age=0,
    )


# --- the hub's REST API as the dashboards' own token reads it (hub_config.rbac's role
# "dashboards-service": read:hub, list:services, read:services, list:users,
# read:users:name, read:servers); the models are JupyterHub 6.1's (apihandlers/) ----------

def _service(name: str, url: str = "", command: bool = True, pid: int = 0) -> dict[str, Any]:
    return {"kind": "service", "name": name, "admin": False, "url": url,
            "prefix": f"/services/{name}/" if url else "",
            "command": ["/opt/academy/bin/" + name] if command else [], "pid": pid,
            "info": {}, "display": bool(url)}


def _server(ready: bool) -> dict[str, Any]:
    return {"name": "", "ready": ready, "pending": None if ready else "spawn",
            "stopped": False, "started": "2026-03-10T01:00:00.000000Z",
            "last_activity": "2026-03-10T01:05:00.000000Z"}


#: the users whose servers are active: an (running), binh (starting), giang (a trainer's)
HUB_ACTIVE_USERS = [
    {"kind": "user", "name": "an", "admin": False, "servers": {"": _server(True)}},
    {"kind": "user", "name": "binh", "admin": False, "servers": {"": _server(False)}},
    {"kind": "user", "name": "giang", "admin": False, "servers": {"": _server(True)}},
]


def _users(params: dict[str, str | int], paginated: bool) -> Any:
    """GET /users: with ?state=active the users with an active server (no other query is
    answered: none is asked), paginated like JupyterHub's when asked."""
    users = HUB_ACTIVE_USERS if params.get("state") == "active" else []
    offset, limit = int(params.get("offset", 0)), int(params.get("limit", 200))
    items = users[offset:offset + limit]
    if not paginated:
        return items
    after = offset + limit
    return {"items": items, "_pagination": {
        "offset": offset, "limit": limit, "total": len(users),
        "next": {"offset": after, "limit": limit, "url": ""} if after < len(users) else None}}


# port 1 on 127.0.0.1: nothing listens there, so a probe of these services finds them down
HUB_API: dict[str, Any] = {
    "/": {"version": "6.1.1"},
    "/info": {"version": "6.1.1", "python": "3.11.2 (main) [GCC 12.2.0]",
              "sys_executable": "/opt/academy/bin/python",
              "spawner": {"class": "hub_config.spawner.IsolatedSpawner", "version": "unknown"},
              "authenticator": {"class": "hub_config.authenticator.AcademyAuthenticator",
                                "version": "unknown"}},
    "/services": {
        "eoffice": _service("eoffice", "http://127.0.0.1:1", pid=4101),
        "dashboards": _service("dashboards", "http://127.0.0.1:1", pid=4102),
        "grading": _service("grading", pid=4103),
        "idle-culler": _service("idle-culler", pid=4104),
        "roster-sync": _service("roster-sync", command=False),
        "digital-signatures": _service("digital-signatures", "http://127.0.0.1:1", pid=4105),
        "cybersecurity": _service("cybersecurity", "http://127.0.0.1:1", pid=4106),
    },
    "/users": _users,
}
