"""Check my work (/api/v1/tasks/<task_id>/check): is a practical task done, and if not, what
is still missing, for the learner whose hub token asks and on their own sandbox agency only.

The course kit's task card calls it from the learner's kernel with the server's hub token
(`course_kit.task_card`). The answer comes from the very evaluator the grader reads through
the evidence API (`sandbox_eoffice.tasks.TASKS`), so "done" here is "done" at grading time.
The evaluators' own details are written for trainers and name what was expected (a figure
from the agency's data, a number symbol, how many phishing messages there were), so a learner
never sees them: instead each task has one plain sentence, in the request's language, saying
what the e-office has not recorded yet.

A check is a read: it records nothing (a learner's first request creates their sandbox
agency, as any first visit does), and nothing the learner sends changes the result.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString, force_locale, get_locale, gettext, lazy_gettext
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from common.i18n import Language
from sandbox_eoffice.blueprints.api import API_PREFIX, abort_json, api_tenant, token_required
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import TASKS

UNKNOWN_TASK = "unknown_task"

bp = Blueprint("task_check_api", __name__, url_prefix=API_PREFIX + "/tasks",
               description="Check my work: whether a practical task is done, for the "
                           "learner who asks, and what is still missing, in plain words.")

# What a learner reads while a task is not done: the goal in their words, never an expected
# value. One per task of TASKS (tested), source strings English, Vietnamese in the catalogue.
STILL_MISSING: dict[str, LazyString] = {
    "register-incoming-from-so-tai-chinh": lazy_gettext(
        "You have not registered the incoming document from Sở Tài chính in the register "
        "book yet."),
    "assign-incoming-from-so-tai-chinh": lazy_gettext(
        "You have not yet assigned the document from Sở Tài chính for handling with a lead "
        "unit, a lead person, at least one coordinating unit and a deadline."),
    "complete-incoming-from-so-tai-chinh": lazy_gettext(
        "You have not yet marked the document from Sở Tài chính as done, with its result."),
    "forward-incoming-document": lazy_gettext(
        "You have not forwarded a document to a colleague yet."),
    "draft-and-submit-outgoing-document": lazy_gettext(
        "You have not yet drafted an outgoing document and submitted it to the signer for "
        "approval."),
    "return-outgoing-for-revision": lazy_gettext(
        "You have not yet returned a submitted draft to its drafter, as the signer, with a "
        "comment."),
    "issue-and-send-outgoing-document": lazy_gettext(
        "You have not yet issued an outgoing document and sent it to an agency over the "
        "interconnection axis."),
    "request-signature-certificate": lazy_gettext(
        "No digital-signature certificate has been issued to you yet: request one; it is "
        "issued when your trainer, as the registration officer, approves the request."),
    "sign-and-issue-outgoing-document": lazy_gettext(
        "You have not yet approved a draft with your digital signature and then issued it "
        "with the agency's signature."),
    "verify-received-signatures": lazy_gettext(
        "You have not yet checked the signatures of every document from Sở Thông tin và "
        "Truyền thông listed on the Digital signature page."),
    "report-lost-token": lazy_gettext("You have not reported your token as lost yet."),
    "renew-certificate": lazy_gettext(
        "Your certificate has not been renewed yet: request the renewal; it is done when "
        "the registration officer approves it."),
    "comment-on-incoming-document": lazy_gettext(
        "You have not written a comment on an incoming document yet."),
    "mail-reported-phish": lazy_gettext(
        "You have not reported a phishing message from your official mailbox yet."),
    "mail-did-not-click": lazy_gettext(
        "The e-office has not recorded that you opened a phishing message and clicked none "
        "of its links or attachments."),
    "mail-did-not-submit": lazy_gettext(
        "The e-office has not recorded that you opened a phishing message and typed nothing "
        "into a page it leads to."),
    "one-stop-processed-on-time": lazy_gettext(
        "You have not yet processed a dossier yourself from receipt to result (receive it, "
        "check that it is complete, transfer it, approve it, return the result) before its "
        "legal due date."),
    "one-stop-lookup-with-purpose": lazy_gettext(
        "You have not yet looked a citizen up in the national population database with the "
        "purpose of the lookup stated."),
    "one-stop-requested-additional-documents": lazy_gettext(
        "You have not yet asked a citizen for the missing documents of an incomplete "
        "dossier."),
    "one-stop-fee-collected-online": lazy_gettext(
        "You have not yet had a fee paid online through the payment platform."),
    "one-stop-result-digitised": lazy_gettext(
        "You have not yet uploaded the scanned result of an approved dossier."),
    "submit-valid-periodic-report": lazy_gettext(
        "You have not yet submitted a valid periodic report on time: every figure within "
        "its range and matching your agency's data."),
}


class TaskCheckQuerySchema(Schema):
    lang = fields.Str(load_default=None, validate=validate.OneOf([lang.value
                                                                 for lang in Language]),
                      metadata={"description": "The language of `missing` (default: the "
                                               "platform's language cookie, else Vietnamese)"})


class TaskCheckSchema(Schema):
    task_id = fields.Str()
    done = fields.Bool(metadata={"description": "What the grader will find now"})
    missing = fields.List(fields.Str(), metadata={
        "description": "What is still missing, in plain words (empty when done); never an "
                       "expected value"})


def _language(requested: str | None) -> str:
    if requested:
        return requested
    locale = get_locale()
    return locale.language if locale else Language.VIETNAMESE.value


@bp.route("/<task_id>/check")
@token_required
@bp.arguments(TaskCheckQuerySchema, location="query")
@bp.response(200, TaskCheckSchema)
@bp.alt_response(404, description="No practical task has this id")
def check(query: dict[str, Any], task_id: str) -> Any:
    """Is this practical task done for me? Evaluated now, on my own sandbox agency, by the
    grader's own rule; what is still missing in plain words, never the expected values."""
    with force_locale(_language(query["lang"])):
        task = TASKS.get(task_id)
        if task is None:
            abort_json(404, gettext("There is no practical task called “%(task_id)s” in the "
                                    "e-office.", task_id=task_id), UNKNOWN_TASK)
        result = task.evaluate(db(), api_tenant())
        # a task without its sentence yet (a test requires one) falls back on its
        # instructions, which state the goal and no expected value either
        still = STILL_MISSING.get(task_id)
        missing = [] if result.done else [str(still) if still else gettext(task.instructions)]
    return {"task_id": task_id, "done": result.done, "missing": missing}
