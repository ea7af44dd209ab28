"""A PDF from anyone is read in a sandbox (signing.pdf_inspection): the same findings as in
this process, nothing of the platform visible from inside, no network, never root, limits
that end a run, and an answer believed only once checked."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import tempfile
from pathlib import Path

import pytest

from common.bubblewrap import SandboxError, sandbox_account
from signing import pdf_inspection
from signing.academy_identity import academy_trust, load_identity, sign_with_identity
from signing.pdf_inspection import (
    CODE_ROOT,
    MAX_ANSWER_BYTES,
    InspectionFailed,
    InspectionLimits,
    PdfInspection,
    inspect_pdf,
    inspect_pdf_isolated,
    run_sandboxed,
)
from signing.verification import UnusablePdf

LIMITS = InspectionLimits()


@pytest.fixture(scope="module")
def academy(tmp_path_factory: pytest.TempPathFactory, now: dt.datetime,
            base_pdf: bytes, font_file: Path):  # type: ignore[no-untyped-def]
    pki_dir = tmp_path_factory.mktemp("academy-pki")
    identity = load_identity(pki_dir, now)
    signed = sign_with_identity(base_pdf, identity, holder="Học viện Công vụ số",
                                placement=None, font_file=font_file, reason="test", now=now)
    return academy_trust(pki_dir, now), signed


def test_the_sandbox_finds_what_this_process_finds(academy, now: dt.datetime,
                                                   base_pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    trust, signed = academy
    isolated = inspect_pdf_isolated(signed, trust, now)
    assert isolated == inspect_pdf(signed, trust, now)
    assert isolated.unusable is None and isolated.all_passed
    assert isolated.issued_by_root == (True,)
    assert isolated.signatures[0].intact and isolated.signatures[0].trusted
    unsigned = inspect_pdf_isolated(base_pdf, trust, now)
    assert unsigned.signatures == () and unsigned.unusable is None
    broken = inspect_pdf_isolated(b"%PDF-1.7\nnot really", trust, now)
    assert broken.unusable and "cannot be read" in broken.unusable
    assert inspect_pdf_isolated(b"hello", trust, now).unusable == (
        "not a PDF file (it does not start with %PDF-)")


PROBE = """
import json, os, socket, sys
port, outside = int(sys.argv[1]), sys.argv[2]
found = {"uid": os.getuid(), "outside_file": os.path.exists(outside),
         "packages": sorted(os.listdir(sys.argv[3])), "stdin": sys.stdin.read()}
try:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    found["network"] = True
except OSError:
    found["network"] = False
found["writable"] = []
for folder in ("/", "/tmp", "/dev/shm", sys.prefix, "/opt/academy-pdf/signing"):
    try:
        with open(os.path.join(folder, "probe"), "w") as handle:
            handle.write("x")
        found["writable"].append(folder)
    except OSError:
        pass
print(json.dumps(found))
"""


def test_inside_there_is_no_platform_no_network_and_no_root() -> None:
    outside_dir = Path(tempfile.mkdtemp(dir="/var/tmp"))  # noqa: S108 - readable by all
    try:
        outside_dir.chmod(0o755)
        outside = outside_dir / "roster.json"
        outside.write_text("{}")
        outside.chmod(0o644)
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = listener.getsockname()[1]
            done = run_sandboxed(("-c", PROBE, str(port), str(outside), str(CODE_ROOT)),
                                 b"the request", LIMITS)
        assert done.returncode == 0, done.stderr
        found = json.loads(done.stdout)
    finally:
        for child in outside_dir.iterdir():
            child.unlink()
        outside_dir.rmdir()
    assert found["stdin"] == "the request"
    assert found["outside_file"] is False  # readable by every account, but not there
    assert found["network"] is False  # a server listening on loopback, unreachable
    assert found["packages"] == ["common", "signing"]  # no grading, no course keys
    assert found["writable"] == []  # not even a /tmp
    account = sandbox_account()
    assert found["uid"] == (account.uid if account is not None else os.getuid())
    assert found["uid"] != 0 or os.geteuid() != 0


def test_limits_end_a_run_with_a_clear_failure(academy, now: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    trust, signed = academy
    with pytest.raises(InspectionFailed, match="took longer than 0.001 s"):
        inspect_pdf_isolated(signed, trust, now, InspectionLimits(wall_seconds=0.001))
    # too little memory for Python and pyhanko: the process fails, the caller is told
    with pytest.raises(InspectionFailed, match=r"reading the file failed \(exit"):
        inspect_pdf_isolated(signed, trust, now, InspectionLimits(memory_bytes=30 * 1024**2))
    with pytest.raises(UnusablePdf, match="larger than 20 MB"):
        inspect_pdf_isolated(b"%PDF-" + b"0" * (20 * 1024**2), trust, now)


def test_the_process_cannot_write_more_than_an_answer() -> None:
    flood = "import sys\nwhile True: sys.stdout.write('x' * 65536)"
    done = run_sandboxed(("-c", flood), b"", LIMITS)
    assert done.returncode != 0  # ended by the file size limit (SIGXFSZ), not by the clock
    assert MAX_ANSWER_BYTES - 65536 <= len(done.stdout) <= MAX_ANSWER_BYTES


def test_a_sandbox_that_cannot_start_is_not_called_a_bad_file(
        academy, now: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """bubblewrap refusing to start (here: an option it does not know; on a host, user
    namespaces refused) is the installation's problem, said as such, not "unusable"."""
    trust, signed = academy
    real = pdf_inspection.isolation_flags
    monkeypatch.setattr(pdf_inspection, "isolation_flags",
                        lambda *a, **k: [*real(*a, **k), "--no-such-option"])
    with pytest.raises(SandboxError, match="bwrap: Unknown option --no-such-option"):
        inspect_pdf_isolated(signed, trust, now)


def test_an_answer_is_believed_only_in_its_exact_shape(academy, now: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    trust, signed = academy
    good = json.loads(inspect_pdf(signed, trust, now).to_json())
    assert PdfInspection.from_json(json.dumps(good)).all_passed
    wrong: list[dict] = [
        {**good, "extra": 1},
        {**good, "issued_by_root": ["yes"]},
        {**good, "issued_by_root": []},
        {**good, "keywords": None},
        {**good, "signatures": [{**good["signatures"][0], "passed": "true"}]},
        {**good, "signatures": [{**good["signatures"][0], "admin": True}]},
        {**good, "signatures": [{**good["signatures"][0], "chain": [1]}]},
    ]
    for answer in wrong:
        with pytest.raises(InspectionFailed, match="malformed"):
            PdfInspection.from_json(json.dumps(answer))
    with pytest.raises(InspectionFailed, match="not JSON"):
        PdfInspection.from_json("Traceback (most recent call last)")
