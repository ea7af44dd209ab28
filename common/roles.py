"""Who is who on the platform: roles, service names and the custom scopes between them.

These names are a contract between the hub's RBAC (``hub_config.rbac``), the services that
check them (``sandbox_eoffice``) and the clients that use them (``grading``), so they are
defined once, here.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A person's role; the value is also the name of their hub group."""

    LEARNER = "learner"
    TRAINER = "trainer"
    HR = "hr"
    ADMIN = "admin"


#: A course's learners are the hub group `nbgrader-<course>` (nbgrader's JupyterHub
#: convention; its trainers are `formgrade-<course>`).
COURSE_GROUP_PREFIX = "nbgrader-"

#: The sandbox e-office's hub service name (URL prefix /services/eoffice/).
EOFFICE_SERVICE = "eoffice"
#: The e-office's own address (not through the proxy): the hub's, on Kubernetes, and the
#: one learners' kernels ask "Check my work" at (course_kit.task_card).
EOFFICE_URL_ENV = "ACADEMY_EOFFICE_URL"
#: The dashboards' own address (not through the proxy), where a learner's server asks for
#: its learner's completion overrides (my_learning).
DASHBOARDS_URL_ENV = "ACADEMY_DASHBOARDS_URL"
#: The academy's own pages: public certificate verification (URL prefix /services/dashboards/).
DASHBOARDS_SERVICE = "dashboards"
#: The hub service that stops learners' servers left idle (jupyterhub-idle-culler).
IDLE_CULLER_SERVICE = "idle-culler"
#: The hub service whose token `academy roster import` uses to tell a running hub about
#: new people and their groups (no restart needed).
ROSTER_SERVICE = "roster-sync"
#: The hub service whose token `academy grade` uses to read e-office evidence.
GRADING_SERVICE = "grading"
#: Read what learners did in the sandbox e-office (graders only).
EVIDENCE_SCOPE = "custom:eoffice:read:evidence"
#: Act as the sandbox PKI's registration officer: approve certificate requests, unlock
#: tokens, move a scenario's clock (trainers only).
CERTIFICATE_OFFICER_SCOPE = "custom:eoffice:manage:certificates"
#: Run phishing-simulation campaigns against a class and read their results (trainers only).
CAMPAIGN_MANAGER_SCOPE = "custom:eoffice:manage:campaigns"

# --- the role home pages of the dashboards service (hub scopes, given by the hub's roles and
# carried into the service's login token through its oauth_client_allowed_scopes) ---------
#: A trainer's class overview: the courses they teach, grading, completion overrides.
CLASSES_SCOPE = "custom:academy:manage:classes"
#: The HR records dashboard (completion rates, competency coverage, who is behind).
RECORDS_SCOPE = "custom:academy:read:records"
#: Export the completion and competency records (HR officers and admins, as the CLI).
EXPORT_SCOPE = "custom:academy:export:records"
#: The platform's status and audit log (admins).
PLATFORM_SCOPE = "custom:academy:read:platform"

#: The home page of each role other than the learner's (My learning, on the learner's own
#: server), as a path below the dashboards service's prefix.
ROLE_HOME_PATHS: dict[Role, str] = {
    Role.TRAINER: "trainer/",
    Role.HR: "hr/",
    Role.ADMIN: "admin/",
}
