"""Verify the signatures of a PDF: one report per signature, with its ETSI EN 319 102-1
indication and one sentence for the learner (Vietnamese by default, English on request).

Validation runs pyhanko's AdES engine offline: the trust roots, CRLs and OCSP responses are
given (the sandbox PKI's come from the e-office); revocation information embedded in the
PDF (B-LT) is used as well; nothing is ever fetched from the network. Changes made after a
signature are classified by pyhanko's difference analysis: form filling, annotations and
later signatures are allowed; anything else is a content change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import lru_cache

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESStatus, AdESSubIndic
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.ades import AdESWithTimeValidationResult, ades_with_time_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator.context import CertRevTrustPolicy, CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from common.event_loop import run_coroutine
from signing.authority import Subject
from signing.explanations import explain
from signing.pdf_signing import to_asn1


class UnusablePdf(ValueError):
    """Not a PDF, unreadable, or encrypted: nothing can be verified."""


class Indication(StrEnum):
    """ETSI EN 319 102-1 main indications."""

    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"


class Modification(StrEnum):
    """What happened to the document after a signature (pyhanko's difference analysis)."""

    NONE = "none"
    VALIDATION_DATA = "validation_data"  # DSS, document timestamps (B-LT, B-LTA)
    FORM_FILLING = "form_filling"  # form fields filled, later signatures
    ANNOTATIONS = "annotations"  # comments, highlights
    CONTENT = "content"  # anything else: what you see is not what was signed


_MODIFICATION = {
    ModificationLevel.NONE: Modification.NONE,
    ModificationLevel.LTA_UPDATES: Modification.VALIDATION_DATA,
    ModificationLevel.FORM_FILLING: Modification.FORM_FILLING,
    ModificationLevel.ANNOTATIONS: Modification.ANNOTATIONS,
    ModificationLevel.OTHER: Modification.CONTENT,
}


@dataclass(frozen=True)
class TrustSettings:
    """What validation trusts and knows: roots, and revocation information it may use."""

    roots: Sequence[x509.Certificate]
    crls: Sequence[x509.CertificateRevocationList] = ()
    ocsp_responses: Sequence[bytes] = ()  # DER OCSPResponse
    other_certificates: Sequence[x509.Certificate] = ()


@dataclass
class SignatureReport:
    field_name: str
    signer: str | None
    signer_subject: dict[str, str | None]
    signer_certificate_serial: str | None
    signing_time: str | None  # by the signature timestamp when there is one (ISO 8601)
    signing_time_source: str  # "timestamp", "signer's clock" or "unknown"
    intact: bool
    valid: bool
    trusted: bool
    chain: list[str]
    root: str | None
    revoked: bool
    revocation_time: str | None
    revocation_reason: str | None
    modified_after_signing: bool
    modification: str
    coverage: str | None
    indication: str
    sub_indication: str | None
    explanation: str
    explanation_vi: str
    explanation_en: str
    passed: bool


@dataclass
class VerificationReport:
    signatures: list[SignatureReport] = field(default_factory=list)

    @property
    def all_passed(self) -> bool:
        return bool(self.signatures) and all(s.passed for s in self.signatures)

    def as_dict(self) -> dict[str, object]:
        return {"signatures": [asdict(signature) for signature in self.signatures],
                "signature_count": len(self.signatures), "all_passed": self.all_passed}


def read_pdf(data: bytes) -> PdfFileReader:
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise UnusablePdf("not a PDF file (it does not start with %PDF-)")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise UnusablePdf("the PDF is encrypted: decrypt it before verifying")
        reader.root  # noqa: B018  (parse the catalogue now: a broken file fails here)
    except UnusablePdf:
        raise
    except (PdfReadError, ValueError, KeyError, IndexError, TypeError) as error:
        raise UnusablePdf(f"the PDF cannot be read: {error}") from error
    return reader


def verify_pdf(data: bytes, trust: TrustSettings, *, lang: str = "vi",
               now: dt.datetime | None = None) -> VerificationReport:
    """Verify every signature of the PDF in `data`. Raises UnusablePdf for unusable input."""
    reader = read_pdf(data)
    try:
        signatures = list(reader.embedded_regular_signatures)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError,
            IndexError) as error:
        raise UnusablePdf(f"the PDF's signature fields cannot be read: {error}") from error
    spec = _validation_spec(trust)
    report = VerificationReport()
    for signature in signatures:
        try:
            report.signatures.append(_report(signature, spec, lang, now))
        except Exception as error:  # noqa: BLE001 - a damaged signature is a finding, not a crash
            report.signatures.append(_damaged(signature, error, lang))
    return report


def _damaged(signature: EmbeddedPdfSignature, error: Exception, lang: str) -> SignatureReport:
    """A signature whose data cannot be processed at all: TOTAL_FAILED / FORMAT_FAILURE."""
    keys = dict(indication=Indication.TOTAL_FAILED.value, sub_indication="FORMAT_FAILURE",
                reason=None, modification=Modification.CONTENT.value)
    explanation_vi, explanation_en = explain(lang="vi", **keys), explain(lang="en", **keys)
    return SignatureReport(
        field_name=str(getattr(signature, "field_name", "?")), signer=None, signer_subject={},
        signer_certificate_serial=None, signing_time=None, signing_time_source="unknown",
        intact=False, valid=False, trusted=False, chain=[], root=None, revoked=False,
        revocation_time=None, revocation_reason=None, modified_after_signing=False,
        modification="unknown", coverage=None, indication=Indication.TOTAL_FAILED.value,
        sub_indication="FORMAT_FAILURE",
        explanation=(explanation_en if lang == "en" else explanation_vi) + f" ({error})",
        explanation_vi=explanation_vi, explanation_en=explanation_en, passed=False)


@lru_cache(maxsize=64)
def _crl_container(der: bytes) -> CRLContainer:
    """A parsed CRL, kept while it is current: the same list is checked by every
    verification until a revocation or its refresh (asn1crypto parses lazily, once)."""
    return CRLContainer(asn1_crl.CertificateList.load(der))


def _validation_spec(trust: TrustSettings) -> PdfSignatureValidationSpec:
    either = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
    crls = [_crl_container(crl.public_bytes(serialization.Encoding.DER)) for crl in trust.crls]
    ocsps = [OCSPContainer(asn1_ocsp.OCSPResponse.load(der)) for der in trust.ocsp_responses]
    return PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(
                trust_roots=[to_asn1(root) for root in trust.roots]),
            revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(
                ee_certificate_rule=either, intermediate_ca_cert_rule=either)),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
        ),
        local_knowledge=LocalKnowledge(
            known_crls=crls, known_ocsps=ocsps,
            known_certs=[to_asn1(c) for c in trust.other_certificates]),
    ))


def _report(signature: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec, lang: str,
            now: dt.datetime | None) -> SignatureReport:
    timing = ValidationTimingInfo(validation_time=now, best_signature_time=now,
                                  point_in_time_validation=False) if now else None
    result = run_coroutine(_validate(signature, spec, timing))
    status = result.api_status
    sub: AdESSubIndic = result.ades_subindic
    modification = Modification.NONE
    coverage = None
    if isinstance(status, PdfSignatureStatus):
        level = status.modification_level
        modification = _MODIFICATION.get(level, Modification.CONTENT) if level is not None \
            else Modification.CONTENT
        coverage = status.coverage.name if status.coverage is not None else None
        if status.docmdp_ok is False:
            modification = Modification.CONTENT
    indication = {AdESStatus.PASSED: Indication.TOTAL_PASSED,
                  AdESStatus.FAILED: Indication.TOTAL_FAILED,
                  AdESStatus.INDETERMINATE: Indication.INDETERMINATE}[sub.status]
    sub_indication = None if sub.status is AdESStatus.PASSED else sub.standard_name
    intact = bool(status and status.intact)
    if modification is Modification.CONTENT and intact and indication is \
            Indication.TOTAL_PASSED:
        # the signed revision is fine, but what the reader now sees is not what was signed
        indication, sub_indication = Indication.TOTAL_FAILED, "CONTENT_MODIFIED_AFTER_SIGNING"
    cert = status.signing_cert if status else None
    timestamp_time = _signature_timestamp_time(signature)
    if indication is Indication.TOTAL_PASSED and cert is not None and timestamp_time and \
            timestamp_time > cert["tbs_certificate"]["validity"]["not_after"].native:
        # pyhanko 0.38 checks only the start of validity here: a signature timestamped after
        # its certificate expired is not proven to exist while it was valid (ETSI 5.5.4)
        indication, sub_indication = Indication.INDETERMINATE, "OUT_OF_BOUNDS_NO_POE"
    subject = _subject(cert)
    revocation = status.revocation_details if status else None
    time_source = "unknown"
    signing_time: dt.datetime | None = None
    if status is not None and status.timestamp_validity is not None:
        signing_time, time_source = status.timestamp_validity.timestamp, "timestamp"
    elif timestamp_time is not None:  # a failed signature: what its timestamp token says
        signing_time, time_source = timestamp_time, "timestamp"
    elif signature.self_reported_timestamp is not None:
        signing_time, time_source = signature.self_reported_timestamp, "signer's clock"
    path = status.validation_path if status else None
    chain = [_common_name_asn1(c) for c in path.iter_certs(include_root=True)] if path \
        else ([_common_name_asn1(cert)] if cert else [])
    root = _common_name_asn1(path.trust_anchor.certificate) \
        if path is not None and hasattr(path.trust_anchor, "certificate") else None
    trusted = bool(status and status.trusted)
    revoked = revocation is not None or sub in (AdESIndeterminate.REVOKED_NO_POE,
                                                AdESIndeterminate.REVOKED_CA_NO_POE) \
        or sub_indication == "REVOKED"
    reason = revocation.revocation_reason.native if revocation else None
    keys = dict(indication=indication.value, sub_indication=sub_indication,
                reason=reason, modification=modification.value)
    explanation_vi = explain(lang="vi", **keys)
    explanation_en = explain(lang="en", **keys)
    return SignatureReport(
        field_name=signature.field_name,
        signer=subject.get("full_name"),
        signer_subject=subject,
        signer_certificate_serial=format(cert.serial_number, "X") if cert else None,
        signing_time=signing_time.isoformat() if signing_time else None,
        signing_time_source=time_source,
        intact=intact,
        valid=bool(status and status.valid),
        trusted=trusted,
        chain=chain,
        root=root if trusted else (chain[-1] if chain else None),
        revoked=revoked,
        revocation_time=revocation.revocation_date.isoformat() if revocation else None,
        revocation_reason=reason,
        modified_after_signing=modification not in (Modification.NONE,
                                                    Modification.VALIDATION_DATA),
        modification=modification.value,
        coverage=coverage,
        indication=indication.value,
        sub_indication=sub_indication,
        explanation=explanation_en if lang == "en" else explanation_vi,
        explanation_vi=explanation_vi,
        explanation_en=explanation_en,
        passed=indication is Indication.TOTAL_PASSED,
    )


async def _validate(signature: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec,
                    timing: ValidationTimingInfo | None) -> AdESWithTimeValidationResult:
    """ETSI EN 319 102-1 validation of a signature with time (5.5), the level of PAdES B-T
    and B-LT, using what the PDF's DSS holds as well (as pyhanko's LTA validation does)."""
    signature.compute_integrity_info(diff_policy=spec.diff_policy)
    given = spec.signature_validation_spec.local_knowledge
    embedded = _dss_knowledge(signature.reader)
    knowledge = LocalKnowledge(
        known_ocsps=[*given.known_ocsps, *embedded.known_ocsps],
        known_crls=[*given.known_crls, *embedded.known_crls],
        known_certs=[*given.known_certs, *embedded.known_certs])
    validation_spec = dataclasses.replace(spec.signature_validation_spec,
                                          local_knowledge=knowledge)
    return await ades_with_time_validation(
        signature.signed_data, validation_spec, timing_info=timing,
        raw_digest=signature.compute_digest(),
        extra_status_kwargs=signature.summarise_integrity_info(),
        status_cls=PdfSignatureStatus)


def _signature_timestamp_time(signature: EmbeddedPdfSignature) -> dt.datetime | None:
    """The time in the signature's timestamp token (RFC 3161 genTime), if it has one."""
    try:
        for token in extract_tst_data_iter(signature.signer_info, signed=False):
            return token["encap_content_info"]["content"].parsed["gen_time"].native
    except (KeyError, ValueError, TypeError):
        return None
    return None


def _dss_knowledge(reader: PdfFileReader) -> LocalKnowledge:
    """Certificates, CRLs and OCSP responses embedded in the PDF's DSS (B-LT)."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        return _dss_contents(dss)
    except NoDSSFoundError:
        return LocalKnowledge()
    except Exception:  # noqa: BLE001 - a damaged DSS adds nothing; validation goes on without
        return LocalKnowledge()


def _dss_contents(dss: DocumentSecurityStore) -> LocalKnowledge:
    return LocalKnowledge(
        known_ocsps=[container for response in dss.ocsps
                     for container in OCSPContainer.load_multi(asn1_ocsp.OCSPResponse.load(
                         response.get_object().read_data(DecodePurpose.OCSP_RESPONSE)))],
        known_crls=[CRLContainer(asn1_crl.CertificateList.load(
            crl.get_object().read_data(DecodePurpose.CRL))) for crl in dss.crls],
        known_certs=list(dss.load_certs()))


def _subject(cert: object) -> dict[str, str | None]:
    if cert is None:
        return {}
    name = x509.load_der_x509_certificate(cert.dump()).subject  # type: ignore[attr-defined]
    return {key: value for key, value in asdict(Subject.from_x509(name)).items()}


def _common_name_asn1(cert: object) -> str:
    name = x509.load_der_x509_certificate(cert.dump()).subject  # type: ignore[attr-defined]
    found = name.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return str(found[0].value) if found else name.rfc4514_string()
