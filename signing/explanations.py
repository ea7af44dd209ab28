"""One plain sentence per verification outcome, for the learner: what it means and what to
do. English message ids, Vietnamese from the gettext catalogue in `signing/translations`
(updated with scripts/update-translations.sh, like the e-office's)."""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802  (the gettext marker pybabel extracts)
    return message


PASSED = N_("The signature is valid: the document is exactly what was signed, and the "
            "signer's certificate is trusted and was not revoked.")
PASSED_ALLOWED_CHANGES = N_("The signature is valid. After signing, only permitted changes "
                            "were made (form filling, comments or a later signature); the "
                            "signed content is unchanged.")
HASH_FAILURE = N_("The document was changed after it was signed: its content no longer "
                  "matches the signature. Do not rely on it; ask the sender for the original.")
CONTENT_MODIFIED = N_("The signature itself is intact, but the page content was changed in "
                      "a later revision: what you see is not what was signed. Do not rely "
                      "on it; ask the sender for the original.")
SIG_CRYPTO_FAILURE = N_("The signature value does not match the signer's certificate: it "
                        "was not made with that certificate's key. Treat the document as "
                        "unsigned.")
REVOKED = N_("The signer's certificate had been revoked before the document was signed "
             "(reason: {reason}). The signature has no legal value: ask the sender to sign "
             "again with a valid certificate.")
REVOKED_NO_POE = N_("The signer's certificate has been revoked (reason: {reason}) and nothing "
                    "proves the document was signed before that. Treat it as unsigned and "
                    "contact the sender.")
EXPIRED = N_("The signer's certificate was not valid at the time of signing (it had expired "
             "or was not yet valid). A document signed with an outdated certificate has no "
             "legal value: the signer must renew the certificate and sign again.")
UNTRUSTED = N_("The signer's certificate does not lead to a trusted root certification "
               "authority: anyone can make such a certificate. Do not trust who it claims "
               "to be.")
CHAIN_UNCHECKED = N_("The signer's certificate could not be checked completely: its revocation "
                     "status (CRL or OCSP) or part of its chain is not available. Do not rely "
                     "on the signature until it can be checked.")
TRY_LATER = N_("Whether the signer's certificate has been revoked could not be checked. Try "
               "again later, or check with the issuing authority.")
FORMAT_FAILURE = N_("The signature is damaged or not in a recognised format and cannot be "
                    "checked. Ask the sender for a new copy.")
GENERIC = N_("The signature could not be confirmed ({sub_indication}). Do not rely on it "
             "before checking with the sender.")
UNKNOWN_REASON = N_("not stated")

# RFC 5280 revocation reasons, as pyhanko names them (asn1crypto's CRLReason)
REASONS = {
    "unspecified": N_("unspecified"),
    "key_compromise": N_("the private key was lost or exposed"),
    "ca_compromise": N_("the certification authority's key was compromised"),
    "affiliation_changed": N_("the holder moved to another agency or position"),
    "superseded": N_("replaced by a new certificate"),
    "cessation_of_operation": N_("no longer needed"),
    "certificate_hold": N_("temporarily suspended"),
    "privilege_withdrawn": N_("the holder's right to sign was withdrawn"),
}

_REVOKED = {"REVOKED"}
_REVOKED_NO_POE = {"REVOKED_NO_POE", "REVOKED_CA_NO_POE"}
_EXPIRED = {"EXPIRED", "NOT_YET_VALID", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}
_UNTRUSTED = {"NO_CERTIFICATE_CHAIN_FOUND", "CHAIN_CONSTRAINTS_FAILURE"}
_CHAIN_UNCHECKED = {"CERTIFICATE_CHAIN_GENERAL_FAILURE"}
_TRY_LATER = {"TRY_LATER", "REVOCATION_OUT_OF_BOUNDS_NO_POE"}
_FORMAT = {"FORMAT_FAILURE", "SIGNED_DATA_NOT_FOUND", "NO_SIGNING_CERTIFICATE_FOUND"}


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    # English is the message ids themselves; a missing Vietnamese catalogue is an error
    return gettext.translation(DOMAIN, TRANSLATIONS, languages=[lang], fallback=lang == "en")


def message_for(indication: str, sub_indication: str | None, modification: str) -> str:
    """The message id for an outcome (English)."""
    if indication == "TOTAL_PASSED":
        return PASSED if modification in ("none", "validation_data") \
            else PASSED_ALLOWED_CHANGES
    sub = sub_indication or ""
    if sub == "CONTENT_MODIFIED_AFTER_SIGNING":
        return CONTENT_MODIFIED
    if sub == "HASH_FAILURE":
        return HASH_FAILURE
    if sub == "SIG_CRYPTO_FAILURE":
        return SIG_CRYPTO_FAILURE
    for group, message in ((_REVOKED, REVOKED), (_REVOKED_NO_POE, REVOKED_NO_POE),
                           (_EXPIRED, EXPIRED), (_UNTRUSTED, UNTRUSTED),
                           (_CHAIN_UNCHECKED, CHAIN_UNCHECKED),
                           (_TRY_LATER, TRY_LATER), (_FORMAT, FORMAT_FAILURE)):
        if sub in group:
            return message
    return GENERIC


def explain(*, indication: str, sub_indication: str | None, reason: str | None,
            modification: str, lang: str = "vi") -> str:
    """The learner's sentence for an outcome, in `lang` ("vi" or "en")."""
    catalogue = _catalogue("en" if lang == "en" else "vi")
    message = catalogue.gettext(message_for(indication, sub_indication, modification))
    if not reason:
        reason_text = catalogue.gettext(UNKNOWN_REASON)
    else:
        reason_text = catalogue.gettext(REASONS[reason]) if reason in REASONS else reason
    return message.format(reason=reason_text, sub_indication=sub_indication or "")
