"""The academy on Kubernetes (Zero to JupyterHub): what the hub adds to the chart's config.

The chart's ``hub.extraConfig`` (deploy/kubernetes/values.yaml) calls ``configure(c)``. It
reads the installation from the shared data volume (``ACADEMY_DATA_DIR``, made by
``academy init`` in the hub pod) and sets, as on one machine:

- the academy's login, roster, groups and roles (``rbac.apply_access``);
- learners' servers as KubeSpawner pods of the course image, each under a uid of its own
  (100000 + the hub's user id, so that nbgrader's exchange keeps learners apart as unix
  accounts do on one machine), without privilege escalation, with only the exchange and
  the course catalogue of the shared volume mounted;
- the e-office as an external service (its own Deployment, scaled apart), the grading
  service's token, and, as services of the hub pod, the dashboards (certificate
  verification, the role home pages) and each course's formgrader.
"""

from __future__ import annotations

import os
from typing import Any

from common.roles import (
    CAMPAIGN_MANAGER_SCOPE,
    CERTIFICATE_OFFICER_SCOPE,
    DASHBOARDS_SERVICE,
    EOFFICE_SERVICE,
    EOFFICE_URL_ENV,
    EVIDENCE_SCOPE,
    GRADING_SERVICE,
)
from course_kit.catalog import load_catalog
from hub_config import CONFIG_DIR, page_language, rbac
from hub_config.spawner import roster_names
from installation.layout import DATA_DIR_ENV, DataLayout
from installation.settings import (
    CATALOG_DIR_ENV,
    EXCHANGE_ROOT_ENV,
    FULL_NAME_ENV,
    MODE_ENV,
    SERVER_ROLE_ENV,
    InstallSettings,
    Mode,
    ServerRole,
    grader_account,
)
from people.roster import load_roster

DATA_CLAIM_ENV = "ACADEMY_DATA_CLAIM"  # the ReadWriteMany volume claim of the data dir
EXCHANGE_MOUNT = "/srv/nbgrader/exchange"
CATALOG_MOUNT = "/srv/academy-catalog"
FIRST_LEARNER_UID = 100_000
DASHBOARDS_PORT = 10_090  # in the hub pod, on loopback; the courses' formgraders from 10_100


def learner_uid(spawner: Any) -> int:
    """A uid per learner, stable for as long as the hub knows them."""
    return FIRST_LEARNER_UID + int(spawner.user.id)


def configure(c: Any, data_dir: str | None = None) -> None:
    layout = DataLayout.at(data_dir or os.environ.get(DATA_DIR_ENV, "/srv/academy"))
    eoffice_url = os.environ.get(EOFFICE_URL_ENV, "http://academy-eoffice:8000")
    install = InstallSettings.load(layout)
    people = [p for p in load_roster(layout.roster_file) if p.can_log_in]
    course_ids = sorted(load_catalog(layout.catalog_dir))
    # the chart's own roles and services (its idle culler among them) stay
    chart_roles, chart_services = _given(c.JupyterHub, "load_roles"), _given(c.JupyterHub,
                                                                             "services")
    rbac.apply_access(c, people, course_ids, install.hub_url(layout))
    c.JupyterHub.load_roles = chart_roles + c.JupyterHub.load_roles
    c.JupyterHub.template_paths = [str(CONFIG_DIR / "templates")]
    c.JupyterHub.template_vars = page_language.hub_template_vars(Mode.ISOLATED, "")

    # --- learners' pods ----------------------------------------------------------------------
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    c.KubeSpawner.cmd = ["jupyterhub-singleuser"]
    c.KubeSpawner.default_url = "/learning"
    c.KubeSpawner.uid = learner_uid
    c.KubeSpawner.gid = learner_uid
    c.KubeSpawner.fs_gid = learner_uid
    c.KubeSpawner.allow_privilege_escalation = False
    c.KubeSpawner.environment = {
        "JUPYTER_CONFIG_PATH": str(CONFIG_DIR),
        SERVER_ROLE_ENV: ServerRole.LEARNER.value,
        MODE_ENV: Mode.ISOLATED.value,
        EXCHANGE_ROOT_ENV: EXCHANGE_MOUNT,
        CATALOG_DIR_ENV: CATALOG_MOUNT,
        # where "Check my work" asks the e-office (values.yaml lets learners' pods reach it)
        EOFFICE_URL_ENV: eoffice_url,
        # the learner's full name for My learning, looked up in the roster by the hub at each
        # spawn as the local spawners do (hub_config.spawner.FullNameFromRoster); "": username
        FULL_NAME_ENV: lambda spawner: roster_names.full_name(
            layout.roster_file, spawner.user.name, spawner.log) or "",
    }
    claim = os.environ.get(DATA_CLAIM_ENV, "academy-data")
    c.KubeSpawner.volumes = [
        {"name": "academy-data", "persistentVolumeClaim": {"claimName": claim}},
    ]
    # only these two folders of the data volume: never secrets, gradebooks or others' homes
    c.KubeSpawner.volume_mounts = [
        {"name": "academy-data", "mountPath": EXCHANGE_MOUNT, "subPath": "exchange"},
        {"name": "academy-data", "mountPath": CATALOG_MOUNT, "subPath": "catalog",
         "readOnly": True},
    ]

    # --- services ----------------------------------------------------------------------------
    def secret(name: str) -> str:
        return layout.secret_file(name).read_text(encoding="utf-8").strip()

    eoffice = {
        "name": EOFFICE_SERVICE,
        "display": True,
        "url": eoffice_url,
        "api_token": secret("eoffice_api_token"),
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": [EVIDENCE_SCOPE, CERTIFICATE_OFFICER_SCOPE,
                                   CAMPAIGN_MANAGER_SCOPE],
    }
    grading = {"name": GRADING_SERVICE, "api_token": secret("grading_api_token")}
    # in the hub pod, beside the data volume it reads (roster, gradebooks, certificates)
    dashboards = {
        "name": DASHBOARDS_SERVICE,
        "url": f"http://127.0.0.1:{DASHBOARDS_PORT}",
        "command": ["gunicorn", "--bind", f"127.0.0.1:{DASHBOARDS_PORT}", "--workers", "2",
                    "--timeout", "180", "dashboards:create_app()"],
        "cwd": str(layout.root),
        "environment": {"DASHBOARDS_DATA_DIR": str(layout.root)},
        "api_token": secret("dashboards_api_token"),
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": rbac.DASHBOARDS_LOGIN_SCOPES,
    }
    courses = [
        {
            "name": course_id,
            "display": False,
            "url": f"http://127.0.0.1:{10_100 + i}",
            "command": ["jupyterhub-singleuser", "--allow-root", f"--port={10_100 + i}"],
            "cwd": str(layout.course_dir(course_id)),
            "environment": {
                "JUPYTERHUB_DEFAULT_URL": "/formgrader",
                "JUPYTERHUB_USER": grader_account(course_id),
                "JUPYTER_CONFIG_PATH": str(CONFIG_DIR),
                SERVER_ROLE_ENV: ServerRole.COURSE.value,
                MODE_ENV: Mode.ISOLATED.value,
                EXCHANGE_ROOT_ENV: str(layout.exchange_dir),
            },
            "api_token": secret(f"course_api_token_{course_id}"),
            "oauth_no_confirm": True,
        }
        for i, course_id in enumerate(course_ids)
    ]
    c.JupyterHub.services = [*chart_services, eoffice, grading, dashboards, *courses]


def _given(section: Any, name: str) -> list:
    """A list the chart's config already set, or nothing (traitlets' lazy placeholder)."""
    value = section.get(name) if hasattr(section, "get") else None
    return list(value) if isinstance(value, list) else []
