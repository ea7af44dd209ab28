"""A course service's hub token (issue 12), on a running hub: what nbgrader does with it
works on the course's own class, and nothing else does.

The token is the course service's own (`course_api_token_<course>` in the data directory),
used as nbgrader's hub plugin uses it (JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN,
JUPYTERHUB_USER) against the running hub's REST API on 127.0.0.1. The hub answers 403 for a
scope the token does not hold at all, and 404 for one it holds on another group or user only
(JupyterHub's "No access to resources or resources not found": it does not say which).

A learner made for each test (with the `roster-sync` service's token, as `academy roster
import` makes people) is the only person the course's token changes; it is deleted after the
test, so the hub is left as it was found. That token also checks, independently of the one
under test, what the hub holds before and after.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
import requests
from nbgrader.auth.jupyterhub import JupyterHubAuthPlugin

from academy.supervisor import running_ports
from common.roles import COURSE_GROUP_PREFIX, ROSTER_SERVICE, Role
from installation.settings import grader_account, read_secret
from tests.e2e.learner_client import LearnerClient

COURSE = "digital-signatures"
CLASS = f"{COURSE_GROUP_PREFIX}{COURSE}"
PROBE = "e2e-course-scopes-probe"  # the learner made for a test
NEVER = "e2e-course-scopes-never"  # a user the course's token tries to create


@dataclass
class Hub:
    api: str  # the running hub's REST API
    course_token: str  # the token under test: COURSE's service's own
    course: requests.Session  # requests with that token
    admin: requests.Session  # the roster-sync service's token: set up, check, clean up
    other_course: str  # another course of the platform

    def call(self, session: requests.Session, method: str, path: str,
             body: dict | None = None) -> requests.Response:
        return session.request(method, f"{self.api}{path}", json=body, timeout=30)

    def groups_of(self, username: str) -> set[str]:
        r = self.call(self.admin, "GET", f"/users/{quote(username)}")
        assert r.status_code == 200, (r.status_code, r.text)
        return set(r.json()["groups"])

    def state(self) -> dict:
        """Who is in which group, who is an admin, who exists: all the course's token might
        change, as the admin token reads it."""
        groups = self.call(self.admin, "GET", "/groups")
        users = self.call(self.admin, "GET", "/users")
        assert groups.status_code == users.status_code == 200, (groups.text, users.text)
        return {
            "groups": {g["name"]: sorted(g["users"]) for g in groups.json()},
            "users": {u["name"]: {"admin": u["admin"], "groups": sorted(u["groups"])}
                      for u in users.json()},
        }

    def restore(self, before: dict) -> None:
        """Undo, with the admin token, what a token that should not have could have done:
        users and groups made, members added or removed (the learner made for the test,
        whatever was done to it, is deleted by its fixture)."""
        now = self.state()
        for name in now["users"].keys() - before["users"].keys():
            self.call(self.admin, "DELETE", f"/users/{quote(name)}")
        for name in now["groups"].keys() - before["groups"].keys():
            self.call(self.admin, "DELETE", f"/groups/{quote(name)}")
        for name, members in before["groups"].items():
            present = set(now["groups"].get(name, []))
            if name not in now["groups"]:
                self.call(self.admin, "POST", f"/groups/{quote(name)}")
            if set(members) - present:
                self.call(self.admin, "POST", f"/groups/{quote(name)}/users",
                          {"users": sorted(set(members) - present)})
            if present - set(members):
                self.call(self.admin, "DELETE", f"/groups/{quote(name)}/users",
                          {"users": sorted(present - set(members))})


@pytest.fixture(scope="module")
def hub(isolated_platform) -> Iterator[Hub]:
    layout = isolated_platform.layout
    ports = running_ports(layout)
    assert ports is not None, "the platform is not running"
    others = sorted(set(ports.courses) - {COURSE})
    assert others, f"the platform has one course only: {sorted(ports.courses)}"
    token = read_secret(layout, f"course_api_token_{COURSE}")
    course, admin = requests.Session(), requests.Session()
    course.headers["Authorization"] = f"token {token}"
    admin.headers["Authorization"] = f"token {read_secret(layout, 'roster_api_token')}"
    with course, admin:
        hub = Hub(f"http://127.0.0.1:{ports.hub}/hub/api", token, course, admin, others[0])
        # the tokens are whose the tests take them for
        for session, name in ((course, COURSE), (admin, ROSTER_SERVICE)):
            me = hub.call(session, "GET", "/user").json()
            assert (me["kind"], me["name"]) == ("service", name), me
        yield hub


@pytest.fixture
def learner(hub: Hub) -> Iterator[str]:
    """A learner of no course, made for the test and deleted after it."""
    r = hub.call(hub.admin, "POST", f"/users/{PROBE}")
    assert r.status_code == 201, (r.status_code, r.text)
    try:
        r = hub.call(hub.admin, "POST", f"/groups/{Role.LEARNER.value}/users",
                     {"users": [PROBE]})
        assert r.status_code == 200, (r.status_code, r.text)
        yield PROBE
    finally:
        r = hub.call(hub.admin, "DELETE", f"/users/{PROBE}")
        assert r.status_code == 204, (r.status_code, r.text)
        assert hub.call(hub.admin, "GET", f"/users/{PROBE}").status_code == 404


@pytest.fixture
def nbgrader_in_the_course_service(hub: Hub, monkeypatch) -> JupyterHubAuthPlugin:
    """nbgrader's hub plugin with the environment the course service gives it."""
    monkeypatch.setenv("JUPYTERHUB_API_URL", hub.api)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", hub.course_token)
    monkeypatch.setenv("JUPYTERHUB_USER", grader_account(COURSE))
    return JupyterHubAuthPlugin()


def test_nbgrader_adds_a_learner_to_its_class_and_removes_them(
    hub: Hub, learner: str, nbgrader_in_the_course_service: JupyterHubAuthPlugin
) -> None:
    nbgrader = nbgrader_in_the_course_service
    # the courses of the service's own account (formgrader's exchange listing, the course
    # list): GET /users/grader-<course>
    assert nbgrader.get_student_courses("*") == [COURSE]
    assert hub.groups_of(learner) == {Role.LEARNER.value}

    # formgrader's "add student": GET /groups, POST /groups/nbgrader-<course>/users (nbgrader
    # logs a refusal and goes on, so the hub's own record is what tells)
    nbgrader.add_student_to_course(learner, COURSE)
    assert hub.groups_of(learner) == {Role.LEARNER.value, CLASS}
    # and the course's token sees its class as the hub holds it
    r = hub.call(hub.course, "GET", f"/groups/{CLASS}")
    assert r.status_code == 200 and learner in r.json()["users"], (r.status_code, r.text)

    # "remove student": DELETE /groups/nbgrader-<course>/users
    nbgrader.remove_student_from_course(learner, COURSE)
    assert hub.groups_of(learner) == {Role.LEARNER.value}


def test_the_course_token_changes_no_user_and_no_other_group(hub: Hub, learner: str) -> None:
    other = hub.other_course
    before = hub.state()
    assert NEVER not in before["users"]
    refused = [
        # users: none made admin, created or deleted (admin:users, delete:users)
        ("PATCH", f"/users/{learner}", {"admin": True}, 403),
        ("POST", f"/users/{NEVER}", None, 403),
        ("POST", "/users", {"usernames": [NEVER]}, 403),
        ("DELETE", f"/users/{learner}", None, 403),
        ("POST", f"/users/{learner}/tokens", {}, 403),
        # other groups: the hub's admins, the course's formgrader, another course's groups
        ("POST", "/groups/admin/users", {"users": [learner]}, 404),
        ("POST", f"/groups/formgrade-{COURSE}/users", {"users": [learner]}, 404),
        ("POST", f"/groups/{COURSE_GROUP_PREFIX}{other}/users", {"users": [learner]}, 404),
        ("POST", f"/groups/formgrade-{other}/users", {"users": [learner]}, 404),
        ("DELETE", f"/groups/{Role.LEARNER.value}/users", {"users": [learner]}, 404),
        # no group created (admin:groups); deleting the class is not tried, since a group
        # made again through the API would lack its role until a restart: the scopes the
        # hub gives the token are checked instead (test_the_course_token_reads_...)
        ("POST", f"/groups/{COURSE_GROUP_PREFIX}{COURSE}-2", None, 403),
        ("POST", "/groups", {"groups": [f"{COURSE_GROUP_PREFIX}{COURSE}-2"]}, 403),
    ]
    try:
        answers = {(method, path): hub.call(hub.course, method, path, body).status_code
                   for method, path, body, _ in refused}
        assert answers == {(method, path): code for method, path, _, code in refused}
        assert hub.state() == before
    finally:
        hub.restore(before)


def test_the_course_token_reads_its_own_course_only(hub: Hub) -> None:
    # what the hub gives the token: every scope on the course's class, its grader account
    # or its service, none on every user or group, nothing to administer
    me = hub.call(hub.course, "GET", "/user").json()
    filters = {scope.partition("!")[2] for scope in me["scopes"]}
    assert filters == {f"group={CLASS}", f"user={grader_account(COURSE)}",
                       f"service={COURSE}"}, me["scopes"]
    assert not {s.partition("!")[0] for s in me["scopes"]} & {
        "admin:users", "admin:groups", "users", "delete:users", "delete:groups", "tokens",
        "list:users", "read:users"}, me["scopes"]

    # the groups it lists are its class alone; the users it reads, its grader account alone
    r = hub.call(hub.course, "GET", "/groups")
    assert r.status_code == 200 and [g["name"] for g in r.json()] == [CLASS], r.text
    assert hub.call(hub.course, "GET", "/users").status_code == 403
    assert hub.call(hub.course, "GET", "/users/learner1").status_code == 404
    r = hub.call(hub.course, "GET", f"/users/{grader_account(COURSE)}")
    assert r.status_code == 200 and f"formgrade-{COURSE}" in r.json()["groups"], r.text
    assert hub.call(hub.course, "GET", f"/groups/formgrade-{COURSE}").status_code == 404
    # the services it lists: its own, with its prefix (the course list's link)
    r = hub.call(hub.course, "GET", "/services")
    assert r.status_code == 200, r.text
    services = r.json()
    assert set(services) == {COURSE} and services[COURSE]["prefix"] == f"/services/{COURSE}/"


def test_the_running_course_service_still_works_with_its_token(isolated_platform,
                                                               hub: Hub) -> None:
    """The course service asks the hub with its own token when a trainer opens formgrader
    (its exchange listing reads the grader account's courses) and nbgrader's course list
    (also the services' prefixes): both answer."""
    trainer = isolated_platform.accounts()["trainer1"]
    client = LearnerClient(isolated_platform.url, trainer.username, trainer.password)
    try:
        r = client.get(f"/services/{COURSE}/formgraders")
        assert r.status_code == 200, (r.status_code, r.text[:300])
        answer = r.json()
        assert answer["success"], answer["value"]
        assert [c["course_id"] for c in answer["value"]] == [COURSE], answer
        assert answer["value"][0]["url"].endswith(f"/services/{COURSE}/lab?formgrader=true")

        r = client.get(f"/services/{COURSE}/formgrader/api/assignments")
        assert r.status_code == 200, (r.status_code, r.text[:300])
        assert r.json(), "formgrader lists none of the course's modules"
    finally:
        # the trainer's token made for the test goes, as it came
        token_id = client.get("/hub/api/user").json()["token_id"]
        r = client.api.delete(
            f"{isolated_platform.url}/hub/api/users/{trainer.username}/tokens/{token_id}",
            timeout=30)
        assert r.status_code == 204, (r.status_code, r.text)
