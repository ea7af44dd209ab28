"""`academy init` in isolated mode: what the dashboards service's account may reach
(docs/architecture.md, "Data directory"). The effective access, tried as that account on a
running platform, is tests/e2e/test_isolation.py; these are the modes that give it."""

from __future__ import annotations

import grp
import os
import pwd
import stat
from pathlib import Path

import pytest

from installation.layout import DataLayout
from installation.settings import DASHBOARDS_ACCOUNT, grader_account
from tests.e2e.platform_process import run_academy

COURSE = "digital-signatures"


@pytest.fixture(scope="module")
def layout(initialised_data_dir: Path) -> DataLayout:
    return DataLayout.at(initialised_data_dir)


def _who(path: Path) -> tuple[str, str, int]:
    info = path.stat()
    return (pwd.getpwuid(info.st_uid).pw_name, grp.getgrgid(info.st_gid).gr_name,
            stat.S_IMODE(info.st_mode))


def test_the_dashboards_account_owns_nothing_but_its_folder(layout: DataLayout) -> None:
    account = pwd.getpwnam(DASHBOARDS_ACCOUNT)
    assert account.pw_uid != 0 and account.pw_shell == "/usr/sbin/nologin"
    assert account.pw_dir == "/nonexistent" and not Path(account.pw_dir).exists()
    assert _who(layout.dashboards_dir) == (DASHBOARDS_ACCOUNT, DASHBOARDS_ACCOUNT, 0o700)
    assert _who(layout.dashboards_dir / "secret_key")[::2] == (DASHBOARDS_ACCOUNT, 0o600)


def test_what_its_group_reads_and_what_stays_root_s(layout: DataLayout) -> None:
    group = DASHBOARDS_ACCOUNT
    grader = grader_account(COURSE)
    expected = {
        layout.secrets_dir: ("root", group, 0o2710),  # enter, never list
        layout.roster_file: ("root", group, 0o640),
        layout.pki_dir: ("root", group, 0o710),
        layout.certificates_dir: ("root", group, 0o2750),
        layout.certificates_dir / "pdf": ("root", group, 0o2750),
        layout.records_dir: ("root", group, 0o2710),
        layout.audit_log_file: ("root", group, 0o660),
        layout.completion_overrides_file: ("root", group, 0o660),
        layout.records_dir / "grading-jobs": ("root", group, 0o3770),
        layout.records_dir / "contests": ("root", group, 0o2770),
        layout.contests_dir: ("root", group, 0o2750),
        layout.course_dir(COURSE): (grader, group, 0o710),
        # nbgrader's own: the grader lists it, the learners drop in it, no one else
        layout.exchange_dir / COURSE / "inbound": (grader, grader, 0o2733),
    }
    assert {path: _who(path) for path in expected} == expected
    # what it must never read: 0600, and not its group's (every file of secrets/ but the
    # roster, whatever an administrator put there)
    for private in (*(p for p in layout.secrets_dir.iterdir() if p != layout.roster_file),
                    layout.databases_file, layout.secret_file("cookie_secret"),
                    layout.secret_file("dashboards_api_token"), layout.accounts_file,
                    layout.pki_dir / "root.key.pem", layout.pki_dir / "signer.key.pem",
                    layout.course_dir(COURSE) / "nbgrader_config.py"):
        owner, _, mode = _who(private)
        assert mode == 0o600 and owner != DASHBOARDS_ACCOUNT, private
    for closed in (layout.hub_dir, layout.eoffice_dir, layout.logs_dir):
        assert _who(closed)[1] != group and _who(closed)[2] & 0o077 == 0, closed
    # the root's certificate and its CRL, which `academy init` signed (the service cannot)
    for public in ("root.cert.pem", "root.crl.pem"):
        assert _who(layout.pki_dir / public)[2] == 0o644


def test_init_again_puts_the_modes_back(layout: DataLayout) -> None:
    os.chmod(layout.secrets_dir, 0o700)
    os.chown(layout.course_dir(COURSE), pwd.getpwnam(grader_account(COURSE)).pw_uid,
             grp.getgrnam(grader_account(COURSE)).gr_gid)
    os.chmod(layout.roster_file, 0o600)
    run_academy(layout.root, "init", check=True)
    assert _who(layout.secrets_dir)[1:] == (DASHBOARDS_ACCOUNT, 0o2710)
    assert _who(layout.course_dir(COURSE))[1:] == (DASHBOARDS_ACCOUNT, 0o710)
    assert _who(layout.roster_file)[1:] == (DASHBOARDS_ACCOUNT, 0o640)


def test_a_link_is_never_followed_when_modes_are_set(tmp_path: Path) -> None:
    """The dashboards' account may write in some of the folders `academy init` sets modes
    in (its job spool, its contest results): a link it puts there, to /etc/shadow say, must
    not have root hand the target over."""
    from academy.unix_accounts import set_owner_and_mode

    secret = tmp_path / "secret"
    secret.write_text("keys")
    os.chmod(secret, 0o600)
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / "job.json").symlink_to(secret)
    (tmp_path / "elsewhere").symlink_to(tmp_path / "spool", target_is_directory=True)
    nobody = pwd.getpwnam("nobody")
    for relative in ("spool/job.json", "elsewhere/job.json", "elsewhere", "missing/x"):
        assert not set_owner_and_mode(tmp_path, relative, nobody.pw_uid, nobody.pw_gid, 0o666)
    assert (secret.stat().st_uid, stat.S_IMODE(secret.stat().st_mode)) == (0, 0o600)
    os.mkfifo(spool / "fifo")  # opened without blocking, and left alone
    assert not set_owner_and_mode(tmp_path, "spool/fifo", nobody.pw_uid, nobody.pw_gid, 0o666)
    # the control: a plain file is changed
    (spool / "real.json").write_text("{}")
    assert set_owner_and_mode(tmp_path, "spool/real.json", nobody.pw_uid, nobody.pw_gid, 0o640)
    assert _who(spool / "real.json")[::2] == ("nobody", 0o640)
