# JupyterHub configuration of the Digital Civil Service Academy.
#
# Declarative: every value comes from installation.settings.HubSettings, which `academy up`
# prepares (data directory, install settings, loopback ports, secrets). Start the platform
# with `academy up`, not by running jupyterhub on this file directly.
import os

from common.roles import (
    CAMPAIGN_MANAGER_SCOPE,
    CERTIFICATE_OFFICER_SCOPE,
    DASHBOARDS_SERVICE,
    DASHBOARDS_URL_ENV,
    EOFFICE_SERVICE,
    EOFFICE_URL_ENV,
    EVIDENCE_SCOPE,
    GRADING_SERVICE,
    IDLE_CULLER_SERVICE,
    ROSTER_SERVICE,
)
from course_kit.catalog import load_catalog
from grading.certificates import VERIFY_URL_ENV
from hub_config import CONFIG_DIR, page_language, rbac
from hub_config.proxy import PROXY_TIMEOUT_MS
from installation.settings import (
    CATALOG_DIR_ENV,
    DASHBOARDS_ACCOUNT,
    EOFFICE_ACCOUNT,
    EXCHANGE_ROOT_ENV,
    GRADEBOOK_URL_ENV,
    MODE_ENV,
    SERVER_ROLE_ENV,
    SHARED_MODE_WARNING,
    HubSettings,
    ServerRole,
    grader_account,
    venv_bin,
)
from people.roster import load_roster

c = get_config()  # noqa: F821
s = HubSettings.from_env()
layout = s.layout
# a deactivated person (gone from the personnel file) keeps their records but not the hub
people = [p for p in load_roster(layout.roster_file) if p.can_log_in]
catalog = load_catalog(layout.catalog_dir)
course_ids = sorted(catalog)
bin_dir = venv_bin()
config_dir = str(CONFIG_DIR)
isolated = s.install.isolated

# --- network: everything on loopback ------------------------------------------------------
c.JupyterHub.bind_url = s.ports.public_url
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{s.ports.hub}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.ports.proxy_api}"
# the Python configurable-http-proxy, with room for a class arriving at once (hub_config/proxy.py)
c.ConfigurableHTTPProxy.command = [
    str(bin_dir / "python"), "-m", "hub_config.proxy", f"--proxy-timeout={PROXY_TIMEOUT_MS}"
]
c.ConfigurableHTTPProxy.auth_token = s.secret("proxy_auth_token")
c.ConfigurableHTTPProxy.pid_file = str(layout.hub_dir / "proxy.pid")

# --- state: the hub's database and secrets live in <data>/hub and <data>/secrets (0700) ---
c.JupyterHub.db_url = s.install.hub_url(layout)
c.JupyterHub.cookie_secret_file = str(layout.secret_file("cookie_secret"))
c.JupyterHub.pid_file = str(layout.hub_dir / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- who can log in -----------------------------------------------------------------------
# the roster's people (and each course's grader account), their groups and roles
rbac.apply_access(c, people, course_ids, s.install.hub_url(layout))

# --- look: the academy's name, and a loud banner in shared mode ---------------------------
c.JupyterHub.template_paths = [str(CONFIG_DIR / "templates")]
c.JupyterHub.template_vars = page_language.hub_template_vars(
    s.install.mode, "" if isolated else SHARED_MODE_WARNING)

# --- learners' servers: "My learning" and Voila, no JupyterLab, no terminals --------------
if isolated:
    c.JupyterHub.spawner_class = "hub_config.spawner.IsolatedSpawner"
    c.IsolatedSpawner.home_dir_template = str(layout.homes_dir / "{username}")
else:
    c.JupyterHub.spawner_class = "hub_config.spawner.SharedSpawner"
    c.SharedSpawner.home_dir_template = str(layout.homes_dir / "{username}")
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.Spawner.args = ["--allow-root"] if (s.running_as_root and not isolated) else []
c.Spawner.default_url = "/learning"
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 60
c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": config_dir,
    SERVER_ROLE_ENV: ServerRole.LEARNER.value,
    MODE_ENV: s.install.mode.value,
    EXCHANGE_ROOT_ENV: str(layout.exchange_dir),
    CATALOG_DIR_ENV: str(layout.catalog_dir),
    # where a learner's kernel asks the e-office ("Check my work"): the service itself
    EOFFICE_URL_ENV: f"http://127.0.0.1:{s.ports.eoffice}",
    # where My learning asks for the learner's completion overrides (its own token)
    DASHBOARDS_URL_ENV: f"http://127.0.0.1:{s.ports.dashboards}",
    "PATH": f"{bin_dir}:/usr/bin:/bin",
}

# --- services -----------------------------------------------------------------------------
eoffice = {
    "name": EOFFICE_SERVICE,
    "display": True,
    "url": f"http://127.0.0.1:{s.ports.eoffice}",
    "command": [
        str(bin_dir / "gunicorn"),
        "--bind", f"127.0.0.1:{s.ports.eoffice}",
        "--workers", "2",
        "--access-logfile", "-",
        "sandbox_eoffice:create_app()",
    ],
    "cwd": str(layout.eoffice_dir),
    "environment": {
        "EOFFICE_DATA_DIR": str(layout.eoffice_dir),
        "EOFFICE_DATABASE_URL": s.install.eoffice_url(layout),
        "EOFFICE_SECRET_KEY_FILE": str(layout.eoffice_dir / "secret_key"),
        "EOFFICE_DEFAULT_SEED": str(s.install.install_seed),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
    },
    "api_token": s.secret("eoffice_api_token"),
    "oauth_no_confirm": True,
    # trainers' browser logins carry the evidence and certificate-officer scopes; learners
    # simply do not have them
    "oauth_client_allowed_scopes": [EVIDENCE_SCOPE, CERTIFICATE_OFFICER_SCOPE,
                                   CAMPAIGN_MANAGER_SCOPE],
}
# the academy's own pages: the public verification of completion certificates (no login),
# a learner's own certificates and the home pages of trainers, HR officers and admins; in
# isolated mode it runs as its own account, which reads the records through its group and
# never the signing keys (docs/architecture.md)
dashboards = {
    "name": DASHBOARDS_SERVICE,
    "url": f"http://127.0.0.1:{s.ports.dashboards}",
    "command": [
        str(bin_dir / "gunicorn"),
        "--bind", f"127.0.0.1:{s.ports.dashboards}",
        "--workers", "2",
        # the HR dashboard's first view of a province-sized roster reads every gradebook
        # (docs/dashboards-hr.md); gunicorn's default 30 s would kill the worker mid-way
        "--timeout", "180",
        "--access-logfile", "-",
        "--no-control-socket",
        "dashboards:create_app()",
    ],
    "cwd": str(layout.root),
    "environment": {
        "DASHBOARDS_DATA_DIR": str(layout.root),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
    },
    "api_token": s.secret("dashboards_api_token"),
    "oauth_no_confirm": True,
    # a login carries the role pages' scopes of the person who holds them
    "oauth_client_allowed_scopes": rbac.DASHBOARDS_LOGIN_SCOPES,
}
# the grading service: grades submissions of `grade_on_submit` courses as they arrive (it
# runs as the hub's own account, like `academy grade autograde`: it starts sandboxed
# kernels as academy-sandbox and nbgrader as each course's grader account)
grading = {
    "name": GRADING_SERVICE,
    "api_token": s.secret("grading_api_token"),
    "command": [
        str(bin_dir / "academy"), "--data-dir", str(layout.root), "grade", "watch",
    ],
    "cwd": str(layout.root),
    # the public address of the certificate verification page printed in the certificates
    # it issues, when the site names one (default: this platform's own address)
    "environment": {"PATH": f"{bin_dir}:/usr/bin:/bin", "LANG": "C.UTF-8",
                    **{name: value for name, value in os.environ.items()
                       if name == VERIFY_URL_ENV}},
}
# servers left idle are stopped, so that memory goes to the learners who are working
idle_culler = {
    "name": IDLE_CULLER_SERVICE,
    "command": [
        str(bin_dir / "python"), "-m", "jupyterhub_idle_culler",
        f"--timeout={s.install.idle_timeout_seconds}",
        f"--cull-every={max(60, s.install.idle_timeout_seconds // 6)}",
    ],
    "environment": {"PATH": f"{bin_dir}:/usr/bin:/bin"},
}
course_services = [
    {
        "name": course_id,
        "display": False,
        "url": f"http://127.0.0.1:{s.ports.courses[course_id]}",
        "command": [str(bin_dir / "jupyterhub-singleuser")]
        + (["--allow-root"] if s.running_as_root and not isolated else []),
        "cwd": str(layout.course_dir(course_id)),
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            # nbgrader's hub plugin asks the hub for this user's course groups; the hub sets
            # it only for a service with its own unix account (isolated mode)
            "JUPYTERHUB_USER": grader_account(course_id),
            "JUPYTER_CONFIG_PATH": config_dir,
            SERVER_ROLE_ENV: ServerRole.COURSE.value,
            MODE_ENV: s.install.mode.value,
            EXCHANGE_ROOT_ENV: str(layout.exchange_dir),
            "PATH": f"{bin_dir}:/usr/bin:/bin",
        },
        "api_token": s.secret(f"course_api_token_{course_id}"),
        "oauth_no_confirm": True,
    }
    for course_id in course_ids
]
if isolated:
    eoffice["user"] = EOFFICE_ACCOUNT
    own = layout.dashboards_dir  # (made by `academy init`, the account's only)
    dashboards["user"] = DASHBOARDS_ACCOUNT
    dashboards["environment"] |= {
        "DASHBOARDS_SECRET_KEY_FILE": str(own / "secret_key"),
        "TMPDIR": str(own / "tmp"),
        "MPLCONFIGDIR": str(own / "matplotlib"),
        # secrets/databases.json is root's: the gradebooks' URL only, read-only role on
        # PostgreSQL ("": each course's SQLite file)
        GRADEBOOK_URL_ENV: s.install.gradebook_reader_template(),
    }
    for service in course_services:
        service["user"] = grader_account(service["name"])
# a token only: `academy roster import` tells the running hub about new people with it
roster_sync = {"name": ROSTER_SERVICE, "api_token": s.secret("roster_api_token")}
c.JupyterHub.services = [eoffice, dashboards, grading, idle_culler, roster_sync,
                         *course_services]

# --- the site's own settings: single sign-on through the province's portal (OIDC) or LDAP
# (hub_config/sso/*_example.py, docs/accounts.md); loaded last, so it replaces the login
if layout.site_hub_config_file.exists():
    load_subconfig(str(layout.site_hub_config_file))  # noqa: F821
