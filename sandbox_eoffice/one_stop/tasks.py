"""Practical tasks of the one-stop feature, scored from the e-office's own records (the
activity log and the dossiers), never from anything the learner typed as a claim."""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.i18n import N_
from sandbox_eoffice.models import Tenant
from sandbox_eoffice.one_stop.dossiers import (
    CITIZEN_LOOKED_UP,
    DOSSIER,
    DOSSIER_ADDITIONAL_REQUESTED,
    DOSSIER_APPROVED,
    DOSSIER_CHECKED,
    DOSSIER_FEE_PAID,
    DOSSIER_RECEIVED,
    DOSSIER_RESULT_DIGITISED,
    DOSSIER_RESULT_RETURNED,
    DOSSIER_TRANSFERRED,
    get_dossier,
    returned_on_time,
)
from sandbox_eoffice.task_results import PracticalTask, TaskResult, learner_entries


def _processed_on_time(session: Session, tenant: Tenant) -> TaskResult:
    """A dossier the learner received, checked (complete), transferred, approved and
    returned, all by themselves, on or before its legal due date."""
    returned = learner_entries(session, tenant, DOSSIER_RESULT_RETURNED, object_type=DOSSIER)
    if not returned:
        return TaskResult(False, None, "No dossier result returned by this learner yet.")

    def done_by_learner(action: str, dossier_id: int) -> bool:
        entries = learner_entries(session, tenant, action, [dossier_id], object_type=DOSSIER)
        if action == DOSSIER_CHECKED:
            return any(entry.details.get("complete") for entry in entries)
        return bool(entries)

    steps = (DOSSIER_RECEIVED, DOSSIER_CHECKED, DOSSIER_TRANSFERRED, DOSSIER_APPROVED)
    partial = None
    for entry in returned:
        dossier_id = entry.object_id
        if dossier_id is None:
            continue
        dossier = get_dossier(session, tenant, dossier_id)
        if dossier is None:
            continue
        missing = [step for step in steps if not done_by_learner(step, dossier_id)]
        if missing:
            partial = partial or (f"Dossier {dossier.receipt_number}: returned, but not every "
                                  f"step was done by this learner ({', '.join(missing)}).")
            continue
        if not returned_on_time(dossier):
            partial = partial or (f"Dossier {dossier.receipt_number}: processed, but returned "
                                  f"after its due date {dossier.due_date}.")
            continue
        return TaskResult(True, entry.created_at,
                          f"Dossier {dossier.receipt_number} processed from receipt to result, "
                          f"returned by {dossier.due_date} (on time).")
    return TaskResult(False, None, partial or "No dossier processed on time by this learner.")


def _looked_up_with_purpose(session: Session, tenant: Tenant) -> TaskResult:
    entries = [entry for entry in learner_entries(session, tenant, CITIZEN_LOOKED_UP,
                                                  object_type=DOSSIER)
               if entry.details.get("purpose")]
    if not entries:
        return TaskResult(False, None,
                          "No population-database lookup with a purpose by this learner yet.")
    entry = entries[0]
    return TaskResult(True, entry.created_at,
                      f"Looked up {entry.details.get('citizen_id')} for dossier "
                      f"{entry.details.get('receipt_number')}, purpose "
                      f"{entry.details.get('purpose')}.")


def _requested_additional(session: Session, tenant: Tenant) -> TaskResult:
    entries = [entry for entry in learner_entries(session, tenant, DOSSIER_ADDITIONAL_REQUESTED,
                                                  object_type=DOSSIER)
               if entry.details.get("missing")]
    if not entries:
        return TaskResult(False, None,
                          "No additional documents requested by this learner yet.")
    entry = entries[0]
    return TaskResult(True, entry.created_at,
                      f"Requested {len(entry.details['missing'])} missing documents for "
                      f"dossier {entry.details.get('receipt_number')}.")


def _collected_fee_online(session: Session, tenant: Tenant) -> TaskResult:
    entries = [entry for entry in learner_entries(session, tenant, DOSSIER_FEE_PAID,
                                                  object_type=DOSSIER)
               if entry.details.get("online")]
    if not entries:
        return TaskResult(False, None, "No fee collected online by this learner yet.")
    entry = entries[0]
    return TaskResult(True, entry.created_at,
                      f"Fee of {entry.details.get('amount')} VND for dossier "
                      f"{entry.details.get('receipt_number')} paid online "
                      f"({entry.details.get('reference')}).")


def _digitised_result(session: Session, tenant: Tenant) -> TaskResult:
    entries = learner_entries(session, tenant, DOSSIER_RESULT_DIGITISED, object_type=DOSSIER)
    if not entries:
        return TaskResult(False, None, "No result digitised by this learner yet.")
    entry = entries[0]
    return TaskResult(True, entry.created_at,
                      f"Digitised the result of dossier {entry.details.get('receipt_number')} "
                      f"({entry.details.get('filename')}, {entry.details.get('pages')} pages).")


# titles and instructions are English source strings of the catalogues (N_), translated
# where they are shown
ONE_STOP_TASKS: tuple[PracticalTask, ...] = (
    PracticalTask(
        "one-stop-processed-on-time",
        title=N_("Process a dossier on time, from receipt to result"),
        instructions=N_("On the One-stop desk, receive a citizen's dossier at the counter, "
                        "check that it is complete, transfer it to the specialist unit, "
                        "approve it and return the result before its legal due date."),
        evaluate=_processed_on_time,
    ),
    PracticalTask(
        "one-stop-lookup-with-purpose",
        title=N_("Look a citizen up in the population database, with a purpose"),
        instructions=N_("From a dossier, look its applicant up in the national population "
                        "database by citizen ID, stating the lawful purpose of the lookup."),
        evaluate=_looked_up_with_purpose,
    ),
    PracticalTask(
        "one-stop-requested-additional-documents",
        title=N_("Request additional documents for an incomplete dossier"),
        instructions=N_("Find a dossier with a missing document, check its completeness and "
                        "ask the citizen for the missing documents."),
        evaluate=_requested_additional,
    ),
    PracticalTask(
        "one-stop-fee-collected-online",
        title=N_("Collect a fee online"),
        instructions=N_("For an approved dossier with a fee, have the citizen pay it online "
                        "through the payment platform."),
        evaluate=_collected_fee_online,
    ),
    PracticalTask(
        "one-stop-result-digitised",
        title=N_("Digitise a result"),
        instructions=N_("Upload the scanned result of an approved dossier as a PDF, so that "
                        "it is kept digitised with the dossier."),
        evaluate=_digitised_result,
    ),
)
