"""The platform's status, for the admin's home page (dashboards/admin.py, docs/dashboards-admin.md):
the hub and each of its services (up or not, and how that is known), the versions installed,
and the counts of people, accounts, courses, servers, certificates and audit entries.

Two sources, and two rules:

- **The hub** is asked with the dashboards' own token (hub_config.rbac's role
  "dashboards-service": read:hub, list:services, read:services, list:users, read:users:name,
  read:servers) through ``AcademyHubOAuth.hub_api_get``; it answers (JupyterHub 6.1,
  ``jupyterhub/apihandlers``) ``GET /`` the version (no login needed), ``GET /info`` the
  version, Python, spawner and authenticator, ``GET /services`` each service's model (url,
  prefix, command, pid: pid 0 when the hub holds no process), ``GET /users?state=active``
  the users with an active server (each with ``servers``: ready or pending), paginated.
- **A service with a URL** is probed, the way the hub checks it when it starts it: a GET of
  its URL and prefix, and any answer below 500 within a short timeout is "up". Only plain
  http on a loopback address is ever probed (the platform's services all listen on
  127.0.0.1); any other URL is reported "not probed". Redirects are not followed and the
  environment's proxies are not used, so no probe leaves the machine.

A managed service without a URL (grading, idle-culler) has nothing to probe: the page says
what the hub says, a process id or none. Every part that cannot be read (the hub down, the
roster malformed) is said on the page instead of failing it.
"""

from __future__ import annotations

import ipaddress
import platform
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests

from common.clock import vietnam_now
from common.roles import (
    DASHBOARDS_SERVICE,
    EOFFICE_SERVICE,
    GRADING_SERVICE,
    IDLE_CULLER_SERVICE,
    ROSTER_SERVICE,
    Role,
)
from course_kit.catalog import CatalogError, Course, load_catalog
from grading.certificates import CertificateError, load_registry
from installation.layout import DataLayout
from people.roster import AccountStatus, RosterError, load_roster
from service_auth.hub_login import HubUnavailable

#: the distributions whose installed versions the page shows (importlib.metadata names)
PACKAGES = ("digital-civil-service-academy", "jupyterhub", "nbgrader", "voila", "ipywidgets",
            "flask", "sqlalchemy", "pyhanko", "faker")
ACADEMY_DISTRIBUTION = PACKAGES[0]
#: the platform's own services first, in this order; the course services after them
PLATFORM_SERVICES = (EOFFICE_SERVICE, DASHBOARDS_SERVICE, GRADING_SERVICE, IDLE_CULLER_SERVICE,
                     ROSTER_SERVICE)
PROBE_TIMEOUT = 2.0  # seconds: a service that does not answer by then is reported down
HUB_TIMEOUT = 5.0  # seconds, for each question to the hub
MAX_PROBES_AT_ONCE = 8
USERS_PAGE = 200  # JupyterHub's api_page_max_limit
MAX_USER_PAGES = 100  # 20,000 active servers: more are counted as "at least"


class HubApi(Protocol):
    """What the status needs of the hub login (AcademyHubOAuth and the tests' fake)."""

    def hub_api_get(self, path: str, params: dict[str, str | int] | None = None, *,
                    paginated: bool = False, timeout: float = 5.0) -> Any: ...


# --- probing a service's URL ---------------------------------------------------------------


class ServiceState(StrEnum):
    UP = "up"  # its URL answered, status below 500
    DOWN = "down"  # its URL did not answer in time, or answered 500 or more
    THIS_SERVICE = "this-service"  # the dashboards: it is answering this very page
    STARTED = "started"  # managed, no URL: the hub holds a process id for it
    NOT_STARTED = "not-started"  # managed, no URL, and the hub holds no process for it
    API_CLIENT = "api-client"  # neither URL nor command: a token that a command uses
    NOT_PROBED = "not-probed"  # its URL is not plain http on loopback: never probed


class ProbeFailure(StrEnum):
    NO_ANSWER = "no-answer"  # connection refused or reset: nothing listens
    TIMEOUT = "timeout"
    SERVER_ERROR = "server-error"  # it answered, with 500 or more


@dataclass(frozen=True)
class ProbeResult:
    http_status: int | None = None
    elapsed_ms: int = 0
    failure: ProbeFailure | None = None

    @property
    def up(self) -> bool:
        return self.failure is None


def loopback_target(url: str, prefix: str = "") -> str | None:
    """The URL to probe for a service listening at `url` and routed by the hub under path
    `prefix` (the hub's proxy keeps the path, so the service answers there), or None when
    `url` is not plain http on a loopback address: a literal address of 127.0.0.0/8 or
    ::1, or "localhost", taken as 127.0.0.1 without asking any resolver."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme != "http" or not host:
        return None
    try:
        address = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        return None
    if not address.is_loopback:
        return None
    netloc = f"[{address}]" if address.version == 6 else str(address)
    if port is not None:
        netloc += f":{port}"
    path = prefix if prefix.startswith("/") else (parts.path or "/")
    return urlunsplit(("http", netloc, path, "", ""))


def probe(target: str, timeout: float = PROBE_TIMEOUT) -> ProbeResult:
    """GET `target` (a URL from ``loopback_target``): only the status line and headers are
    read, no redirect is followed, no proxy is used."""
    if loopback_target(target) is None:
        raise ValueError(f"refusing to probe {target!r}: not plain http on loopback")
    started = time.monotonic()
    failure: ProbeFailure | None = None
    status: int | None = None
    try:
        with requests.Session() as session:
            session.trust_env = False
            with session.get(target, timeout=timeout, allow_redirects=False,
                             stream=True) as response:
                status = response.status_code
    except requests.Timeout:
        failure = ProbeFailure.TIMEOUT
    except requests.RequestException:
        failure = ProbeFailure.NO_ANSWER
    if status is not None and status >= 500:
        failure = ProbeFailure.SERVER_ERROR
    return ProbeResult(status, round((time.monotonic() - started) * 1000), failure)


# --- the hub and its services ----------------------------------------------------------------


class HubProblem(StrEnum):
    NO_ANSWER = "no-answer"  # nothing answered (down, or the address is wrong)
    REFUSED = "refused"  # it answered with an HTTP error (e.g. 403: the token lacks a scope)
    BAD_ANSWER = "bad-answer"  # it answered something that is not the API's JSON


@dataclass(frozen=True)
class HubTrouble:
    problem: HubProblem
    http_status: int | None = None


def hub_trouble(error: HubUnavailable) -> HubTrouble:
    """Why the hub could not answer, from the error hub_api_get chained."""
    cause = error.__cause__
    if isinstance(cause, requests.HTTPError) and cause.response is not None:
        return HubTrouble(HubProblem.REFUSED, cause.response.status_code)
    if isinstance(cause, requests.JSONDecodeError):
        return HubTrouble(HubProblem.BAD_ANSWER)
    if isinstance(cause, requests.RequestException) or cause is None:
        return HubTrouble(HubProblem.NO_ANSWER)
    return HubTrouble(HubProblem.BAD_ANSWER)


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: ServiceState
    url: str = ""
    managed: bool = False
    pid: int = 0
    probe: ProbeResult | None = None


@dataclass(frozen=True)
class HubInfo:
    """What ``GET /info`` says of the hub's process."""

    python: str
    spawner: str
    authenticator: str


@dataclass(frozen=True)
class ServerCounts:
    """Single-user servers the hub counts as active: ``running`` is ready, ``pending`` is
    starting or stopping; ``complete`` is False when there were more than were read."""

    learners_running: int = 0
    learners_pending: int = 0
    others_running: int = 0
    others_pending: int = 0
    complete: bool = True


@dataclass(frozen=True)
class HubStatus:
    trouble: HubTrouble | None = None  # None: the hub answered
    version: str = ""
    info: HubInfo | None = None
    services: tuple[ServiceStatus, ...] = ()
    servers: ServerCounts | None = None
    #: what else could not be read ("/info", "/services", "/users"), and why
    unread: Mapping[str, HubTrouble] = field(default_factory=dict)

    @property
    def up(self) -> bool:
        return self.trouble is None


def _service_order(name: str) -> tuple[int, str]:
    known = name in PLATFORM_SERVICES
    return (PLATFORM_SERVICES.index(name) if known else len(PLATFORM_SERVICES), name)


def service_states(models: Mapping[str, Mapping[str, Any]], this_service: str,
                   timeout: float = PROBE_TIMEOUT) -> tuple[ServiceStatus, ...]:
    """Each service of the hub's ``GET /services`` answer and its state; the services with
    a loopback URL are probed at the same time (a few at once), so that several services
    down cost about one timeout, not one each."""
    statuses: dict[str, ServiceStatus] = {}
    targets: dict[str, str] = {}
    for name, model in models.items():
        url = str(model.get("url") or "")
        managed = bool(model.get("command"))
        pid = int(model.get("pid") or 0)
        base = ServiceStatus(name, ServiceState.NOT_PROBED, url, managed, pid)
        if name == this_service:
            statuses[name] = ServiceStatus(name, ServiceState.THIS_SERVICE, url, managed, pid)
        elif url:
            target = loopback_target(url, str(model.get("prefix") or ""))
            statuses[name] = base
            if target is not None:
                targets[name] = target
        elif managed:
            state = ServiceState.STARTED if pid else ServiceState.NOT_STARTED
            statuses[name] = ServiceStatus(name, state, url, managed, pid)
        else:
            statuses[name] = ServiceStatus(name, ServiceState.API_CLIENT, url, managed, pid)
    if targets:
        with ThreadPoolExecutor(max_workers=min(MAX_PROBES_AT_ONCE, len(targets)),
                                thread_name_prefix="probe") as pool:
            results = dict(zip(targets, pool.map(lambda t: probe(t, timeout),
                                                 targets.values()), strict=True))
        for name, result in results.items():
            old = statuses[name]
            statuses[name] = ServiceStatus(name, ServiceState.UP if result.up
                                           else ServiceState.DOWN, old.url, old.managed,
                                           old.pid, result)
    return tuple(statuses[name] for name in sorted(statuses, key=_service_order))


def count_servers(hub: HubApi, learners: Iterable[str]) -> ServerCounts:
    """The active single-user servers, the learners' apart from the others' (trainers or
    admins may start one too), read a page of users at a time."""
    learner_names = set(learners)
    counts: Counter[tuple[bool, bool]] = Counter()
    offset, complete = 0, False
    for _page in range(MAX_USER_PAGES):
        answer = hub.hub_api_get("/users", {"state": "active", "offset": offset,
                                            "limit": USERS_PAGE}, paginated=True)
        items = answer["items"] if isinstance(answer, dict) else answer
        for user in items:
            learner = user.get("name") in learner_names
            for server in (user.get("servers") or {}).values():
                counts[(learner, bool(server.get("ready")))] += 1
        following = answer.get("_pagination", {}).get("next") if isinstance(answer,
                                                                                dict) else None
        if not following:
            complete = True
            break
        offset = int(following["offset"])
    return ServerCounts(counts[(True, True)], counts[(True, False)], counts[(False, True)],
                        counts[(False, False)], complete)


def _class_and_version(model: Any) -> str:
    if not isinstance(model, Mapping):
        return ""
    version = model.get("version")
    known = version and version != "unknown"
    return f"{model.get('class', '')} {version}" if known else str(model.get("class", ""))


def read_hub_status(hub: HubApi, learners: Iterable[str],
                    this_service: str = DASHBOARDS_SERVICE,
                    probe_timeout: float = PROBE_TIMEOUT) -> HubStatus:
    """The hub's answers and its services' states. The hub's root (its version) is asked
    first: when it does not answer, nothing else is asked (a hub that hangs costs one
    timeout, not four)."""
    try:
        version = str(hub.hub_api_get("/", timeout=HUB_TIMEOUT)["version"])
    except HubUnavailable as error:
        return HubStatus(hub_trouble(error))
    except (LookupError, TypeError):
        return HubStatus(HubTrouble(HubProblem.BAD_ANSWER))
    unread: dict[str, HubTrouble] = {}
    info = None
    services: tuple[ServiceStatus, ...] = ()
    servers = None
    try:
        model = hub.hub_api_get("/info", timeout=HUB_TIMEOUT)
        info = HubInfo(str(model.get("python", "")).split(" ")[0],
                       _class_and_version(model.get("spawner")),
                       _class_and_version(model.get("authenticator")))
    except HubUnavailable as error:
        unread["/info"] = hub_trouble(error)
    except AttributeError:
        unread["/info"] = HubTrouble(HubProblem.BAD_ANSWER)
    try:
        models = hub.hub_api_get("/services", timeout=HUB_TIMEOUT)
        services = service_states(models, this_service, probe_timeout)
    except HubUnavailable as error:
        unread["/services"] = hub_trouble(error)
    except (AttributeError, TypeError, ValueError):
        unread["/services"] = HubTrouble(HubProblem.BAD_ANSWER)
    try:
        servers = count_servers(hub, learners)
    except HubUnavailable as error:
        unread["/users"] = hub_trouble(error)
    except (AttributeError, LookupError, TypeError, ValueError):
        unread["/users"] = HubTrouble(HubProblem.BAD_ANSWER)
    return HubStatus(None, version, info, services, servers, unread)


# --- versions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageVersion:
    name: str
    version: str | None  # None: not installed


def package_versions(names: Iterable[str] = PACKAGES) -> list[PackageVersion]:
    """The installed version of each distribution, as pip installed it."""
    versions = []
    for name in names:
        try:
            versions.append(PackageVersion(name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append(PackageVersion(name, None))
    return versions


def python_version() -> str:
    return platform.python_version()


# --- counts from the data directory -------------------------------------------------------


class CountSource(StrEnum):
    ROSTER = "roster"
    CATALOG = "catalog"
    CERTIFICATES = "certificates"
    AUDIT_LOG = "audit-log"


@dataclass(frozen=True)
class PlatformCounts:
    """What the data directory holds; a count is None when its source could not be read,
    and ``problems`` says why (the source's own message, naming the file)."""

    people_by_role: Mapping[Role, int] | None = None
    accounts_by_status: Mapping[AccountStatus, int] | None = None
    learners: frozenset[str] = frozenset()
    courses: Mapping[str, Course] | None = None
    certificates_issued: int | None = None
    certificates_revoked: int | None = None
    audit_entries: int | None = None
    problems: Mapping[CountSource, str] = field(default_factory=dict)

    @property
    def modules(self) -> int | None:
        return None if self.courses is None else sum(len(c.modules)
                                                     for c in self.courses.values())


def count_lines(path: Path) -> int:
    """The lines of a file (a last line without newline counts), read 1 MiB at a time: an
    audit log of 100 MB is never held in memory. 0 when there is no file yet."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return 0
    lines, last = 0, b"\n"
    with handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def platform_counts(layout: DataLayout) -> PlatformCounts:
    """People by role and by account status (the roster), courses and modules (the
    catalog), certificates issued and revoked (the registry), lines of the audit log."""
    problems: dict[CountSource, str] = {}
    by_role: dict[Role, int] | None = None
    by_status: dict[AccountStatus, int] | None = None
    learners: frozenset[str] = frozenset()
    try:
        people = load_roster(layout.roster_file)
        roles = Counter(p.role for p in people)
        statuses = Counter(p.status for p in people)
        by_role = {role: roles[role] for role in Role}
        by_status = {status: statuses[status] for status in AccountStatus}
        learners = frozenset(p.username for p in people if p.is_learner)
    except (RosterError, OSError) as error:
        problems[CountSource.ROSTER] = str(error)
    courses = None
    try:
        courses = load_catalog(layout.catalog_dir)
    except (CatalogError, OSError) as error:
        problems[CountSource.CATALOG] = str(error)
    issued = revoked = None
    try:
        registry = load_registry(layout.certificates_dir)
        issued, revoked = len(registry), sum(1 for r in registry if r.revoked)
    except (CertificateError, OSError) as error:
        problems[CountSource.CERTIFICATES] = str(error)
    entries = None
    try:
        entries = count_lines(layout.audit_log_file)
    except OSError as error:
        problems[CountSource.AUDIT_LOG] = f"{layout.audit_log_file}: {error.strerror or error}"
    return PlatformCounts(by_role, by_status, learners, courses, issued, revoked, entries,
                          problems)


# --- the whole page --------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformStatus:
    hub: HubStatus
    counts: PlatformCounts
    versions: list[PackageVersion]
    python: str
    at: datetime

    @property
    def installed_hub_version(self) -> str | None:
        return next((p.version for p in self.versions if p.name == "jupyterhub"), None)

    @property
    def hub_runs_another_version(self) -> bool:
        """The hub answering is not the installed JupyterHub (upgraded, not restarted)."""
        return bool(self.hub.version and self.installed_hub_version
                    and self.hub.version != self.installed_hub_version)


def gather_status(layout: DataLayout, hub: HubApi, this_service: str = DASHBOARDS_SERVICE,
                  probe_timeout: float = PROBE_TIMEOUT) -> PlatformStatus:
    counts = platform_counts(layout)
    return PlatformStatus(read_hub_status(hub, counts.learners, this_service, probe_timeout),
                          counts, package_versions(), python_version(), vietnam_now())
