"""`academy init --postgres-admin-url URL`: the installation's PostgreSQL databases, each
with its own role.

Each store gets a database and a role that owns it and nothing else:

| store | role | database |
|---|---|---|
| hub (with the accounts) | `<prefix>_hub` | `<prefix>_hub` |
| sandbox e-office | `<prefix>_eoffice` | `<prefix>_eoffice` |
| gradebooks | `<prefix>_grader` | `<prefix>_gradebook_<course>` (one per course) |
| gradebooks, read only (dashboards) | `<prefix>_reader` | none (`SELECT` on the above) |

``CONNECT`` on every database is revoked from ``PUBLIC``, so a role reaches only its own
databases: the e-office's role cannot open a gradebook. The reader connects to the
gradebooks and may only read their tables (those nbgrader makes later too: default
privileges of the grader's role). Passwords are random per
installation and the server stores them as SCRAM-SHA-256 verifiers (PostgreSQL's default
``password_encryption``). The resulting URLs go to ``secrets/databases.json`` (0600); the
administrator's URL is used once and stored nowhere.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class StoreUrls:
    hub: str
    gradebook: str  # contains {course_id}
    eoffice: str
    gradebook_reader: str = ""  # contains {course_id}; "" for stores made before it


class StoreSetupError(RuntimeError):
    """The databases could not be made; the message says which and why."""


def ensure_stores(admin_url: str, prefix: str, course_ids: list[str],
                  existing: StoreUrls | None = None) -> StoreUrls:
    """Create (idempotently) the roles and databases; return the stores' URLs. With
    ``existing`` URLs the roles keep their passwords (a course added later gets its
    gradebook database)."""
    import psycopg
    from psycopg import sql

    if not NAME.match(prefix):
        raise StoreSetupError(f"--postgres-prefix {prefix!r}: lower-case letters, digits, _")
    try:
        admin = make_url(admin_url)
    except Exception as exc:  # noqa: BLE001 (SQLAlchemy raises several kinds)
        raise StoreSetupError(f"--postgres-admin-url: not a database URL: {exc}") from exc
    if admin.get_backend_name() != "postgresql":
        raise StoreSetupError("--postgres-admin-url must be a postgresql:// URL")
    passwords = _passwords(existing) if existing else {}
    roles = {kind: f"{prefix}_{kind}" for kind in ("hub", "eoffice", "grader", "reader")}
    databases = {f"{prefix}_hub": roles["hub"], f"{prefix}_eoffice": roles["eoffice"]}
    gradebooks = [f"{prefix}_gradebook_{course_id.replace('-', '_')}"
                  for course_id in course_ids]
    for database in gradebooks:
        databases[database] = roles["grader"]
    for kind in roles:
        passwords.setdefault(kind, secrets.token_urlsafe(24))
    try:
        with psycopg.connect(_libpq(admin), autocommit=True) as conn:
            for kind, role in roles.items():
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                      (role,)).fetchone()
                verb = "ALTER" if exists else "CREATE"
                conn.execute(sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                                     "PASSWORD {}").format(sql.Identifier(role),
                                                           sql.Literal(passwords[kind])))
            for database, owner in databases.items():
                if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    (database,)).fetchone():
                    conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(database), sql.Identifier(owner)))
                conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(
                    sql.Identifier(database)))
                conn.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                    sql.Identifier(database), sql.Identifier(owner)))
        for database in gradebooks:
            _grant_reading(admin, database, roles["grader"], roles["reader"])
    except psycopg.Error as exc:
        where = admin.render_as_string(hide_password=True)
        raise StoreSetupError(f"PostgreSQL at {where}: {exc}".strip()) from exc

    def url(kind: str, database: str) -> str:
        return URL.create("postgresql+psycopg", username=roles[kind], password=passwords[kind],
                          host=admin.host or "127.0.0.1", port=admin.port or 5432,
                          database=database).render_as_string(hide_password=False)

    return StoreUrls(
        hub=url("hub", f"{prefix}_hub"),
        # the template's placeholder, written as is (a URL would escape the braces)
        gradebook=url("grader", f"{prefix}_gradebook_COURSE").replace("COURSE", "{course_id}"),
        eoffice=url("eoffice", f"{prefix}_eoffice"),
        gradebook_reader=url("reader", f"{prefix}_gradebook_COURSE").replace(
            "COURSE", "{course_id}"),
    )


def _grant_reading(admin: URL, database: str, owner: str, reader: str) -> None:
    """``reader`` may connect to ``database`` and read, never write, every table of its
    public schema, the ones ``owner`` (nbgrader, as the grader's role) makes later too."""
    import psycopg
    from psycopg import sql

    reader_id, owner_id = sql.Identifier(reader), sql.Identifier(owner)
    with psycopg.connect(_libpq(admin.set(database=database)), autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(database), reader_id))
        # (PostgreSQL before 15 let every role create tables in public: the owner only)
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        conn.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(owner_id))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(reader_id))
        conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(
            reader_id))
        conn.execute(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT "
                             "SELECT ON TABLES TO {}").format(owner_id, reader_id))


def _passwords(existing: StoreUrls) -> dict[str, str]:
    found = {}
    for kind, value in (("hub", existing.hub), ("eoffice", existing.eoffice),
                        ("grader", existing.gradebook.replace("{course_id}", "x")),
                        ("reader", existing.gradebook_reader.replace("{course_id}", "x"))):
        password = make_url(value).password if value else None
        if password:
            found[kind] = str(password)
    return found


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
