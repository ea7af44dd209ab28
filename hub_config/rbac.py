"""JupyterHub groups and roles for learners, trainers, HR officers and admins.

Course membership uses nbgrader's JupyterHub integration: hub group `nbgrader-<course>` for
learners, `formgrade-<course>` for trainers and the course's grader account.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from common.roles import (
    CAMPAIGN_MANAGER_SCOPE,
    CERTIFICATE_OFFICER_SCOPE,
    CLASSES_SCOPE,
    COURSE_GROUP_PREFIX,
    DASHBOARDS_SERVICE,
    EOFFICE_SERVICE,
    EVIDENCE_SCOPE,
    EXPORT_SCOPE,
    GRADING_SERVICE,
    IDLE_CULLER_SERVICE,
    PLATFORM_SCOPE,
    RECORDS_SCOPE,
    ROSTER_SERVICE,
    Role,
)
from hub_config.landing import home_url
from installation.settings import grader_account
from people.roster import Person

CUSTOM_SCOPES = {
    EVIDENCE_SCOPE: {
        "description": "Read what learners did in the sandbox e-office (graders only).",
    },
    CERTIFICATE_OFFICER_SCOPE: {
        "description": "Act as the sandbox PKI's registration officer: approve certificate "
        "requests, unlock tokens, move a scenario's clock (trainers only).",
    },
    CAMPAIGN_MANAGER_SCOPE: {
        "description": "Run phishing-simulation campaigns in the sandbox e-office against a "
        "class and read their results (trainers only).",
    },
    CLASSES_SCOPE: {
        "description": "See the class overview of the courses one teaches, grade them and "
        "override completions (trainers).",
    },
    RECORDS_SCOPE: {
        "description": "See the completion and competency records dashboard (HR officers).",
    },
    EXPORT_SCOPE: {
        "description": "Export the completion and competency records (HR officers, admins).",
    },
    PLATFORM_SCOPE: {
        "description": "See the platform's status and its audit log (admins).",
    },
}

#: What a login to the dashboards service may carry, when the person holds it.
DASHBOARDS_LOGIN_SCOPES = [CLASSES_SCOPE, RECORDS_SCOPE, EXPORT_SCOPE, PLATFORM_SCOPE]


def apply_access(c: Any, people: list[Person], course_ids: list[str], hub_db_url: str) -> None:
    """Who can log in and what they may do, on a JupyterHub config ``c`` (one machine and
    Kubernetes alike): the academy's authenticator on the hub's database, the roster's
    people (and each course's grader account), their groups and roles."""
    c.JupyterHub.authenticator_class = "hub_config.authenticator.AcademyAuthenticator"
    c.AcademyAuthenticator.db_url = hub_db_url
    c.Authenticator.allowed_users = {p.username for p in people} | {
        grader_account(cid) for cid in course_ids
    }
    c.Authenticator.admin_users = {p.username for p in people if p.role is Role.ADMIN}
    c.JupyterHub.load_groups = hub_groups(people, course_ids)
    c.JupyterHub.load_roles = hub_roles(course_ids)
    c.JupyterHub.custom_scopes = CUSTOM_SCOPES
    # trainers, HR officers and admins land on their role's home page, learners on My
    # learning
    c.JupyterHub.default_url = home_url


def hub_groups(people: Iterable[Person], course_ids: Iterable[str]) -> dict[str, dict]:
    people = list(people)
    groups: dict[str, dict] = {role.value: {"users": []} for role in Role}
    for course_id in course_ids:
        groups[f"{COURSE_GROUP_PREFIX}{course_id}"] = {"users": []}
        groups[f"formgrade-{course_id}"] = {"users": [grader_account(course_id)]}
    for person in people:
        groups[person.role]["users"].append(person.username)
        for course_id in person.courses:
            if person.role is Role.LEARNER:
                groups[f"{COURSE_GROUP_PREFIX}{course_id}"]["users"].append(person.username)
            elif person.role is Role.TRAINER:
                groups[f"formgrade-{course_id}"]["users"].append(person.username)
    return groups


def hub_roles(course_ids: Iterable[str]) -> list[dict]:
    course_ids = list(course_ids)
    roles: list[dict] = [
        # a single-user server's token carries exactly its owner's permissions
        {"name": "server", "scopes": ["inherit"]},
        {
            "name": Role.LEARNER.value,
            "groups": [Role.LEARNER.value],
            "scopes": ["self", f"access:services!service={EOFFICE_SERVICE}",
                       f"access:services!service={DASHBOARDS_SERVICE}"],
        },
        {
            "name": Role.TRAINER.value,
            "groups": [Role.TRAINER.value],
            "scopes": [
                "self",
                f"access:services!service={EOFFICE_SERVICE}",
                f"access:services!service={DASHBOARDS_SERVICE}",
                EVIDENCE_SCOPE,
                CERTIFICATE_OFFICER_SCOPE,
                CAMPAIGN_MANAGER_SCOPE,
                CLASSES_SCOPE,
                "list:users",
                "read:users:name",
                "read:users:groups",
            ],
        },
        {
            "name": "hr-officer",
            "groups": [Role.HR.value],
            "scopes": ["self", "list:users", "read:users:name",
                       f"access:services!service={DASHBOARDS_SERVICE}",
                       RECORDS_SCOPE, EXPORT_SCOPE],
        },
        {
            # admins are also the hub's admin users (its built-in "admin" role); this adds
            # the academy's own pages: the platform's status, the audit log, the export
            "name": "academy-admin",
            "groups": [Role.ADMIN.value],
            "scopes": [f"access:services!service={DASHBOARDS_SERVICE}", PLATFORM_SCOPE,
                       EXPORT_SCOPE],
        },
        {
            # the dashboards' own token: the admin page's status of the hub and its services
            "name": "dashboards-service",
            "services": [DASHBOARDS_SERVICE],
            "scopes": ["read:hub", "list:services", "read:services", "list:users",
                       "read:users:name", "read:servers"],
        },
        {
            # the e-office's own token: a trainer's phishing campaign targets a course's
            # class, the members of its hub group
            "name": "eoffice-service",
            "services": [EOFFICE_SERVICE],
            "scopes": ["list:groups", "read:groups"],
        },
        {
            "name": "grading-service",
            "services": [GRADING_SERVICE],
            "scopes": [EVIDENCE_SCOPE, "list:users", "read:users:name"],
        },
        {
            "name": IDLE_CULLER_SERVICE,
            "services": [IDLE_CULLER_SERVICE],
            # what jupyterhub-idle-culler needs to stop idle servers (not to delete users)
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        },
        {
            "name": ROSTER_SERVICE,
            "services": [ROSTER_SERVICE],
            # `academy roster import` adds new people and their groups to a running hub
            "scopes": ["admin:users", "admin:groups", "list:users", "list:groups"],
        },
    ]
    for course_id in course_ids:
        roles.append(course_service_role(course_id))
        roles.append(
            {
                "name": f"formgrade-{course_id}",
                "groups": [f"formgrade-{course_id}"],
                "scopes": [
                    f"access:services!service={course_id}",
                    "list:services",
                    f"read:services!service={course_id}",
                ],
            }
        )
        roles.append(
            {
                "name": f"{COURSE_GROUP_PREFIX}{course_id}",
                "groups": [f"{COURSE_GROUP_PREFIX}{course_id}"],
                # course discovery only: learners never access the course (formgrader) service
                "scopes": ["list:services", f"read:services!service={course_id}"],
            }
        )
    return roles


def course_service_role(course_id: str) -> dict:
    """The token of one course's service (its formgrader, a ``jupyterhub-singleuser`` running
    as ``grader-<course>``, where trainers run code): what nbgrader's hub plugin
    (``nbgrader.auth.jupyterhub``) does with it, on this course only.

    - ``GET /users/grader-<course>``: the courses of the service's own account (``student_id``
      ``*``: formgrader's exchange listing, the course list);
    - ``GET /groups``, ``POST`` and ``DELETE /groups/nbgrader-<course>/users``: a trainer
      adding a learner to the class or removing them (``groups`` includes listing and
      reading that group; the hub creates the group itself, from ``load_groups``);
    - ``GET /services``: the course list finds its formgrader's prefix.

    Nothing on users (no creating, deleting or making anyone admin) nor on any other group
    (``admin``, ``formgrade-<course>``, another course's class).
    """
    class_group = f"{COURSE_GROUP_PREFIX}{course_id}"
    return {
        "name": f"course-service-{course_id}",
        "services": [course_id],
        "scopes": [
            f"read:users:groups!user={grader_account(course_id)}",
            f"groups!group={class_group}",
            f"list:services!service={course_id}",
            f"read:services!service={course_id}",
        ],
    }
