"""grading.nbgrader_runner: the one way nbgrader's CLI is run (account, environment, log)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grading.nbgrader_runner import (
    Account,
    CourseWorkspace,
    GradingError,
    NbgraderError,
    NbgraderRunner,
    resolve_account,
)

NBGRADER = Path(sys.executable).parent / "nbgrader"


def test_run_as_unknown_account() -> None:
    with pytest.raises(GradingError, match=r"no unix account named 'no-such-grader-x'"):
        resolve_account("no-such-grader-x")


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0, reason="switching accounts needs root")
def test_run_as_switches_account() -> None:
    import pwd
    import shutil
    import tempfile

    account = resolve_account("nobody")
    assert isinstance(account, Account) and account.uid == pwd.getpwnam("nobody").pw_uid
    try:
        probe = subprocess.run(
            [str(NBGRADER), "--version"],
            user=account.uid,
            group=account.gid,
            extra_groups=[],
            capture_output=True,
            check=False,
        ).returncode
    except PermissionError:
        probe = -1
    if probe != 0:  # e.g. the venv's python lives under /root (0700)
        pytest.skip("this virtualenv cannot be run by 'nobody'")
    root = Path(tempfile.mkdtemp(prefix="academy-run-as-"))  # pytest's tmp dirs are 0700
    try:
        root.chmod(0o777)
        course = CourseWorkspace(course_id="c", root=root)
        with open(root / "run-as.log", "a+b") as log:
            step = NbgraderRunner(course, log, account, timeout=120).run("generate_config")
        assert step.ok, step.tail
        # nbgrader wrote its file as the service account, not as root
        assert (root / "nbgrader_config.py").stat().st_uid == account.uid
    finally:
        shutil.rmtree(root)


def test_environment_carries_the_course_settings_and_not_the_callers_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "secret-hub-token")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    course = CourseWorkspace(
        course_id="c", root=tmp_path, exchange_dir=tmp_path / "exchange", config_dir=tmp_path
    )
    with NbgraderRunner.with_private_log(course) as runner:
        env = runner.environment({"ACADEMY_STUDENT_ID": "learner1"})
    assert env["ACADEMY_EXCHANGE_ROOT"] == str(tmp_path / "exchange")
    assert env["JUPYTER_CONFIG_PATH"] == str(tmp_path)
    assert env["ACADEMY_SERVER_ROLE"] == "course"
    assert env["ACADEMY_STUDENT_ID"] == "learner1"
    assert "JUPYTERHUB_API_TOKEN" not in env and "NBGRADER_EXECUTION" not in env


def test_run_checked_reports_the_tail_of_a_failure(tmp_path: Path) -> None:
    course = CourseWorkspace(course_id="c", root=tmp_path)
    with (
        NbgraderRunner.with_private_log(course) as runner,
        pytest.raises(NbgraderError, match=r"(?s)generate_assignment ds00.*failed.*ds00"),
    ):
        runner.run_checked("generate_assignment", "ds00")
