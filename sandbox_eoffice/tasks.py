"""Practical tasks, graded only from evidence in the database (activity log + document state).

Nothing a learner types as free text is ever trusted: a task is done when the e-office
itself recorded the learner doing it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.i18n import N_
from sandbox_eoffice.activity import (
    CERTIFICATE,
    CERTIFICATE_ISSUED,
    CERTIFICATE_REQUESTED,
    CERTIFICATE_REVOKED,
    DOCUMENT_ASSIGNED,
    DOCUMENT_COMMENTED,
    DOCUMENT_COMPLETED,
    DOCUMENT_FORWARDED,
    DOCUMENT_REGISTERED,
    OUTGOING_DOCUMENT,
    OUTGOING_DRAFTED,
    OUTGOING_ISSUED,
    OUTGOING_RETURNED,
    OUTGOING_SENT,
    OUTGOING_SIGNED,
    OUTGOING_SUBMITTED,
    SIGNATURE_VERIFIED,
)
from sandbox_eoffice.mail.tasks import MAIL_TASKS
from sandbox_eoffice.models import ActivityLog, IncomingDocument, Tenant
from sandbox_eoffice.one_stop.tasks import ONE_STOP_TASKS
from sandbox_eoffice.reports.tasks import REPORT_TASKS
from sandbox_eoffice.task_results import (
    NO_SANDBOX,
    PracticalTask,
    TaskResult,
    entries_by_anyone,
    learner_entries,
)
from sandbox_eoffice.tenants import get_tenant
from sandbox_eoffice.vocabulary import TASK_TARGET_AGENCY_PREFIX, DocumentStatus


def _finance_documents(session: Session, tenant: Tenant) -> list[IncomingDocument]:
    return list(session.scalars(
        select(IncomingDocument).where(
            IncomingDocument.tenant_id == tenant.id,
            IncomingDocument.issuing_agency.startswith(TASK_TARGET_AGENCY_PREFIX),
        )
    ).all())


def _registered_from_finance(session: Session, tenant: Tenant) -> TaskResult:
    targets = _finance_documents(session, tenant)
    if not targets:
        return TaskResult(False, None, "No document from Sở Tài chính in this sandbox.")
    registered = [doc for doc in targets if doc.register_number is not None]
    if not registered:
        return TaskResult(
            False, None, "The document from Sở Tài chính is not registered yet (chưa vào sổ)."
        )
    entries = learner_entries(session, tenant, DOCUMENT_REGISTERED, [d.id for d in registered])
    if not entries:
        return TaskResult(False, None, "The document is registered, but not by this learner.")
    entry = entries[0]
    document = next(doc for doc in registered if doc.id == entry.object_id)
    return TaskResult(
        True,
        entry.created_at,
        f"Registered {document.number_symbol} from {document.issuing_agency} "
        f"as number {document.register_number}/{document.register_year}.",
    )


def _assigned_finance(session: Session, tenant: Tenant) -> TaskResult:
    """Giao xử lý done properly: a lead unit, a lead person, a coordinating unit, a deadline."""
    targets = _finance_documents(session, tenant)
    entries = learner_entries(session, tenant, DOCUMENT_ASSIGNED, [d.id for d in targets])
    if not entries:
        return TaskResult(False, None,
                          "The document from Sở Tài chính has not been assigned by this learner.")
    missing: list[str] = []
    for entry in entries:
        details = entry.details
        missing = [part for part, present in (
            ("a lead unit", details.get("lead_unit_id")),
            ("a lead person", details.get("assignee_id")),
            ("a coordinating unit", details.get("coordinating_units")),
        ) if not present]
        if not missing:
            return TaskResult(True, entry.created_at,
                              f"Assigned to {details['lead_unit']} ({details['assignee']}), "
                              f"coordinating: {', '.join(details['coordinating_units'])}, "
                              f"deadline {details['deadline']}.")
    return TaskResult(False, None, "Assigned, but without " + " and ".join(missing) + ".")


def _completed_finance(session: Session, tenant: Tenant) -> TaskResult:
    targets = [d for d in _finance_documents(session, tenant) if d.status is DocumentStatus.DONE]
    entries = learner_entries(session, tenant, DOCUMENT_COMPLETED, [d.id for d in targets])
    if not entries:
        return TaskResult(False, None,
                          "The document from Sở Tài chính is not marked as done by this learner.")
    return TaskResult(True, entries[0].created_at,
                      f"Marked as done: {entries[0].details.get('result_note', '')}")


def _forwarded_any(session: Session, tenant: Tenant) -> TaskResult:
    entries = learner_entries(session, tenant, DOCUMENT_FORWARDED)
    if not entries:
        return TaskResult(False, None, "No document forwarded by this learner yet.")
    entry = entries[0]
    return TaskResult(True, entry.created_at,
                      f"Forwarded {entry.details.get('number_symbol')} to "
                      f"{', '.join(entry.details.get('to', []))}.")


def _commented_any(session: Session, tenant: Tenant) -> TaskResult:
    entries = learner_entries(session, tenant, DOCUMENT_COMMENTED)
    if not entries:
        return TaskResult(False, None, "No comment written by this learner yet.")
    return TaskResult(True, entries[0].created_at,
                      f"Commented on {entries[0].details.get('number_symbol')}.")


def _issued_and_sent(session: Session, tenant: Tenant) -> TaskResult:
    """An outgoing document the learner issued (after approval) and sent over the axis."""
    issued = {e.object_id: e for e in learner_entries(session, tenant, OUTGOING_ISSUED,
                                                        object_type=OUTGOING_DOCUMENT)}
    if not issued:
        return TaskResult(False, None, "No outgoing document issued by this learner yet.")
    sent = [e for e in learner_entries(session, tenant, OUTGOING_SENT,
                                        object_type=OUTGOING_DOCUMENT) if e.object_id in issued]
    if not sent:
        return TaskResult(False, None,
                          "A document is issued but not yet sent to any agency over the axis.")
    entry = sent[0]
    return TaskResult(True, entry.created_at,
                      f"Issued {entry.details.get('number_symbol')} and sent it to "
                      f"{', '.join(entry.details.get('to', []))}.")


def _drafted_and_submitted(session: Session, tenant: Tenant) -> TaskResult:
    drafted = {e.object_id for e in learner_entries(session, tenant, OUTGOING_DRAFTED,
                                                      object_type=OUTGOING_DOCUMENT)}
    if not drafted:
        return TaskResult(False, None, "No outgoing document drafted by this learner yet.")
    submitted = [e for e in learner_entries(session, tenant, OUTGOING_SUBMITTED,
                                             object_type=OUTGOING_DOCUMENT)
                 if e.object_id in drafted]
    if not submitted:
        return TaskResult(False, None, "A draft exists but was not submitted for approval.")
    return TaskResult(True, submitted[0].created_at,
                      f"Drafted and submitted: {submitted[0].details.get('summary', '')}")


def _returned_with_comment(session: Session, tenant: Tenant) -> TaskResult:
    returned = learner_entries(session, tenant, OUTGOING_RETURNED,
                                object_type=OUTGOING_DOCUMENT)
    if not returned:
        return TaskResult(False, None,
                          "No draft returned for revision by this learner (as the signer).")
    return TaskResult(True, returned[0].created_at,
                      f"Returned with the comment: {returned[0].details.get('comment', '')}")


def _certificate_issued(session: Session, tenant: Tenant) -> TaskResult:
    """A certificate the learner requested and the registration officer issued."""
    requested = {e.object_id for e in learner_entries(session, tenant, CERTIFICATE_REQUESTED,
                                                        object_type=CERTIFICATE)}
    if not requested:
        return TaskResult(False, None, "No certificate requested by this learner yet.")
    issued = [e for e in entries_by_anyone(session, tenant, CERTIFICATE_ISSUED, CERTIFICATE)
              if e.object_id in requested]
    if not issued:
        return TaskResult(False, None,
                          "The request waits for the registration officer's approval.")
    return TaskResult(True, issued[0].created_at,
                      f"Certificate {issued[0].details.get('serial_number')} issued.")


def _signed_and_issued(session: Session, tenant: Tenant) -> TaskResult:
    """An outgoing document the learner signed at approval and then issued (sealed)."""
    signed = learner_entries(session, tenant, OUTGOING_SIGNED, object_type=OUTGOING_DOCUMENT)
    personal = {e.object_id for e in signed if e.details.get("role") == "personal"}
    if not personal:
        return TaskResult(False, None,
                          "No outgoing document approved with the learner's digital signature.")
    sealed = [e for e in signed
              if e.details.get("role") == "organisation" and e.object_id in personal]
    if not sealed:
        return TaskResult(False, None,
                          "A document is signed but not yet issued with the agency's signature.")
    return TaskResult(True, sealed[0].created_at,
                      f"Signed and issued {sealed[0].details.get('number_symbol')}.")


def _verified_exercises(session: Session, tenant: Tenant) -> TaskResult:
    """The signatures of every verification exercise in the inbox checked in the e-office."""
    from signing.scenario_documents import SignatureCase

    checked: dict[str, ActivityLog] = {}
    for entry in learner_entries(session, tenant, SIGNATURE_VERIFIED):
        case = entry.details.get("case")
        if case and case not in checked:
            checked[case] = entry
    missing = len(SignatureCase) - len(set(checked) & {c.value for c in SignatureCase})
    if missing:
        return TaskResult(False, None,
                          f"{len(checked)} of {len(SignatureCase)} documents checked; "
                          f"{missing} still to check.")
    last = max(checked.values(), key=lambda entry: (entry.created_at, entry.id))
    return TaskResult(True, last.created_at,
                      f"All {len(SignatureCase)} documents' signatures checked.")


def _lost_token_reported(session: Session, tenant: Tenant) -> TaskResult:
    """The learner reported a token lost: the certificate revoked for key compromise."""
    revoked = [e for e in learner_entries(session, tenant, CERTIFICATE_REVOKED,
                                           object_type=CERTIFICATE)
               if e.details.get("reason") == "keyCompromise"]
    if not revoked:
        return TaskResult(False, None, "No lost token reported by this learner.")
    return TaskResult(True, revoked[0].created_at,
                      f"Certificate {revoked[0].details.get('serial_number')} revoked "
                      "(key compromise).")


def _renewed(session: Session, tenant: Tenant) -> TaskResult:
    """A renewal requested by the learner, issued, and the old certificate superseded."""
    renewals = {e.object_id for e in learner_entries(session, tenant, CERTIFICATE_REQUESTED,
                                                       object_type=CERTIFICATE)
                if e.details.get("renewal")}
    if not renewals:
        return TaskResult(False, None, "No renewal requested by this learner yet.")
    issued = [e for e in entries_by_anyone(session, tenant, CERTIFICATE_ISSUED, CERTIFICATE)
              if e.object_id in renewals]
    superseded = [e for e in entries_by_anyone(session, tenant, CERTIFICATE_REVOKED, CERTIFICATE)
                  if e.details.get("reason") == "superseded"]
    if not issued or not superseded:
        return TaskResult(False, None,
                          "The renewal waits for the registration officer's approval.")
    return TaskResult(True, issued[0].created_at,
                      f"Renewed: certificate {issued[0].details.get('serial_number')}.")


# titles and instructions are English source strings of the catalogues (N_), translated
# where they are shown
TASKS: dict[str, PracticalTask] = {
    task.task_id: task
    for task in (
        PracticalTask(
            task_id="register-incoming-from-so-tai-chinh",
            title=N_("Register an incoming document"),
            instructions=N_(
                "Open Incoming documents, find the document from Sở Tài chính and register "
                "it in the register book."
            ),
            evaluate=_registered_from_finance,
        ),
        PracticalTask(
            task_id="assign-incoming-from-so-tai-chinh",
            title=N_("Assign a document for handling"),
            instructions=N_(
                "Assign the registered document from Sở Tài chính for handling: a lead unit, "
                "a lead person in it, at least one coordinating unit, and a deadline in "
                "working days."
            ),
            evaluate=_assigned_finance,
        ),
        PracticalTask(
            task_id="complete-incoming-from-so-tai-chinh",
            title=N_("Close the handling of a document"),
            instructions=N_(
                "When the document from Sở Tài chính has been handled, mark it as done and "
                "note the result."
            ),
            evaluate=_completed_finance,
        ),
        PracticalTask(
            task_id="forward-incoming-document",
            title=N_("Forward a document to a colleague"),
            instructions=N_(
                "Forward any registered document to a colleague who needs to know about it, "
                "with a short note."
            ),
            evaluate=_forwarded_any,
        ),
        PracticalTask(
            task_id="draft-and-submit-outgoing-document",
            title=N_("Draft an outgoing document and submit it"),
            instructions=N_(
                "Draft an outgoing document from the form, check its PDF, and submit it to "
                "the signer for approval."
            ),
            evaluate=_drafted_and_submitted,
        ),
        PracticalTask(
            task_id="return-outgoing-for-revision",
            title=N_("Return a draft for revision"),
            instructions=N_(
                "As the signer, return a submitted draft to its drafter with a comment that "
                "says what must change."
            ),
            evaluate=_returned_with_comment,
        ),
        PracticalTask(
            task_id="issue-and-send-outgoing-document",
            title=N_("Issue and send an outgoing document"),
            instructions=N_(
                "Draft an official letter, submit it for approval, approve it as the signer, "
                "issue it with its number and send it to an agency over the interconnection "
                "axis."
            ),
            evaluate=_issued_and_sent,
        ),
        PracticalTask(
            task_id="request-signature-certificate",
            title=N_("Get a digital-signature certificate"),
            instructions=N_(
                "On the Digital signature page, request a certificate and choose the token's "
                "PIN; your trainer, as the registration officer, approves it."
            ),
            evaluate=_certificate_issued,
        ),
        PracticalTask(
            task_id="sign-and-issue-outgoing-document",
            title=N_("Sign and issue an outgoing document"),
            instructions=N_(
                "Approve a submitted draft with your digital signature (your token's PIN), "
                "then issue it: the agency's signature is added."
            ),
            evaluate=_signed_and_issued,
        ),
        PracticalTask(
            task_id="verify-received-signatures",
            title=N_("Check the signatures of received documents"),
            instructions=N_(
                "Check the digital signatures of each of the documents from Sở Thông tin và "
                "Truyền thông listed on the Digital signature page."
            ),
            evaluate=_verified_exercises,
        ),
        PracticalTask(
            task_id="report-lost-token",
            title=N_("Report a lost token"),
            instructions=N_(
                "Your token is lost: report it on the Digital signature page so that the "
                "certificate is revoked at once."
            ),
            evaluate=_lost_token_reported,
        ),
        PracticalTask(
            task_id="renew-certificate",
            title=N_("Renew a certificate"),
            instructions=N_(
                "Your agency has been renamed: request the renewal of your certificate so "
                "that it carries the new name."
            ),
            evaluate=_renewed,
        ),
        PracticalTask(
            task_id="comment-on-incoming-document",
            title=N_("Comment on a document"),
            instructions=N_("Write a comment on any incoming document; it joins its history."),
            evaluate=_commented_any,
        ),
        *MAIL_TASKS,
        *ONE_STOP_TASKS,
        *REPORT_TASKS,
    )
}


def evaluate_tasks(session: Session, username: str) -> dict[str, TaskResult]:
    """Every practical task's result for `username`; all not done for an unknown user."""
    tenant = get_tenant(session, username)
    if tenant is None:
        return {task_id: TaskResult(False, None, NO_SANDBOX) for task_id in TASKS}
    return {task_id: task.evaluate(session, tenant) for task_id, task in TASKS.items()}
