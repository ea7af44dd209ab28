"""Practical tasks of the mail feature, scored from the e-office's own records: the
per-recipient rows of the trainers' phishing campaigns (first occurrence of each event), never
from anything the learner typed as a claim.

- reported a simulated phish;
- opened a simulated phish and clicked none (no link, no attachment);
- opened a simulated phish and typed no data into a fake page.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.i18n import N_
from sandbox_eoffice.mail.campaigns import delivered_recipients, is_phish_prone
from sandbox_eoffice.mail.models import CampaignRecipient
from sandbox_eoffice.models import Tenant, utc_now
from sandbox_eoffice.task_results import PracticalTask, TaskResult

NO_PHISH_YET = "No simulated phishing message has reached this learner's mailbox yet."


def _delivered(session: Session, tenant: Tenant) -> Sequence[CampaignRecipient]:
    rows = session.scalars(select(CampaignRecipient).where(
        CampaignRecipient.tenant_id == tenant.id).order_by(CampaignRecipient.sent_at)).all()
    return delivered_recipients(rows, utc_now())


def _reported(session: Session, tenant: Tenant) -> TaskResult:
    delivered = _delivered(session, tenant)
    if not delivered:
        return TaskResult(False, None, NO_PHISH_YET)
    reported = sorted((r for r in delivered if r.reported_at is not None),
                      key=lambda r: r.reported_at)  # type: ignore[arg-type, return-value]
    if not reported:
        return TaskResult(False, None, f"None of the {len(delivered)} simulated phishing "
                                       "messages was reported.")
    first = reported[0]
    return TaskResult(True, first.reported_at,
                      f"Reported {len(reported)} of {len(delivered)} simulated phishing "
                      f"messages; first: \"{first.message.subject if first.message else ''}\".")


def _opened(delivered: Sequence[CampaignRecipient]) -> list[CampaignRecipient]:
    return sorted((r for r in delivered if r.opened_at is not None),
                  key=lambda r: r.opened_at)  # type: ignore[arg-type, return-value]


def _did_not_click(session: Session, tenant: Tenant) -> TaskResult:
    delivered = _delivered(session, tenant)
    if not delivered:
        return TaskResult(False, None, NO_PHISH_YET)
    fell = [r for r in delivered if is_phish_prone(r)]
    if fell:
        return TaskResult(False, None, f"Clicked the link or opened the attachment of {len(fell)} "
                                       f"of {len(delivered)} simulated phishing messages.")
    opened = _opened(delivered)
    if not opened:
        return TaskResult(False, None, "The simulated phishing message has not been opened "
                                       "yet.")
    return TaskResult(True, opened[0].opened_at,
                      f"Opened {len(opened)} of {len(delivered)} simulated phishing messages "
                      "and clicked none.")


def _did_not_submit(session: Session, tenant: Tenant) -> TaskResult:
    delivered = _delivered(session, tenant)
    if not delivered:
        return TaskResult(False, None, NO_PHISH_YET)
    submitted = [r for r in delivered if r.submitted_at is not None]
    if submitted:
        return TaskResult(False, None, f"Typed data into the fake page of {len(submitted)} of "
                                       f"{len(delivered)} simulated phishing messages.")
    opened = _opened(delivered)
    if not opened:
        return TaskResult(False, None, "The simulated phishing message has not been opened "
                                       "yet.")
    return TaskResult(True, opened[0].opened_at,
                      f"Opened {len(opened)} of {len(delivered)} simulated phishing messages "
                      "and typed no data into a fake page.")


MAIL_TASKS: tuple[PracticalTask, ...] = (
    PracticalTask(
        task_id="mail-reported-phish",
        title=N_("Report a phishing message"),
        instructions=N_("A suspicious message may arrive in your official mailbox. Open its "
                        "details (the sender's real address, where the link really leads) and, "
                        "if it is a phish, press \"Report phishing\"."),
        evaluate=_reported,
    ),
    PracticalTask(
        task_id="mail-did-not-click",
        title=N_("Do not click a phishing link or attachment"),
        instructions=N_("Read the messages in your official mailbox; do not click the link or "
                        "open the attachment of a message you recognise as phishing."),
        evaluate=_did_not_click,
    ),
    PracticalTask(
        task_id="mail-did-not-submit",
        title=N_("Never type your password on a page reached from a mail"),
        instructions=N_("Whatever a message says, never type your password or your token's PIN "
                        "into a page reached from a link in a mail."),
        evaluate=_did_not_submit,
    ),
)
