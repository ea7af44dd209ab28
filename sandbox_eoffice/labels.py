"""What a person reads for each code of the e-office, through the gettext catalogues.

Source strings are English; sandbox_eoffice/translations holds Vietnamese (the default).
"""

from __future__ import annotations

from functools import cache

from flask_babel import LazyString, gettext, lazy_gettext

from sandbox_eoffice import (
    activity,
    incoming_documents,
    outgoing_documents,
    signatures,
    uploads,
)
from sandbox_eoffice.vocabulary import (
    CertificateStatus,
    Confidentiality,
    DeliveryStatus,
    DocumentStatus,
    OutgoingStatus,
    Urgency,
)
from signing import tokens

STATUS_LABELS: dict[DocumentStatus, LazyString] = {
    DocumentStatus.RECEIVED: lazy_gettext("Not registered"),
    DocumentStatus.REGISTERED: lazy_gettext("Registered"),
    DocumentStatus.ASSIGNED: lazy_gettext("Being handled"),
    DocumentStatus.DONE: lazy_gettext("Done"),
}

OUTGOING_STATUS_LABELS: dict[OutgoingStatus, LazyString] = {
    OutgoingStatus.DRAFT: lazy_gettext("Draft"),
    OutgoingStatus.SUBMITTED: lazy_gettext("Waiting for approval"),
    OutgoingStatus.RETURNED: lazy_gettext("Returned for revision"),
    OutgoingStatus.APPROVED: lazy_gettext("Approved, to issue"),
    OutgoingStatus.ISSUED: lazy_gettext("Issued"),
}

DELIVERY_STATUS_LABELS: dict[DeliveryStatus, LazyString] = {
    DeliveryStatus.SENT: lazy_gettext("Sent, not yet acknowledged"),
    DeliveryStatus.ACKNOWLEDGED: lazy_gettext("Receipt acknowledged"),
}

CERTIFICATE_STATUS_LABELS: dict[CertificateStatus, LazyString] = {
    CertificateStatus.REQUESTED: lazy_gettext("Requested, waiting for approval"),
    CertificateStatus.ACTIVE: lazy_gettext("Valid"),
    CertificateStatus.REVOKED: lazy_gettext("Revoked"),
}

# ETSI EN 319 102-1 indications
INDICATION_LABELS: dict[str, LazyString] = {
    "TOTAL_PASSED": lazy_gettext("Valid signature (TOTAL_PASSED)"),
    "TOTAL_FAILED": lazy_gettext("Invalid signature (TOTAL_FAILED)"),
    "INDETERMINATE": lazy_gettext("Cannot be confirmed (INDETERMINATE)"),
}

TIME_SOURCE_LABELS: dict[str, LazyString] = {
    "timestamp": lazy_gettext("by the timestamp authority"),
    "signer's clock": lazy_gettext("by the signer's own clock, not proven"),
    "unknown": lazy_gettext("unknown"),
}

MODIFICATION_LABELS: dict[str, LazyString] = {
    "none": lazy_gettext("no"),
    "validation_data": lazy_gettext("no (only validation data was added)"),
    "form_filling": lazy_gettext("allowed changes: form fields filled or a later signature"),
    "annotations": lazy_gettext("allowed changes: comments or annotations"),
    "content": lazy_gettext("YES: the content was changed after signing"),
}

URGENCY_LABELS: dict[Urgency, LazyString] = {
    Urgency.NORMAL: lazy_gettext("Normal"),
    Urgency.URGENT: lazy_gettext("Urgent"),
    Urgency.VERY_URGENT: lazy_gettext("Very urgent"),
    Urgency.FLASH: lazy_gettext("Flash"),
}

CONFIDENTIALITY_LABELS: dict[Confidentiality, LazyString] = {
    Confidentiality.NORMAL: lazy_gettext("Not classified"),
    Confidentiality.CONFIDENTIAL: lazy_gettext("Confidential"),
    Confidentiality.SECRET: lazy_gettext("Secret"),
    Confidentiality.TOP_SECRET: lazy_gettext("Top secret"),
}

ACTION_LABELS: dict[str, LazyString] = {
    activity.DASHBOARD_VIEWED: lazy_gettext("Opened the home page"),
    activity.DOCUMENT_LIST_VIEWED: lazy_gettext("Viewed the list of incoming documents"),
    activity.DOCUMENT_VIEWED: lazy_gettext("Opened an incoming document"),
    activity.DOCUMENT_NOT_FOUND: lazy_gettext("Tried to open a document that does not exist here"),
    activity.DOCUMENT_RECEIVED: lazy_gettext("Received over the interconnection axis"),
    activity.DOCUMENT_REGISTERED: lazy_gettext("Registered in the incoming register book"),
    activity.DOCUMENT_REGISTER_REFUSED: lazy_gettext(
        "Tried to register a document that was already registered"),
    activity.DOCUMENT_ASSIGNED: lazy_gettext("Assigned for handling"),
    activity.DOCUMENT_FORWARDED: lazy_gettext("Forwarded"),
    activity.DOCUMENT_COMMENTED: lazy_gettext("Commented"),
    activity.DOCUMENT_COMPLETED: lazy_gettext("Marked as done"),
    activity.DOCUMENT_ACTION_REFUSED: lazy_gettext("Tried a step the document does not allow"),
    activity.ATTACHMENT_OPENED: lazy_gettext("Opened the attached PDF"),
    activity.OUTGOING_LIST_VIEWED: lazy_gettext("Viewed the list of outgoing documents"),
    activity.OUTGOING_VIEWED: lazy_gettext("Opened an outgoing document"),
    activity.OUTGOING_DRAFTED: lazy_gettext("Drafted"),
    activity.OUTGOING_EDITED: lazy_gettext("Revised the draft"),
    activity.OUTGOING_SUBMITTED: lazy_gettext("Submitted for approval"),
    activity.OUTGOING_APPROVED: lazy_gettext("Approved"),
    activity.OUTGOING_RETURNED: lazy_gettext("Returned for revision"),
    activity.OUTGOING_ISSUED: lazy_gettext("Issued with its number"),
    activity.OUTGOING_SENT: lazy_gettext("Sent over the interconnection axis"),
    activity.OUTGOING_ACKNOWLEDGED: lazy_gettext("Receipt acknowledged"),
    activity.OUTGOING_ACTION_REFUSED: lazy_gettext("Tried a step the document does not allow"),
    activity.OUTGOING_ATTACHED: lazy_gettext("Attached a PDF"),
    activity.OUTGOING_SIGNED: lazy_gettext("Digitally signed the document"),
    activity.CERTIFICATE_REQUESTED: lazy_gettext("Requested a digital-signature certificate"),
    activity.CERTIFICATE_ISSUED: lazy_gettext("The certificate was approved and issued"),
    activity.CERTIFICATE_REVOKED: lazy_gettext("The certificate was revoked"),
    activity.CERTIFICATE_PIN_CHANGED: lazy_gettext("Changed the token's PIN"),
    activity.CERTIFICATE_ACTION_REFUSED: lazy_gettext("A certificate step was refused"),
    activity.TOKEN_LOCKED: lazy_gettext("The token locked itself after five wrong PINs"),
    activity.TOKEN_UNLOCKED: lazy_gettext("A trainer unlocked the token with a new PIN"),
    activity.SIGNATURE_VERIFIED: lazy_gettext("Verified the signatures of a PDF"),
    activity.SCENARIO_CLOCK_SHIFTED: lazy_gettext("A trainer moved the scenario clock"),
    activity.AGENCY_RENAMED: lazy_gettext("The agency was renamed or merged"),
    activity.ACTIVITY_VIEWED: lazy_gettext("Viewed own activity log"),
    activity.SESSION_LOGGED_IN: lazy_gettext("Logged in"),
    activity.SESSION_LOGGED_OUT: lazy_gettext("Logged out"),
    activity.TENANT_PROVISIONED: lazy_gettext("Practice agency created"),
    activity.TENANT_RESET: lazy_gettext("Practice agency reset by the trainer"),
}

REFUSAL_MESSAGES: dict[str, LazyString] = {
    incoming_documents.NOT_REGISTERED: lazy_gettext(
        "Register the document in the register book first: a document is handled only "
        "after it has a register number."),
    incoming_documents.ALREADY_DONE: lazy_gettext(
        "This document is already done; its handling is closed."),
    incoming_documents.NOT_ASSIGNED: lazy_gettext(
        "Only a document assigned for handling can be marked as done."),
    incoming_documents.NO_LEAD: lazy_gettext(
        "Choose who leads the handling: a lead unit, a lead person, or both."),
    incoming_documents.LEAD_ALSO_COORDINATING: lazy_gettext(
        "The lead unit cannot also be a coordinating unit."),
    incoming_documents.BAD_DEADLINE: lazy_gettext(
        "The deadline must be between 1 and 60 working days."),
    incoming_documents.UNKNOWN_UNIT: lazy_gettext("That unit does not exist in your agency."),
    incoming_documents.UNKNOWN_COLLEAGUE: lazy_gettext(
        "Choose at least one colleague of your agency."),
    incoming_documents.EMPTY_TEXT: lazy_gettext("Write something first: the text is empty."),
    incoming_documents.TEXT_TOO_LONG: lazy_gettext(
        "The text is too long: at most 2000 characters."),
    outgoing_documents.NOT_EDITABLE: lazy_gettext(
        "Only a draft or a returned draft can be changed or submitted."),
    outgoing_documents.NOT_SUBMITTED: lazy_gettext(
        "Only a draft waiting for approval can be approved or returned."),
    outgoing_documents.NOT_APPROVED: lazy_gettext(
        "Only an approved document can be issued: submit it and have it approved first."),
    outgoing_documents.NOT_ISSUED: lazy_gettext(
        "Only an issued document, with its number and date, can be sent."),
    outgoing_documents.SIGNER_NOT_LEADER: lazy_gettext(
        "The signer must be a leader of the agency (the head or a deputy)."),
    outgoing_documents.UNKNOWN_TYPE: lazy_gettext("Choose a document type from the list."),
    outgoing_documents.CLASSIFIED_NOT_SENDABLE: lazy_gettext(
        "Not sent: a classified document (mật, tối mật, tuyệt mật) is never sent through the "
        "e-office or the interconnection axis. It goes on paper, by the confidential "
        "dispatch channel, as the law on protecting state secrets requires."),
    outgoing_documents.NO_RECIPIENT: lazy_gettext("Choose at least one agency."),
    outgoing_documents.UNKNOWN_RECIPIENT: lazy_gettext(
        "That agency is not on the interconnection axis of your province."),
    outgoing_documents.ALREADY_SENT: lazy_gettext(
        "The document was already sent to that agency."),
    uploads.EMPTY_FILE: lazy_gettext("Choose a file first: nothing was uploaded."),
    uploads.NOT_A_PDF: lazy_gettext(
        "Only PDF files can be attached (a name ending in .pdf and PDF content). Nothing was "
        "stored."),
    uploads.MALFORMED_PDF: lazy_gettext(
        "This PDF is damaged, empty or password-protected and cannot be read. Nothing was "
        "stored."),
    uploads.TOO_LARGE: lazy_gettext("The file is larger than 5 MB. Nothing was stored."),
    uploads.TOO_MANY_FILES: lazy_gettext("A draft holds at most 10 attached files."),
    signatures.NO_CERTIFICATE: lazy_gettext(
        "You have no digital-signature certificate yet: request one on the Digital signature "
        "page, and ask your trainer to approve it."),
    signatures.CERTIFICATE_PENDING: lazy_gettext(
        "Your certificate request is waiting for the trainer's approval: you can sign once it "
        "is issued."),
    signatures.CERTIFICATE_REVOKED_REASON: lazy_gettext(
        "Your certificate has been revoked and can no longer sign: a signature made with it "
        "has no legal value. Request a new certificate on the Digital signature page."),
    signatures.CERTIFICATE_EXPIRED: lazy_gettext(
        "Your certificate has expired: a document signed with an outdated certificate has no "
        "legal value. Renew it on the Digital signature page."),
    signatures.TOKEN_IS_LOCKED: lazy_gettext(
        "Your token is locked after five wrong PINs. Only the registration officer (your "
        "trainer) can unlock it and set a new PIN."),
    "wrong_pin": lazy_gettext("Wrong PIN."),
    signatures.ALREADY_REQUESTED: lazy_gettext(
        "You already have a request waiting for approval."),
    signatures.ALREADY_HAS_CERTIFICATE: lazy_gettext(
        "You already have a valid certificate: use Renew to replace it."),
    signatures.NOT_PENDING: lazy_gettext("This request is not waiting for approval."),
    signatures.NOT_ACTIVE: lazy_gettext("This certificate is not valid (revoked or not issued)."),
    signatures.NOT_LOCKED: lazy_gettext("This token is not locked."),
    signatures.NO_AGENCY: lazy_gettext("Your sandbox has no agency yet."),
    tokens.PIN_LENGTH: lazy_gettext("The PIN must have 6 to 16 digits."),
    tokens.PIN_NOT_DIGITS: lazy_gettext("The PIN may contain digits only."),
    tokens.PIN_TOO_SIMPLE: lazy_gettext(
        "This PIN is too easy to guess (all the same digit, or a run such as 123456): choose "
        "another."),
}


def describe_action(action: str) -> str:
    """Plain words for an action name, for the activity page and a document's history."""
    label = ACTION_LABELS.get(action)
    if label is None:
        label = _feature_action_labels().get(action)
    if label is None:
        return action
    # the features' labels are lazy strings or N_-marked source texts
    return gettext(label) if isinstance(label, str) else str(label)


@cache
def _feature_action_labels() -> dict[str, LazyString | str]:
    """The action labels of the feature packages (they import this module: imported late)."""
    from sandbox_eoffice.mail.campaigns import CAMPAIGN_ACTION_LABELS
    from sandbox_eoffice.mail.mailbox import MAIL_ACTION_LABELS
    from sandbox_eoffice.one_stop.labels import ONE_STOP_ACTION_LABELS
    from sandbox_eoffice.reports.messages import ACTION_LABELS as REPORT_ACTION_LABELS

    return {**MAIL_ACTION_LABELS, **CAMPAIGN_ACTION_LABELS, **ONE_STOP_ACTION_LABELS,
            **REPORT_ACTION_LABELS}
