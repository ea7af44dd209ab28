"""`academy certificate …`: issue from the gradebook (once), list, revoke (admin or HR only),
and verify with its exit-code contract (0 valid, 1 not valid, 2 unusable input)."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from nbgrader.api import Gradebook

from academy.cli import main
from academy.cli.certificate import issue_after_grading
from grading.certificates import load_registry, new_certificate_id
from installation.layout import DataLayout
from installation.settings import InstallSettings, Mode
from people.roster import Person, save_roster

DS = "digital-signatures"
MODULE = "ds01-what-a-signature-proves"
COURSE_TOML = f"""id = "{DS}"
title = "Digital signatures in public service"
title_vi = "Chữ ký số trong hoạt động công vụ"
pass_percent = 70

[[modules]]
id = "{MODULE}"
title = "What a digital signature proves"
competencies = {{ "sign.use" = 2, "edoc.handling" = 1 }}
"""
ROSTER = [
    Person("an", "Nguyễn Văn An", "learner", "CB-0001", "Sở Tài chính tỉnh Phú Thọ",
           courses=(DS,)),
    Person("binh", "Trần Thị Bình", "learner", "CB-0002", "UBND huyện Lập Thạch",
           courses=(DS,)),
    Person("giang", "Đỗ Thị Giang", "trainer", "CB-0100", courses=(DS,)),
    Person("hoa", "Vũ Thị Hoa", "hr", "CB-0200", "Sở Nội vụ tỉnh Quảng Bình"),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An installation whose gradebook has An passing (9/10) and Bình failing (3/10)."""
    layout = DataLayout.at(tmp_path_factory.mktemp("cert") / "academy")
    layout.root.mkdir()
    settings = InstallSettings(mode=Mode.SHARED, install_seed=5, course_ids=[DS])
    settings.save(layout)
    layout.catalog_dir.mkdir()
    (layout.catalog_dir / f"{DS}.toml").write_text(COURSE_TOML, encoding="utf-8")
    save_roster(layout.roster_file, ROSTER)
    layout.course_dir(DS).mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:  # nbgrader runs `alembic` by name
        mp.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        with Gradebook(settings.gradebook_url(layout, DS), DS) as gb:
            gb.add_assignment(MODULE)
            gb.add_notebook("nb", MODULE)
            gb.add_grade_cell("q1", "nb", MODULE, max_score=10, cell_type="code")
            for student, score in (("an", 9), ("binh", 3)):
                gb.update_or_create_student(student)
                with gb.db.no_autoflush:
                    gb.add_submission(MODULE, student, timestamp=datetime(2026, 11, 20, 3))
                grade = gb.find_grade("q1", "nb", MODULE, student)
                grade.auto_score, grade.needs_manual_grade = score, False
                gb.db.commit()
    yield layout.root


def _run(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "certificate", *args])


@pytest.fixture(scope="module")
def issued(data_dir: Path) -> tuple[str, Path]:
    """`academy certificate issue`: An's certificate id and PDF."""
    result = _run(data_dir, "issue", "--verify-url", "https://hocvien.example.gov.vn/verify")
    assert result.exit_code == 0, result.output
    assert ("1 certificate(s) issued; 0 completed course(s) had one already; 0 withdrawn."
            in result.output)
    [entry] = load_registry(DataLayout.at(data_dir).certificates_dir)
    assert (entry.username, entry.course_id) == ("an", DS)
    assert entry.verification_url == f"https://hocvien.example.gov.vn/verify/{entry.certificate_id}"
    assert entry.competencies == (("sign.use", 2), ("edoc.handling", 1))
    path = DataLayout.at(data_dir).certificates_dir / entry.pdf_file
    assert entry.certificate_id in result.output and str(path) in result.output
    return entry.certificate_id, path


def test_issuing_twice_issues_nothing_new(data_dir: Path, issued) -> None:  # type: ignore[no-untyped-def]
    result = _run(data_dir, "issue")
    assert result.exit_code == 0, result.output
    assert ("0 certificate(s) issued; 1 completed course(s) had one already; 0 withdrawn."
            in result.output)
    assert len(load_registry(DataLayout.at(data_dir).certificates_dir)) == 1


def test_issue_refuses_an_unknown_course_or_user(data_dir: Path) -> None:
    result = _run(data_dir, "issue", "--course", "nothing")
    assert result.exit_code == 2 and "--course nothing: no such course" in result.output
    result = _run(data_dir, "issue", "--user", "nobody")
    assert result.exit_code == 2 and "--user nobody: not in the roster" in result.output


def test_list_shows_the_certificate(data_dir: Path, issued) -> None:  # type: ignore[no-untyped-def]
    certificate_id, _ = issued
    result = _run(data_dir, "list")
    assert result.exit_code == 0 and certificate_id in result.output
    assert "Nguyễn Văn An" in result.output
    entries = json.loads(_run(data_dir, "list", "--json").stdout)
    [entry] = [e for e in entries if e["certificate_id"] == certificate_id]
    assert entry["username"] == "an" and entry["full_name"] == "Nguyễn Văn An"
    assert "no certificate matches" in _run(data_dir, "list", "--user", "binh").output


def test_verify_a_valid_file_in_both_languages_and_json(data_dir: Path, issued) -> None:  # type: ignore[no-untyped-def]
    certificate_id, path = issued
    result = _run(data_dir, "verify", str(path))
    assert result.exit_code == 0, result.output
    assert f"Giấy chứng nhận {certificate_id} hợp lệ" in result.output
    assert f"Certificate {certificate_id} is valid" in result.output
    english = _run(data_dir, "verify", str(path), "--lang", "en")
    assert "hợp lệ" not in english.output and "is valid" in english.output
    data = json.loads(_run(data_dir, "verify", str(path), "--json").stdout)
    assert data["status"] == "valid" and data["valid"] is True and data["file"] == str(path)
    assert data["signature"]["indication"] == "TOTAL_PASSED"
    assert _run(data_dir, "verify", "--id", certificate_id.lower()).exit_code == 0


def test_verify_exit_codes_for_what_is_not_valid(data_dir: Path, issued,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    _, path = issued
    data = bytearray(path.read_bytes())
    data[data.index(b"stream") + 40] ^= 0x01
    (tmp_path / "altered.pdf").write_bytes(bytes(data))
    result = _run(data_dir, "verify", str(tmp_path / "altered.pdf"), "--lang", "en")
    assert result.exit_code == 1 and "was changed after the academy signed it" in result.output
    unknown = new_certificate_id()
    result = _run(data_dir, "verify", "--id", unknown, "--lang", "en")
    assert result.exit_code == 1 and f"No certificate {unknown}" in result.output


def test_verify_exit_2_for_unusable_input(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "note.pdf").write_bytes(b"just text")
    result = _run(data_dir, "verify", str(tmp_path / "note.pdf"), "--lang", "en")
    assert result.exit_code == 2 and "not a PDF" in result.output
    result = _run(data_dir, "verify", "--id", "7K3M-Q9TZ", "--lang", "vi")
    assert result.exit_code == 2 and "không phải là mã giấy chứng nhận" in result.output
    assert _run(data_dir, "verify", str(tmp_path / "missing.pdf")).exit_code == 2
    assert _run(data_dir, "verify").exit_code == 2  # neither a file nor --id
    both = _run(data_dir, "verify", str(tmp_path / "note.pdf"), "--id", "x")
    assert both.exit_code == 2 and "one of them" in both.output


def test_revoke_needs_admin_or_hr_then_verification_says_so(data_dir: Path, issued) -> None:  # type: ignore[no-untyped-def]
    certificate_id, path = issued
    refused = _run(data_dir, "revoke", certificate_id, "--reason", "x", "--by", "giang")
    assert refused.exit_code == 1 and "may not revoke certificates" in refused.output
    refused = _run(data_dir, "revoke", certificate_id, "--reason", "x", "--by", "an")
    assert refused.exit_code == 1 and "only an active admin or HR officer" in refused.output
    assert _run(data_dir, "verify", str(path)).exit_code == 0  # nothing changed
    unknown = _run(data_dir, "revoke", certificate_id, "--reason", "x", "--by", "nobody")
    assert unknown.exit_code == 2 and "--by nobody: not in the roster" in unknown.output
    done = _run(data_dir, "revoke", certificate_id, "--reason", "Cấp nhầm khóa học",
                "--by", "hoa")
    assert done.exit_code == 0, done.output
    result = _run(data_dir, "verify", str(path), "--lang", "en")
    assert result.exit_code == 1
    assert f"Certificate {certificate_id} was revoked on " in result.output
    assert ": Cấp nhầm khóa học" in result.output
    by_id = _run(data_dir, "verify", "--id", certificate_id, "--json")
    assert by_id.exit_code == 1 and json.loads(by_id.stdout)["status"] == "revoked"
    again = _run(data_dir, "issue")  # a revoked certificate is not silently re-issued
    assert "0 certificate(s) issued" in again.output
    renewed = _run(data_dir, "issue", "--reissue-revoked")
    assert "1 certificate(s) issued" in renewed.output, renewed.output
    entries = load_registry(DataLayout.at(data_dir).certificates_dir)
    assert [e.revoked for e in entries] == [True, False]
    new_path = DataLayout.at(data_dir).certificates_dir / entries[1].pdf_file
    assert _run(data_dir, "verify", str(new_path)).exit_code == 0
    assert _run(data_dir, "verify", str(path)).exit_code == 1  # the old one stays revoked
    listed = json.loads(_run(data_dir, "list", "--json").stdout)
    assert [e["revoked"] for e in listed] == [True, False]


def test_after_grading_a_failure_is_logged_not_raised(tmp_path: Path) -> None:
    lines: list[str] = []
    issue_after_grading(DataLayout.at(tmp_path / "no-installation"), DS, lines.append)
    assert len(lines) == 1 and lines[0].startswith("completion certificates not issued: ")


def test_the_grading_service_issues_after_each_run(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """`academy grade watch`'s watcher: after a tick, once per course it graded."""
    import importlib
    from types import SimpleNamespace

    from grading.on_submit import SubmissionWatcher

    # (the name academy.cli.certificate is the click group; the module is in sys.modules)
    certificate_cli = importlib.import_module("academy.cli.certificate")

    runs = [SimpleNamespace(course_id=DS), SimpleNamespace(course_id="security-basics"),
            SimpleNamespace(course_id=DS)]
    monkeypatch.setattr(SubmissionWatcher, "tick", lambda self: runs)
    calls: list[tuple[Path, str]] = []
    monkeypatch.setattr(certificate_cli, "issue_after_grading",
                        lambda layout, course_id, log: calls.append((layout.root, course_id)))
    layout = DataLayout.at(tmp_path)
    watcher = certificate_cli.certifying_watcher(layout, lambda: [], workers=1)
    assert isinstance(watcher, SubmissionWatcher) and watcher.workers == 1
    assert watcher.tick() == runs
    assert calls == [(tmp_path, DS), (tmp_path, "security-basics")]


def test_a_trainer_s_completion_override_earns_the_certificate(data_dir: Path) -> None:
    """Bình scored 3/10; the trainer's override "completed" counts, as in the HR records."""
    from grading.completion_overrides import append_override, new_override

    layout = DataLayout.at(data_dir)
    assert "0 certificate(s) issued" in _run(data_dir, "issue", "--user", "binh").output
    append_override(layout.completion_overrides_file,
                    new_override("binh", DS, True, "Hoàn thành ở lớp trực tiếp", "giang"))
    result = _run(data_dir, "issue", "--user", "binh")
    assert "1 certificate(s) issued" in result.output, result.output
    [entry] = [e for e in load_registry(layout.certificates_dir) if e.username == "binh"]
    assert entry.full_name == "Trần Thị Bình"


def test_init_makes_the_registry_folder_for_root_only(tmp_path: Path) -> None:
    """`academy init`'s folders step (run in-process: the checkout's provision code)."""
    from academy.provision import Installation

    layout = DataLayout.at(tmp_path / "academy")
    layout.root.mkdir()
    for isolated in (False, True):
        Installation(layout, log=lambda _line: None)._directories(isolated)
        info = layout.certificates_dir.stat()
        assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == os.geteuid()
