"""What a person reads for the one-stop feature's codes (statuses, channels, purposes,
refusals, actions), through the gettext catalogues; and the procedures' data in the reader's
language (Vietnamese content, English names when the interface is in English)."""

from __future__ import annotations

from flask_babel import LazyString, get_locale, lazy_gettext

from sandbox_eoffice.labels import REFUSAL_MESSAGES
from sandbox_eoffice.one_stop import citizen_id
from sandbox_eoffice.one_stop import dossiers as d
from sandbox_eoffice.one_stop.models import Channel, DossierStatus, LookupPurpose
from sandbox_eoffice.one_stop.procedures import (
    FIELD_NAMES,
    ONLINE_LEVEL_NAMES,
    Field,
    OnlineLevel,
    Procedure,
)

DOSSIER_STATUS_LABELS: dict[DossierStatus, LazyString] = {
    DossierStatus.RECEIVED: lazy_gettext("Received, to check"),
    DossierStatus.ADDITIONAL_REQUESTED: lazy_gettext("Waiting for additional documents"),
    DossierStatus.IN_REVIEW: lazy_gettext("Being processed by the specialist unit"),
    DossierStatus.APPROVED: lazy_gettext("Approved, result to return"),
    DossierStatus.RETURNED: lazy_gettext("Result returned"),
    DossierStatus.REJECTED: lazy_gettext("Refused, with the reason"),
}

CHANNEL_LABELS: dict[Channel, LazyString] = {
    Channel.ONLINE: lazy_gettext("Online"),
    Channel.COUNTER: lazy_gettext("At the counter"),
}

# the e-office's status colours (eoffice.css): waiting, with the unit, approved, finished
DOSSIER_STATUS_BADGES: dict[DossierStatus, str] = {
    DossierStatus.RECEIVED: "status-received",
    DossierStatus.ADDITIONAL_REQUESTED: "status-received",
    DossierStatus.IN_REVIEW: "status-assigned",
    DossierStatus.APPROVED: "status-registered",
    DossierStatus.RETURNED: "status-done",
    DossierStatus.REJECTED: "badge-normal",
}

PURPOSE_LABELS: dict[LookupPurpose, LazyString] = {
    LookupPurpose.VERIFY_APPLICANT: lazy_gettext(
        "Verify the identity of this dossier's applicant"),
    LookupPurpose.VERIFY_RESIDENCE: lazy_gettext(
        "Verify the residence this dossier's procedure depends on"),
    LookupPurpose.VERIFY_RELATED_PERSON: lazy_gettext(
        "Verify a person named in this dossier (a child, spouse, household member)"),
}

MISMATCH_LABELS: dict[str, LazyString] = {
    "full_name": lazy_gettext("Full name"),
    "date_of_birth": lazy_gettext("Date of birth"),
    "address": lazy_gettext("Permanent address"),
}

ONE_STOP_REFUSALS: dict[str, LazyString] = {
    citizen_id.NOT_TWELVE_DIGITS: lazy_gettext(
        "The citizen ID must be exactly 12 digits (the number on the chip-based citizen "
        "identity card, CCCD). Nothing was saved."),
    citizen_id.UNKNOWN_PROVINCE_CODE: lazy_gettext(
        "This citizen ID cannot exist: its first 3 digits must be the code of a province "
        "(001 Hà Nội to 096 Cà Mau). Check the number on the card. Nothing was saved."),
    citizen_id.BAD_CENTURY_DIGIT: lazy_gettext(
        "This citizen ID cannot exist: its 4th digit gives the century of birth and the sex "
        "and must be 0, 1, 2 or 3. Check the number on the card. Nothing was saved."),
    citizen_id.BIRTH_YEAR_IN_FUTURE: lazy_gettext(
        "This citizen ID cannot exist: its 4th to 6th digits give a year of birth after this "
        "year. Check the number on the card. Nothing was saved."),
    d.UNKNOWN_PROCEDURE: lazy_gettext("Choose a procedure from the list."),
    d.MISSING_APPLICANT_DATA: lazy_gettext(
        "Fill in the applicant's full name and address."),
    d.BIRTH_YEAR_MISMATCH: lazy_gettext(
        "The date of birth does not agree with the citizen ID, whose 5th and 6th digits are "
        "the last two digits of the year of birth. Check both on the card. Nothing was saved."),
    d.BIRTH_DATE_IN_FUTURE: lazy_gettext("The date of birth cannot be in the future."),
    d.NOT_RECEIVED: lazy_gettext(
        "This step is for a dossier that has been received and not yet sent on."),
    d.NOT_CHECKED: lazy_gettext(
        "Check the dossier's completeness first: only a checked, complete dossier goes to "
        "the specialist unit."),
    d.INCOMPLETE: lazy_gettext(
        "The dossier is missing documents: request the additional documents from the "
        "citizen first; an incomplete dossier is never sent on."),
    d.ALREADY_COMPLETE: lazy_gettext(
        "Every document of the list is there: there is nothing to request. Check the "
        "completeness and send the dossier on."),
    d.NOT_WAITING_FOR_DOCUMENTS: lazy_gettext(
        "This dossier is not waiting for additional documents."),
    d.NOT_IN_REVIEW: lazy_gettext(
        "Only a dossier processed by the specialist unit can be approved: check it, and "
        "transfer it to the unit first."),
    d.NOT_APPROVED: lazy_gettext(
        "Only an approved dossier has a result to digitise or return."),
    d.FINISHED: lazy_gettext("This dossier is finished: its result was returned or refused."),
    d.NO_FEE: lazy_gettext("This procedure is free of charge: there is no fee to collect."),
    d.ALREADY_PAID: lazy_gettext("The fee of this dossier has already been paid."),
    d.FEE_NOT_PAID: lazy_gettext(
        "Collect the fee first (online or at the counter): the result is returned once the "
        "fee is paid."),
    d.UNKNOWN_UNIT: lazy_gettext("Choose a unit of your agency."),
    d.REASON_REQUIRED: lazy_gettext(
        "Write the reason for the refusal: the citizen must receive it in writing."),
    d.NO_PURPOSE: lazy_gettext(
        "Choose the purpose of the lookup: personal data may be read only for a stated, "
        "lawful purpose. Nothing was looked up."),
    d.NO_DOSSIER: lazy_gettext(
        "A lookup is made for a dossier of your desk: open the dossier and look up from "
        "there. Nothing was looked up."),
    d.DOSSIER_CLOSED: lazy_gettext(
        "This dossier is finished: there is no purpose left for looking up personal data. "
        "Nothing was looked up."),
    d.TEXT_TOO_LONG: lazy_gettext("A text is too long (at most 1000 characters)."),
}

ONE_STOP_ACTION_LABELS: dict[str, LazyString] = {
    d.DESK_VIEWED: lazy_gettext("Opened the one-stop desk"),
    d.DOSSIER_VIEWED: lazy_gettext("Opened a dossier"),
    d.DOSSIER_RECEIVED: lazy_gettext("Dossier received"),
    d.DOSSIER_CHECKED: lazy_gettext("Completeness checked"),
    d.DOSSIER_ADDITIONAL_REQUESTED: lazy_gettext("Additional documents requested"),
    d.DOSSIER_SUPPLEMENTED: lazy_gettext("Additional documents received"),
    d.DOSSIER_TRANSFERRED: lazy_gettext("Transferred to the specialist unit"),
    d.DOSSIER_APPROVED: lazy_gettext("Approved by the leader"),
    d.DOSSIER_REJECTED: lazy_gettext("Refused, with the reason"),
    d.DOSSIER_FEE_PAID: lazy_gettext("Fee paid"),
    d.DOSSIER_RESULT_DIGITISED: lazy_gettext("Result digitised"),
    d.DOSSIER_RESULT_RETURNED: lazy_gettext("Result returned to the citizen"),
    d.DOSSIER_RATED: lazy_gettext("The citizen rated the service"),
    d.DOSSIER_ACTION_REFUSED: lazy_gettext("Tried a step the dossier does not allow"),
    d.CITIZEN_LOOKED_UP: lazy_gettext("Looked a citizen up in the population database"),
    d.CITIZEN_LOOKUP_REFUSED: lazy_gettext("A population-database lookup was refused"),
    d.LOOKUPS_VIEWED: lazy_gettext("Viewed own lookup log"),
}


def refusal_message(reason: str) -> str:
    """The sentence for a refusal of this feature or of a shared check (e.g. an upload)."""
    label = ONE_STOP_REFUSALS.get(reason) or REFUSAL_MESSAGES.get(reason)
    return str(label) if label is not None else reason


def describe_one_stop_action(action: str) -> str:
    label = ONE_STOP_ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "vi"


def procedure_name(procedure: Procedure) -> str:
    return procedure.name(_language())


def field_name(value: Field) -> str:
    vi, en = FIELD_NAMES[value]
    return en if _language() == "en" else vi


def online_level_name(value: OnlineLevel) -> str:
    vi, en = ONLINE_LEVEL_NAMES[value]
    return en if _language() == "en" else vi

