"""Atomic file writes: a reader sees the old file or the new one, never a half-written one."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

#: Files another service's account reads through the folder's group (the dashboards: the
#: roster, the certificate registry, grading jobs); the folder decides who that group is
#: (setgid, ``academy init``), and outside isolated mode it is the owner's own group.
SHARED_READ_MODE = 0o640
#: Append-only logs and lock files that two services' accounts write.
SHARED_LOG_MODE = 0o660


def atomic_write(
    path: str | os.PathLike[str],
    data: str | bytes,
    *,
    mode: int | None = 0o600,
    make_parents: bool = False,
) -> Path:
    """Replace ``path`` with ``data`` in one step (temporary file in the same folder, fsync,
    ``os.replace``, fsync of the folder).

    ``mode`` is the new file's permission bits; ``None`` keeps the mode of the file being
    replaced (0600 for a new one). Text is written as UTF-8. On any failure the target is
    unchanged, no temporary file is left behind, and the ``OSError`` propagates.
    """
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = _write_temporary(target, payload, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return target


def create_once(path: str | os.PathLike[str], data: str | bytes, *, mode: int = 0o600) -> bool:
    """Create ``path`` with ``data`` unless it exists; True if this call created it.

    The file appears complete or not at all (written aside, then hard-linked into place),
    so several processes racing to create it all read the same, whole content.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = _write_temporary(target, payload, mode)
    try:
        os.link(tmp, target)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(target.parent)
    return True


def open_shared(path: str | os.PathLike[str], flags: int, mode: int) -> int:
    """``os.open(path, flags | O_CREAT)``; a file this call creates gets exactly ``mode``
    (the umask would take a group's write bit away: files that two services append to, in
    a folder whose group the other service is in). An existing file keeps its mode. A
    symbolic link is not followed (``OSError`` ELOOP)."""
    flags |= os.O_NOFOLLOW | os.O_CLOEXEC  # never through a link another account made
    while True:
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            try:
                return os.open(path, flags)
            except FileNotFoundError:
                continue  # removed meanwhile: create it
        try:
            os.fchmod(fd, mode)
        except BaseException:
            os.close(fd)
            raise
        return fd


def _write_temporary(target: Path, payload: bytes, mode: int | None) -> Path:
    """A fully written, fsynced temporary file beside ``target``."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is None:
                with contextlib.suppress(FileNotFoundError):
                    os.fchmod(fh.fileno(), stat.S_IMODE(target.stat().st_mode))
            else:
                os.fchmod(fh.fileno(), mode)
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable; not fatal where folders cannot be fsynced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_or_create_secret(path: Path) -> str:
    """The secret in `path`; created (mode 0600) on first use. Safe with several workers."""
    path = path.expanduser()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        create_once(path, secrets.token_hex(32) + "\n")  # another worker may win: fine
    secret = path.read_text().strip()
    if not secret:
        raise RuntimeError(f"secret key file {path} is empty")
    return secret
