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
    result = isolated_platform.academy("hr", "export", "--format", "csv", "--out", str(missing_dir))
    assert result.returncode != 0
    assert str(missing_dir) in result.stderr and "Traceback" not in result.stderr
    assert not missing_dir.parent.exists()

    a_directory = tmp_path / "a-directory"
    a_directory.mkdir()
    result = isolated_platform.academy("hr", "export", "--out", str(a_directory))
    assert result.returncode != 0 and str(a_directory) in result.stderr
    assert os.listdir(a_directory) == [] and os.listdir(tmp_path) == ["a-directory"]


def test_hr_export_unknown_format_lists_supported(isolated_platform, tmp_path):
    result = isolated_platform.academy("hr", "export", "--format", "pdf", "--out",
                                       str(tmp_path / "x.pdf"))
    assert result.returncode == 2 and "csv" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
