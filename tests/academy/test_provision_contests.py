"""`academy init` installs the catalogue's contests (docs/contest.md): each
``courses/*/contest.toml`` folder's files copied to ``<data>/contests/<id>/``, closed to
learners like a course's sources (the bank holds the key), checked before anything changes,
and kept once installed (saying so when the checkout's differs); in isolated mode, a
checkout's contest that other users can read is warned about. Run in-process: the
checkout's provision code."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from academy.provision import Installation
from course_kit.catalog import load_catalog
from grading.contest import ContestError, load_contests
from installation.layout import DataLayout
from installation.settings import Mode

REPO = Path(__file__).resolve().parents[2]
COURSES = REPO / "courses"
CONTEST_ID = "chuyen-doi-so-2026"
NOBODY = 65534


def _quiet(_line: str) -> None:
    pass


@pytest.fixture
def layout() -> Iterator[DataLayout]:
    """A data directory right under /tmp (not under pytest's 0700 folder), so that another
    account's access is refused by the contest's own modes, not by a folder above."""
    root = Path(tempfile.mkdtemp(prefix="academy-contests-", dir="/tmp"))
    try:
        yield DataLayout.at(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_contest_is_no_course_of_the_nbgrader_catalogue() -> None:
    assert "contest" not in load_catalog(COURSES)
    assert not (COURSES / "contest" / "course.toml").exists()
    assert [c.contest_id for c in Installation.contests_in(COURSES)] == [CONTEST_ID]


@pytest.mark.parametrize("isolated", [False, True])
def test_init_copies_the_contest_for_root_only(layout: DataLayout, isolated: bool) -> None:
    installation = Installation(layout, log=_quiet)
    installation._directories(isolated)
    assert _mode(layout.contests_dir) == 0o700
    assert layout.contests_dir.stat().st_uid == os.geteuid()
    installation._contests(Installation.contests_in(COURSES))
    target = layout.contests_dir / CONTEST_ID
    assert sorted(p.name for p in target.iterdir()) == [
        "bank.en.ipynb", "bank.ipynb", "contest.toml"]
    assert _mode(target) == 0o700 and target.stat().st_uid == os.geteuid()
    for path in target.iterdir():
        assert _mode(path) == 0o600, path.name
        assert path.read_bytes() == (COURSES / "contest" / path.name).read_bytes()
    # what the dashboards read
    assert list(load_contests(layout.contests_dir)) == [CONTEST_ID]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to try as another account")
def test_a_learner_account_cannot_read_the_bank(layout: DataLayout) -> None:
    installation = Installation(layout, log=_quiet)
    installation._directories(isolated=True)  # the data directory 0711, as in isolated mode
    installation._contests(Installation.contests_in(COURSES))
    bank = layout.contests_dir / CONTEST_ID / "bank.ipynb"
    probe = ("import os, sys\n"
             "for attempt in (lambda: os.listdir(sys.argv[1]), lambda: open(sys.argv[2]).read()):\n"
             "    try:\n        attempt()\n    except PermissionError:\n        continue\n"
             "    sys.exit('readable')\n")
    result = subprocess.run([sys.executable, "-c", probe, str(layout.contests_dir), str(bank)],
                            user=NOBODY, group=NOBODY, extra_groups=[], capture_output=True,
                            text=True, check=False, cwd="/")
    assert result.returncode == 0, result.stderr
    # the exchange next to it stays reachable: the refusal is the contests folder's own
    assert _mode(layout.root) == 0o711


def test_an_installed_contest_is_kept_and_its_modes_set_again(layout: DataLayout) -> None:
    installation = Installation(layout, log=_quiet)
    installation._directories(isolated=False)
    contests = Installation.contests_in(COURSES)
    installation._contests(contests)
    installed = layout.contests_dir / CONTEST_ID / "contest.toml"
    os.chmod(installed, 0o644)
    said: list[str] = []
    Installation(layout, log=said.append)._contests(contests)
    assert _mode(installed) == 0o600
    assert said == []  # the same as the checkout's: nothing to say
    edited = installed.read_text(encoding="utf-8").replace("minutes = 15", "minutes = 20")
    installed.write_text(edited, encoding="utf-8")
    (layout.contests_dir / CONTEST_ID / "bank.en.ipynb").unlink()
    Installation(layout, log=said.append)._contests(contests)
    assert installed.read_text(encoding="utf-8") == edited  # the installation's copy stays
    target = layout.contests_dir / CONTEST_ID
    [message] = said
    assert f"the installed copy {target} differs from {COURSES / 'contest'}" in message
    assert "(contest.toml, bank.en.ipynb)" in message and "kept as it is" in message
    assert f"remove {target} and run `academy init` again" in message
    assert not [p for p in layout.contests_dir.iterdir() if p.name.startswith(".")]


@pytest.fixture
def open_checkout() -> Iterator[Path]:
    """A courses source as a git checkout usually is: every folder on the way enterable by
    all (under /tmp, not pytest's 0700 folder), files 0644."""
    root = Path(tempfile.mkdtemp(prefix="academy-checkout-", dir="/tmp"))
    try:
        os.chmod(root, 0o755)
        src = root / "courses"
        src.mkdir(mode=0o755)
        os.chmod(src, 0o755)
        (src / "cybersecurity").mkdir()
        shutil.copy(COURSES / "cybersecurity" / "course.toml", src / "cybersecurity")
        shutil.copytree(COURSES / "contest", src / "contest")
        os.chmod(src / "contest", 0o755)
        for path in (src / "contest").iterdir():
            os.chmod(path, 0o644)
        yield src
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_isolated_mode_warns_of_a_checkout_contest_others_can_read(open_checkout: Path) -> None:
    """The bank in the checkout holds the key as much as the installed copy does: in isolated
    mode (learners have accounts on the machine) a readable one is said loudly, naming the
    folder, with the chmod that closes it; the checkout itself is not changed."""
    folder = open_checkout / "contest"
    said: list[str] = []
    installation = Installation(DataLayout.at(open_checkout / "unused"), log=said.append)
    contests = Installation.contests_in(open_checkout)
    installation.warn_readable_contests(contests)
    [warning] = said
    assert warning.startswith("WARNING: isolated mode: the contest chuyen-doi-so-2026 in "
                              f"{folder} can be read by other users")
    assert "bank.ipynb (0644)" in warning and "contest.toml (0644)" in warning
    assert f"`chmod -R go-rwx {folder}`" in warning
    assert _mode(folder / "bank.ipynb") == 0o644  # not changed here
    # closed as the warning says: nothing more to say
    subprocess.run(["chmod", "-R", "go-rwx", str(folder)], check=True)
    said.clear()
    installation.warn_readable_contests(contests)
    assert said == []
    # readable files, but a folder on the way that others cannot enter: not readable
    for path in folder.iterdir():
        os.chmod(path, 0o644)
    os.chmod(folder, 0o700)
    installation.warn_readable_contests(contests)
    assert said == []


class _Stop(Exception):
    """Stops `academy init` right after its checks (before it changes anything)."""


@pytest.mark.parametrize("mode", [Mode.ISOLATED, Mode.SHARED])
def test_init_warns_of_a_readable_checkout_contest_in_isolated_mode_only(
        open_checkout: Path, layout: DataLayout, mode: Mode,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def stop(*_args: object) -> None:
        raise _Stop

    monkeypatch.setattr(Installation, "_planned_mode", lambda self: mode)
    monkeypatch.setattr(Installation, "check_reachable_by_accounts", lambda self, ids: None)
    monkeypatch.setattr(Installation, "_settings", stop)
    said: list[str] = []
    with pytest.raises(_Stop):
        Installation(layout, log=said.append).init(open_checkout)
    warnings = [line for line in said if line.startswith("WARNING:")]
    assert len(warnings) == (1 if mode is Mode.ISOLATED else 0), said
    assert list(layout.root.iterdir()) == []


def test_a_broken_contest_stops_init_before_anything_changes(layout: DataLayout,
                                                            tmp_path: Path) -> None:
    src = tmp_path / "courses"
    (src / "cybersecurity").mkdir(parents=True)
    shutil.copy(COURSES / "cybersecurity" / "course.toml", src / "cybersecurity")
    shutil.copytree(COURSES / "contest", src / "contest")
    toml = src / "contest" / "contest.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("draw = 10", "draw = 12"),
                    encoding="utf-8")
    with pytest.raises(ContestError, match=r"bank\.ipynb: question_bank\(\.\.\., draw=10\) but "
                                           r"contest\.toml says draw = 12"):
        Installation(layout, log=_quiet).init(src)
    assert list(layout.root.iterdir()) == []
