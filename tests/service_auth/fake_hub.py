"""A fake hub for Flask services: a real ``HubOAuth`` subclass that answers from a table.

Shared by the tests of ``service_auth`` and of the sandbox e-office.
"""

from __future__ import annotations

from typing import Any

from common.roles import CAMPAIGN_MANAGER_SCOPE, CERTIFICATE_OFFICER_SCOPE, EVIDENCE_SCOPE
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
                           CAMPAIGN_MANAGER_SCOPE, DASHBOARDS_ACCESS),
    "token-outsider": _user("outsider"),
    "token-admin": _user("admin", "access:services", "admin:users"),
    "token-grading": _user("grading", EVIDENCE_SCOPE, kind="service"),
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


def make_fake_hub_auth(service: str = "eoffice") -> FakeHubOAuth:
    return FakeHubOAuth(
        api_token="fake-service-token",
        oauth_client_id=f"service-{service}",
        base_url=f"/services/{service}/",
        hub_prefix="/hub/",
        access_scopes={f"access:services!service={service}"},
        cache_max_age=0,
    )
