"""Bad input to the `academy` CLI: a clear message, a non-zero exit, nothing half-written."""

from __future__ import annotations

import os


def _tree(path):
    return sorted(
        (str(p.relative_to(path)), p.stat().st_size) for p in path.rglob("*") if p.is_file()
    )


def test_unknown_assignment_is_refused_and_changes_nothing(isolated_platform):
    course = isolated_platform.layout.course_dir("digital-signatures")
    before = _tree(course)
    result = isolated_platform.academy("grade", "autograde", "ds99-no-such-module")
    assert result.returncode != 0
    assert "unknown module 'ds99-no-such-module'" in result.stderr
    assert "ds01-what-a-signature-proves" in result.stderr  # it names the known ones
    assert "Traceback" not in result.stderr
    assert _tree(course) == before


def test_hr_export_to_unwritable_path_fails_cleanly(isolated_platform, tmp_path):
    missing_dir = tmp_path / "no" / "such" / "folder" / "records.csv"
    result = isolated_platform.academy("hr", "export", "--format", "csv", "--out", str(missing_dir),
                                       "--by", "hr1")
    assert result.returncode != 0
    assert str(missing_dir) in result.stderr and "Traceback" not in result.stderr
    assert not missing_dir.parent.exists()

    a_directory = tmp_path / "a-directory"
    a_directory.mkdir()
    result = isolated_platform.academy("hr", "export", "--out", str(a_directory), "--by", "hr1")
    assert result.returncode != 0 and str(a_directory) in result.stderr
    assert os.listdir(a_directory) == [] and os.listdir(tmp_path) == ["a-directory"]


def test_hr_export_unknown_format_lists_supported(isolated_platform, tmp_path):
    result = isolated_platform.academy("hr", "export", "--format", "pdf", "--out",
                                       str(tmp_path / "x.pdf"), "--by", "hr1")
    assert result.returncode == 2 and "csv" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_init_under_a_folder_other_accounts_cannot_enter_is_refused_first(tmp_path):
    """Isolated mode: a data dir under a 0700 folder (a `mktemp -d`) would lock out the
    grader, e-office and learners' accounts. init names the folder and changes nothing."""
    import pytest

    from tests.e2e.platform_process import run_academy

    if os.geteuid() != 0:
        pytest.fail("isolated mode is tested as root (CI runs as root)")
    blocking = tmp_path / "private"
    blocking.mkdir(mode=0o700)
    blocking.chmod(0o700)
    data_dir = blocking / "academy"
    result = run_academy(data_dir, "init")
    assert result.returncode != 0
    assert f"{blocking} (mode 0700) cannot be entered by other accounts" in result.stderr
    assert "grader-digital-signatures" in result.stderr and "academy-eoffice" in result.stderr
    assert f"chmod o+x {blocking}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not data_dir.exists()
