"""`academy certificate …`: signed completion certificates (issue, list, revoke, verify)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from academy.cli.context import AcademyContext, pass_academy
from installation.layout import DataLayout

if TYPE_CHECKING:
    from grading.autograde import AutogradeReport
    from grading.certificates import CertificateRecord, IssuedCertificate, VerificationResult
    from grading.on_submit import GradingTarget, SubmissionWatcher

# exit codes of `academy certificate verify` (a contract other tools rely on)
EXIT_VALID = 0
EXIT_NOT_VALID = 1  # altered, revoked, unknown id, not the academy's signature
EXIT_UNUSABLE = 2  # not a PDF, unreadable, not a certificate id, nothing to verify with


@click.group()
def certificate() -> None:
    """Completion certificates: signed PDFs for completed courses (issue, list, revoke,
    verify)."""


#: why a certificate is withdrawn when grading finds its course no longer completed
WITHDRAWN_BY_GRADING = ("The course is no longer completed: the grades were changed (regrading) "
                        "or a trainer overrode the completion.")


@dataclass(frozen=True)
class CertificateRun:
    """What one run of issuing did: new certificates, completed courses that had one, and
    certificates withdrawn because their course is no longer completed."""

    issued: list[IssuedCertificate]
    had_one: int
    withdrawn: list[CertificateRecord]


def issue_certificates(layout: DataLayout, course_id: str | None = None,
                       username: str | None = None, verify_url: str | None = None,
                       reissue_revoked: bool = False, *, actor: str = "academy (grading)",
                       withdraw_reason: str = WITHDRAWN_BY_GRADING) -> CertificateRun:
    """Certificates for the installation's completed courses that have none yet (one course
    or learner when given), and the withdrawal of those whose course the records no longer
    show as completed (an override, a regrade); every issue and withdrawal is audited."""
    from course_kit.catalog import load_catalog
    from grading.audit import AuditAction, append_entry
    from grading.certificates import IssueOptions, issue_for_completed, withdraw_uncompleted
    from grading.completion_overrides import load_overrides
    from grading.records import completion_records
    from installation.settings import InstallSettings
    from people.roster import load_roster

    settings = InstallSettings.load(layout)
    catalog = load_catalog(layout.catalog_dir)
    if course_id is not None and course_id not in catalog:
        raise click.UsageError(f"--course {course_id}: no such course (courses: "
                               f"{', '.join(sorted(catalog)) or 'none'})")
    roster = load_roster(layout.roster_file)
    if username is not None and not any(p.username == username for p in roster):
        raise click.UsageError(f"--user {username}: not in the roster")
    courses = {cid: c for cid, c in catalog.items() if course_id in (None, cid)}
    people = [p for p in roster if username in (None, p.username)]
    people = [replace(p, courses=tuple(c for c in p.courses if c in courses)) for p in people]
    urls = {cid: settings.gradebook_url(layout, cid) for cid in courses}
    # a trainer's completion override counts, as in the HR records
    overrides = load_overrides(layout.completion_overrides_file)
    records = completion_records(people, courses, urls, overrides=overrides)
    completed = [r for r in records if r.passed]
    withdrawn = withdraw_uncompleted(records, layout.certificates_dir, reason=withdraw_reason,
                                     by=actor)
    for record in withdrawn:
        append_entry(layout.audit_log_file, AuditAction.CERTIFICATE_REVOKE, actor, {
            "certificate": record.certificate_id, "user": record.username,
            "course": record.course_id, "reason": record.revocation_reason})
    # the competencies shown are the levels each learner reached (the records')
    issued = issue_for_completed(
        completed, layout.certificates_dir,
        IssueOptions(pki_dir=layout.pki_dir,
                     verify_base_url=verify_url or default_verify_url(layout)),
        reissue_revoked=reissue_revoked)
    for cert in issued:
        append_entry(layout.audit_log_file, AuditAction.CERTIFICATE_ISSUE, actor, {
            "certificate": cert.certificate_id, "user": cert.username,
            "course": cert.course_id})
    return CertificateRun(issued, len(completed) - len(issued), withdrawn)


def default_verify_url(layout: DataLayout) -> str | None:
    """The public verification page of the running platform (its public address), when the
    environment names none ($ACADEMY_CERTIFICATE_VERIFY_URL wins)."""
    from academy.supervisor import running_ports
    from grading.certificates import VERIFY_URL_ENV

    if os.environ.get(VERIFY_URL_ENV):
        return None
    ports = running_ports(layout)
    return f"{ports.public_url}/services/dashboards/verify/" if ports else None


def issue_after_grading(layout: DataLayout, course_id: str,
                        log: Callable[[str], None]) -> None:
    """Issue the course's certificates after a grading run; a failure is reported, never
    raised (grading itself succeeded)."""
    try:
        run = issue_certificates(layout, course_id)
    except (click.ClickException, OSError, RuntimeError, ValueError) as exc:
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        log(f"completion certificates not issued: {message}")
        return
    for cert in run.issued:
        log(f"certificate {cert.certificate_id} issued to {cert.username} for {course_id}")
    for record in run.withdrawn:
        log(f"certificate {record.certificate_id} of {record.username} for {course_id} "
            "withdrawn: the course is no longer completed")


def certifying_watcher(layout: DataLayout, targets: Callable[[], Iterable[GradingTarget]],
                       **options: Any) -> SubmissionWatcher:
    """The grading service's watcher (`academy grade watch`), issuing the certificates of
    each course it has just graded: a learner whose submission completes a course gets the
    certificate within the same tick."""
    from grading.on_submit import SubmissionWatcher

    class CertifyingWatcher(SubmissionWatcher):
        def tick(self) -> list[AutogradeReport]:
            reports = super().tick()
            for course_id in dict.fromkeys(report.course_id for report in reports):
                issue_after_grading(layout, course_id, self.log)
            return reports

    return CertifyingWatcher(targets, **options)


@certificate.command("issue")
@click.option("--course", "course_id", default=None, help="Only this course.")
@click.option("--user", "username", default=None, help="Only this learner.")
@click.option("--verify-url", default=None, metavar="URL",
              help="Address of the public verification page printed in the QR code (the id "
              "is appended). Default: $ACADEMY_CERTIFICATE_VERIFY_URL or "
              "http://127.0.0.1:8000/services/dashboards/verify/.")
@click.option("--reissue-revoked", is_flag=True,
              help="Also issue a new certificate where every earlier one was revoked (after "
              "the roster or the grades were corrected).")
@pass_academy
def issue(academy: AcademyContext, course_id: str | None, username: str | None,
          verify_url: str | None, reissue_revoked: bool) -> None:
    """Issue a signed certificate for every completed (passed) course that has none yet.
    Safe to run again: nothing is issued twice. (Grading runs it for the course it graded:
    `academy grade autograde` and the grading service.)"""
    if verify_url is not None and not verify_url.startswith(("http://", "https://")):
        raise click.UsageError(f"--verify-url {verify_url}: an http:// or https:// address")
    try:
        run = issue_certificates(academy.layout, course_id, username, verify_url,
                                 reissue_revoked, actor="academy certificate issue")
    except click.ClickException:
        raise
    except (OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    for cert in run.issued:
        path = academy.layout.certificates_dir / "pdf" / f"{cert.certificate_id}.pdf"
        click.echo(f"{cert.certificate_id}  {cert.username}  {cert.course_id}  {path}")
    for record in run.withdrawn:
        click.echo(f"{record.certificate_id}  {record.username}  {record.course_id}  "
                   "withdrawn: the course is no longer completed")
    click.echo(f"{len(run.issued)} certificate(s) issued; {run.had_one} completed course(s) "
               f"had one already; {len(run.withdrawn)} withdrawn.")


@certificate.command("list")
@click.option("--course", "course_id", default=None, help="Only this course.")
@click.option("--user", "username", default=None, help="Only this learner.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of the entries.")
@pass_academy
def list_certificates(academy: AcademyContext, course_id: str | None, username: str | None,
                      as_json: bool) -> None:
    """Every issued certificate: id, status, issue date, learner, course."""
    from grading.certificates import CertificateError, load_registry

    try:
        records = load_registry(academy.layout.certificates_dir)
    except CertificateError as exc:
        raise click.ClickException(str(exc)) from exc
    records = [r for r in records if course_id in (None, r.course_id)
               and username in (None, r.username)]
    if as_json:
        click.echo(json.dumps([r.to_json() for r in records], ensure_ascii=False, indent=1))
        return
    if not records:
        click.echo("no certificate issued yet" if not (course_id or username)
                   else "no certificate matches")
        return
    for r in records:  # dates in Vietnam time, as everywhere the academy shows one
        status = f"revoked {_vietnam_day(r.revoked_at)}" if r.revoked and r.revoked_at \
            else "valid"
        click.echo(f"{r.certificate_id}  {status:<18} {_vietnam_day(r.issued_at)}  "
                   f"{r.username:<16} {r.full_name}  {r.course_id}")


def _vietnam_day(iso: str) -> str:
    from datetime import datetime

    from common.clock import to_vietnam

    return to_vietnam(datetime.fromisoformat(iso)).date().isoformat()


@certificate.command("revoke")
@click.argument("certificate_id", metavar="ID")
@click.option("--reason", required=True, help="Why (shown to whoever verifies it).")
@click.option("--by", "by", required=True, metavar="USERNAME",
              help="Who revokes: an admin or HR officer of the roster.")
@pass_academy
def revoke(academy: AcademyContext, certificate_id: str, reason: str, by: str) -> None:
    """Revoke certificate ID: verification then says "revoked on DATE: REASON". The entry
    and the PDF are kept."""
    from grading.audit import AuditAction, append_entry
    from grading.certificates import (
        CertificateError,
        MalformedCertificateId,
        RevocationRefused,
        revoke_certificate,
    )
    from people.roster import RosterError, load_roster

    try:
        roster = load_roster(academy.layout.roster_file)
    except RosterError as exc:
        raise click.ClickException(str(exc)) from exc
    person = next((p for p in roster if p.username == by), None)
    if person is None:
        raise click.UsageError(f"--by {by}: not in the roster")
    layout = academy.layout
    try:
        record = revoke_certificate(layout.certificates_dir, certificate_id,
                                    reason=reason, by=person)
    except MalformedCertificateId as exc:
        raise click.UsageError(str(exc)) from exc
    except CertificateError as exc:
        if isinstance(exc, RevocationRefused):
            append_entry(layout.audit_log_file, AuditAction.CERTIFICATE_REVOKE_REFUSED, by,
                         {"certificate": certificate_id, "refused": str(exc)})
        raise click.ClickException(str(exc)) from exc
    append_entry(layout.audit_log_file, AuditAction.CERTIFICATE_REVOKE, by, {
        "certificate": record.certificate_id, "user": record.username,
        "course": record.course_id, "reason": record.revocation_reason})
    click.echo(f"certificate {record.certificate_id} ({record.username}, {record.course_id}) "
               f"revoked by {by}: {record.revocation_reason}")


@certificate.command("verify")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--id", "certificate_id", default=None, metavar="ID",
              help="Check a certificate id in the registry, without the file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of the message (default: Vietnamese, then English).")
@pass_academy
def verify(academy: AcademyContext, file: Path | None, certificate_id: str | None,
           as_json: bool, lang: str | None) -> None:
    """Verify a certificate FILE (the academy's signature intact, the id registered with the
    same SHA-256, not revoked), or an id with --id.

    Exit status: 0 valid; 1 not valid (altered, revoked, unknown id, not signed by the
    academy); 2 unusable input (not a PDF, unreadable, not a certificate id)."""
    from grading.certificates import CertificateError, verify_certificate
    from signing.academy_identity import IdentityError

    if (file is None) == (certificate_id is None):
        raise click.UsageError("give a FILE or --id ID (one of them)")
    source: bytes | str
    if file is not None:
        try:
            source = file.read_bytes()
        except OSError as exc:
            click.echo(f"{file}: cannot be read: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_UNUSABLE)
    else:
        source = certificate_id or ""
    layout = academy.layout
    try:
        result = verify_certificate(source, layout.certificates_dir, layout.pki_dir)
    except (CertificateError, IdentityError) as exc:
        click.echo(f"cannot verify with this installation: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    _print_result(result, file, as_json, lang)
    if result.valid:
        sys.exit(EXIT_VALID)
    sys.exit(EXIT_NOT_VALID if result.status.usable_input else EXIT_UNUSABLE)


def _print_result(result: VerificationResult, file: Path | None, as_json: bool,
                  lang: str | None) -> None:
    if as_json:
        data = result.as_dict(lang or "vi")
        if file is not None:
            data = {"file": str(file), **data}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    messages = [result.message(lang)] if lang else [result.message_vi, result.message_en]
    where = f"{file}: " if file is not None else ""
    for message in messages:
        click.echo(f"{where}{message}", err=not result.valid and not result.status.usable_input)
