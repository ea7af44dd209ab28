"""Where every piece of state lives inside one data directory.

All state of one installation lives under a single data directory, chosen with
``--data-dir`` or ``ACADEMY_DATA_DIR``. Several installations can coexist on one machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "ACADEMY_DATA_DIR"


def default_data_dir() -> Path:
    """The data directory used when neither --data-dir nor ACADEMY_DATA_DIR is given."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser().resolve()
    if os.geteuid() == 0:
        return Path("/var/lib/academy")
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "academy"


@dataclass(frozen=True)
class DataLayout:
    """The paths of one installation. Pure path arithmetic: nothing is created here."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> DataLayout:
        return cls(Path(root).expanduser().resolve())

    # --- root-only (0700) -------------------------------------------------------------
    @property
    def secrets_dir(self) -> Path:
        return self.root / "secrets"

    @property
    def accounts_file(self) -> Path:
        """Demo account passwords in clear text, 0600: printed by `academy up`."""
        return self.secrets_dir / "accounts.txt"

    @property
    def legacy_password_hashes_file(self) -> Path:
        """Where installations before NativeAuthenticator kept scrypt hashes; `academy init`
        moves them into the hub's account store and removes the file."""
        return self.secrets_dir / "password-hashes.json"

    @property
    def roster_file(self) -> Path:
        """Who is who: username, full name, employee id, agency, role, courses."""
        return self.secrets_dir / "roster.json"

    @property
    def databases_file(self) -> Path:
        """The database URLs (with their passwords, on PostgreSQL): the hub's account only."""
        return self.secrets_dir / "databases.json"

    @property
    def site_hub_config_file(self) -> Path:
        """The site's own JupyterHub settings (single sign-on), loaded after the academy's."""
        return self.secrets_dir / "jupyterhub_site_config.py"

    def secret_file(self, name: str) -> Path:
        return self.secrets_dir / name

    @property
    def hub_dir(self) -> Path:
        return self.root / "hub"

    @property
    def hub_db_file(self) -> Path:
        return self.hub_dir / "jupyterhub.sqlite"

    @property
    def settings_file(self) -> Path:
        """Install-wide settings chosen at init (mode, ports, install seed)."""
        return self.root / "academy.json"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def records_dir(self) -> Path:
        """HR records kept by the academy itself: the audit log, completion overrides."""
        return self.root / "records"

    @property
    def audit_log_file(self) -> Path:
        """Append-only, hash-chained JSON Lines (``grading.audit``), 0600."""
        return self.records_dir / "audit.jsonl"

    @property
    def completion_overrides_file(self) -> Path:
        """Append-only JSON Lines of trainers' completion overrides, 0600."""
        return self.records_dir / "completion-overrides.jsonl"

    def contest_results_file(self, contest_id: str) -> Path:
        """Append-only JSON Lines of one contest's starts and submits (``grading.contest``),
        0600."""
        return self.records_dir / "contests" / f"{contest_id}.jsonl"

    @property
    def contests_dir(self) -> Path:
        """The contests (``<id>/contest.toml`` and the bank notebooks, docs/contest.md):
        copied by `academy init`, read by the dashboards; the banks hold the key, so root
        only (0700), never the learners'."""
        return self.root / "contests"

    # --- service accounts (0700 each) -------------------------------------------------
    @property
    def eoffice_dir(self) -> Path:
        return self.root / "eoffice"

    @property
    def eoffice_db_file(self) -> Path:
        return self.eoffice_dir / "eoffice.sqlite"

    @property
    def dashboards_dir(self) -> Path:
        """The dashboards service's own folder (its session key, temporary files, matplotlib's
        cache): its account's only, 0700, in isolated mode."""
        return self.root / "dashboards"

    @property
    def pki_dir(self) -> Path:
        return self.root / "pki"

    @property
    def certificates_dir(self) -> Path:
        """Issued completion certificates: the registry (`registry.json`) and each signed
        PDF (`pdf/<id>.pdf`); personal data, root only (0700)."""
        return self.root / "certificates"

    @property
    def courses_dir(self) -> Path:
        return self.root / "courses"

    def course_dir(self, course_id: str) -> Path:
        """The nbgrader course directory (source, release, submitted, autograded, feedback)."""
        return self.courses_dir / course_id

    def gradebook_file(self, course_id: str) -> Path:
        return self.course_dir(course_id) / "gradebook.db"

    # --- shared, readable by every account --------------------------------------------
    @property
    def exchange_dir(self) -> Path:
        """nbgrader's filesystem exchange; nbgrader sets its own permissions inside."""
        return self.root / "exchange"

    @property
    def catalog_dir(self) -> Path:
        """Public course catalog (course.toml of each course): titles, modules, pass marks."""
        return self.root / "catalog"

    @property
    def homes_dir(self) -> Path:
        return self.root / "homes"

    def home_dir(self, username: str) -> Path:
        return self.homes_dir / username
