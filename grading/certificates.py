"""Completion certificates: one signed PDF per learner and completed course, issued by the
academy's own signing identity (``signing.pki``), listed in a registry, verifiable by anyone.

- **Issue** (``issue_for_completed``): for every passed ``CompletionRecord`` without a
  certificate, the PDF is laid out (``grading.certificate_pdf``), signed by the academy
  (PAdES B-T, ``signing.academy_identity``) and written to ``<registry>/pdf/<id>.pdf``;
  the registry records it. Idempotent: a learner and course that have a certificate (even
  a revoked one) get no other, so it can run after every grading.
- **Registry**: ``<registry>/registry.json`` (0600, replaced atomically, changed under an
  exclusive lock on ``registry.lock``): per certificate its id, the learner, the course,
  the dates, the PDF's SHA-256 and the revocation (flag, date, reason, who).
- **Certificate ids**: 12 characters of Crockford's base32 (no I, L, O, U) printed in three
  groups of four, ``7K3M-Q9TZ-R2XA``: 11 random characters (55 bits, from ``secrets``) and a
  check character (Luhn mod 32), so a mistyped id is recognised as one before any lookup
  (every single wrong character, every swap of neighbours except "0"/"Z").
  Reading is forgiving: lower case, spaces, missing dashes, O for 0 and I/L for 1.
- **Verify** (``verify_certificate``): a file, or an id alone. A file must carry one
  intact signature that chains to the academy's root (the sandbox training CA or any other
  is refused), its id must be in the registry with the same SHA-256 (any byte changed,
  or an update appended, differs), and it must not be revoked. The result says why in
  Vietnamese and English; the CLI and the public verification page both use it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common.clock import to_vietnam
from common.files import SHARED_READ_MODE, atomic_write
from common.i18n import N_, Language
from common.roles import Role
from grading.i18n import catalogue

if TYPE_CHECKING:
    from course_kit.catalog import Course
    from grading.competencies import Framework
    from grading.records import CompletionRecord
    from people.roster import Person

REGISTRY_FILE = "registry.json"
LOCK_FILE = "registry.lock"
PDF_DIR = "pdf"
REGISTRY_FORMAT = 1
#: where the public verification page answers; the certificate's id is appended
VERIFY_URL_ENV = "ACADEMY_CERTIFICATE_VERIFY_URL"
DEFAULT_VERIFY_URL = "http://127.0.0.1:8000/services/dashboards/verify/"
#: who may revoke a certificate
REVOKING_ROLES = frozenset({Role.ADMIN, Role.HR})

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
_RANDOM_CHARS = 11
_GROUP = 4
_READ_AS = {"O": "0", "I": "1", "L": "1"}


class CertificateError(RuntimeError):
    """A certificate cannot be issued or revoked; the message says what and where."""


class RevocationRefused(CertificateError):
    """The person asking may not revoke certificates (only admin and HR may)."""


class MalformedCertificateId(ValueError):
    """Not a certificate id: wrong length, a letter outside the alphabet, or a check
    character that does not match (a typing mistake)."""


# --- ids ----------------------------------------------------------------------------------


def _check_character(body: str) -> str:
    """Luhn mod 32 over `body`: catches every single mistyped character and every swap of
    two neighbours but one: "0" and "Z" (values 0 and 31) swapped, Luhn's blind spot."""
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def _grouped(plain: str) -> str:
    return "-".join(plain[i:i + _GROUP] for i in range(0, len(plain), _GROUP))


def new_certificate_id() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(_RANDOM_CHARS))
    return _grouped(body + _check_character(body))


def normalise_certificate_id(text: str) -> str:
    """The id as printed (``7K3M-Q9TZ-R2XA``) from what someone typed; MalformedCertificateId
    otherwise."""
    plain = "".join(_READ_AS.get(c, c) for c in text.upper() if c not in " -\t")
    if len(plain) != _RANDOM_CHARS + 1 or any(c not in ALPHABET for c in plain):
        raise MalformedCertificateId(
            f"{text!r} is not a certificate id (12 letters and digits, like 7K3M-Q9TZ-R2XA)")
    if _check_character(plain[:-1]) != plain[-1]:
        raise MalformedCertificateId(
            f"{text!r} is not a certificate id: its check character does not match "
            "(a typing mistake?)")
    return _grouped(plain)


def verification_url(certificate_id: str, base_url: str | None = None) -> str:
    base = base_url or os.environ.get(VERIFY_URL_ENV) or DEFAULT_VERIFY_URL
    return base.rstrip("/") + "/" + certificate_id


# --- the registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCertificate:
    """What the HR export and My learning need to know of one issued certificate."""

    certificate_id: str
    username: str
    course_id: str
    verification_url: str
    revoked: bool
    issued_at: str = ""  # ISO 8601
    completion_date: str = ""  # ISO date
    revoked_at: str | None = None  # ISO 8601
    revocation_reason: str | None = None


@dataclass(frozen=True)
class CertificateRecord:
    """One registry entry: everything the academy keeps of an issued certificate."""

    certificate_id: str
    username: str
    employee_id: str
    full_name: str
    agency: str
    course_id: str
    course_title: str
    completion_date: str  # ISO date
    issued_at: str  # ISO 8601, UTC
    sha256: str  # of the signed PDF as issued
    pdf_file: str  # relative to the registry folder
    verification_url: str
    competencies: tuple[tuple[str, int], ...] = ()
    revoked: bool = False
    revoked_at: str | None = None
    revocation_reason: str | None = None
    revoked_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"competencies": [list(c) for c in self.competencies]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CertificateRecord:
        values = dict(data)
        values["competencies"] = tuple((str(c), int(level))
                                       for c, level in values.get("competencies", ()))
        return cls(**values)

    def issued(self) -> IssuedCertificate:
        return IssuedCertificate(
            certificate_id=self.certificate_id, username=self.username,
            course_id=self.course_id, verification_url=self.verification_url,
            revoked=self.revoked, issued_at=self.issued_at,
            completion_date=self.completion_date, revoked_at=self.revoked_at,
            revocation_reason=self.revocation_reason)


def load_registry(registry_dir: Path) -> list[CertificateRecord]:
    """Every certificate ever issued, oldest first; [] before the first one."""
    path = registry_dir / REGISTRY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise CertificateError(f"{path}: cannot be read: {error}") from error
    except json.JSONDecodeError as error:
        raise CertificateError(f"{path}: line {error.lineno}: {error.msg}") from error
    try:
        if data.get("format") != REGISTRY_FORMAT:
            raise CertificateError(f"{path}: unknown registry format {data.get('format')!r}")
        return [CertificateRecord.from_json(entry) for entry in data["certificates"]]
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise CertificateError(f"{path}: not a certificate registry ({error})") from error


def _save_registry(registry_dir: Path, records: Sequence[CertificateRecord]) -> None:
    payload = {"format": REGISTRY_FORMAT, "certificates": [r.to_json() for r in records]}
    atomic_write(registry_dir / REGISTRY_FILE,
                 json.dumps(payload, ensure_ascii=False, indent=1) + "\n",
                 mode=SHARED_READ_MODE)


@contextlib.contextmanager
def _locked(registry_dir: Path) -> Iterator[None]:
    """The registry to oneself (issue and revoke run from the CLI and after grading)."""
    registry_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(registry_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def find_certificate(registry_dir: Path, certificate_id: str) -> CertificateRecord | None:
    wanted = normalise_certificate_id(certificate_id)
    return next((r for r in load_registry(registry_dir) if r.certificate_id == wanted), None)


def certificate_index(registry_dir: Path) -> Mapping[tuple[str, str], IssuedCertificate]:
    """Every certificate in the registry, by (username, course_id); the newest one wins."""
    index: dict[tuple[str, str], IssuedCertificate] = {}
    for record in sorted(load_registry(registry_dir), key=lambda r: r.issued_at):
        index[(record.username, record.course_id)] = record.issued()
    return index


# --- issuing ------------------------------------------------------------------------------


def course_competencies(course: Course) -> list[tuple[str, int]]:
    """The competencies a course certifies: each code its modules train, at the highest
    level any of them trains it to, in course.toml's order."""
    levels: dict[str, int] = {}
    for module in course.modules:
        for code, level in module.competencies:
            levels[code] = max(level, levels.get(code, 0))
    return list(levels.items())


def _competency_lines(pairs: Sequence[tuple[str, int]], framework: Framework,
                      course_id: str) -> tuple[Any, ...]:
    from grading.certificate_pdf import CompetencyLine

    lines = []
    for code, level in pairs:
        if code not in framework.platform:
            raise CertificateError(f"course {course_id!r}: competency {code!r} is not in the "
                                   f"framework (known: {', '.join(sorted(framework.platform))})")
        if not 1 <= level <= len(framework.levels):
            raise CertificateError(f"course {course_id!r}: competency {code!r}: level {level} "
                                   f"is not 1-{len(framework.levels)}")
        lines.append(CompetencyLine(code=code, name_vi=framework.platform[code].label.vi,
                                    level=level,
                                    level_group_vi=framework.levels[level - 1].group_label.vi))
    return tuple(lines)


@dataclass(frozen=True)
class IssueOptions:
    """How certificates are issued: where the keys and the public page are."""

    pki_dir: Path
    verify_base_url: str | None = None  # default: $ACADEMY_CERTIFICATE_VERIFY_URL or ours
    save_every: int = 50  # registry writes in a long run (a stopped run loses no PDF's entry)


def issue_for_completed(
    records: Iterable[CompletionRecord],
    registry_dir: Path,
    options: IssueOptions,
    competencies: Mapping[str, Sequence[tuple[str, int]]] | None = None,
    *,
    framework: Framework | None = None,
    now: dt.datetime | None = None,
    reissue_revoked: bool = False,
) -> list[IssuedCertificate]:
    """A certificate for every passed record that has none yet (learner and course); the
    new ones. The competencies shown are ``competencies[course id]`` (a list of (code,
    level), e.g. ``course_competencies``) when given for the course, else the record's own
    (the levels the learner reached, ``grading.records``); their names come from the
    framework (``load_framework`` by default).

    Safe to call after every grading: records already certified, failed or not completed
    are skipped, and concurrent calls wait for each other (a lock). A learner and course
    whose certificates are all revoked get a new one only with ``reissue_revoked`` (after
    HR corrected what the revocation was for)."""
    from grading.competencies import load_framework
    from signing.academy_identity import IdentityError, load_identity

    wanted = [r for r in records if r.passed and r.completion_date is not None and r.username]
    if not wanted:
        return []
    framework = framework or load_framework()
    competencies = competencies or {}
    issued: list[IssuedCertificate] = []
    with _locked(registry_dir):
        registry = load_registry(registry_dir)
        have = {(r.username, r.course_id) for r in registry
                if not (reissue_revoked and r.revoked)}
        todo = [r for r in dict.fromkeys(wanted) if (r.username, r.course_id) not in have]
        if not todo:
            return []
        try:
            identity = load_identity(options.pki_dir, now)
        except (IdentityError, OSError) as error:
            raise CertificateError(f"cannot sign certificates: {error}") from error
        (registry_dir / PDF_DIR).mkdir(mode=0o750, exist_ok=True)
        known = {r.certificate_id for r in registry}
        try:
            for count, record in enumerate(todo, start=1):
                if (record.username, record.course_id) in have:
                    continue
                pairs = competencies.get(record.course_id, record.competencies)
                entry = _issue_one(record, registry_dir, options, identity, known,
                                   _competency_lines(pairs, framework, record.course_id), now)
                registry.append(entry)
                have.add((record.username, record.course_id))
                known.add(entry.certificate_id)
                issued.append(entry.issued())
                if count % options.save_every == 0:
                    _save_registry(registry_dir, registry)
        finally:
            if issued:
                _save_registry(registry_dir, registry)
    return issued


def _issue_one(record: CompletionRecord, registry_dir: Path, options: IssueOptions,
               identity: Any, known: set[str], lines: tuple[Any, ...],
               now: dt.datetime | None) -> CertificateRecord:
    from grading.certificate_pdf import (
        ACADEMY_NAME_VI,
        CertificateContent,
        font_file,
        render_certificate,
    )
    from signing.academy_identity import sign_with_identity

    certificate_id = new_certificate_id()
    while certificate_id in known:  # 2^55 ids: never in practice, but checked
        certificate_id = new_certificate_id()
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    url = verification_url(certificate_id, options.verify_base_url)
    assert record.completion_date is not None  # noqa: S101 - filtered by the caller
    content = CertificateContent(
        certificate_id=certificate_id, full_name=record.full_name,
        employee_id=record.employee_id, agency=record.agency,
        course_title=record.course_title, completion_date=record.completion_date,
        issued_at=moment, verification_url=url, competencies=lines)
    pdf, placement = render_certificate(content)
    signed = sign_with_identity(
        pdf, identity, holder=ACADEMY_NAME_VI, placement=placement, font_file=font_file(),
        reason=f"Cấp giấy chứng nhận hoàn thành khóa học, mã {certificate_id}", now=moment)
    relative = f"{PDF_DIR}/{certificate_id}.pdf"
    atomic_write(registry_dir / relative, signed, mode=SHARED_READ_MODE)
    return CertificateRecord(
        certificate_id=certificate_id, username=record.username,
        employee_id=record.employee_id, full_name=record.full_name, agency=record.agency,
        course_id=record.course_id, course_title=record.course_title,
        completion_date=record.completion_date.isoformat(), issued_at=moment.isoformat(),
        sha256=hashlib.sha256(signed).hexdigest(), pdf_file=relative, verification_url=url,
        competencies=tuple((line.code, line.level) for line in lines))


def certificate_pdf_path(registry_dir: Path, record: CertificateRecord) -> Path:
    return registry_dir / record.pdf_file


# --- revoking -----------------------------------------------------------------------------


def revoke_certificate(registry_dir: Path, certificate_id: str, *, reason: str, by: Person,
                       now: dt.datetime | None = None) -> CertificateRecord:
    """Mark a certificate revoked (it stays in the registry, and its PDF on disk). Only an
    active admin or HR officer may; RevocationRefused otherwise. CertificateError for an
    unknown id, an empty reason or a certificate revoked already."""
    if by.role not in REVOKING_ROLES or not by.can_log_in:
        raise RevocationRefused(
            f"{by.username} ({by.role}, {by.status}) may not revoke certificates: only an "
            "active admin or HR officer may")
    reason = " ".join(reason.split())
    if not reason:
        raise CertificateError("give the reason for the revocation (--reason TEXT)")
    wanted = normalise_certificate_id(certificate_id)
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    with _locked(registry_dir):
        registry = load_registry(registry_dir)
        for index, record in enumerate(registry):
            if record.certificate_id != wanted:
                continue
            if record.revoked:
                raise CertificateError(f"certificate {wanted} was revoked already on "
                                       f"{_vietnam_date(record.revoked_at)}: "
                                       f"{record.revocation_reason}")
            registry[index] = replace(record, revoked=True, revoked_at=moment.isoformat(),
                                      revocation_reason=reason, revoked_by=by.username)
            _save_registry(registry_dir, registry)
            return registry[index]
    raise CertificateError(f"no certificate {wanted} in {registry_dir / REGISTRY_FILE}")


def withdraw_uncompleted(records: Iterable[CompletionRecord], registry_dir: Path, *,
                         reason: str, by: str,
                         now: dt.datetime | None = None) -> list[CertificateRecord]:
    """Revoke every valid certificate whose learner and course the records now show as not
    completed on the evidence: a trainer's override to "not completed", or every module
    graded and the score below the pass mark (a regrade). A course that merely gained a
    module since (a curriculum change) withdraws nothing: a certificate says what was
    completed then. `by` names who or what withdrew it (the overriding person, the grading)."""
    withdrawn_pairs = {(r.username, r.course_id) for r in records
                       if not r.passed and (r.overridden or (
                           r.modules_total and r.modules_completed == r.modules_total))}
    if not withdrawn_pairs or not (registry_dir / REGISTRY_FILE).exists():
        return []
    reason = " ".join(reason.split())
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    withdrawn: list[CertificateRecord] = []
    with _locked(registry_dir):
        registry = load_registry(registry_dir)
        for index, record in enumerate(registry):
            if record.revoked or (record.username, record.course_id) not in withdrawn_pairs:
                continue
            registry[index] = replace(record, revoked=True, revoked_at=moment.isoformat(),
                                      revocation_reason=reason, revoked_by=by)
            withdrawn.append(registry[index])
        if withdrawn:
            _save_registry(registry_dir, registry)
    return withdrawn


def _vietnam_date(iso: str | None) -> str:
    if not iso:
        return "?"
    return f"{to_vietnam(dt.datetime.fromisoformat(iso)):%d/%m/%Y}"


# --- verifying ----------------------------------------------------------------------------


_catalogue = catalogue  # the verification sentences in a language (grading.i18n)


class VerificationStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    UNKNOWN_ID = "unknown_id"  # well formed, not in the registry
    ALTERED = "altered"  # changed after signing, or not the file the academy issued
    NOT_ACADEMY_SIGNATURE = "not_academy_signature"  # signed, but not by the academy
    SIGNATURE_INVALID = "signature_invalid"  # the academy's, but failing for another reason
    NOT_SIGNED = "not_signed"
    NO_ID = "no_id"  # a PDF without an academy certificate id
    MALFORMED_ID = "malformed_id"  # not an id at all (typing mistake)
    UNUSABLE = "unusable"  # not a PDF, unreadable, encrypted

    @property
    def usable_input(self) -> bool:
        return self not in (VerificationStatus.MALFORMED_ID, VerificationStatus.UNUSABLE)


# English message ids; Vietnamese from the gettext catalogue in grading/translations
_MESSAGES: dict[VerificationStatus, str] = {
    VerificationStatus.VALID: N_(
        'Certificate {id} is valid: issued by the Digital Civil Service Academy to {name}'
        ' ({agency}), who completed the course “{course}” on {completed}.'),
    VerificationStatus.REVOKED: N_(
        'Certificate {id} was revoked on {revoked_on}: {reason}'),
    VerificationStatus.UNKNOWN_ID: N_(
        "No certificate {id} is in the academy's registry: the academy did not issue it."),
    VerificationStatus.ALTERED: N_(
        'The file of certificate {id} was changed after the academy signed it: it is not '
        'the copy the academy issued.'),
    VerificationStatus.NOT_ACADEMY_SIGNATURE: N_(
        'The file is not signed by the Digital Civil Service Academy: its signature does '
        "not chain to the academy's root certificate ({signer})."),
    VerificationStatus.SIGNATURE_INVALID: N_(
        "The academy's signature on the file is not valid: {detail}"),
    VerificationStatus.NOT_SIGNED: N_(
        "The file has no digital signature: the academy's certificates are always signed."),
    VerificationStatus.NO_ID: N_(
        'The file carries no academy certificate id.'),
    VerificationStatus.MALFORMED_ID: N_(
        '“{id}” is not a certificate id (12 letters and digits, like 7K3M-Q9TZ-R2XA; a '
        'typing mistake?).'),
    VerificationStatus.UNUSABLE: N_(
        'The file cannot be verified: {detail}'),
}


@dataclass(frozen=True)
class VerificationResult:
    """What verification found, with one sentence in Vietnamese and one in English."""

    status: VerificationStatus
    certificate_id: str | None = None
    full_name: str | None = None
    agency: str | None = None
    course_title: str | None = None
    completion_date: str | None = None
    issued_at: str | None = None
    revoked_at: str | None = None
    revocation_reason: str | None = None
    signature: Mapping[str, Any] | None = None  # from signing.verification, for a file
    message_vi: str = ""
    message_en: str = ""
    checks: Mapping[str, bool] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.status is VerificationStatus.VALID

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi

    def as_dict(self, lang: str = "vi") -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["valid"] = self.valid
        data["message"] = self.message(lang)
        data["signature"] = dict(self.signature) if self.signature else None
        return data


def _result(status: VerificationStatus, record: CertificateRecord | None = None, *,
            certificate_id: str | None = None, signature: Mapping[str, Any] | None = None,
            detail: str = "", checks: Mapping[str, bool] | None = None) -> VerificationResult:
    cid = record.certificate_id if record else certificate_id
    values = {
        "id": cid or "?", "detail": detail, "signer": (signature or {}).get("signer") or "?",
        "name": record.full_name if record else "", "agency": record.agency if record else "",
        "course": record.course_title if record else "",
        "completed": (f"{dt.date.fromisoformat(record.completion_date):%d/%m/%Y}"
                      if record else ""),
        "revoked_on": _vietnam_date(record.revoked_at) if record else "",
        "reason": (record.revocation_reason or "") if record else "",
    }
    english = _MESSAGES[status]
    vi = _catalogue(Language.VIETNAMESE).gettext(english)
    return VerificationResult(
        status=status, certificate_id=cid,
        full_name=record.full_name if record else None,
        agency=record.agency if record else None,
        course_title=record.course_title if record else None,
        completion_date=record.completion_date if record else None,
        issued_at=record.issued_at if record else None,
        revoked_at=record.revoked_at if record else None,
        revocation_reason=record.revocation_reason if record else None,
        signature=signature, message_vi=vi.format(**values), message_en=english.format(**values),
        checks=dict(checks or {}))


def verify_certificate(source: bytes | str, registry_dir: Path, pki_dir: Path, *,
                       now: dt.datetime | None = None) -> VerificationResult:
    """Verify a certificate: `source` is the PDF's bytes or a certificate id (as typed).

    For an id: it is well formed, in the registry, not revoked. For a file, first its
    signature (one signature, intact, unchanged since, chaining to the academy root
    in `pki_dir`), then its id (in the PDF's keywords) in the registry with the file's
    SHA-256, then revocation. Never raises for bad input: the status says what was wrong."""
    if isinstance(source, str):
        return _verify_id(source, registry_dir)
    return _verify_file(source, registry_dir, pki_dir, now)


def _verify_id(text: str, registry_dir: Path) -> VerificationResult:
    try:
        wanted = normalise_certificate_id(text)
    except MalformedCertificateId:
        return _result(VerificationStatus.MALFORMED_ID, certificate_id=text.strip()[:40])
    record = find_certificate(registry_dir, wanted)
    if record is None:
        return _result(VerificationStatus.UNKNOWN_ID, certificate_id=wanted)
    if record.revoked:
        return _result(VerificationStatus.REVOKED, record, checks={"registered": True,
                                                                   "not_revoked": False})
    return _result(VerificationStatus.VALID, record,
                   checks={"registered": True, "not_revoked": True})


def _verify_file(data: bytes, registry_dir: Path, pki_dir: Path,
                 now: dt.datetime | None) -> VerificationResult:
    from common.bubblewrap import SandboxError
    from signing.academy_identity import academy_trust
    from signing.pdf_inspection import InspectionFailed, inspect_pdf_isolated
    from signing.verification import UnusablePdf

    trust = academy_trust(pki_dir, now)
    try:
        # the file may come from anyone (the public page): read in a sandbox, never here
        report = inspect_pdf_isolated(data, trust, now)
    except (UnusablePdf, InspectionFailed) as error:
        return _result(VerificationStatus.UNUSABLE, detail=str(error))
    except SandboxError as error:
        raise CertificateError(f"cannot read a PDF safely here: {error}") from error
    if report.unusable is not None:
        return _result(VerificationStatus.UNUSABLE, detail=report.unusable)
    ours = report.issued_by_root
    certificate_id = _certificate_id_in(report.keywords)
    if not report.signatures:
        return _result(VerificationStatus.NOT_SIGNED, certificate_id=certificate_id)
    signatures = report.signatures
    summary = {key: getattr(signatures[-1], key) for key in (
        "signer", "signing_time", "intact", "trusted", "indication", "sub_indication",
        "modification", "explanation_vi", "explanation_en")}
    checks = {"signature_intact": all(s.intact for s in signatures),
              "academy_signature": all(ours) and all(s.trusted for s in signatures),
              "unchanged_since_signing": all(not s.modified_after_signing for s in signatures)}
    if not checks["signature_intact"] or not checks["unchanged_since_signing"] or \
            len(signatures) > 1:
        return _result(VerificationStatus.ALTERED, certificate_id=certificate_id,
                       signature=summary, checks=checks)
    if not all(ours):
        return _result(VerificationStatus.NOT_ACADEMY_SIGNATURE, certificate_id=certificate_id,
                       signature=summary, checks=checks)
    if not report.all_passed:  # the academy's, but expired without proof of time, ...
        return _result(VerificationStatus.SIGNATURE_INVALID, certificate_id=certificate_id,
                       signature=summary, checks=checks,
                       detail=signatures[0].explanation_vi + " / " + signatures[0].explanation_en)
    if certificate_id is None:
        return _result(VerificationStatus.NO_ID, signature=summary, checks=checks)
    record = find_certificate(registry_dir, certificate_id)
    checks["registered"] = record is not None
    if record is None:
        return _result(VerificationStatus.UNKNOWN_ID, certificate_id=certificate_id,
                       signature=summary, checks=checks)
    checks["same_file_as_issued"] = hashlib.sha256(data).hexdigest() == record.sha256
    if not checks["same_file_as_issued"]:
        return _result(VerificationStatus.ALTERED, record, signature=summary, checks=checks)
    checks["not_revoked"] = not record.revoked
    if record.revoked:
        return _result(VerificationStatus.REVOKED, record, signature=summary, checks=checks)
    return _result(VerificationStatus.VALID, record, signature=summary, checks=checks)


def _certificate_id_in(keywords: str) -> str | None:
    """The id in the PDF's keywords (`academy-certificate-id:<id>`), if well formed."""
    from grading.certificate_pdf import ID_KEYWORD

    for word in keywords.replace(",", " ").split():
        if word.startswith(ID_KEYWORD + ":"):
            try:
                return normalise_certificate_id(word.split(":", 1)[1])
            except MalformedCertificateId:
                return None
    return None
