"""`academy backup DIR` and `academy restore DIR`: one installation, taken while it runs.

A backup folder holds:

- one copy per database: the hub's (with the accounts), each course's gradebook and the
  e-office's. SQLite files are copied with SQLite's online backup API; PostgreSQL
  databases with ``pg_dump`` inside a REPEATABLE READ snapshot, in which the row counts of
  the manifest are taken too, so counts and dump agree even while people work;
- ``files.tar``: everything else in the data directory (secrets and roster, PKI keys,
  course files, the nbgrader exchange, learners' homes), with modes and owners;
- ``manifest.json``: the format, each database's tables with their row counts, and each
  file's SHA-256, mode and owner. A restore checks the copy against it.

A backup is written to a temporary sibling folder and renamed at the end: DIR is either
complete or absent. A restore builds the new data directory beside the old one, checks
it, restores PostgreSQL databases in single transactions, and only then swaps the folders
(the old one is kept, renamed, never deleted).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from installation.layout import DataLayout
from installation.settings import InstallSettings, runtime_file

FORMAT = 1
MANIFEST = "manifest.json"
FILES_ARCHIVE = "files.tar"
Log = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says what and where."""


@dataclass(frozen=True)
class Store:
    """One database of the installation."""

    name: str
    url: str

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return Path(make_url(self.url).database or "")

    @property
    def dump_name(self) -> str:
        return f"{self.name}.sqlite" if self.is_sqlite else f"{self.name}.pgdump"


def stores(layout: DataLayout, settings: InstallSettings) -> list[Store]:
    found = [Store("hub", settings.hub_url(layout)), Store("eoffice", settings.eoffice_url(layout))]
    found += [Store(f"gradebook-{cid}", settings.gradebook_url(layout, cid))
              for cid in settings.course_ids]
    return found


# --- backup -----------------------------------------------------------------------------------
def backup(layout: DataLayout, target: Path, log: Log = print) -> dict:
    """Write a complete backup of the installation at ``layout`` to ``target``."""
    settings = InstallSettings.load(layout)
    target = target.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target}: exists and is not an empty folder; choose a new one")
    if target == layout.root or layout.root in target.parents:
        raise BackupError(f"{target}: inside the data directory {layout.root}")
    if not target.parent.is_dir():
        raise BackupError(f"{target}: folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial-{secrets.token_hex(4)}")
    partial.mkdir(mode=0o700)
    try:
        databases = {}
        for store in stores(layout, settings):
            databases[store.name] = _backup_store(store, partial / store.dump_name)
            log(f"database {store.name}: {sum(databases[store.name]['tables'].values())} rows")
        skip = {s.sqlite_path for s in stores(layout, settings) if s.is_sqlite}
        files = _archive_files(layout, partial / FILES_ARCHIVE, skip)
        log(f"files: {len(files)} ({sum(1 for f in files.values() if f['type'] == 'file')} "
            "regular)")
        manifest = {
            "format": FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "data_dir": str(layout.root),
            "root_mode": layout.root.stat().st_mode & 0o7777,
            "databases": databases,
            "files": files,
        }
        _write(partial / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        if target.exists():  # an empty folder
            target.rmdir()
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _backup_store(store: Store, dest: Path) -> dict:
    if store.is_sqlite:
        if not store.sqlite_path.exists():
            raise BackupError(f"database {store.name}: {store.sqlite_path} does not exist")
        with closing(sqlite3.connect(store.sqlite_path)) as live, \
                closing(sqlite3.connect(dest)) as copy:
            live.backup(copy)
        os.chmod(dest, 0o600)
        st = store.sqlite_path.stat()
        return {"kind": "sqlite", "file": dest.name, "tables": _counts(f"sqlite:///{dest}"),
                "mode": st.st_mode & 0o7777, "uid": st.st_uid, "gid": st.st_gid}
    engine = create_engine(store.url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            conn.begin()
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = _counts_on(conn)
            _run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                  f"--file={dest}", _libpq(store.url)], f"pg_dump of {store.name}",
                 store.url)
            conn.rollback()
    finally:
        engine.dispose()
    os.chmod(dest, 0o600)
    return {"kind": "postgresql", "file": dest.name, "tables": tables}


def _archive_files(layout: DataLayout, archive: Path, skip: set[Path]) -> dict[str, dict]:
    """Tar the data directory (without the SQLite files, copied apart, the logs and the
    runtime file); return each entry's type, mode, owner and checksum."""
    excluded = {layout.logs_dir, runtime_file(layout)}
    skipped = {p for path in skip for p in (path, *_sqlite_companions(path))}
    entries: dict[str, dict] = {}
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in _walk(layout.root, excluded | skipped):
            rel = path.relative_to(layout.root).as_posix()
            st = path.lstat()
            entry = {"mode": st.st_mode & 0o7777, "uid": st.st_uid, "gid": st.st_gid}
            if path.is_symlink():
                entry |= {"type": "symlink", "target": os.readlink(path)}
            elif path.is_dir():
                entry |= {"type": "dir"}
            elif path.is_file():
                entry |= {"type": "file", "sha256": _sha256(path), "size": st.st_size}
            else:
                continue  # sockets, fifos: nothing to keep
            tar.add(path, arcname=rel, recursive=False)
            entries[rel] = entry
    os.chmod(archive, 0o600)
    return entries


def _walk(root: Path, excluded: set[Path]) -> Iterator[Path]:
    for current, dirs, files in os.walk(root):
        base = Path(current)
        dirs[:] = sorted(d for d in dirs if base / d not in excluded)
        for name in [*dirs, *sorted(files)]:
            if base / name not in excluded:
                yield base / name


# --- restore ----------------------------------------------------------------------------------
def restore(layout: DataLayout, source: Path, log: Log = print, replace: bool = False) -> dict:
    """Restore the backup in ``source`` to the data directory ``layout.root``."""
    from academy.supervisor import running_ports

    source = source.resolve()
    manifest = read_manifest(source)
    root = layout.root
    if root.exists() and any(root.iterdir()):
        if (root / "academy.json").exists() and running_ports(layout) is not None:
            raise BackupError("the academy is running from this data directory: stop it first")
        if not replace:
            raise BackupError(f"{root} is not empty; add --replace to restore over it (the "
                              "current contents are kept beside it, renamed)")
    staging = root.with_name(f".{root.name}.restoring-{secrets.token_hex(4)}")
    staging.mkdir(mode=0o700, parents=True)
    try:
        _extract(source / FILES_ARCHIVE, staging, manifest["files"])
        settings = InstallSettings.load(DataLayout(staging))
        restored = DataLayout(root)
        for store in stores(restored, settings):
            saved = manifest["databases"].get(store.name)
            if saved is None:
                raise BackupError(f"{source}: no copy of database {store.name}")
            _restore_store(store, saved, source, staging, root)
            log(f"database {store.name}: {sum(saved['tables'].values())} rows restored")
        os.chmod(staging, manifest["root_mode"])
        kept = None
        if root.exists() and not any(root.iterdir()):
            root.rmdir()
        if root.exists():
            kept = root.with_name(f"{root.name}.before-restore-"
                                  f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}")
            os.replace(root, kept)
        os.replace(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(f"restored {len(manifest['files'])} files to {root}"
        + (f"; the previous contents are in {kept}" if kept else ""))
    return manifest


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{source}: no {MANIFEST}; not an academy backup") from exc
    except json.JSONDecodeError as exc:
        raise BackupError(f"{source / MANIFEST}: line {exc.lineno}: {exc.msg}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: backup format {manifest.get('format')!r}, expected "
                          f"{FORMAT}")
    return manifest


def _extract(archive: Path, staging: Path, files: dict[str, dict]) -> None:
    """Extract after checking every member: a known relative path inside the folder, a
    regular file, folder or symlink; then check each file's checksum."""
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for member in members:
            path = Path(member.name)
            if (path.is_absolute() or ".." in path.parts or member.name not in files
                    or not (member.isfile() or member.isdir() or member.issym())):
                raise BackupError(f"{archive}: unexpected entry {member.name!r}; not restoring")
        tar.extractall(staging, members=members, numeric_owner=True)  # noqa: S202 (checked)
    for rel, entry in files.items():
        if entry["type"] == "file" and _sha256(staging / rel) != entry["sha256"]:
            raise BackupError(f"{archive}: {rel} does not match its checksum; not restoring")


def _restore_store(store: Store, saved: dict, source: Path, staging: Path, root: Path) -> None:
    dump = source / saved["file"]
    if store.is_sqlite:
        if saved["kind"] != "sqlite":
            raise BackupError(f"database {store.name}: the backup is {saved['kind']}, the "
                              "installation's settings say SQLite")
        # the database goes where the restored settings put it, inside the new folder
        dest = staging / store.sqlite_path.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dump, dest)
        counts = _counts(f"sqlite:///{dest}")
        os.chown(dest, saved["uid"], saved["gid"])
        os.chmod(dest, saved["mode"])
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq(store.url)}", str(dump)], f"pg_restore of {store.name}",
             store.url)
        counts = _counts(store.url)
    if counts != saved["tables"]:
        diff = {t: (saved["tables"].get(t), counts.get(t))
                for t in set(counts) | set(saved["tables"])
                if counts.get(t) != saved["tables"].get(t)}
        raise BackupError(f"database {store.name}: row counts differ after restore: {diff}")


# --- helpers ----------------------------------------------------------------------------------
def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return _counts_on(conn)
    finally:
        engine.dispose()


def _counts_on(conn) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in sorted(inspect(conn).get_table_names())}


def _libpq(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://…) as libpq's tools want it, without its
    password: a command line is readable by every account (``ps``)."""
    return make_url(url).set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)


def _run(command: list[str], what: str, url: str) -> None:
    """Run a libpq tool; the password goes through its environment (PGPASSWORD)."""
    env = dict(os.environ)
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    except FileNotFoundError as exc:
        raise BackupError(f"{what}: {command[0]} is not installed (Debian package "
                          "postgresql-client)") from exc
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def _sqlite_companions(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write(path: Path, content: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(content + "\n")
        f.flush()
        os.fsync(f.fileno())
