"""Running code the platform does not trust inside bubblewrap (``bwrap``, Debian package
``bubblewrap``), as an account that owns nothing.

Two users: the grading kernels (``grading.kernel_sandbox``: a zygote that forks a kernel
per notebook) and the reading of PDFs that anyone may upload to the public certificate
verification page (``signing.pdf_inspection``). Both start from the same isolation: new
user, mount, pid, network, ipc, uts and cgroup namespaces (no network at all), a file
system of ``/usr``, the Python environment read-only and an empty ``/tmp`` (or none);
whatever else a caller binds in is all that is there. When the caller is root, the
process runs as the sandbox account (``academy-sandbox``, made by ``academy init``), never
as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

SANDBOX_ACCOUNT = "academy-sandbox"
BWRAP = "bwrap"
#: The sandbox's own /tmp: a fresh tmpfs for each sandbox, seen by nothing else.
SANDBOX_TMP = "/tmp"  # noqa: S108


class SandboxError(RuntimeError):
    """A sandbox cannot start (bubblewrap missing, no user namespaces, no account, ...)."""


@dataclass(frozen=True)
class SandboxAccount:
    name: str
    uid: int
    gid: int


def sandbox_account(name: str = SANDBOX_ACCOUNT) -> SandboxAccount | None:
    """The account sandboxed code runs as: ``name`` when the caller is root, else None
    (the caller's own account, still inside the namespaces)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SandboxError(
            f"the sandbox account {name!r} does not exist; run `academy init` "
            f"(it creates it) or `useradd --system --no-create-home {name}`"
        ) from None
    if entry.pw_uid == 0:
        raise SandboxError(f"{name!r} is root: sandboxed code must not run as root")
    return SandboxAccount(entry.pw_name, entry.pw_uid, entry.pw_gid)


def isolation_flags(venv: Path | None = None, *, writable_tmp: bool = True) -> list[str]:
    """``bwrap`` and its options for the common isolation (module docstring); the caller
    adds its own binds, environment and command (and ``--remount-ro /`` for a file system
    it cannot write at all: with ``writable_tmp=False`` there is no ``/tmp``).
    SandboxError without bubblewrap."""
    if shutil.which(BWRAP) is None:
        raise SandboxError(
            "bubblewrap is not installed: `apt-get install bubblewrap` (make test and "
            "scripts/system-deps.sh install it)"
        )
    venv = venv or Path(sys.prefix)
    return [
        BWRAP,
        "--unshare-all",  # user, mount, pid, net, ipc, uts, cgroup namespaces
        "--die-with-parent",
        "--new-session",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin",
        "--proc", "/proc",
        "--dev", "/dev",
        *(["--tmpfs", SANDBOX_TMP] if writable_tmp else []),
        "--ro-bind", str(venv), str(venv),
    ]
