"""Benchmark: signing and verifying PAdES signatures, the e-office path against raw pyhanko.

The same documents (Decree 30 layout, 1 page and 50 pages, checked with pypdf), the same
sandbox PKI, key, certificate and in-process timestamp authority, in the same run. The
variants of an operation are interleaved in a rotating order (A B C, B C A, C A B, ...)
because the machines are shared and noisy, after a warm-up (imports, the font rescaled to
1000 units per em once per process, a first signature and verification of every kind) and
`gc.freeze()` of what the setup left behind.

Sign (PAdES B-T, the personal signature at approval):
- e-office: what `sandbox_eoffice.signatures` does per signature (`check_pin` then
  `sign_at_approval`) minus the database: the PIN check (`tokens.pin_matches`, keyed
  HMAC), unsealing the key (`tokens.unseal`, AES-GCM), `signer_from_key`, the PKI's
  timestamp authority (`TrainingPki.timestamper`, made once per process as in the
  e-office), then `signing.pdf_signing.sign_pdf` with the Decree 30 appearance (signature
  image drawn and stamp style built for every signature);
- pyhanko: `PdfSigner(PdfSignatureMetadata(field_name, subfilter=PADES, md_algorithm=
  "sha256"), SimpleSigner, timestamper, stamp_style, new_field_spec=SigFieldSpec)` signing
  through an `IncrementalPdfFileWriter`, no wrapper of ours; the signer, the timestamper and
  the stamp style (the same `TextStampStyle`: image, text, font engine) are built once, as
  an application holding its key in memory would;
- both use the sandbox's timestamp authority (`SandboxTimeStamper`, pyhanko's in-process
  TSA with its key parsed once): it is infrastructure, not the signing path measured, and
  a real TSA would be a network call for either;
- invisible: the same two without an appearance (no image, no font, no field box).

Verify (the 1-page and 50-page documents as the e-office signed them):
- e-office: `signing.verification.verify_pdf(pdf, TrustSettings(roots, crls))`, what the
  e-office and `academy sign verify` call (report, explanations in two languages, DSS read);
- pyhanko: `PdfFileReader(...).embedded_regular_signatures`, `compute_integrity_info()` and
  `ades_with_time_validation` with the same `SignatureValidationSpec` as verification.py
  builds (built once; no report, explanations or DSS merging), run with `asyncio.run`;
- diagnostic: the same pyhanko validation with the spec rebuilt from the TrustSettings at
  every call, as `verify_pdf` does.

Reports medians (p90, min, max) per operation, operations per second and the throughput
ratio against pyhanko (> 1: faster than pyhanko; the issue's target for the e-office path is
>= 0.9), then the e-office path's own steps timed alone (where its extra time goes). About
a minute on 2 idle cores with the default 40 rounds.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_signing.py [--rounds 40] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import io
import json
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.ades.report import AdESStatus
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.ades import AdESWithTimeValidationResult, ades_with_time_validation
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.context import CertRevTrustPolicy, CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.registry import SimpleCertificateStore, SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer
from pypdf import PdfReader

from sandbox_eoffice.official_pdf import OfficialDocumentLayout, render_with_signature_space
from sandbox_eoffice.signatures import ITALIC_FONT, REGULAR_FONT
from signing import pdf_signing, tokens, verification
from signing.authority import PrivateKey, Subject, new_key
from signing.explanations import explain
from signing.pdf_signing import (
    Appearance,
    PadesProfile,
    Placement,
    SignatureRole,
    sign_pdf,
    signer_from_key,
    timestamper_from_key,
)
from signing.training_pki import PkiUrls, TrainingPki
from signing.verification import TrustSettings, verify_pdf

PKI_URLS = PkiUrls("http://127.0.0.1:8000/services/eoffice/pki/")
FIELD = "ChuKyCaNhan"  # the e-office's personal signature field
PIN = "274910"
HOLDER = "Lê Minh Tuấn"
REASON = "Phê duyệt văn bản"
LOCATION = "Phú Thọ"
PARAGRAPH = ("Sở Nội vụ đề nghị các cơ quan, đơn vị rà soát hồ sơ cán bộ, công chức, viên chức; "
             "cập nhật đầy đủ quá trình công tác, đào tạo, bồi dưỡng và gửi báo cáo về Sở Nội "
             "vụ trước ngày 20 tháng 01 năm 2026 để tổng hợp, báo cáo Ủy ban nhân dân tỉnh.")
PARAGRAPHS = {1: 1, 50: 490}  # pages: paragraphs of the body that make that many pages


@dataclass(frozen=True)
class Setup:
    pki: TrainingPki
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    sealed_key: bytes
    pin_hash: str
    trust: TrustSettings
    raw_signer: signers.SimpleSigner
    raw_timestamper: TimeStamper
    raw_spec: SignatureValidationSpec


@dataclass(frozen=True)
class Document:
    pages: int
    pdf: bytes
    placement: Placement
    signed: bytes  # signed by the e-office path (what both verifiers check)
    raw_style: TextStampStyle  # built once for the raw variant


def layout(paragraphs: int) -> OfficialDocumentLayout:
    body = "\n\n".join(f"{n}. {PARAGRAPH}" for n in range(1, paragraphs + 1))
    return OfficialDocumentLayout(
        agency="Sở Nội vụ tỉnh Phú Thọ", superior_agency="UBND TỈNH PHÚ THỌ",
        number_symbol="     /SNV-VP", place="Phú Thọ", issued_on=None, document_type="Công văn",
        summary="V/v rà soát hồ sơ cán bộ, công chức năm 2026", body=body,
        signer_name=HOLDER, signer_title="GIÁM ĐỐC",
        recipients=("Các cơ quan, đơn vị thuộc tỉnh;", "Lưu: VT, VP."))


def _asn1_key(key: PrivateKey) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return asn1_keys.PrivateKeyInfo.load(der)


def _asn1_cert(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def make_setup() -> Setup:
    now = dt.datetime.now(dt.UTC)
    pki = TrainingPki.create(PKI_URLS, now)
    key = new_key()
    subject = Subject(HOLDER, "Sở Nội vụ tỉnh Phú Thọ", "Phú Thọ", title="Chuyên viên")
    certificate = pki.issuing.issue(subject.to_x509(), key.public_key(),
                                    not_before=now - dt.timedelta(hours=1),
                                    not_after=now + dt.timedelta(days=365))
    chain = [pki.issuing.certificate, pki.root.certificate]
    trust = TrustSettings(roots=[pki.root.certificate],
                          crls=[pki.issuing.crl([], now=now, number=1),
                                pki.root.crl([], now=now, number=1)])
    # raw pyhanko: the same key, certificate, chain and TSA, built directly
    store = SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain])
    raw_signer = signers.SimpleSigner(signing_cert=_asn1_cert(certificate),
                                      signing_key=_asn1_key(key), cert_registry=store)
    raw_timestamper = timestamper_from_key(pki.tsa_key, pki.tsa_certificate, chain)
    raw_spec = raw_validation_spec(trust)
    return Setup(pki, certificate, chain, tokens.seal(key, pki.token_kek),
                 tokens.hash_pin(PIN, pki.pin_pepper), trust, raw_signer, raw_timestamper,
                 raw_spec)


def raw_validation_spec(trust: TrustSettings) -> SignatureValidationSpec:
    """The spec `signing.verification` builds, written with pyhanko's classes alone."""
    either = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
    der = serialization.Encoding.DER
    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(
                trust_roots=[_asn1_cert(root) for root in trust.roots]),
            revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(
                ee_certificate_rule=either, intermediate_ca_cert_rule=either)),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
        ),
        local_knowledge=LocalKnowledge(
            known_crls=[CRLContainer(asn1_crl.CertificateList.load(crl.public_bytes(der)))
                        for crl in trust.crls],
            known_ocsps=[], known_certs=[_asn1_cert(c) for c in trust.other_certificates]),
    )


def make_document(setup: Setup, pages: int) -> Document:
    pdf, space = render_with_signature_space(layout(PARAGRAPHS[pages]))
    found = len(PdfReader(io.BytesIO(pdf)).pages)
    if found != pages:
        raise SystemExit(f"the {pages}-page document has {found} pages: adjust PARAGRAPHS")
    placement = Placement(space.page, space.box)
    appearance = Appearance(SignatureRole.PERSONAL, HOLDER, placement, REGULAR_FONT,
                            ITALIC_FONT)
    raw_style = pdf_signing._stamp_style(appearance, dt.datetime.now(dt.UTC))
    doc = Document(pages, pdf, placement, b"", raw_style)
    return Document(pages, pdf, placement, sign_eoffice(setup, doc, visible=True), raw_style)


# --- the variants -----------------------------------------------------------------------------


def sign_eoffice(setup: Setup, doc: Document, *, visible: bool) -> bytes:
    """`check_pin` + `sign_at_approval` without the database."""
    if not tokens.pin_matches(PIN, setup.pin_hash, setup.pki.pin_pepper):
        raise AssertionError("the PIN does not match")
    key = tokens.unseal(setup.sealed_key, setup.pki.token_kek)
    appearance = Appearance(SignatureRole.PERSONAL, HOLDER, doc.placement, REGULAR_FONT,
                            ITALIC_FONT) if visible else None
    return sign_pdf(
        doc.pdf, signer_from_key(key, setup.certificate, setup.chain), field_name=FIELD,
        appearance=appearance,
        timestamper=setup.pki.timestamper,
        profile=PadesProfile.B_T, reason=REASON, location=LOCATION)


def sign_raw(setup: Setup, doc: Document, *, visible: bool) -> bytes:
    """pyhanko alone: PdfSigner on an IncrementalPdfFileWriter."""
    meta = signers.PdfSignatureMetadata(field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=REASON, location=LOCATION)
    if visible:
        spec = fields.SigFieldSpec(sig_field_name=FIELD, on_page=doc.placement.page,
                                   box=doc.placement.box)
    else:
        spec = fields.SigFieldSpec(sig_field_name=FIELD)
    pdf_signer = signers.PdfSigner(meta, signer=setup.raw_signer,
                                   timestamper=setup.raw_timestamper,
                                   stamp_style=doc.raw_style if visible else None,
                                   new_field_spec=spec)
    writer = IncrementalPdfFileWriter(io.BytesIO(doc.pdf), strict=False)
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


def verify_eoffice(setup: Setup, doc: Document) -> bool:
    return verify_pdf(doc.signed, setup.trust).all_passed


def verify_raw(setup: Setup, doc: Document, *, fresh_spec: bool = False) -> bool:
    """pyhanko alone, with the spec built once (`fresh_spec`: from the TrustSettings at every
    call, as verify_pdf does; a diagnostic)."""
    spec = raw_validation_spec(setup.trust) if fresh_spec else setup.raw_spec
    reader = PdfFileReader(io.BytesIO(doc.signed), strict=False)
    return all(asyncio.run(_validate_raw(signature, spec)).ades_subindic.status
               is AdESStatus.PASSED for signature in reader.embedded_regular_signatures)


async def _validate_raw(signature: EmbeddedPdfSignature,
                        spec: SignatureValidationSpec) -> AdESWithTimeValidationResult:
    signature.compute_integrity_info()
    return await ades_with_time_validation(
        signature.signed_data, spec, raw_digest=signature.compute_digest(),
        extra_status_kwargs=signature.summarise_integrity_info(),
        status_cls=PdfSignatureStatus)


# --- measuring ---------------------------------------------------------------------------------

Variant = Callable[[Setup, Document], object]
EOFFICE, RAW = "e-office", "pyhanko"
FRESH_SPEC = "pyhanko, spec rebuilt per call (diagnostic)"


def operations(setup: Setup) -> dict[str, list[tuple[str, Variant]]]:
    """Each operation's variants, the two compared first; timed in a rotating order."""
    return {
        "sign, visible": [
            (EOFFICE, lambda s, d: sign_eoffice(s, d, visible=True)),
            (RAW, lambda s, d: sign_raw(s, d, visible=True))],
        "sign, invisible": [
            (EOFFICE, lambda s, d: sign_eoffice(s, d, visible=False)),
            (RAW, lambda s, d: sign_raw(s, d, visible=False))],
        "verify": [
            (EOFFICE, verify_eoffice),
            (RAW, verify_raw),
            (FRESH_SPEC, lambda s, d: verify_raw(s, d, fresh_spec=True))],
    }


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    return {"median_s": median, "p90_s": ordered[min(len(ordered) - 1,
                                                     round(0.9 * (len(ordered) - 1)))],
            "min_s": ordered[0], "max_s": ordered[-1], "ops_per_s": 1 / median,
            "n": len(ordered)}


def check(setup: Setup, docs: list[Document]) -> None:
    """Warm-up, and every variant's output is a valid signature the other side accepts."""
    for doc in docs:
        for visible in (True, False):
            for signed in (sign_eoffice(setup, doc, visible=visible),
                           sign_raw(setup, doc, visible=visible)):
                checked = Document(doc.pages, doc.pdf, doc.placement, signed, doc.raw_style)
                if not (verify_eoffice(setup, checked) and verify_raw(setup, checked)):
                    raise SystemExit(f"a signature of the {doc.pages}-page document does not "
                                     "verify: the comparison would be meaningless")


def breakdown(setup: Setup, doc: Document, rounds: int) -> dict[str, float]:
    """Medians of the e-office path's own steps, timed alone (seconds)."""
    pki = setup.pki
    key = tokens.unseal(setup.sealed_key, pki.token_kek)
    appearance = Appearance(SignatureRole.PERSONAL, HOLDER, doc.placement, REGULAR_FONT,
                            ITALIC_FONT)
    reader = PdfFileReader(io.BytesIO(doc.signed), strict=False)
    [signature] = list(reader.embedded_regular_signatures)
    status = asyncio.run(_validate_raw(signature, setup.raw_spec)).api_status
    cert, path = status.signing_cert, status.validation_path
    keys = dict(indication="TOTAL_PASSED", sub_indication=None, reason=None,
                modification="none")

    def report_fields() -> None:
        verification._subject(cert)
        [verification._common_name_asn1(c) for c in path.iter_certs(include_root=True)]
        verification._signature_timestamp_time(signature)
        explain(lang="vi", **keys)
        explain(lang="en", **keys)

    steps: dict[str, Callable[[], object]] = {
        "sign: pin_matches (keyed HMAC-SHA256)": lambda: tokens.pin_matches(
            PIN, setup.pin_hash, pki.pin_pepper),
        "sign: unseal (AES-GCM, PEM load of the EC key)": lambda: tokens.unseal(
            setup.sealed_key, pki.token_kek),
        "sign: signer_from_key": lambda: signer_from_key(key, setup.certificate, setup.chain),
        "sign: stamp style (signature image drawn, style built)": lambda: (
            pdf_signing._stamp_style(appearance, dt.datetime.now(dt.UTC))),
        "verify: validation spec from TrustSettings": lambda: verification._validation_spec(
            setup.trust),
        "verify: DSS read (none in B-T)": lambda: verification._dss_knowledge(reader),
        "verify: report fields (subject, chain, time, vi+en text)": report_fields,
    }
    return {name: statistics.median(timed(fn) for _ in range(rounds))
            for name, fn in steps.items()}


def machine() -> dict[str, object]:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(line.split(":", 1)[1].strip() for line in info
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": model, "cores": os.cpu_count(),
            "python": f"{platform.python_version()} ({platform.python_implementation()})",
            "pyhanko": version("pyHanko"), "platform": platform.platform(),
            "load_average_1min": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40,
                        help="timed operations per size, operation and variant (default 40)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "FFTM NOT subset" on each stamp
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    setup = make_setup()
    docs = [make_document(setup, pages) for pages in PARAGRAPHS]
    check(setup, docs)  # also the warm-up
    gc.collect()
    gc.freeze()  # what is left lives to the end: full collections stop walking it
    ops = operations(setup)
    samples: dict[tuple[int, str, str], list[float]] = {}
    for round_number in range(args.rounds):
        for doc in docs:
            for operation, variants in ops.items():
                shift = round_number % len(variants)  # A B C, B C A, C A B, ...
                for name, fn in variants[shift:] + variants[:shift]:
                    samples.setdefault((doc.pages, operation, name), []).append(
                        timed(lambda fn=fn, doc=doc: fn(setup, doc)))
    results = [{"pages": pages, "operation": operation, "variant": name, **summary(times)}
               for (pages, operation, name), times in samples.items()]
    ratios = [{"pages": doc.pages, "operation": operation, "variant": name,
               "ratio": statistics.median(samples[doc.pages, operation, RAW])
               / statistics.median(samples[doc.pages, operation, name])}
              for doc in docs for operation, variants in ops.items()
              for name, _ in variants if name != RAW]
    steps = breakdown(setup, docs[0], max(args.rounds, 15))
    output = {"machine": {**machine(), "load_average_1min_at_start": load_before},
              "rounds": args.rounds,
              "command": " ".join(["python", *sys.argv]),
              "documents": {doc.pages: {"bytes": len(doc.pdf), "signed_bytes": len(doc.signed)}
                            for doc in docs},
              "results": results, "ratios_vs_pyhanko": ratios, "eoffice_steps_s": steps,
              "wall_s": time.perf_counter() - started}
    if args.json:
        print(json.dumps(output, indent=2, ensure_ascii=False))
        return
    info = output["machine"]
    print(f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
          f"pyhanko {info['pyhanko']}, load average {load_before:.2f} at the start, "
          f"{info['load_average_1min']:.2f} at the end")
    print(f"rounds: {args.rounds} per variant, interleaved; documents: "
          + ", ".join(f"{doc.pages} page(s) {len(doc.pdf) // 1024} KiB" for doc in docs))
    print(f"\n{'pages':>5}  {'operation':<16} {'variant':<44} {'median':>8} {'p90':>8} "
          f"{'min':>8} {'max':>8} {'ops/s':>6}")
    for row in results:
        print(f"{row['pages']:>5}  {row['operation']:<16} {row['variant']:<44} "
              f"{row['median_s'] * 1000:6.1f}ms {row['p90_s'] * 1000:6.1f}ms "
              f"{row['min_s'] * 1000:6.1f}ms {row['max_s'] * 1000:6.1f}ms "
              f"{row['ops_per_s']:6.1f}")
    print("\nthroughput ratio against pyhanko (>1: faster than pyhanko; target >= 0.9)")
    for row in ratios:
        verdict = ("meets" if row["ratio"] >= 0.9 else "MISSES") \
            if row["variant"] == EOFFICE else ""
        print(f"{row['pages']:>5}  {row['operation']:<16} {row['variant']:<44} "
              f"{row['ratio']:5.2f}x  {verdict}")
    print("\nthe e-office path's own steps, timed alone (medians)")
    for name, seconds in steps.items():
        print(f"  {name:<58} {seconds * 1000:7.2f} ms")
    print(f"\nwall time {output['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
