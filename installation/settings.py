"""Install settings (chosen once at `academy init`) and run settings (chosen by `academy up`).

`jupyterhub_config.py` stays declarative: it reads a `HubSettings` built here from the
data directory and the environment that `academy up` passes to the hub.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from common.files import atomic_write
from installation.layout import DATA_DIR_ENV, DataLayout


class Mode(StrEnum):
    """How processes are separated (see README: isolated as root, shared otherwise)."""

    ISOLATED = "isolated"
    SHARED = "shared"


class ServerRole(StrEnum):
    """What a jupyter server of the platform is for (ACADEMY_SERVER_ROLE)."""

    LEARNER = "learner"  # a learner's own server: My learning and Voila
    COURSE = "course"  # a course's service: nbgrader's formgrader, nbgrader commands


SERVER_ROLE_ENV = "ACADEMY_SERVER_ROLE"
#: Environment of the platform's jupyter servers and nbgrader commands (hub_config/*.py).
MODE_ENV = "ACADEMY_MODE"
EXCHANGE_ROOT_ENV = "ACADEMY_EXCHANGE_ROOT"
CATALOG_DIR_ENV = "ACADEMY_CATALOG_DIR"
#: A learner's full name, looked up in the roster by the hub at each spawn
#: (hub_config.spawner), for My learning's greeting.
FULL_NAME_ENV = "ACADEMY_FULL_NAME"
EOFFICE_ACCOUNT = "academy-eoffice"
#: The academy's own pages (the `dashboards` service) run as this account in isolated mode:
#: it reads the records it shows through its group, never the signing keys or the hub's
#: database (docs/architecture.md, "Who runs as whom").
DASHBOARDS_ACCOUNT = "academy-dashboards"
#: The gradebooks' database URL (template with {course_id}; empty: each course's SQLite
#: file) given to a service that may not read secrets/databases.json (the dashboards).
GRADEBOOK_URL_ENV = "ACADEMY_GRADEBOOK_DB_URL"
SHARED_MODE_WARNING = (
    "NOT ISOLATED: every learner's server runs under one account and can read the answer "
    "keys, the gradebook and other learners' work. For a personal demo only, never for real "
    "learners. Start the platform as root for isolated mode."
)


def grader_account(course_id: str) -> str:
    """The unix account (and hub user) that owns a course's nbgrader directory."""
    return f"grader-{course_id}"[:32]


def venv_bin() -> Path:
    """The bin directory of the Python environment the platform runs from."""
    return Path(sys.executable).parent


DATABASE_FIELDS = ("hub_db_url", "gradebook_db_url", "eoffice_db_url",
                   "gradebook_reader_db_url")


@dataclass
class InstallSettings:
    """What `academy init` decided for this data directory. Stored in academy.json (0644),
    except the database URLs, which may hold passwords: those live in
    ``secrets/databases.json`` (0600, the hub's account only)."""

    mode: Mode
    install_seed: int
    course_ids: list[str] = field(default_factory=list)
    hub_db_url: str = ""
    gradebook_db_url: str = ""  # may contain {course_id}
    eoffice_db_url: str = ""
    # the gradebooks read only (the dashboards service), on PostgreSQL; "" on SQLite (a
    # reader's connection to the file is read-only) and on stores made before the reader
    gradebook_reader_db_url: str = ""  # may contain {course_id}
    # a learner's server that has shown no activity for this long is stopped (their work
    # is saved; the next visit starts it again): jupyterhub-idle-culler
    idle_timeout_seconds: int = 3600
    # the URLs this process was not given: all of them when secrets/databases.json exists
    # but this process may not read it, less the gradebooks' when GRADEBOOK_URL_ENV is set
    hidden_urls: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def databases_hidden(self) -> bool:
        return bool(self.hidden_urls)

    def _visible(self, *names: str) -> None:
        if self.hidden_urls.intersection(names or DATABASE_FIELDS):
            raise PermissionError(
                "the database settings (secrets/databases.json) are readable by the hub's "
                "account only: run this as root")

    def gradebook_url(self, layout: DataLayout, course_id: str) -> str:
        self._visible("gradebook_db_url")
        if self.gradebook_db_url:
            return self.gradebook_db_url.format(course_id=course_id.replace("-", "_"))
        return f"sqlite:///{layout.gradebook_file(course_id)}"

    def gradebook_reader_template(self) -> str:
        """The gradebooks' URL template for a service that only reads them: the reader's
        role where there is one, else the gradebooks' own ("": each course's SQLite file)."""
        self._visible("gradebook_db_url")
        return self.gradebook_reader_db_url or self.gradebook_db_url

    def hub_url(self, layout: DataLayout) -> str:
        self._visible("hub_db_url")
        return self.hub_db_url or f"sqlite:///{layout.hub_db_file}"

    def eoffice_url(self, layout: DataLayout) -> str:
        self._visible("eoffice_db_url")
        return self.eoffice_db_url or f"sqlite:///{layout.eoffice_db_file}"

    def __post_init__(self) -> None:
        self.mode = Mode(self.mode)

    @property
    def isolated(self) -> bool:
        return self.mode == Mode.ISOLATED

    def save(self, layout: DataLayout) -> None:
        """academy.json without the database URLs, and the URLs in secrets (0600)."""
        self._visible()
        data = asdict(self)
        data.pop("hidden_urls")
        urls = {name: data.pop(name) for name in DATABASE_FIELDS}
        layout.secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(layout.databases_file, json.dumps(urls, indent=2) + "\n", mode=0o600)
        atomic_write(layout.settings_file, json.dumps(data, indent=2) + "\n", mode=0o644)

    @classmethod
    def load(cls, layout: DataLayout) -> InstallSettings:
        try:
            data = json.loads(layout.settings_file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise FileNotFoundError(
                f"{layout.root} is not initialised: run `academy init` first"
            ) from exc
        hidden: set[str] = set()
        try:  # (an installation made before the split has its URLs in academy.json)
            data |= json.loads(layout.databases_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            pass
        except PermissionError:
            hidden = set(DATABASE_FIELDS)
            given = os.environ.get(GRADEBOOK_URL_ENV)
            if given is not None:  # the gradebooks' URL only, from the service's environment
                data["gradebook_db_url"] = given
                hidden.discard("gradebook_db_url")
        settings = cls(**data)
        settings.hidden_urls = frozenset(hidden)
        return settings


@dataclass(frozen=True)
class RunPorts:
    """Loopback ports of one running platform; written by `academy up` to the data dir."""

    public: int
    hub: int
    proxy_api: int
    eoffice: int
    dashboards: int
    courses: dict[str, int]

    ENV = "ACADEMY_PORTS"

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, value: str) -> RunPorts:
        return cls(**json.loads(value))

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public}"


def runtime_file(layout: DataLayout) -> Path:
    return layout.hub_dir / "running.json"


def read_secret(layout: DataLayout, name: str) -> str:
    return layout.secret_file(name).read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class HubSettings:
    """Everything jupyterhub_config.py needs, read from the data dir and the environment."""

    layout: DataLayout
    install: InstallSettings
    ports: RunPorts

    @classmethod
    def from_env(cls) -> HubSettings:
        layout = DataLayout.at(os.environ[DATA_DIR_ENV])
        ports = RunPorts.from_env(os.environ[RunPorts.ENV])
        return cls(layout, InstallSettings.load(layout), ports)

    def secret(self, name: str) -> str:
        return read_secret(self.layout, name)

    @property
    def running_as_root(self) -> bool:
        return os.geteuid() == 0
