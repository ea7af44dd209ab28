"""The digital transformation contest's pages (docs/contest.md): the rules and the Start
button, the form of a person's drawn questions with a countdown, their result, and the
leaderboards by person and by agency.

Everything that counts is decided by ``grading.contest`` on the server: the draw, the clock
(the form's countdown only helps), the marking, the one attempt. Every route of this
blueprint needs a hub login and a person on the roster (any role: learners first, and
trainers, HR officers and admins may take part too); answers are data, checked against the
person's drawn questions and their option keys, anything else refused with 400.

The clock is ``app.config["CONTEST_CLOCK"]`` (tests set it), else Vietnam's time now. A
request's arrival is read first thing (``g.received_at``): a submit is timed by it, not by
when its turn at the store's lock came.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from common.clock import to_vietnam, vietnam_now
from common.i18n import Language, language_from
from course_kit.questions.specs import QuestionKind
from dashboards.config import layout_of
from grading.completion import format_points
from grading.contest import (
    AGENCY_MINIMUM,
    FIELD_PREFIX,
    GRACE,
    AnswerError,
    AnswerProblem,
    Attempt,
    AttemptRefused,
    Clock,
    Contest,
    ContestError,
    ContestStore,
    Leaderboard,
    Outcome,
    Refusal,
    answers_from_form,
    leaderboard,
    load_contests,
)
from people.roster import Person, RosterError, load_roster
from service_auth.hub_login import current_hub_user, login_required

log = logging.getLogger(__name__)

bp = Blueprint("contest", __name__, url_prefix="/contests")

CLOCK_KEY = "CONTEST_CLOCK"
#: the form sends itself this many seconds before the time limit: the server's clock decides
#: (with its grace), and the answers must reach it in time
AUTO_SUBMIT_SECONDS = 10


class StartForm(FlaskForm):
    """The Start button: nothing but the CSRF token."""


def _allowed() -> None:
    """What ``login_required`` wraps in the guard: nothing more to do."""


def _roster() -> list[Person]:
    try:
        return load_roster(layout_of(current_app).roster_file)
    except (OSError, RosterError) as error:
        log.warning("contest: the roster cannot be read (%s)", error)
        abort(503)


@bp.before_request
def _guard() -> Response | None:
    """Every route: a browser without a login goes to the hub's login; a login without the
    dashboards' access, or of someone not on the roster (a service account, a person who
    left), is refused (403). The request's arrival time is read first of all."""
    g.received_at = _now()
    denied = login_required(_allowed)()
    if denied is not None:
        return denied
    username = current_hub_user()["name"]
    person = next((p for p in _roster() if p.username == username), None)
    if person is None or not person.can_log_in:
        log.warning("contest refused to %s: not on the roster", username)
        abort(403)
    return None


@bp.errorhandler(ContestError)
def _broken(error: ContestError) -> tuple[str, int]:
    """A contest or its store that cannot be read: said in the log, not to the person."""
    log.error("contest: %s", error)
    return _unavailable(error)


@bp.errorhandler(503)
def _unavailable(_error: Exception) -> tuple[str, int]:
    return _message(_("The contest cannot be shown just now: ask an administrator (the "
                      "dashboards' log says why)."), 503)


def _clock() -> Clock:
    clock: Clock = current_app.config.get(CLOCK_KEY) or vietnam_now
    return clock


def _now() -> datetime:
    return to_vietnam(_clock()())


def _language() -> Language:
    return language_from(str(get_locale()))


def _contests() -> dict[str, Contest]:
    return load_contests(layout_of(current_app).contests_dir)  # ContestError: _broken


def _contest(contest_id: str) -> Contest:
    contest = _contests().get(contest_id)
    if contest is None:
        abort(404, description=_("There is no such contest."))
    return contest


def _store(contest: Contest) -> ContestStore:
    return ContestStore.of(layout_of(current_app), contest.contest_id, _clock())


def _message(message: str, status: int, contest: Contest | None = None) -> tuple[str, int]:
    return render_template("contest/message.html", message=message, contest=contest,
                           language=_language()), status


# --- formatting --------------------------------------------------------------------------


def vietnam_time(moment: datetime | None) -> str:
    return f"{to_vietnam(moment):%d/%m/%Y %H:%M}" if moment else ""


def answers_time(contest: Contest) -> str:
    """When the right answers are shown (``Contest.answers_shown_at``), said to the next
    whole minute: the page must not name a minute at which they are not there yet."""
    moment = contest.answers_shown_at
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return vietnam_time(moment)


def duration(seconds: int | None) -> str:
    """"7:05" for 425 seconds (minutes:seconds)."""
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


def window_text(contest: Contest) -> str:
    """When the contest is open: whole days when it opens and closes at midnight."""
    opens, closes = to_vietnam(contest.opens), to_vietnam(contest.closes)
    if opens.time() == closes.time() == time(0, 0):
        return _("From %(opens)s to the end of %(closes)s (Vietnam time)",
                 opens=f"{opens:%d/%m/%Y}", closes=f"{closes - timedelta(days=1):%d/%m/%Y}")
    return _("From %(opens)s to %(closes)s (Vietnam time)", opens=vietnam_time(opens),
             closes=vietnam_time(closes))


def outcome_label(outcome: Outcome) -> str:
    return {Outcome.ON_TIME: _("on time"), Outcome.LATE: _("late: scored 0"),
            Outcome.NOT_SUBMITTED: _("not submitted: scored 0")}[outcome]


@dataclass(frozen=True)
class ShownQuestion:
    """One drawn question as the form (or the review) shows it."""

    number: int
    qid: str
    field: str
    kind: str
    prompt: str
    choices: list[tuple[str, str]]  # (label, the form value: the option key's JSON)
    multiple: bool


def _form_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _shown(contest: Contest, username: str, question_ids: tuple[str, ...],
           language: Language) -> list[ShownQuestion]:
    shown = []
    for number, qid in enumerate(question_ids, start=1):
        spec = contest.question(qid, language)
        if spec.kind is QuestionKind.TRUE_FALSE:
            choices = [(_("True"), _form_value(True)), (_("False"), _form_value(False))]
        else:
            choices = [(label, _form_value(value))
                       for label, value in contest.choices(qid, username, language)]
        shown.append(ShownQuestion(number, qid, f"{FIELD_PREFIX}{qid}", spec.kind.value,
                                   spec.prompt, choices, spec.kind is QuestionKind.MULTIPLE))
    return shown


def _labels(contest: Contest, qid: str, value: Any, language: Language) -> list[str]:
    if value is None:
        return []
    spec = contest.question(qid, language)
    if spec.kind is QuestionKind.SINGLE:  # the kit's answer_labels gives a choice's key
        return [spec.label_of(value)]
    return spec.answer_labels(value, (_("True"), _("False")))


def _review(contest: Contest, attempt: Attempt, language: Language) -> list[dict[str, Any]]:
    """Each drawn question with the person's answer, the key and the explanation; "right"
    is None when the answers were not marked (a late submission scores 0 whatever they were,
    a timed-out attempt sent none)."""
    marked = attempt.submitted and not attempt.late
    rows = []
    for number, qid in enumerate(attempt.question_ids, start=1):
        given = attempt.answers.get(qid)
        right: bool | None = None
        if marked:
            right = contest.mark({qid: given}, [qid]) == 1.0 if given is not None else False
        rows.append({
            "number": number, "prompt": contest.question(qid, language).prompt,
            "given": _labels(contest, qid, given, language),
            "key": _labels(contest, qid, contest.right_answer(qid), language),
            "right": right, "explanation": contest.explanation(qid, language),
        })
    return rows


# --- the pages -------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    now = _now()
    contests = sorted(_contests().values(), key=lambda c: (c.opens, c.contest_id))
    return render_template("contest/index.html", contests=contests, now=now,
                           language=_language(), window_text=window_text)


def _standings(contest: Contest, now: datetime) -> Leaderboard:
    return leaderboard(contest, _store(contest).attempts(), _roster(), now)


def _running(contest: Contest, attempt: Attempt | None, now: datetime) -> bool:
    """Whether ``attempt`` still takes answers: started, not submitted, within its time."""
    return (attempt is not None and not attempt.submitted
            and now <= contest.deadline(attempt.started_at) + GRACE)


def _to_page(contest: Contest) -> Response:
    return redirect(url_for("contest.page", contest_id=contest.contest_id), code=303)


@bp.get("/<contest_id>/")
def page(contest_id: str) -> str | tuple[str, int]:
    """What the person sees now: the rules and the Start button, their questions while
    their time runs, or their result."""
    contest = _contest(contest_id)
    username = current_hub_user()["name"]
    now = _now()
    language = _language()
    attempt = _store(contest).attempt(username)
    common = {"contest": contest, "language": language, "window_text": window_text,
              "vietnam_time": vietnam_time, "duration": duration, "points": format_points,
              "answers_time": answers_time}
    if attempt is None:
        return render_template("contest/rules.html", now=now,
                               grace=int(GRACE.total_seconds()), **common)
    # the key travels only once nobody can answer any more: a start may come until the
    # contest closes and runs its whole time
    review = (_review(contest, attempt, language) if now >= contest.answers_shown_at
              else None)
    if not attempt.submitted:
        deadline = contest.deadline(attempt.started_at)
        if not _running(contest, attempt, now):
            return render_template("contest/result.html", attempt=attempt, standing=None,
                                   review=review, timed_out=True, now=now, **common)
        return render_template(
            "contest/form.html", attempt=attempt, deadline=deadline,
            questions=_shown(contest, username, attempt.question_ids, language),
            seconds_left=max(0, int((deadline - now).total_seconds())),
            auto_submit_seconds=AUTO_SUBMIT_SECONDS,
            draft_key=f"contest:{contest.contest_id}:{username}:"
                      f"{attempt.started_at.isoformat()}", **common)
    board = _standings(contest, now)
    return render_template("contest/result.html", attempt=attempt, standing=board.of(username),
                           participants=len(board.people), review=review, timed_out=False,
                           now=now, outcome_label=outcome_label, **common)


@bp.post("/<contest_id>/start")
def start(contest_id: str) -> Response | tuple[str, int]:
    contest = _contest(contest_id)
    if not StartForm().validate_on_submit():
        abort(400)
    username = current_hub_user()["name"]
    try:
        _store(contest).start(contest, username)
    except AttemptRefused as refused:
        if refused.refusal is Refusal.ALREADY_STARTED and _running(contest, refused.attempt,
                                                                   _now()):
            return _to_page(contest)  # Start sent twice (a double click): the form
        return _refusal(contest, refused)
    return _to_page(contest)


def _refusal(contest: Contest, refused: AttemptRefused) -> tuple[str, int]:
    match refused.refusal:
        case Refusal.NOT_OPEN_YET:
            return _message(_("The contest is not open yet: it opens on %(opens)s (Vietnam "
                              "time).", opens=vietnam_time(contest.opens)), 403, contest)
        case Refusal.CLOSED:
            return _message(_("The contest closed on %(closes)s (Vietnam time): it can no "
                              "longer be taken.", closes=vietnam_time(contest.closes)), 403,
                            contest)
        case Refusal.ALREADY_STARTED:
            return _message(_("You have already started this contest: each person has one "
                              "attempt only."), 409, contest)
        case _:
            return _message(_("You have not started this contest: press Start first."), 409,
                            contest)


def _answer_problem(problem: AnswerProblem) -> str:
    match problem:
        case AnswerProblem.UNKNOWN_FIELD:
            return _("The answers sent are not answers to your questions.")
        case AnswerProblem.NOT_ONE:
            return _("A question that takes one answer was sent several.")
        case AnswerProblem.REPEATED:
            return _("The same option was sent twice for one question.")
        case _:
            return _("An answer sent is not one of the question's options.")


@bp.post("/<contest_id>/submit")
def submit(contest_id: str) -> Response | tuple[str, int]:
    contest = _contest(contest_id)
    if not StartForm().validate_on_submit():
        abort(400)
    username = current_hub_user()["name"]
    store = _store(contest)
    attempt = store.attempt(username)
    if attempt is None:
        return _refusal(contest, AttemptRefused(Refusal.NOT_STARTED))
    if attempt.submitted:
        return _to_page(contest)  # submitted twice (a double click): the result
    fields = {name: request.form.getlist(name) for name in request.form if name != "csrf_token"}
    questions = {qid: contest.question(qid) for qid in attempt.question_ids}
    try:
        answers = answers_from_form(questions, fields)
        store.submit(contest, username, answers, at=g.received_at)
    except AnswerError as problem:
        log.warning("contest %s: %s sent answers that are not answers (%s)",
                    contest.contest_id, username, problem)
        return _message(_answer_problem(problem.problem) + " " + _(
            "Nothing was recorded: go back to the contest's page and submit again."), 400,
            contest)
    except AttemptRefused as refused:
        if refused.refusal is Refusal.ALREADY_SUBMITTED:
            return _to_page(contest)  # two submits racing: the first one's result
        return _refusal(contest, refused)
    # on time or late (recorded with score 0): the result page says which
    return _to_page(contest)


@bp.get("/<contest_id>/leaderboard")
def standings(contest_id: str) -> str:
    contest = _contest(contest_id)
    now = _now()
    return render_template(
        "contest/leaderboard.html", contest=contest, board=_standings(contest, now), now=now,
        language=_language(), points=format_points, duration=duration,
        outcome_label=outcome_label, window_text=window_text, Outcome=Outcome,
        me=current_hub_user()["name"], agency_minimum=AGENCY_MINIMUM)


# --- for other pages: the trainer's class overview ----------------------------------------


def contest_summaries() -> list[dict[str, Any]]:
    """Each contest with its participants so far and the links to its pages, for the class
    overview (docs/dashboards-trainer.md); nothing when there is none or they cannot be
    read (the contest's own pages say why)."""
    try:
        contests = load_contests(layout_of(current_app).contests_dir)
    except ContestError as error:
        log.warning("contest summaries: %s", error)
        return []
    now = _now()
    summaries = []
    language = _language()
    for contest in sorted(contests.values(), key=lambda c: (c.opens, c.contest_id)):
        try:
            attempts = _store(contest).attempts()
        except (ContestError, OSError) as error:
            log.warning("contest summaries: %s", error)
            attempts = {}
        finished = sum(1 for a in attempts.values()
                       if a.submitted or now > contest.deadline(a.started_at) + GRACE)
        summaries.append({
            "title": contest.title_in(language), "window": window_text(contest),
            "open": contest.is_open(now), "participants": finished,
            "leaderboard": url_for("contest.standings", contest_id=contest.contest_id),
        })
    return summaries


@bp.app_context_processor
def _for_templates() -> dict[str, Any]:
    return {"contest_summaries": contest_summaries}
