"""`academy roster import` and `academy roster list`, run as HR would, on a real installation.

One `academy init` (isolated mode as root, as in CI) serves the module; the imports run in
order: a refused file changes nothing, a dry run changes nothing, an import creates the
accounts, and importing the same file again changes nothing.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from installation.layout import DataLayout
from installation.settings import InstallSettings
from people.roster_import import COLUMNS
from tests.e2e.platform_process import new_data_dir, run_academy

HEADER = ",".join(COLUMNS)
ROWS = [
    "CB-90001,Nguyễn Thị Hồng Nhung,15/03/1985,Nữ,Sở Tài chính,Phòng Kế hoạch,Chuyên viên,"
    "nhung@stc.gov.vn,0912345678,digital-signatures",
    "CB-90002,Trần Văn Đức,1979-11-02,Nam,UBND huyện Thanh Sơn,Văn phòng,Văn thư,,,"
    "digital-signatures",
]
BAD = "CB-90003,Lê Minh Khôi,31/02/1990,Nam,Sở Nội vụ,,,khoi@@snv,,digital-signatures"


@pytest.fixture(scope="module")
def installation() -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.fail("isolated mode is tested as root (CI runs as root)")
    data_dir = new_data_dir()
    run_academy(data_dir, "init", check=True)
    try:
        yield data_dir
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def staff_file(folder: Path, *rows: str) -> Path:
    path = folder / "staff.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


def roster_bytes(data_dir: Path) -> bytes:
    return DataLayout.at(data_dir).roster_file.read_bytes()


def test_a_file_with_an_invalid_row_changes_nothing(installation: Path, tmp_path: Path) -> None:
    before = roster_bytes(installation)
    result = run_academy(installation, "roster", "import",
                         str(staff_file(tmp_path, *ROWS, BAD)))
    assert result.returncode == 1
    assert "line 4, column date_of_birth, value '31/02/1990': no such date" in result.stderr
    assert "line 4, column email, value 'khoi@@snv'" in result.stderr
    assert "nothing imported: 1 of 3 rows are invalid" in result.stderr
    assert "Traceback" not in result.stderr
    assert roster_bytes(installation) == before


def test_a_dry_run_changes_nothing(installation: Path, tmp_path: Path) -> None:
    before = roster_bytes(installation)
    result = run_academy(installation, "roster", "import", "--dry-run",
                         str(staff_file(tmp_path, *ROWS)))
    assert result.returncode == 0, result.stderr
    assert "dry run, nothing changed: 2 valid rows; would be 2 new" in result.stdout
    assert roster_bytes(installation) == before


def test_import_creates_accounts_and_importing_again_changes_nothing(
    installation: Path, tmp_path: Path
) -> None:
    layout = DataLayout.at(installation)
    demo_learners = [
        p for p in json.loads(run_academy(installation, "roster", "list", "--json",
                                          check=True).stdout)
        if p["role"] == "learner"
    ]
    result = run_academy(installation, "roster", "import", "--skip-invalid",
                         str(staff_file(tmp_path, *ROWS, BAD)))
    assert result.returncode == 0, result.stderr
    assert "line 4, column email" in result.stderr  # the skipped row is still reported
    assert (f"imported 2 valid rows, 1 skipped: 2 new, 0 updated, 0 unchanged, "
            f"{len(demo_learners)} deactivated") in result.stdout

    listed = {p["employee_id"]: p for p in json.loads(
        run_academy(installation, "roster", "list", "--json", check=True).stdout)}
    nhung = listed["CB-90001"]
    assert (nhung["username"], nhung["status"], nhung["full_name"]) == (
        "cb-90001", "not yet activated", "Nguyễn Thị Hồng Nhung"
    )
    # the personnel file is the whole roster: the demo learners left it, records kept
    assert {listed[p["employee_id"]]["status"] for p in demo_learners} == {"deactivated"}
    # isolated mode: a unix account and a private home each, and nbgrader knows them
    for username in ("cb-90001", "cb-90002"):
        entry = pwd.getpwnam(username)
        home = layout.home_dir(username)
        assert home.stat().st_uid == entry.pw_uid and home.stat().st_mode & 0o777 == 0o700
    settings = InstallSettings.load(layout)
    with Gradebook(settings.gradebook_url(layout, "digital-signatures"),
                   course_id="digital-signatures") as gradebook:
        student = gradebook.find_student("cb-90001")
        assert (student.last_name, student.first_name) == ("Nguyễn", "Thị Hồng Nhung")
        assert student.email == "nhung@stc.gov.vn"
    # not activated yet: no password was made up for them
    accounts = layout.accounts_file.read_text(encoding="utf-8")
    assert "cb-90001" not in accounts

    before = roster_bytes(installation)
    again = run_academy(installation, "roster", "import", str(staff_file(tmp_path, *ROWS)))
    assert again.returncode == 0, again.stderr
    assert "2 valid rows: 0 new, 0 updated, 2 unchanged, 0 deactivated" in again.stdout
    assert roster_bytes(installation) == before

    text = run_academy(installation, "roster", "list", check=True).stdout
    assert "cb-90001" in text and "not yet activated" in text and "deactivated" in text


def test_hr_exports_activation_codes_that_activate_and_an_admin_resets(
    installation: Path, tmp_path: Path
) -> None:
    """Runs after the import: cb-90001 and cb-90002 wait for activation."""
    from openpyxl import load_workbook

    from people.accounts import (
        AccountPolicy,
        AccountRefused,
        activate,
        check_login,
        open_account_store,
    )

    layout = DataLayout.at(installation)
    sheet = tmp_path / "codes.xlsx"
    # a folder that does not exist: a clear error, and no code issued
    missing = run_academy(installation, "accounts", "codes", "--out",
                          str(tmp_path / "nowhere" / "codes.xlsx"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    result = run_academy(installation, "accounts", "codes", "--out", str(sheet),
                         "--url", "https://hoc.example.gov.vn")
    assert result.returncode == 0, result.stderr
    assert "Wrote 2 activation codes" in result.stdout
    assert sheet.stat().st_mode & 0o777 == 0o600
    rows = list(load_workbook(sheet).active.iter_rows(values_only=True))
    header, body = rows[0], {r[4]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert header[:6] == ("employee_id", "full_name", "agency", "unit", "username",
                          "activation_code")
    assert set(body) == {"cb-90001", "cb-90002"}
    nhung = body["cb-90001"]
    assert nhung["full_name"] == "Nguyễn Thị Hồng Nhung"
    assert nhung["activation_link"] == (
        f"https://hoc.example.gov.vn/hub/activate?username=cb-90001&code={nhung['activation_code']}"
    )
    # an active person gets no code this way; a stranger is named
    refused = run_academy(installation, "accounts", "codes", "--out", str(sheet),
                          "--username", "trainer1", "--username", "ghost")
    assert refused.returncode == 1 and "not on the roster: ghost" in refused.stderr

    sessions = open_account_store(InstallSettings.load(layout).hub_url(layout))
    policy = AccountPolicy()
    try:
        with sessions() as session, session.begin():
            activate(session, "cb-90001", nhung["activation_code"], "Hoa-ban-trang-1985",
                     policy)
        listed = {p["username"]: p["status"] for p in json.loads(
            run_academy(installation, "roster", "list", "--json", check=True).stdout)}
        assert (listed["cb-90001"], listed["cb-90002"]) == ("active", "not yet activated")

        reset = run_academy(installation, "accounts", "reset", "cb-90001")
        assert reset.returncode == 0, reset.stderr
        new_code = reset.stdout.split("activation code ")[1].split(",")[0]
        with sessions() as session, pytest.raises(AccountRefused, match="not activated"):
            check_login(session, "cb-90001", "Hoa-ban-trang-1985", policy)
        with sessions() as session, session.begin():
            activate(session, "cb-90001", new_code, "Hoa-sua-tim-2026", policy)
        with sessions() as session, session.begin():
            check_login(session, "cb-90001", "Hoa-sua-tim-2026", policy)
        unlock = run_academy(installation, "accounts", "unlock", "cb-90001")
        assert unlock.returncode == 0 and "was not locked" in unlock.stdout
    finally:
        sessions.kw["bind"].dispose()
