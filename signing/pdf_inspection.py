"""Reading a PDF that anyone may have sent, in a sandbox: its signatures and its keywords.

The public certificate verification page takes PDFs from anyone, without a login, and
reading a PDF means parsing an untrusted, complex format (pyhanko, cryptography, zlib).
``inspect_pdf_isolated`` does that parsing in a separate process inside bubblewrap
(``common.bubblewrap``): no network, none of the platform's data (no keys, registry,
roster, gradebooks; only ``/usr``, the Python environment with the installed packages and
the signing code, all read-only, and no writable folder at all), as the sandbox account
when the caller is root, with limits on memory, CPU time, output size and a wall-clock
timeout. What goes in: the PDF, the trusted root certificates and CRLs, the time; what
comes back is one JSON document (in a file the process writes through an inherited
descriptor, so its size is capped by the kernel), checked field by field before it is
believed (``PdfInspection.from_json``): the same ``SignatureReport``s ``verify_pdf`` makes,
whether each signer's certificate was issued by the trusted root, and the document's
keywords.

The decisions (is it the academy's, which certificate, revoked?) stay with the caller,
which also compares the file's own SHA-256 with the registry's: whatever the process
answers, only the very file the academy issued can verify as valid.

Not limited per sandbox: the number of processes (``RLIMIT_NPROC`` counts every process
of the sandbox account, the grading kernels' too), so a reader turned hostile could fork
within its memory limit per process until the wall clock ends it.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from common.bubblewrap import SandboxError, isolation_flags, sandbox_account
from signing.verification import SignatureReport, TrustSettings, UnusablePdf

#: where the signing code appears inside the sandbox (read-only)
CODE_ROOT = Path("/opt/academy-pdf")
#: the packages the inspection imports (the rest of the platform is not there)
PACKAGES = ("signing", "common")
#: a PDF larger than this is refused before any process starts
MAX_PDF_BYTES = 20 * 1024 * 1024
#: what the sandboxed process may write (stdout, stderr: each); more ends it (SIGXFSZ)
MAX_ANSWER_BYTES = 4 * 1024 * 1024


#: the longest keywords string kept (the id is in it: ``academy-certificate-id:<id>``)
MAX_KEYWORDS = 4096


@dataclass(frozen=True)
class InspectionLimits:
    """What one inspection may use. A certificate PDF takes about 0.5 s in all (mostly a
    new Python importing pyhanko), 0.02 s of it reading the file: a file that needs more
    than seconds is not a certificate, and holds one of the service's workers meanwhile."""

    cpu_seconds: int = 10
    memory_bytes: int = 1024**3
    wall_seconds: float = 20.0


class InspectionFailed(RuntimeError):
    """The sandboxed inspection could not give an answer (limit reached, crash, bad answer)."""


@dataclass(frozen=True)
class PdfInspection:
    """What a PDF says about its signatures; ``unusable`` says why it could not be read."""

    unusable: str | None = None
    keywords: str = ""
    signatures: tuple[SignatureReport, ...] = ()
    issued_by_root: tuple[bool, ...] = ()

    @property
    def all_passed(self) -> bool:
        return bool(self.signatures) and all(s.passed for s in self.signatures)

    def to_json(self) -> str:
        return json.dumps({"unusable": self.unusable, "keywords": self.keywords,
                           "signatures": [asdict(s) for s in self.signatures],
                           "issued_by_root": list(self.issued_by_root)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PdfInspection:
        """Parse and check an answer: every field present, of its type, nothing else.
        InspectionFailed otherwise."""
        try:
            raw = json.loads(text)
        except ValueError as error:
            raise InspectionFailed(f"the inspection's answer is not JSON: {error}") from None
        _expect(isinstance(raw, dict) and set(raw) == {
            "unusable", "keywords", "signatures", "issued_by_root"}, "its fields")
        _expect(raw["unusable"] is None or isinstance(raw["unusable"], str), "unusable")
        _expect(isinstance(raw["keywords"], str), "keywords")
        _expect(isinstance(raw["signatures"], list)
                and isinstance(raw["issued_by_root"], list), "the lists")
        _expect(all(isinstance(v, bool) for v in raw["issued_by_root"]), "issued_by_root")
        _expect(len(raw["issued_by_root"]) == len(raw["signatures"]) or raw["unusable"],
                "one issuer check per signature")
        return cls(unusable=raw["unusable"], keywords=raw["keywords"],
                   signatures=tuple(_signature(s) for s in raw["signatures"]),
                   issued_by_root=tuple(raw["issued_by_root"]))


def _expect(condition: Any, what: str) -> None:
    if not condition:
        raise InspectionFailed(f"the inspection's answer is malformed: {what}")


def _is_optional_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


#: how each ``SignatureReport`` field is checked, by its annotation
_FIELD_CHECKS = {
    "str": lambda v: isinstance(v, str),
    "str | None": _is_optional_text,
    "bool": lambda v: isinstance(v, bool),
    "list[str]": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "dict[str, str | None]": lambda v: isinstance(v, dict) and all(
        isinstance(k, str) and _is_optional_text(x) for k, x in v.items()),
}
_SIGNATURE_FIELDS = {f.name: _FIELD_CHECKS[str(f.type)] for f in fields(SignatureReport)}


def _signature(raw: Any) -> SignatureReport:
    _expect(isinstance(raw, dict) and set(raw) == set(_SIGNATURE_FIELDS), "a signature's fields")
    for name, check in _SIGNATURE_FIELDS.items():
        _expect(check(raw[name]), f"signature field {name}")
    return SignatureReport(**raw)


def inspect_pdf(data: bytes, trust: TrustSettings, now: dt.datetime | None = None
                ) -> PdfInspection:
    """The inspection itself, in this process (the sandboxed process runs this)."""
    from signing.academy_identity import issued_by_root
    from signing.verification import read_pdf, verify_pdf

    try:
        reader = read_pdf(data)
        report = verify_pdf(data, trust, now=now)
        ours = issued_by_root(data, trust.roots[0])
    except UnusablePdf as error:
        return PdfInspection(unusable=str(error))
    return PdfInspection(keywords=_keywords(reader), signatures=tuple(report.signatures),
                         issued_by_root=tuple(ours))


def _keywords(reader: Any) -> str:
    try:
        info = reader.trailer_view.get("/Info")
        keywords = str(info.get_object().get("/Keywords", "")) if info is not None else ""
    except Exception:  # noqa: BLE001 - a damaged info dictionary has no keywords
        return ""
    return keywords[:MAX_KEYWORDS]


# --- the sandboxed process


@dataclass(frozen=True)
class _Request:
    roots: list[str]
    crls: list[str]
    now: str | None
    pdf: bytes = field(repr=False)

    def encode(self) -> bytes:
        header = json.dumps({"roots": self.roots, "crls": self.crls, "now": self.now})
        return header.encode() + b"\n" + self.pdf

    @classmethod
    def decode(cls, data: bytes) -> _Request:
        header, _, pdf = data.partition(b"\n")
        fields_ = json.loads(header)
        return cls(fields_["roots"], fields_["crls"], fields_["now"], pdf)


def _pem(certificate: x509.Certificate | x509.CertificateRevocationList) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


#: what the sandboxed process runs: this module's ``main``
INSPECT = ("-m", "signing.pdf_inspection")


def _command(limits: InspectionLimits, python_args: tuple[str, ...]) -> list[str]:
    venv = Path(sys.prefix)
    code = Path(__file__).resolve().parent.parent
    cmd = ["prlimit", f"--as={limits.memory_bytes}", f"--cpu={limits.cpu_seconds}",
           f"--fsize={MAX_ANSWER_BYTES}", "--core=0", "--",
           *isolation_flags(venv, writable_tmp=False)]
    for package in PACKAGES:
        cmd += ["--ro-bind", str(code / package), str(CODE_ROOT / package)]
    cmd += [
        "--remount-ro", "/dev",  # nothing in the sandbox can be written (/dev/shm either)
        "--remount-ro", "/",
        "--chdir", "/",
        "--clearenv",
        "--setenv", "PATH", f"{venv}/bin:/usr/bin:/bin",
        "--setenv", "HOME", "/",
        "--setenv", "LANG", "C.UTF-8",
        "--setenv", "PYTHONPATH", str(CODE_ROOT),
        "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
        str(venv / "bin" / "python"), *python_args,
    ]
    return cmd


@dataclass(frozen=True)
class SandboxRun:
    """What a sandboxed process answered: its exit status, stdout and stderr (each at most
    ``MAX_ANSWER_BYTES``: the process cannot write more)."""

    returncode: int
    stdout: bytes
    stderr: bytes


def run_sandboxed(python_args: tuple[str, ...], stdin: bytes,
                  limits: InspectionLimits) -> SandboxRun:
    """Python with ``python_args`` in the PDF sandbox, ``stdin`` as its input.
    InspectionFailed on the wall-clock limit; SandboxError when the sandbox cannot start
    (bubblewrap missing, or refused its namespaces: it says so on stderr as ``bwrap:``)."""
    kwargs: dict[str, Any] = {}
    account = sandbox_account()
    if account is not None:
        kwargs.update(user=account.uid, group=account.gid, extra_groups=[])
    # files, not pipes: the kernel caps what the process writes (--fsize), and the answer
    # is read only once it has ended
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as err:
        given.write(stdin)
        given.seek(0)
        try:
            done = subprocess.run(_command(limits, python_args), stdin=given, stdout=out,
                                  stderr=err, timeout=limits.wall_seconds, check=False,
                                  **kwargs)
        except subprocess.TimeoutExpired:
            raise InspectionFailed(
                f"reading the file took longer than {limits.wall_seconds:g} s") from None
        except OSError as error:
            raise SandboxError(f"the PDF sandbox cannot start: {error}") from error
        out.seek(0)
        err.seek(0)
        run = SandboxRun(done.returncode, out.read(MAX_ANSWER_BYTES + 1),
                         err.read(MAX_ANSWER_BYTES + 1))
    if run.returncode != 0 and run.stderr.startswith(b"bwrap:"):
        raise SandboxError("the PDF sandbox cannot start: "
                           + run.stderr.decode("utf-8", "replace").strip()[:300])
    return run


def inspect_pdf_isolated(data: bytes, trust: TrustSettings, now: dt.datetime | None = None,
                         limits: InspectionLimits | None = None) -> PdfInspection:
    """``inspect_pdf`` in a sandboxed process (module docstring). UnusablePdf for a file
    too large to take; InspectionFailed when the process gives no valid answer (a file
    that exhausts a limit is one); SandboxError when no sandbox can start."""
    limits = limits or InspectionLimits()
    if len(data) > MAX_PDF_BYTES:
        raise UnusablePdf(f"the file is larger than {MAX_PDF_BYTES // (1024 * 1024)} MB")
    request = _Request([_pem(r) for r in trust.roots], [_pem(c) for c in trust.crls],
                       now.isoformat() if now else None, data)
    done = run_sandboxed(INSPECT, request.encode(), limits)
    if done.returncode != 0:
        raise InspectionFailed(f"reading the file failed (exit {done.returncode})")
    if len(done.stdout) > MAX_ANSWER_BYTES:
        raise InspectionFailed("the inspection's answer is too large")
    return PdfInspection.from_json(done.stdout.decode("utf-8", "replace"))


def main() -> None:
    """Inside the sandbox: the request on stdin, the answer on stdout."""
    request = _Request.decode(sys.stdin.buffer.read())
    trust = TrustSettings(
        roots=[x509.load_pem_x509_certificate(r.encode()) for r in request.roots],
        crls=[x509.load_pem_x509_crl(c.encode()) for c in request.crls])
    now = dt.datetime.fromisoformat(request.now) if request.now else None
    try:
        inspection = inspect_pdf(request.pdf, trust, now)
    except Exception as error:  # noqa: BLE001 - whatever the file does to the reader: unusable
        inspection = PdfInspection(
            unusable=f"the PDF cannot be read: {type(error).__name__}: {error}"[:500])
    sys.stdout.write(inspection.to_json())


if __name__ == "__main__":
    main()
