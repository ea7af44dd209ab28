"""`academy backup` and `academy restore`: round trips on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table, text

from academy.backup import _sha256
from installation.layout import DataLayout
from installation.settings import InstallSettings
from tests.conftest import throwaway_postgres_database
from tests.e2e.platform_process import new_data_dir, run_academy


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(select(func.count()).select_from(table(t))).scalar_one()
                    for t in inspect(conn).get_table_names()}
    finally:
        engine.dispose()


def store_urls(data_dir: Path) -> dict[str, str]:
    layout = DataLayout.at(data_dir)
    settings = InstallSettings.load(layout)
    urls = {"hub": settings.hub_url(layout), "eoffice": settings.eoffice_url(layout)}
    urls |= {f"gradebook-{c}": settings.gradebook_url(layout, c) for c in settings.course_ids}
    return urls


def check_restored(data_dir: Path, backup_dir: Path) -> dict:
    """The restored installation holds what the manifest says: row counts, checksums, modes
    and owners (the PKI keys' among them)."""
    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    for name, url in store_urls(data_dir).items():
        assert row_counts(url) == manifest["databases"][name]["tables"], name
    assert sum(manifest["databases"]["hub"]["tables"].values()) > 0
    for rel, entry in manifest["files"].items():
        path = data_dir / rel
        st = path.lstat()
        assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == \
            (entry["mode"], entry["uid"], entry["gid"]), rel
        if entry["type"] == "file":
            assert _sha256(path) == entry["sha256"], rel
    return manifest


def test_round_trip_on_postgresql_restores_what_was_lost(tmp_path):
    with contextlib.ExitStack() as stack:
        hub, gradebook, eoffice = (
            stack.enter_context(throwaway_postgres_database()) for _ in range(3))
        data_dir = new_data_dir()
        stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        run_academy(data_dir, "init", "--hub-db-url", hub, "--gradebook-db-url", gradebook,
                    "--eoffice-db-url", eoffice, check=True)
        before = {name: row_counts(url) for name, url in store_urls(data_dir).items()}
        backup_dir = tmp_path / "backup"
        run_academy(data_dir, "backup", str(backup_dir), check=True)
        assert {(backup_dir / f"{n}.pgdump").exists() for n in before} == {True}
        assert os.stat(backup_dir / "hub.pgdump").st_mode & 0o777 == 0o600

        # disaster: the accounts and the e-office's data are gone, a key is deleted
        engine = create_engine(hub)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM academy_accounts"))
            conn.execute(text("DELETE FROM users_info"))
        engine.dispose()
        pki_key = next(p for p in DataLayout.at(data_dir).pki_dir.rglob("*") if p.is_file())
        pki_key.unlink()
        assert row_counts(hub) != before["hub"]

        restored = run_academy(data_dir, "restore", str(backup_dir))
        assert restored.returncode == 1 and "--replace" in restored.stderr
        run_academy(data_dir, "restore", str(backup_dir), "--replace", check=True)
        assert {name: row_counts(url) for name, url in store_urls(data_dir).items()} == before
        check_restored(data_dir, backup_dir)
        assert pki_key.exists()
        for kept in data_dir.parent.glob(f"{data_dir.name}.before-restore-*"):
            shutil.rmtree(kept, ignore_errors=True)


def test_a_damaged_backup_is_refused_and_nothing_changes(tmp_path):
    data_dir = new_data_dir()
    try:
        run_academy(data_dir, "init", check=True)
        backup_dir = tmp_path / "backup"
        run_academy(data_dir, "backup", str(backup_dir), check=True)
        again = run_academy(data_dir, "backup", str(backup_dir))
        assert again.returncode == 1 and "not an empty folder" in again.stderr
        manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
        first_file = next(r for r, e in manifest["files"].items() if e["type"] == "file")
        manifest["files"][first_file]["sha256"] = "0" * 64
        (backup_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        before = sorted(p.name for p in data_dir.iterdir())
        refused = run_academy(data_dir, "restore", str(backup_dir), "--replace")
        assert refused.returncode == 1
        assert f"{first_file} does not match its checksum" in refused.stderr
        assert sorted(p.name for p in data_dir.iterdir()) == before
        assert not list(data_dir.parent.glob(f".{data_dir.name}.restoring-*"))
        assert not list(data_dir.parent.glob(f"{data_dir.name}.before-restore-*"))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
