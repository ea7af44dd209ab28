"""The REST JSON API (/api/v1): everything a learner does on the pages, for notebooks.

Authenticated with JupyterHub API tokens only (`Authorization: Bearer <token>`), never the
browser's session cookie, so no cross-site request can use it (and CSRF tokens are not
needed). The token must hold the service's access scope; the API acts for the learner who
owns it, on their own sandbox agency only, through the same service functions and tenant
rules as the pages, and every step goes into the same activity log. flask-smorest
validates requests and writes the OpenAPI document (/api/v1/openapi.json).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, NoReturn, ParamSpec, TypeVar

from flask import Flask, Response, abort, g, make_response, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from sqlalchemy.exc import IntegrityError

from common.roles import CERTIFICATE_OFFICER_SCOPE
from sandbox_eoffice import outgoing_documents as outgoing
from sandbox_eoffice import signatures
from sandbox_eoffice.access import ensure_tenant
from sandbox_eoffice.activity import INCOMING_DOCUMENT, OUTGOING_DOCUMENT, document_history
from sandbox_eoffice.api_schemas import (
    AgencySchema,
    ApproveSchema,
    AssignSchema,
    AttachmentSchema,
    CertificateSchema,
    ChangePinSchema,
    ColleagueSchema,
    CommentOutSchema,
    CommentSchema,
    CompleteSchema,
    DraftSchema,
    FileUploadSchema,
    ForwardSchema,
    HistoryEntrySchema,
    IncomingDocumentSchema,
    IncomingPageSchema,
    IncomingQuerySchema,
    OutgoingDocumentSchema,
    PinSchema,
    ReturnSchema,
    SendSchema,
    UnitSchema,
    VerificationSchema,
    VerifyQuerySchema,
)
from sandbox_eoffice.incoming_documents import (
    AlreadyRegistered,
    DocumentActionRefused,
    DocumentFilter,
    assign_incoming_document,
    comment_on_incoming_document,
    complete_incoming_document,
    find_incoming_documents,
    forward_incoming_document,
    get_incoming_document,
    list_colleagues,
    list_units,
    register_incoming_document,
)
from sandbox_eoffice.labels import REFUSAL_MESSAGES
from sandbox_eoffice.models import IncomingDocument, OutgoingAttachment, OutgoingDocument, Tenant
from sandbox_eoffice.request_db import db
from sandbox_eoffice.signing_service import training_pki
from sandbox_eoffice.uploads import MAX_UPLOAD_BYTES, attach_pdf
from sandbox_eoffice.vocabulary import DocumentStatus, Urgency
from sandbox_eoffice.web_ui import pdf_response
from service_auth.hub_login import get_hub_auth, has_scopes, login_required, resolve_hub_user

P = ParamSpec("P")
R = TypeVar("R")

API_PREFIX = "/api/v1"
BEARER = "hubToken"

bp = Blueprint("api", __name__, url_prefix=API_PREFIX,
               description="The learner's sandbox agency: incoming and outgoing documents.")


def init_api(app: Flask, feature_blueprints: Sequence[Blueprint] = ()) -> Api:
    """The API with its own operations and the feature packages' (mail, one-stop, reports)."""
    app.config.update(
        API_TITLE="Sandbox e-office API",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {BEARER: {
                "type": "http", "scheme": "bearer",
                "description": "A JupyterHub API token holding "
                               "access:services!service=eoffice (the learner's own)."}}},
            "security": [{BEARER: []}],
            "info": {"description": __doc__},
        },
    )
    api = Api(app)
    api.register_blueprint(bp)
    for blueprint in feature_blueprints:
        api.register_blueprint(blueprint)
    return api


def token_required(view: Callable[P, R]) -> Callable[P, R | Response]:
    """A JupyterHub token (never a cookie) of a learner with access to the e-office."""

    @wraps(view)
    def as_learner(*args: P.args, **kwargs: P.kwargs) -> R:
        user = resolve_hub_user()
        if not g.get("hub_token_authenticated"):
            # a blank token after "Bearer" must not fall back to the session cookie
            abort(401, description="Send a JupyterHub API token: "
                                   "'Authorization: Bearer <token>'.")
        if user is None or user.get("kind", "user") != "user":
            abort(403, description="The API acts for a learner: use a learner's token.")
        g.tenant = ensure_tenant(user["name"])
        return view(*args, **kwargs)

    checked = login_required(as_learner)

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        if not get_hub_auth().auth_header_pat.match(request.headers.get("Authorization", "")):
            abort(401, description="Send a JupyterHub API token: "
                                   "'Authorization: Bearer <token>'.")
        return checked(*args, **kwargs)

    return wrapper


def api_tenant() -> Tenant:
    tenant: Tenant = g.tenant
    return tenant


def api_actor() -> str:
    return str(g.hub_user["name"])


def abort_json(status: int, message: str, reason: str) -> NoReturn:
    """Stop with a JSON error that names the reason as a stable code."""
    abort(make_response({"error": message, "reason": reason, "status": status}, status))


def _refused(refusal: DocumentActionRefused) -> NoReturn:
    db().rollback()
    abort_json(409, str(REFUSAL_MESSAGES[refusal.reason]), refusal.reason)


def _incoming(document_id: int, *, for_update: bool = False) -> IncomingDocument:
    document = get_incoming_document(db(), api_tenant(), document_id, for_update=for_update)
    if document is None:
        abort(404, description="No such incoming document in your agency.")
    return document


def _outgoing(document_id: int, *, for_update: bool = False) -> OutgoingDocument:
    document = outgoing.get_outgoing(db(), api_tenant(), document_id, for_update=for_update)
    if document is None:
        abort(404, description="No such outgoing document in your agency.")
    return document


def _commit_or_refuse(step: Callable[[], Any]) -> Any:
    try:
        result = step()
        db().commit()
    except signatures.WrongPin as wrong:
        db().commit()  # the failed attempt counts
        abort(make_response({"error": str(REFUSAL_MESSAGES[wrong.reason]),
                             "reason": wrong.reason, "attempts_left": wrong.attempts_left,
                             "status": 409}, 409))
    except DocumentActionRefused as refusal:
        _refused(refusal)
    return result


@bp.route("/units")
@token_required
@bp.response(200, UnitSchema(many=True))
def units() -> Any:
    """The units (phòng, ban) of the learner's agency."""
    return list_units(db(), api_tenant())


@bp.route("/colleagues")
@token_required
@bp.response(200, ColleagueSchema(many=True))
def colleagues() -> Any:
    """The learner's colleagues: leaders first, then each unit's people."""
    return list_colleagues(db(), api_tenant())


@bp.route("/agencies")
@token_required
@bp.response(200, AgencySchema(many=True))
def agencies() -> Any:
    """The agencies on the province's interconnection axis, to send outgoing documents to."""
    return [{"name": name} for name in outgoing.axis_directory(db(), api_tenant())]


@bp.route("/incoming")
@token_required
@bp.arguments(IncomingQuerySchema, location="query")
@bp.response(200, IncomingPageSchema)
def incoming_list(query: dict[str, Any]) -> Any:
    """Incoming documents, newest first: filters, search and pages as on the list page."""
    criteria = DocumentFilter(
        status=DocumentStatus(query["status"]) if query.get("status") else None,
        urgency=Urgency(query["urgency"]) if query.get("urgency") else None,
        issuing_agency=query.get("agency"),
        received_from=query.get("received_from"),
        received_until=query.get("received_until"),
        query=query.get("q", ""),
        overdue_only=query["overdue"],
    )
    page = find_incoming_documents(db(), api_tenant(), criteria, page=query["page"],
                                   page_size=query["page_size"])
    return {"items": page.documents, "total": page.total, "page": page.page,
            "page_size": page.page_size}


@bp.route("/incoming/<int:document_id>")
@token_required
@bp.response(200, IncomingDocumentSchema)
def incoming_get(document_id: int) -> Any:
    """One incoming document."""
    return _incoming(document_id)


@bp.route("/incoming/<int:document_id>/history")
@token_required
@bp.response(200, HistoryEntrySchema(many=True))
def incoming_history(document_id: int) -> Any:
    """The steps of the document's life, oldest first."""
    return document_history(db(), api_tenant(), _incoming(document_id).id, INCOMING_DOCUMENT)


@bp.route("/incoming/<int:document_id>/register", methods=["POST"])
@token_required
@bp.response(200, IncomingDocumentSchema)
def incoming_register(document_id: int) -> Any:
    """Vào sổ: the next number of this year's incoming register book."""
    document = _incoming(document_id, for_update=True)
    try:
        register_incoming_document(db(), api_tenant(), document, actor=api_actor(),
                                   registered_by=api_tenant().full_name)
        db().commit()
    except AlreadyRegistered:
        db().rollback()
        abort_json(409, "The document is already registered.", "already_registered")
    except IntegrityError:
        db().rollback()
        abort_json(409, "The register book was busy: try again.", "busy")
    return document


@bp.route("/incoming/<int:document_id>/assign", methods=["POST"])
@token_required
@bp.arguments(AssignSchema)
@bp.response(200, IncomingDocumentSchema)
def incoming_assign(body: dict[str, Any], document_id: int) -> Any:
    """Giao xử lý: lead unit and/or person, coordinating units, deadline in working days."""
    document = _incoming(document_id, for_update=True)
    _commit_or_refuse(lambda: assign_incoming_document(
        db(), api_tenant(), document, actor=api_actor(), lead_unit_id=body["lead_unit_id"],
        assignee_id=body["assignee_id"], coordinating_unit_ids=body["coordinating_unit_ids"],
        deadline_working_days=body["deadline_working_days"],
        instruction=body["instruction"]))
    return document


@bp.route("/incoming/<int:document_id>/forward", methods=["POST"])
@token_required
@bp.arguments(ForwardSchema)
@bp.response(200, IncomingDocumentSchema)
def incoming_forward(body: dict[str, Any], document_id: int) -> Any:
    """Chuyển: to colleagues, for information or action."""
    document = _incoming(document_id, for_update=True)
    _commit_or_refuse(lambda: forward_incoming_document(
        db(), api_tenant(), document, actor=api_actor(), forwarded_by=api_tenant().full_name,
        colleague_ids=body["colleague_ids"], note=body["note"]))
    return document


@bp.route("/incoming/<int:document_id>/comments", methods=["POST"])
@token_required
@bp.arguments(CommentSchema)
@bp.response(201, CommentOutSchema)
def incoming_comment(body: dict[str, Any], document_id: int) -> Any:
    """Ý kiến: a comment in the document's history."""
    document = _incoming(document_id, for_update=True)
    return _commit_or_refuse(lambda: comment_on_incoming_document(
        db(), api_tenant(), document, actor=api_actor(), author=api_tenant().full_name,
        body=body["body"]))


@bp.route("/incoming/<int:document_id>/complete", methods=["POST"])
@token_required
@bp.arguments(CompleteSchema)
@bp.response(200, IncomingDocumentSchema)
def incoming_complete(body: dict[str, Any], document_id: int) -> Any:
    """Hoàn thành: an assigned document is done, with its result."""
    document = _incoming(document_id, for_update=True)
    _commit_or_refuse(lambda: complete_incoming_document(
        db(), api_tenant(), document, actor=api_actor(), result_note=body["result_note"]))
    return document


@bp.route("/outgoing")
class OutgoingCollection(MethodView):
    decorators = [token_required]

    @bp.response(200, OutgoingDocumentSchema(many=True))
    def get(self) -> Any:
        """Outgoing documents, newest first."""
        return outgoing.list_outgoing(db(), api_tenant())

    @bp.arguments(DraftSchema)
    @bp.response(201, OutgoingDocumentSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Draft a new outgoing document."""
        return _commit_or_refuse(lambda: outgoing.save_draft(
            db(), api_tenant(), actor=api_actor(), drafted_by=api_tenant().full_name, **body))


@bp.route("/outgoing/<int:document_id>")
class OutgoingItem(MethodView):
    decorators = [token_required]

    @bp.response(200, OutgoingDocumentSchema)
    def get(self, document_id: int) -> Any:
        """One outgoing document."""
        return _outgoing(document_id)

    @bp.arguments(DraftSchema)
    @bp.response(200, OutgoingDocumentSchema)
    def put(self, body: dict[str, Any], document_id: int) -> Any:
        """Revise a draft (a draft or a returned draft only)."""
        document = _outgoing(document_id, for_update=True)
        return _commit_or_refuse(lambda: outgoing.save_draft(
            db(), api_tenant(), actor=api_actor(), drafted_by=document.drafted_by,
            document=document, **body))


@bp.route("/outgoing/<int:document_id>/history")
@token_required
@bp.response(200, HistoryEntrySchema(many=True))
def outgoing_history(document_id: int) -> Any:
    """The steps of the outgoing document's life, oldest first."""
    return document_history(db(), api_tenant(), _outgoing(document_id).id, OUTGOING_DOCUMENT)


@bp.route("/outgoing/<int:document_id>/submit", methods=["POST"])
@token_required
@bp.response(200, OutgoingDocumentSchema)
def outgoing_submit(document_id: int) -> Any:
    """Submit the draft for approval."""
    document = _outgoing(document_id, for_update=True)
    _commit_or_refuse(lambda: outgoing.submit_for_approval(db(), api_tenant(), document,
                                                           actor=api_actor()))
    return document


@bp.route("/outgoing/<int:document_id>/approve", methods=["POST"])
@token_required
@bp.arguments(ApproveSchema, required=False)
@bp.response(200, OutgoingDocumentSchema)
def outgoing_approve(body: dict[str, Any], document_id: int) -> Any:
    """Approve the draft, as its signer, signing it with the approver's token (PIN) when
    they have a certificate."""
    document = _outgoing(document_id, for_update=True)
    _commit_or_refuse(lambda: signatures.approve_and_sign(
        db(), training_pki(), api_tenant(), document, pin=body.get("pin"), actor=api_actor()))
    return document


@bp.route("/outgoing/<int:document_id>/return", methods=["POST"])
@token_required
@bp.arguments(ReturnSchema)
@bp.response(200, OutgoingDocumentSchema)
def outgoing_return(body: dict[str, Any], document_id: int) -> Any:
    """Return the draft to its drafter with a comment."""
    document = _outgoing(document_id, for_update=True)
    _commit_or_refuse(lambda: outgoing.return_for_revision(
        db(), api_tenant(), document, actor=api_actor(), comment=body["comment"]))
    return document


@bp.route("/outgoing/<int:document_id>/issue", methods=["POST"])
@token_required
@bp.response(200, OutgoingDocumentSchema)
def outgoing_issue(document_id: int) -> Any:
    """Phát hành: the next number of this year's outgoing register book, and the agency's
    digital signature."""
    document = _outgoing(document_id, for_update=True)
    _commit_or_refuse(lambda: signatures.issue_and_sign(db(), training_pki(), api_tenant(),
                                                        document, actor=api_actor()))
    return document


@bp.route("/outgoing/<int:document_id>/send", methods=["POST"])
@token_required
@bp.arguments(SendSchema)
@bp.response(200, OutgoingDocumentSchema)
def outgoing_send(body: dict[str, Any], document_id: int) -> Any:
    """Send the issued document over the interconnection axis."""
    document = _outgoing(document_id, for_update=True)
    _commit_or_refuse(lambda: outgoing.send(db(), api_tenant(), document, actor=api_actor(),
                                            recipients=body["recipients"]))
    return document


@bp.route("/outgoing/<int:document_id>/attachments", methods=["POST"])
@token_required
@bp.arguments(FileUploadSchema, location="files")
@bp.response(201, AttachmentSchema)
def outgoing_attach(files: dict[str, Any], document_id: int) -> Any:
    """Attach a PDF (at most 5 MB) to a draft; anything else is refused and not stored."""
    document = _outgoing(document_id, for_update=True)
    upload = files["file"]
    return _commit_or_refuse(lambda: attach_pdf(
        db(), api_tenant(), document, actor=api_actor(), filename=upload.filename or "",
        data=upload.read()))


@bp.route("/outgoing/<int:document_id>/attachments/<int:attachment_id>")
@token_required
@bp.response(200, content_type="application/pdf", description="The attached PDF")
def outgoing_attachment(document_id: int, attachment_id: int) -> Any:
    """One attached PDF."""
    document = _outgoing(document_id)
    attachment = db().get(OutgoingAttachment, attachment_id)
    if attachment is None or attachment.document_id != document.id:
        abort(404, description="No such file attached to this document.")
    return pdf_response(attachment.content, attachment.filename)


# --- digital signatures ---------------------------------------------------------------------


@bp.route("/certificates")
@token_required
@bp.response(200, CertificateSchema(many=True))
def certificates() -> Any:
    """The learner's personal certificates, newest first."""
    return signatures.personal_certificates(db(), api_tenant())


@bp.route("/certificates", methods=["POST"])
@token_required
@bp.arguments(PinSchema)
@bp.response(201, CertificateSchema)
def certificate_request(body: dict[str, Any]) -> Any:
    """Request a personal certificate; the key is made on the token under this PIN. A
    trainer (the registration officer) approves it."""
    return _commit_or_refuse(lambda: signatures.request_certificate(
        db(), training_pki(), api_tenant(), actor=api_actor(), pin=body["pin"]))


@bp.route("/certificates/renew", methods=["POST"])
@token_required
@bp.arguments(PinSchema)
@bp.response(201, CertificateSchema)
def certificate_renew(body: dict[str, Any]) -> Any:
    """Renew with the agency's current name; the old certificate is revoked as superseded
    when the new one is issued."""
    return _commit_or_refuse(lambda: signatures.request_certificate(
        db(), training_pki(), api_tenant(), actor=api_actor(), pin=body["pin"], renew=True))


def _current_certificate() -> Any:
    row = signatures.signing_certificate(db(), api_tenant())
    if row is None:
        abort_json(409, str(REFUSAL_MESSAGES[signatures.NO_CERTIFICATE]),
                    signatures.NO_CERTIFICATE)
    return row


@bp.route("/certificates/current/pin", methods=["POST"])
@token_required
@bp.arguments(ChangePinSchema)
@bp.response(200, CertificateSchema)
def certificate_pin(body: dict[str, Any]) -> Any:
    """Change the token's PIN (a wrong old PIN counts towards the lockout)."""
    row = _current_certificate()
    _commit_or_refuse(lambda: signatures.change_pin(
        db(), training_pki(), api_tenant(), row, actor=api_actor(), old_pin=body["old_pin"],
        new_pin=body["new_pin"]))
    return row


@bp.route("/certificates/current/lost", methods=["POST"])
@token_required
@bp.response(200, CertificateSchema)
def certificate_lost() -> Any:
    """Report the token lost: the certificate is revoked (keyCompromise)."""
    row = _current_certificate()
    return _commit_or_refuse(lambda: signatures.report_lost(db(), api_tenant(), row,
                                                           actor=api_actor()))


@bp.route("/signatures/verify", methods=["POST"])
@token_required
@bp.arguments(VerifyQuerySchema, location="query")
@bp.arguments(FileUploadSchema, location="files")
@bp.response(200, VerificationSchema)
def signatures_verify(query: dict[str, Any], files: dict[str, Any]) -> Any:
    """Verify every signature of an uploaded PDF (at most 5 MB) against the sandbox root,
    with the sandbox's revocation information; ETSI indications and explanations."""
    from signing.verification import UnusablePdf

    data = files["file"].read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        abort_json(413, "The file is larger than 5 MB.", "too_large")
    try:
        report = signatures.verify(db(), training_pki(), data, lang=query["lang"])
    except UnusablePdf as unusable:
        abort_json(422, str(unusable), "unusable_pdf")
    return report.as_dict()


# --- the registration officer (trainers' tokens) --------------------------------------------


def _officer_only() -> None:
    if not has_scopes(g.hub_user, CERTIFICATE_OFFICER_SCOPE):
        abort(403, description="Only the registration officer (a trainer's token holding "
                               f"{CERTIFICATE_OFFICER_SCOPE}) can do this.")


@bp.route("/registration/requests")
@token_required
@bp.response(200, CertificateSchema(many=True))
def registration_requests() -> Any:
    """Certificate requests waiting for approval (trainers)."""
    _officer_only()
    return [row for row in signatures.pending_requests(db()) if row.tenant_id is not None]


def _learner_certificate(certificate_id: int) -> Any:
    row = signatures.get_certificate(db(), certificate_id)
    if row is None or row.tenant_id is None:
        abort(404, description="No such certificate.")
    return row


@bp.route("/registration/requests/<int:certificate_id>/approve", methods=["POST"])
@token_required
@bp.response(200, CertificateSchema)
def registration_approve(certificate_id: int) -> Any:
    """Approve a request: the sandbox issuing CA issues the certificate (trainers)."""
    _officer_only()
    row = _learner_certificate(certificate_id)
    return _commit_or_refuse(lambda: signatures.approve_request(
        db(), training_pki(), row, approver=api_actor()))


@bp.route("/registration/tokens/<int:certificate_id>/unlock", methods=["POST"])
@token_required
@bp.arguments(PinSchema)
@bp.response(200, CertificateSchema)
def registration_unlock(body: dict[str, Any], certificate_id: int) -> Any:
    """Unlock a locked token with a new PIN for its holder (trainers)."""
    _officer_only()
    row = _learner_certificate(certificate_id)
    _commit_or_refuse(lambda: signatures.unlock_token(db(), training_pki(), row,
                                                      officer=api_actor(), new_pin=body["pin"]))
    return row
