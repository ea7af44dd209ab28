"""Unix accounts for isolated mode: one per hub user, one per service.

Accounts are created with `useradd` and marked in their GECOS field, so that the platform
never adopts an account it did not create (a hub user called `root` or `postgres` is refused).
Accounts are machine-wide and shared by every installation on the machine; each
installation keeps its own home folders under its data directory.
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
import re
import stat
import subprocess
import time
from pathlib import Path

from common.text import ascii_words

MARKER = "academy"
ACCOUNT_HOMES = Path("/var/lib/academy-accounts")
VALID_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
USERADD_LOCK_ATTEMPTS = 8


class AccountError(RuntimeError):
    """An account cannot be created or is not one of ours."""


def ensure_account(name: str, full_name: str = "", *, home: bool = True) -> pwd.struct_passwd:
    """Create the unix account `name` if missing; return its passwd entry.

    ``home=False`` makes a system account that owns nothing, not even a home folder (the
    grading sandbox's account).
    """
    if not VALID_NAME.match(name):
        raise AccountError(f"{name!r} is not a valid account name (a-z, 0-9, '-', max 32)")
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        entry = None
    if entry is not None:
        if not entry.pw_gecos.startswith(MARKER):
            raise AccountError(
                f"unix account {name!r} exists but was not created by the academy; "
                "refusing to run a hub user under it"
            )
        return entry
    # GECOS fields are safest in plain ASCII
    gecos = f"{MARKER} {ascii_words(full_name)}".strip()[:60]
    if not home:
        cmd = ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
               "--shell", "/usr/sbin/nologin", "--user-group", "--comment", gecos, name]
        _useradd(cmd, name)
        return pwd.getpwnam(name)
    ACCOUNT_HOMES.mkdir(mode=0o755, parents=True, exist_ok=True)
    cmd = [
        "useradd",
        "--create-home",
        "--home-dir", str(ACCOUNT_HOMES / name),
        "--shell", "/usr/sbin/nologin",
        "--user-group",
        "--comment", gecos,
        name,
    ]
    _useradd(cmd, name)
    os.chmod(ACCOUNT_HOMES / name, 0o700)
    return pwd.getpwnam(name)


def _useradd(cmd: list[str], name: str) -> None:
    """Run useradd; an account created meanwhile by another process is fine, and a busy
    /etc/passwd lock (another useradd at the same moment) is waited for, a few times."""
    for attempt in range(USERADD_LOCK_ATTEMPTS):
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode == 0 or "already exists" in result.stderr:
            return
        if "cannot lock" not in result.stderr or attempt == USERADD_LOCK_ATTEMPTS - 1:
            raise AccountError(f"useradd {name} failed: {result.stderr.strip()}")
        time.sleep(0.2 * (attempt + 1))


def ids_of(name: str) -> tuple[int, int]:
    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def group_id(name: str) -> int:
    return grp.getgrnam(name).gr_gid


def give(path: Path, owner: str, mode: int) -> None:
    """Make `path` belong to the account `owner` (and its group) with `mode`."""
    uid, gid = ids_of(owner)
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def set_owner_and_mode(root: Path, relative: str | Path, uid: int, gid: int,
                       mode: int) -> bool:
    """``chown uid:gid`` and ``chmod mode`` of ``root / relative`` without following a
    symbolic link anywhere below ``root``: each part of the path is opened relative to the
    one before it, with ``O_NOFOLLOW``, and the change is made on the open file. For paths in
    folders that another account may write (it could put a link to ``/etc/shadow`` there,
    for root to hand over). False, and nothing changed, when a part is a link or missing, or
    the path is neither a file nor a folder."""
    parts = Path(relative).parts
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for index, part in enumerate(parts):
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
            if index < len(parts) - 1:
                flags |= os.O_DIRECTORY
            try:
                inner = os.open(part, flags, dir_fd=fd)
            except (FileNotFoundError, NotADirectoryError):
                return False
            except OSError as exc:
                if exc.errno == errno.ELOOP:  # a link
                    return False
                raise
            os.close(fd)
            fd = inner
        kind = os.fstat(fd).st_mode
        if not (stat.S_ISREG(kind) or stat.S_ISDIR(kind)):
            return False
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        return True
    finally:
        os.close(fd)


def give_tree(path: Path, owner: str) -> None:
    """chown -R path to owner:owner-group, keeping modes."""
    uid, gid = ids_of(owner)
    for dirpath, dirnames, filenames in os.walk(path):
        os.chown(dirpath, uid, gid)
        for name in filenames + dirnames:
            os.lchown(os.path.join(dirpath, name), uid, gid)


def closed_folder_above(path: Path, *, skip: Path | None = None) -> tuple[Path, int] | None:
    """The first folder from ``path`` (or its nearest existing ancestor) up to ``/`` that other
    accounts may not enter (no ``o+x``), with its mode; None when all may be entered.

    ``skip``: a folder not to judge (one the caller is about to open up itself).
    """
    existing = path
    while not existing.exists():
        existing = existing.parent
    for folder in [existing, *existing.parents]:
        if folder == skip:
            continue
        mode = stat.S_IMODE(folder.stat().st_mode)
        if not mode & stat.S_IXOTH:
            return folder, mode
    return None
