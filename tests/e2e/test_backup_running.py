"""`academy backup` of the running platform, restored into a new data directory."""

from __future__ import annotations

import json
import shutil

from academy.backup import _sha256
from tests.academy.test_backup import check_restored
from tests.e2e.platform_process import new_data_dir, run_academy


def test_round_trip_of_a_running_platform_on_sqlite(isolated_platform, tmp_path):
    source = isolated_platform.data_dir
    backup_dir = tmp_path / "backup"
    done = run_academy(source, "backup", str(backup_dir))
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.glob(".backup.partial-*"))
    # restoring over the running installation is refused, and changes nothing
    refused = run_academy(source, "restore", str(backup_dir), "--replace")
    assert refused.returncode == 1 and "running" in refused.stderr

    target = new_data_dir()
    try:
        restored = run_academy(target, "restore", str(backup_dir), "--replace")
        assert restored.returncode == 0, restored.stderr
        manifest = check_restored(target, backup_dir)
        keys = [rel for rel in manifest["files"] if rel.startswith("pki/")
                and manifest["files"][rel]["type"] == "file"]
        assert keys, "the PKI is in the backup"
        for rel in keys:  # the same bytes and the same modes as in the running installation
            original, copy = source / rel, target / rel
            assert _sha256(copy) == _sha256(original)
            assert copy.stat().st_mode == original.stat().st_mode
        assert any(rel.startswith("exchange/") for rel in manifest["files"])
        assert any(rel.startswith("courses/digital-signatures/source/")
                   for rel in manifest["files"])
        # the restored roster works: listing it needs the hub's account store
        listed = run_academy(target, "roster", "list", "--json", check=True).stdout
        assert {p["username"] for p in json.loads(listed)} >= {"learner1", "admin1"}
    finally:
        shutil.rmtree(target, ignore_errors=True)
        for kept in target.parent.glob(f"{target.name}.before-restore-*"):
            shutil.rmtree(kept, ignore_errors=True)
