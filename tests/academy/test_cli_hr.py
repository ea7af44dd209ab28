"""`academy hr export`, `academy hr override` and `academy audit`, on a small installation
made by hand (settings, roster, catalog, one real nbgrader gradebook): who may do what,
filters, bad input, and the audit trail of it all."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from nbgrader.api import Gradebook

from academy.cli import main
from grading.audit import verify_chain
from installation.layout import DataLayout
from installation.settings import InstallSettings, Mode
from people.roster import Person, save_roster
from tests.dashboards.site_for_dashboards import ds01_only_course_toml

REPO = Path(__file__).resolve().parents[2]
DS = "digital-signatures"
MODULE = "ds01-what-a-signature-proves"
ROSTER = [
    Person("an", "Nguyễn Văn An", "learner", "CB-1", "Sở Tài chính tỉnh Phú Thọ", courses=(DS,)),
    Person("binh", "=Trần Thị Bình", "learner", "CB-2", "Sở Nội vụ tỉnh Quảng Bình",
           courses=(DS,)),
    Person("giang", "Đỗ Thị Giang", "trainer", "CB-10", "Sở TT&TT", courses=(DS,)),
    Person("khoa", "Lê Văn Khoa", "trainer", "CB-11", "Sở TT&TT", courses=("other",)),
    Person("hoa", "Vũ Thị Hoa", "hr", "CB-20", "Sở Nội vụ tỉnh Quảng Bình"),
    Person("minh", "Phạm Minh", "admin", "CB-30", "Sở TT&TT"),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("academy")
    layout = DataLayout.at(root)
    InstallSettings(Mode.SHARED, 1, [DS]).save(layout)
    save_roster(layout.roster_file, ROSTER)
    layout.catalog_dir.mkdir()
    (layout.catalog_dir / f"{DS}.toml").write_text(ds01_only_course_toml(), encoding="utf-8")
    layout.course_dir(DS).mkdir(parents=True)
    old_path = os.environ["PATH"]
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{old_path}"  # alembic
    try:
        with Gradebook(f"sqlite:///{layout.gradebook_file(DS)}", DS) as gb:
            gb.add_assignment(MODULE)
            gb.add_notebook("nb", MODULE)
            gb.add_grade_cell("q1", "nb", MODULE, max_score=10, cell_type="code")
            for student, score, day in (("an", 9, 2), ("binh", 3, 3)):
                gb.update_or_create_student(student)
                with gb.db.no_autoflush:
                    gb.add_submission(MODULE, student, timestamp=datetime(2026, 3, day, 2, 0))
                grade = gb.find_grade("q1", "nb", MODULE, student)
                grade.auto_score = score
                grade.needs_manual_grade = False
                gb.db.commit()
    finally:
        os.environ["PATH"] = old_path
    return root


def academy(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def audit_entries(data_dir: Path) -> list[dict]:
    path = DataLayout.at(data_dir).audit_log_file
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


@pytest.mark.parametrize("who", ["an", "giang", "nobody"])
def test_learners_trainers_and_strangers_may_not_export(data_dir: Path, tmp_path: Path,
                                                       who: str) -> None:
    out = tmp_path / "hr.csv"
    result = academy(data_dir, "hr", "export", "--out", str(out), "--by", who)
    assert result.exit_code == 1
    assert f"{who} may not export HR records" in result.output
    assert "only the hr and admin roles may" in result.output
    assert list(tmp_path.iterdir()) == []
    last = audit_entries(data_dir)[-1]
    assert (last["action"], last["actor"]) == ("hr.export.refused", who)


@pytest.mark.parametrize(("who", "fmt"), [("hoa", "csv"), ("minh", "xlsx"), ("hoa", "json")])
def test_hr_and_admin_export_and_are_audited(data_dir: Path, tmp_path: Path, who: str,
                                             fmt: str) -> None:
    out = tmp_path / f"hr.{fmt}"
    result = academy(data_dir, "hr", "export", "--format", fmt, "--out", str(out), "--by", who,
                     "--agency", "SỞ TÀI CHÍNH TỈNH PHÚ THỌ")
    assert result.exit_code == 0, result.output
    assert "Wrote 1 rows" in result.output and out.exists()
    last = audit_entries(data_dir)[-1]
    assert last["action"] == "hr.export" and last["actor"] == who
    assert last["details"]["rows"] == 1 and last["details"]["format"] == fmt
    assert last["details"]["out"] == str(out.resolve())
    assert last["details"]["agency"] == "SỞ TÀI CHÍNH TỈNH PHÚ THỌ"
    assert verify_chain(DataLayout.at(data_dir).audit_log_file).ok


def test_export_rows_and_filters(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "hr.csv"
    assert academy(data_dir, "hr", "export", "--out", str(out), "--by", "hoa").exit_code == 0
    rows = rows_of(out)
    assert [(r["employee_id"], r["full_name"], r["passed"]) for r in rows] == [
        ("CB-1", "Nguyễn Văn An", "yes"), ("CB-2", "'=Trần Thị Bình", "no")]
    assert rows[0]["completion_date"] == "2026-03-02"
    assert rows[0]["competencies"] == "sign.use:2; edoc.handling:1"
    assert rows[0]["certificate_id"] == "" or rows[0]["certificate_url"].startswith("http")
    result = academy(data_dir, "hr", "export", "--out", str(out), "--by", "hoa",
                     "--since", "2026-03-03", "--until", "2026-12-31")
    assert result.exit_code == 0 and rows_of(out) == []
    result = academy(data_dir, "hr", "export", "--out", str(out), "--by", "hoa",
                     "--since", "2026-03-02", "--until", "2026-03-02", "--course", DS)
    assert [r["employee_id"] for r in rows_of(out)] == ["CB-1"]


@pytest.mark.parametrize(("args", "message"), [
    (["--course", "cks-2030"], "unknown course 'cks-2030' (known courses: digital-signatures)"),
    (["--since", "02/03/2026"], "'--since': '02/03/2026' does not match the format '%Y-%m-%d'"),
    (["--until", "2026-13-01"], "'--until': '2026-13-01' does not match the format"),
    (["--since", "2026-05-01", "--until", "2026-04-01"], "--since is after --until"),
    (["--format", "pdf"], "'pdf' is not one of 'csv', 'xlsx', 'json'"),
])
def test_bad_input_names_the_option(data_dir: Path, tmp_path: Path, args: list[str],
                                    message: str) -> None:
    out = tmp_path / "hr.csv"
    result = academy(data_dir, "hr", "export", "--out", str(out), "--by", "hoa", *args)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split()), result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_override_rules_and_effect(data_dir: Path, tmp_path: Path) -> None:
    base = ["hr", "override", "--course", DS, "--user", "binh", "--completed", "yes"]
    refused = [
        (["--reason", "Thi lại", "--by", "khoa"], "khoa (trainer) may not override completions"),
        (["--reason", "Thi lại", "--by", "an"], "an (learner) may not override"),
        (["--reason", "   ", "--by", "giang"], "--reason is required"),
    ]
    for extra, message in refused:
        result = academy(data_dir, *base, *extra)
        assert result.exit_code == 1 and message in result.output, result.output
        assert audit_entries(data_dir)[-1]["action"] == "completion.override.refused"
    result = academy(data_dir, "hr", "override", "--course", DS, "--user", "hoa",
                     "--completed", "yes", "--reason", "x", "--by", "minh")
    assert result.exit_code == 1 and "'hoa' is not a learner enrolled in" in result.output
    assert not DataLayout.at(data_dir).completion_overrides_file.exists()

    reason = "Đã thi lại trên giấy ngày 12/3, đạt"
    result = academy(data_dir, *base, "--reason", reason, "--by", "giang")
    assert result.exit_code == 0, result.output
    entries = audit_entries(data_dir)
    last = next(e for e in reversed(entries) if e["action"] == "completion.override")
    assert last["actor"] == "giang"
    assert last["details"] | {"at": None, "os_user": None} == {
        "user": "binh", "course": DS, "completed": True, "reason": reason, "at": None,
        "os_user": None, "via": "cli"}
    # the certificate follows the completion: issued now, audited
    issued = entries[-1]
    assert issued["action"] == "certificate.issue" and issued["actor"] == "giang"
    assert issued["details"]["user"] == "binh"
    out = tmp_path / "hr.json"
    assert academy(data_dir, "hr", "export", "--format", "json", "--out", str(out),
                   "--by", "minh").exit_code == 0
    binh = json.loads(out.read_text(encoding="utf-8"))[1]
    assert (binh["passed"], binh["overridden"], binh["score"]) == (True, True, 3)
    assert binh["completion_date"] == last["at"][:10]
    assert binh["certificate_id"] == issued["details"]["certificate"]
    # an admin may override back; the latest override wins
    assert academy(data_dir, *base[:-1], "no", "--reason", "Nhầm", "--by", "minh").exit_code == 0
    assert academy(data_dir, "hr", "export", "--format", "json", "--out", str(out),
                   "--by", "minh").exit_code == 0
    withdrawn = json.loads(out.read_text(encoding="utf-8"))[1]
    assert withdrawn["passed"] is False and withdrawn["certificate_id"] == ""
    assert len(DataLayout.at(data_dir).completion_overrides_file.read_text().splitlines()) == 2
    # the certificate issued for the first override is revoked, and verification says why
    revoked = [e for e in audit_entries(data_dir) if e["action"] == "certificate.revoke"]
    assert [(e["actor"], e["details"]["certificate"]) for e in revoked] == [
        ("minh", issued["details"]["certificate"])]
    check = academy(data_dir, "certificate", "verify", "--id",
                    issued["details"]["certificate"], "--lang", "en")
    assert check.exit_code == 1
    assert "revoked" in check.output and "Completion overridden by minh: Nhầm" in check.output


def test_audit_show_and_verify(data_dir: Path) -> None:
    assert academy(data_dir, "hr", "export", "--out", "/dev/null/x.csv",
                   "--by", "an").exit_code == 1
    result = academy(data_dir, "audit", "show", "--action", "hr.export", "--json")
    assert result.exit_code == 0
    shown = [json.loads(line) for line in result.output.splitlines()]
    assert shown and all(e["action"].startswith("hr.export") for e in shown)
    text = academy(data_dir, "audit", "show", "--since", "2000-01-01").output
    assert "hr.export.refused by an" in text
    result = academy(data_dir, "audit", "verify")
    assert result.exit_code == 0 and "chain intact" in result.output

    log = DataLayout.at(data_dir).audit_log_file
    original = log.read_bytes()
    try:
        log.write_bytes(original.replace(b'"actor": "an"', b'"actor": "hoa"', 1))
        result = academy(data_dir, "audit", "verify")
        assert result.exit_code == 1 and "a line was changed, inserted or removed" in result.output
    finally:
        log.write_bytes(original)
    bad = academy(data_dir, "audit", "show", "--since", "yesterday")
    assert bad.exit_code == 2 and "'--since'" in bad.output
