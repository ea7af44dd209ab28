"""The mail pages (HTML, session login, CSRF): the learner's mailbox, the simulated phish's
tracked link, landing page and teaching page, and the trainers' campaign pages.

Every learner lookup is filtered by the learner's own tenant (another learner's message,
attachment or tracked link is a 404). The campaign pages are for holders of
CAMPAIGN_MANAGER_SCOPE (trainers) only: everyone else gets 403.

The tracked link is a GET (it is what a click in a mail does); it only records the click of
the learner who owns it. The landing page's form records which fields were filled in,
never what was typed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from common.clock import VIETNAM_TZ
from common.roles import CAMPAIGN_MANAGER_SCOPE, COURSE_GROUP_PREFIX
from sandbox_eoffice.access import (
    current_tenant,
    current_username,
    ensure_tenant,
    learner_required,
)
from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.forms import ConfirmForm
from sandbox_eoffice.mail import campaigns as campaign_service
from sandbox_eoffice.mail.campaigns import (
    CAMPAIGN_REFUSALS,
    CAMPAIGN_STATUS_LABELS,
    CampaignRefused,
    Metrics,
    campaign_signs,
    campaign_status,
)
from sandbox_eoffice.mail.charts import funnel_chart, report_timeline_chart
from sandbox_eoffice.mail.forms import (
    CampaignForm,
    ComposeForm,
    LoginLandingForm,
    MoveForm,
    RenewalLandingForm,
)
from sandbox_eoffice.mail.lures import LANDING_LABELS, LURES, SENDER_PROFILES, SIGNS
from sandbox_eoffice.mail.mailbox import (
    ATTACHMENT_WARNINGS,
    FILE_KIND_LABELS,
    FOLDER_LABELS,
    MAIL_MESSAGE,
    MAIL_REFUSALS,
    MAIL_SEND_REFUSED,
    MOVABLE_TO,
    MailRefused,
    attachment_content,
    attachment_warnings,
    body_parts,
    click_link,
    folder_counts,
    get_attachment,
    get_message,
    host_of,
    link_mismatch,
    list_messages,
    move_message,
    open_attachment,
    open_message,
    recipient_by_token,
    report_message,
    send_mail,
    submit_landing,
)
from sandbox_eoffice.mail.models import (
    CampaignRecipient,
    FileKind,
    LandingKind,
    MailFolder,
    MailMessage,
    PhishingCampaign,
)
from sandbox_eoffice.models import Colleague, utc_now
from sandbox_eoffice.request_db import db
from sandbox_eoffice.uploads import MAX_UPLOAD_BYTES
from sandbox_eoffice.web_ui import pdf_response
from service_auth.hub_login import HubUnavailable, current_hub_user, get_hub_auth, has_scopes

bp = Blueprint("mail", __name__, url_prefix="/mail")


def _now() -> datetime:
    return utc_now()


def format_delay(delay: timedelta | None) -> str:
    """"2 h 05 min", "3 d 4 h" or "—"."""
    if delay is None:
        return "—"
    minutes = int(delay.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h", days=days, hours=hours)
    if hours:
        return _("%(hours)d h %(minutes)02d min", hours=hours, minutes=minutes)
    return _("%(minutes)d min", minutes=minutes)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


@bp.app_context_processor
def _campaign_link() -> dict[str, Any]:
    """For the sidebar of every page: whether to show the trainers' campaign link."""
    return {"can_run_campaigns": _is_manager}


@bp.context_processor
def _mail_globals() -> dict[str, Any]:
    return {
        "FOLDER_LABELS": FOLDER_LABELS, "FILE_KIND_LABELS": FILE_KIND_LABELS,
        "ATTACHMENT_WARNINGS": ATTACHMENT_WARNINGS, "MailFolder": MailFolder,
        "attachment_warnings": attachment_warnings, "format_delay": format_delay,
        "percent": _percent, "is_manager": _is_manager(), "FileKind": FileKind,
    }


# --- the mailbox ----------------------------------------------------------------------------


def _message_or_404(message_id: int) -> MailMessage:
    message = get_message(db(), current_tenant(), message_id, _now())
    if message is None:
        abort(404, description=_("This message does not exist in your mailbox."))
    return message


def _mailbox_page(folder: MailFolder) -> str:
    session, tenant, now = db(), current_tenant(), _now()
    return render_template("mail/inbox.html", folder=folder,
                           messages=list_messages(session, tenant, folder, now),
                           counts=folder_counts(session, tenant, now))


@bp.get("/")
@learner_required
def inbox() -> str:
    return _mailbox_page(MailFolder.INBOX)


@bp.get("/folder/<folder>")
@learner_required
def folder_view(folder: str) -> str:
    try:
        chosen = MailFolder(folder)
    except ValueError:
        abort(404, description=_("There is no such folder in your mailbox."))
    return _mailbox_page(chosen)


@bp.get("/m/<int:message_id>")
@learner_required
def message_view(message_id: int) -> str:
    session, tenant = db(), current_tenant()
    message = _message_or_404(message_id)
    details = request.args.get("details") == "1"
    open_message(session, tenant, message, actor=current_username(), now=_now(),
                 details=details)
    session.commit()
    move = MoveForm(prefix="move")
    move.folder.choices = [(f.value, _(FOLDER_LABELS[f])) for f in MOVABLE_TO
                           if f is not message.folder]
    return render_template(
        "mail/message.html", message=message, details=details, parts=body_parts(message),
        mismatch=link_mismatch(message), host_of=host_of,
        report_form=ConfirmForm(prefix="report"), move_form=move)


@bp.get("/m/<int:message_id>/attachments/<int:attachment_id>")
@learner_required
def attachment_view(message_id: int, attachment_id: int) -> str | Response:
    session, tenant = db(), current_tenant()
    message = _message_or_404(message_id)
    attachment = get_attachment(session, tenant, message, attachment_id)
    recipient = message.campaign_recipient
    # a simulated phish's attachment counts as opened only through the link in the message
    # itself (the recipient's secret token), never through a guessable address that another
    # page could make the learner's browser load
    if attachment is None or (
            recipient is not None and request.args.get("t") != recipient.token):
        abort(404, description=_("This attachment does not exist in your mailbox."))
    open_attachment(session, tenant, attachment, actor=current_username(), now=_now())
    content = attachment_content(attachment)  # a seeded document is drawn on first opening
    session.commit()
    if recipient is not None:
        # the simulated phish's attachment: in real life this would have run a program
        return redirect(url_for(".teaching", token=recipient.token, via="attachment"))
    if attachment_warnings(attachment):
        return render_template("mail/attachment_blocked.html", message=message,
                               attachment=attachment)
    if attachment.detected_kind is FileKind.PDF:
        return pdf_response(content, attachment.filename)
    response = make_response(content)
    response.headers["Content-Type"] = (
        "text/plain; charset=utf-8" if attachment.detected_kind is FileKind.TEXT
        else "application/octet-stream")
    response.headers["X-Content-Type-Options"] = "nosniff"
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-"
                   for ch in attachment.filename) or "tep-dinh-kem"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


@bp.post("/m/<int:message_id>/report")
@learner_required
def report(message_id: int) -> str | Response:
    session, tenant = db(), current_tenant()
    message = _message_or_404(message_id)
    if not ConfirmForm(prefix="report").validate_on_submit():
        abort(400, description=_("The form could not be sent; reload the page."))
    try:
        is_phish = report_message(session, tenant, message, actor=current_username(),
                                  now=_now())
    except MailRefused as refusal:
        session.rollback()
        flash(_(MAIL_REFUSALS[refusal.reason]), "warning")
        return redirect(url_for(".message_view", message_id=message.id))
    session.commit()
    recipient = message.campaign_recipient
    signs = campaign_signs(recipient.campaign) if recipient is not None else []
    fell = recipient is not None and campaign_service.is_phish_prone(recipient)
    return render_template("mail/reported.html", message=message, is_phish=is_phish,
                           fell=fell, signs=signs, host_of=host_of)


@bp.post("/m/<int:message_id>/move")
@learner_required
def move(message_id: int) -> Response:
    session, tenant = db(), current_tenant()
    message = _message_or_404(message_id)
    form = MoveForm(prefix="move")
    form.folder.choices = [(f.value, f.value) for f in MOVABLE_TO]
    if not form.validate_on_submit():
        flash(_("Choose a folder from the list."), "warning")
        return redirect(url_for(".message_view", message_id=message.id))
    target = MailFolder(form.folder.data)
    try:
        move_message(session, tenant, message, target, actor=current_username())
    except MailRefused as refusal:
        session.rollback()
        flash(_(MAIL_REFUSALS[refusal.reason]), "warning")
        return redirect(url_for(".message_view", message_id=message.id))
    session.commit()
    flash(_("Message moved to %(folder)s.", folder=_(FOLDER_LABELS[target])), "success")
    return redirect(url_for(".folder_view", folder=target.value))


def _colleagues() -> list[Colleague]:
    return list(db().scalars(select(Colleague).where(
        Colleague.tenant_id == current_tenant().id).order_by(Colleague.full_name)).all())


@bp.route("/compose", methods=["GET", "POST"])
@learner_required
def compose() -> str | Response | tuple[str, int]:
    session, tenant = db(), current_tenant()
    colleagues = {c.id: c for c in _colleagues()}
    form = ComposeForm()
    form.to.choices = [(c.id, f"{c.full_name} — {c.job_title} ({c.email})")
                       for c in colleagues.values()]
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("mail/compose.html", form=form), status
    upload = form.attachment.data
    attachment = None
    if upload is not None and getattr(upload, "filename", ""):
        attachment = (upload.filename or "", upload.read(MAX_UPLOAD_BYTES + 1))
    try:
        message = send_mail(session, tenant, actor=current_username(),
                            to=[colleagues[i] for i in form.to.data or [] if i in colleagues],
                            subject=form.subject.data or "", body=form.body.data or "",
                            now=_now(), attachment=attachment)
    except MailRefused as refusal:
        session.rollback()
        record_activity(session, tenant, current_username(), MAIL_SEND_REFUSED,
                        object_type=MAIL_MESSAGE, details={
                            "reason": refusal.reason,
                            "filename": attachment[0][:200] if attachment else None})
        session.commit()
        flash(_(MAIL_REFUSALS[refusal.reason]), "warning")
        return render_template("mail/compose.html", form=form), 400
    session.commit()
    flash(_("Message sent."), "success")
    return redirect(url_for(".message_view", message_id=message.id))


# --- the simulated phish: tracked link, landing page, teaching page -------------------------


def _recipient_or_404(token: str) -> CampaignRecipient:
    recipient = recipient_by_token(db(), current_tenant(), token, _now())
    if recipient is None:
        abort(404, description=_("This page does not exist."))
    return recipient


def _landing_form(recipient: CampaignRecipient) -> LoginLandingForm | RenewalLandingForm:
    if recipient.campaign.landing is LandingKind.CERTIFICATE_RENEWAL:
        return RenewalLandingForm()
    return LoginLandingForm()


@bp.get("/l/<token>")
@learner_required
def track(token: str) -> str | Response:
    session, tenant = db(), current_tenant()
    recipient = _recipient_or_404(token)
    click_link(session, tenant, recipient, actor=current_username(), now=_now())
    session.commit()
    if recipient.campaign.landing is LandingKind.TEACHING_ONLY:
        return redirect(url_for(".teaching", token=token, via="click"))
    return render_template("mail/landing.html", recipient=recipient,
                           message=recipient.message, form=_landing_form(recipient))


@bp.post("/l/<token>")
@learner_required
def landing_submit(token: str) -> Response:
    session, tenant = db(), current_tenant()
    recipient = _recipient_or_404(token)
    if recipient.campaign.landing is LandingKind.TEACHING_ONLY:
        abort(404, description=_("This page does not exist."))
    form = _landing_form(recipient)
    if not form.validate_on_submit():
        abort(400, description=_("The form could not be sent; reload the page."))
    # only whether each field was filled in; the values themselves go nowhere
    filled = {field.short_name: bool(str(field.data or "").strip()) for field in form
              if field.short_name != "csrf_token"}
    for field in form:
        field.data = None
    typed = submit_landing(session, tenant, recipient, actor=current_username(), now=_now(),
                           filled=filled)
    session.commit()
    return redirect(url_for(".teaching", token=token, via="submit" if typed else "click"))


@bp.get("/l/<token>/learn")
@learner_required
def teaching(token: str) -> str:
    recipient = _recipient_or_404(token)
    via = request.args.get("via", "click")
    return render_template("mail/teaching.html", recipient=recipient,
                           message=recipient.message, signs=campaign_signs(recipient.campaign),
                           via=via if via in ("click", "submit", "attachment") else "click",
                           host_of=host_of, report_form=ConfirmForm(prefix="report"))


# --- the trainers' campaign pages -----------------------------------------------------------


def _is_manager() -> bool:
    """The logged-in user holds CAMPAIGN_MANAGER_SCOPE (False on a page before login)."""
    return g.get("hub_user") is not None and has_scopes(current_hub_user(),
                                                        CAMPAIGN_MANAGER_SCOPE)


def _manager_only() -> None:
    if not has_scopes(current_hub_user(), CAMPAIGN_MANAGER_SCOPE):
        abort(403, description=_("Only trainers can run phishing campaigns and see their "
                                 "results."))


def _campaign_or_404(campaign_id: int) -> PhishingCampaign:
    campaign = campaign_service.get_campaign(db(), campaign_id)
    if campaign is None:
        abort(404, description=_("There is no such campaign."))
    return campaign


@bp.get("/campaigns")
@learner_required
def campaigns() -> str:
    _manager_only()
    now = _now()
    rows = [(c, campaign_status(c, now), campaign_service.metrics(c.recipients, now))
            for c in campaign_service.list_campaigns(db())]
    return render_template("mail/campaigns.html", rows=rows, LURES=LURES,
                           CAMPAIGN_STATUS_LABELS=CAMPAIGN_STATUS_LABELS)


def _campaign_form() -> CampaignForm:
    form = CampaignForm()
    form.lure.choices = [(key, _(lure.label)) for key, lure in LURES.items()]
    form.sender_profile.choices = [("", _("The template's own sender"))] + [
        (key, _(profile.label)) for key, profile in SENDER_PROFILES.items()]
    form.landing.choices = [("", _("The template's own landing page"))] + [
        (kind.value, _(label)) for kind, label in LANDING_LABELS.items()]
    form.recipients.choices = [(t.username, f"{t.full_name} ({t.username})")
                               for t in campaign_service.class_members(db())]
    form.course.choices = [("", _("None: the learners ticked below"))] + [
        (course, course) for course in sorted(_course_classes())]
    return form


def _course_classes() -> dict[str, list[str]]:
    """Each course's learners, from the hub's groups (nbgrader's `nbgrader-<course>`); none
    when the hub cannot say (the trainer then ticks learners, and is told why)."""
    if "course_classes" not in g:
        try:
            g.course_classes = get_hub_auth().groups_with_prefix(COURSE_GROUP_PREFIX)
        except HubUnavailable:
            flash(_("The courses' classes could not be read from the hub just now: tick the "
                    "learners instead."), "warning")
            g.course_classes = {}
    classes: dict[str, list[str]] = g.course_classes
    return classes


@bp.route("/campaigns/new", methods=["GET", "POST"])
@learner_required
def campaign_new() -> str | Response | tuple[str, int]:
    _manager_only()
    session = db()
    form = _campaign_form()
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("mail/campaign_form.html", form=form, LURES=LURES,
                               SENDER_PROFILES=SENDER_PROFILES, SIGNS=SIGNS,
                               LANDING_LABELS=LANDING_LABELS), status
    lure = LURES[form.lure.data or ""]
    members = {t.username: t for t in campaign_service.class_members(session)}
    if form.course.data:
        # the course's class as the hub knows it; a learner without a sandbox yet gets one
        chosen = [members.get(name) or ensure_tenant(name)
                  for name in _course_classes().get(form.course.data, [])]
    elif form.all_learners.data:
        chosen = list(members.values())
    else:
        chosen = [members[name] for name in form.recipients.data or [] if name in members]
    now = _now()
    when = form.scheduled_at.data
    scheduled = now if when is None else max(when.replace(tzinfo=VIETNAM_TZ), now)
    try:
        campaign = campaign_service.create_campaign(
            session, current_tenant(), actor=current_username(),
            name=form.name.data or "", lure_key=lure.key,
            profile_key=form.sender_profile.data or lure.sender_profile,
            landing=LandingKind(form.landing.data or lure.landing.value),
            scheduled_at=scheduled, recipients=chosen)
    except CampaignRefused as refusal:
        session.rollback()
        flash(_(CAMPAIGN_REFUSALS[refusal.reason]), "warning")
        return render_template("mail/campaign_form.html", form=form, LURES=LURES,
                               SENDER_PROFILES=SENDER_PROFILES, SIGNS=SIGNS,
                               LANDING_LABELS=LANDING_LABELS), 400
    session.commit()
    flash(ngettext("Campaign created for %(num)d learner.",
                   "Campaign created for %(num)d learners.", len(campaign.recipients)),
          "success")
    return redirect(url_for(".campaign_results", campaign_id=campaign.id))


@bp.get("/campaigns/<int:campaign_id>")
@learner_required
def campaign_results(campaign_id: int) -> str:
    _manager_only()
    campaign = _campaign_or_404(campaign_id)
    now = _now()
    return render_template(
        "mail/campaign_results.html", campaign=campaign, now=now,
        status=campaign_status(campaign, now), metrics=campaign_service.metrics(
            campaign.recipients, now), lure=LURES[campaign.lure],
        profile=SENDER_PROFILES[campaign.sender_profile], signs=campaign_signs(campaign),
        LANDING_LABELS=LANDING_LABELS, CAMPAIGN_STATUS_LABELS=CAMPAIGN_STATUS_LABELS,
        is_phish_prone=campaign_service.is_phish_prone, cancel_form=ConfirmForm(prefix="cancel"))


@bp.post("/campaigns/<int:campaign_id>/cancel")
@learner_required
def campaign_cancel(campaign_id: int) -> Response:
    _manager_only()
    session = db()
    campaign = _campaign_or_404(campaign_id)
    if not ConfirmForm(prefix="cancel").validate_on_submit():
        abort(400, description=_("The form could not be sent; reload the page."))
    try:
        campaign_service.cancel_campaign(session, current_tenant(), campaign,
                                         actor=current_username(), now=_now())
    except CampaignRefused as refusal:
        session.rollback()
        flash(_(CAMPAIGN_REFUSALS[refusal.reason]), "warning")
        return redirect(url_for(".campaign_results", campaign_id=campaign_id))
    session.commit()
    flash(_("Campaign cancelled: no learner will receive its message."), "success")
    return redirect(url_for(".campaign_results", campaign_id=campaign_id))


def _svg_response(svg: bytes) -> Response:
    response = make_response(svg)
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _funnel(title: str, metrics: Metrics) -> bytes:
    labels = [_("Delivered"), _("Opened"), _("Clicked the link"), _("Submitted data"),
              _("Opened the attachment"), _("Reported")]
    values = [metrics.delivered, metrics.opened, metrics.clicked, metrics.submitted,
              metrics.attachment_opened, metrics.reported]
    return funnel_chart(title, labels, values, _("Recipients (each learner counted once)"))


@bp.get("/campaigns/<int:campaign_id>/funnel.svg")
@learner_required
def campaign_funnel_chart(campaign_id: int) -> Response:
    _manager_only()
    campaign = _campaign_or_404(campaign_id)
    return _svg_response(_funnel(campaign.name, campaign_service.metrics(
        campaign.recipients, _now())))


@bp.get("/campaigns/metrics")
@learner_required
def class_metrics() -> str:
    _manager_only()
    now = _now()
    recipients = campaign_service.all_recipients(db())
    rows = [(c, campaign_status(c, now), campaign_service.metrics(c.recipients, now))
            for c in campaign_service.list_campaigns(db())]
    return render_template("mail/metrics.html", metrics=campaign_service.metrics(
        recipients, now), rows=rows, CAMPAIGN_STATUS_LABELS=CAMPAIGN_STATUS_LABELS)


@bp.get("/campaigns/metrics/funnel.svg")
@learner_required
def class_funnel_chart() -> Response:
    _manager_only()
    return _svg_response(_funnel(_("The class, all campaigns"), campaign_service.metrics(
        campaign_service.all_recipients(db()), _now())))


@bp.get("/campaigns/metrics/reports.svg")
@learner_required
def class_reports_chart() -> Response:
    _manager_only()
    now = _now()
    recipients = campaign_service.all_recipients(db())
    return _svg_response(report_timeline_chart(
        _("Reports after delivery"), campaign_service.report_delays_hours(recipients, now),
        campaign_service.metrics(recipients, now).delivered,
        _("Hours after delivery"), _("Recipients who reported"), _("No report yet"),
        _("Recipients delivered")))
