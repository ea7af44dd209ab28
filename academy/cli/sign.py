"""`academy sign …`: digital signatures (verify a signed PDF)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from academy.cli.context import AcademyContext, pass_academy
from signing.training_pki import PkiUrls

# exit codes of `academy sign verify` (a contract other tools rely on)
EXIT_PASSED = 0
EXIT_NOT_PASSED = 1
EXIT_UNUSABLE = 2


@click.group()
def sign() -> None:
    """Digital signatures: verify signed PDFs, make a sandbox PKI."""


def _load_roots(paths: tuple[Path, ...]) -> list[object]:
    from cryptography import x509

    roots = []
    for path in paths:
        try:
            data = path.read_bytes()
            found = x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data \
                else [x509.load_der_x509_certificate(data)]
        except (OSError, ValueError) as exc:
            raise click.UsageError(f"--trust {path}: not a readable certificate (PEM or DER): "
                                   f"{exc}") from exc
        roots.extend(found)
    return roots


def _trust(academy: AcademyContext, extra: list[object], sandbox_root: bool,
           pdf: bytes) -> object:
    """The roots to trust (the sandbox root unless replaced, and `extra`), with the sandbox
    PKI's current CRLs from the installation's e-office when there is one (revocation
    information is knowledge, not trust: it is used whatever the roots)."""
    from signing.verification import TrustSettings

    try:
        from installation.settings import InstallSettings
        from sandbox_eoffice.database import make_engine, make_session_factory
        from sandbox_eoffice.signatures import load_pki, pki_dir, trust_settings

        directory = pki_dir(academy.layout.eoffice_dir)
        if not (directory / "root.cert.pem").exists():
            raise FileNotFoundError(f"no sandbox PKI in {directory}")
        pki = load_pki(directory)
        settings = InstallSettings.load(academy.layout)
        engine = make_engine(settings.eoffice_url(academy.layout))
        try:
            with make_session_factory(engine)() as session:
                return trust_settings(session, pki, extra_roots=extra,  # type: ignore[arg-type]
                                      sandbox_root=sandbox_root, pdf=pdf)
        finally:
            engine.dispose()
    except (OSError, ValueError, SQLAlchemyError) as exc:
        click.echo(f"the installation's sandbox PKI is not available ({exc}): trusting only "
                   "the --trust roots, without its revocation lists.", err=True)
        return TrustSettings(roots=extra)  # type: ignore[arg-type]


@sign.command("sandbox-pki")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="A directory that does not exist yet; it is made mode 0700.")
@click.option("--url", default="http://127.0.0.1:8000/services/eoffice/pki/",
              show_default=True, help="Where the e-office will serve the PKI (printed in "
              "the certificates).")
def sandbox_pki(out: Path, url: str) -> None:
    """Make a sandbox training PKI (root CA, issuing CA, timestamp authority, OCSP responder
    and the token store's key) in OUT, for an e-office whose PKI is provided rather than
    made by `academy init`, e.g. a Kubernetes Secret (docs/deploy-kubernetes.md)."""
    from signing.training_pki import ensure_training_pki

    if out.exists():
        raise click.UsageError(f"--out {out}: exists already; give a new directory")
    if not url.startswith(("http://", "https://")):
        raise click.UsageError(f"--url {url}: an http:// or https:// address")
    try:
        ensure_training_pki(out, PkiUrls(url.rstrip("/") + "/"))
    except OSError as exc:
        raise click.ClickException(f"{out}: {exc.strerror or exc}") from exc
    click.echo(f"sandbox PKI made in {out} (keep it secret: it holds the CAs' keys)")


@sign.command("verify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--trust", "trust", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Also trust this root certificate (PEM or DER); repeat for more.")
@click.option("--trust-only", is_flag=True,
              help="Trust only the --trust roots, not the sandbox root.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object with a `signatures` array.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the explanations.")
@pass_academy
def verify(academy: AcademyContext, file: Path, trust: tuple[Path, ...], trust_only: bool,
           as_json: bool, lang: str) -> None:
    """Verify every signature of FILE: intact, signer, signing time (by the timestamp),
    chain and trusted root, revocation, changes after signing, and the ETSI EN 319 102-1
    indication with one sentence of explanation. Trusts the sandbox root by default, with
    the sandbox's current revocation lists and its OCSP responder's answers (nothing is
    fetched from the network).

    Exit status: 0 every signature passed; 1 a signature failed or is indeterminate, or
    the PDF has no signature; 2 the input is unusable (not a PDF, unreadable, encrypted)."""
    from signing.verification import UnusablePdf, verify_pdf

    if trust_only and not trust:
        raise click.UsageError("--trust-only needs at least one --trust ROOT.pem")
    try:
        data = file.read_bytes()
    except OSError as exc:
        click.echo(f"{file}: cannot be read: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    roots = _load_roots(trust)
    settings = _trust(academy, roots, not trust_only, data)
    try:
        report = verify_pdf(data, settings, lang=lang)  # type: ignore[arg-type]
    except UnusablePdf as unusable:
        click.echo(f"{file}: {unusable}", err=True)
        sys.exit(EXIT_UNUSABLE)
    except Exception as error:  # noqa: BLE001 - the contract: unusable input exits 2
        click.echo(f"{file}: cannot be verified: {error}", err=True)
        sys.exit(EXIT_UNUSABLE)
    if as_json:
        click.echo(json.dumps({"file": str(file), **report.as_dict()}, ensure_ascii=False,
                              indent=2))
    else:
        _print_report(file, report)
    if not report.signatures:
        click.echo(f"{file}: this PDF has no digital signature.", err=True)
        sys.exit(EXIT_NOT_PASSED)
    sys.exit(EXIT_PASSED if report.all_passed else EXIT_NOT_PASSED)


def _print_report(file: Path, report: object) -> None:
    """The report for a person (labels in English like the rest of the CLI; the
    explanations in --lang)."""
    signatures = report.signatures  # type: ignore[attr-defined]
    click.echo(f"{file}: {len(signatures)} signature(s)")
    for number, s in enumerate(signatures, start=1):
        sub = f" / {s.sub_indication}" if s.sub_indication else ""
        revoked = f"yes, {s.revocation_time} ({s.revocation_reason})" \
            if s.revoked and s.revocation_time else ("yes" if s.revoked else "no")
        click.echo(f"\n[{number}] {s.signer or '?'}: {s.indication}{sub}")
        click.echo(f"    {s.explanation}")
        click.echo(f"    intact: {'yes' if s.intact else 'no'}")
        click.echo(f"    signing time: {s.signing_time or '-'} ({s.signing_time_source})")
        click.echo(f"    chain: {' -> '.join(s.chain) or '-'}")
        click.echo(f"    trusted root: {s.root if s.trusted else 'no'}")
        click.echo(f"    revoked: {revoked}")
        click.echo(f"    changed after signing: {s.modification}")
