"""The contest's pages (dashboards.contest, docs/contest.md) on the dashboards' test site with
the academy's real contest installed: start, the drawn questions, submit, the result and the
leaderboards; one attempt; the time limit on the server's clock, timed by a request's
arrival; the key only once nobody can answer any more; CSRF; who may open what; and the
form's script in a real browser (answers kept over a reload, sent before the time limit,
buttons pressed once)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from playwright.sync_api import Browser, expect

from common.clock import VIETNAM_TZ
from common.i18n import LANGUAGE_COOKIE, Language
from dashboards.contest import AUTO_SUBMIT_SECONDS
from grading.contest import GRACE, Contest, ContestStore, load_contest
from installation.layout import DataLayout
from tests.dashboards.conftest import log_in, make_app
from tests.dashboards.site_for_dashboards import NOI_VU, PREFIX, TAI_CHINH, build_installation

REPO = Path(__file__).resolve().parents[2]
CONTEST_ID = "chuyen-doi-so-2026"
PAGE = f"/contests/{CONTEST_ID}/"
BOARD = f"/contests/{CONTEST_ID}/leaderboard"
OPEN_DAY = datetime(2026, 11, 2, 8, 0, tzinfo=VIETNAM_TZ)
ROSTER_PEOPLE = {"an", "giang", "hoa", "minh"}  # a learner, a trainer, HR, an admin


class Clock:
    def __init__(self) -> None:
        self.now = OPEN_DAY

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dashboards' test installation (made once: each test works on a copy)."""
    return build_installation(tmp_path_factory.mktemp("base") / "academy").root


@pytest.fixture
def site(base: Path, tmp_path: Path) -> Path:
    """A copy of the test installation with the academy's contest installed as `academy
    init` installs it (its folder in the contests folder)."""
    layout = DataLayout.at(shutil.copytree(base, tmp_path / "academy"))
    shutil.copytree(REPO / "courses" / "contest", layout.contests_dir / CONTEST_ID)
    return layout.root


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(site: Path, clock: Clock) -> Flask:
    return make_app(site, CONTEST_CLOCK=clock)


@pytest.fixture
def contest(site: Path) -> Contest:
    return load_contest(DataLayout.at(site).contests_dir / CONTEST_ID)


def _store(site: Path, contest: Contest) -> ContestStore:
    return ContestStore.of(DataLayout.at(site), contest.contest_id)


def _events(site: Path) -> list[dict[str, Any]]:
    path = DataLayout.at(site).contest_results_file(CONTEST_ID)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _start(client: FlaskClient) -> Any:
    token = _csrf(_text(client.get(f"{PREFIX}{PAGE}")))
    return client.post(f"{PREFIX}{PAGE}start", data={"csrf_token": token})


def _right(contest: Contest, qid: str) -> str:
    return json.dumps(contest.right_answer(qid), ensure_ascii=False)


def _form(contest: Contest, qids: list[str], token: str) -> dict[str, Any]:
    """The right answer to each of ``qids`` as the form sends it."""
    data: dict[str, Any] = {"csrf_token": token}
    for qid in qids:
        answer = contest.right_answer(qid)
        data[f"q-{qid}"] = ([json.dumps(v, ensure_ascii=False) for v in answer]
                            if isinstance(answer, list) else _right(contest, qid))
    return data


def test_start_answer_submit_then_the_result_and_the_leaderboard(
        app: Flask, site: Path, contest: Contest, clock: Clock) -> None:
    an = log_in(app, "an", PAGE)
    rules = _text(an.get(f"{PREFIX}{PAGE}"))
    assert "Cuộc thi tìm hiểu chuyển đổi số năm 2026" in rules and "Thể lệ" in rules
    assert "Từ ngày 10/10/2026 đến hết ngày 31/12/2026 (giờ Việt Nam)" in rules
    assert ">Bắt đầu</button>" in rules
    assert "hiện trên trang kết quả của bạn từ 01/01/2027 00:16 (giờ Việt Nam)" in rules
    started = _start(an)
    assert started.status_code == 303 and started.location.endswith(f"{PREFIX}{PAGE}")
    drawn = list(contest.drawn("an"))
    assert _events(site) == [{"event": "start", "user": "an", "at": OPEN_DAY.isoformat(),
                              "questions": drawn}]

    form = _text(an.get(f"{PREFIX}{PAGE}"))
    # the person's ten drawn questions, in the drawn order, and no other of the bank
    shown = re.findall(r'data-question="([^"]+)"', form)
    assert shown == drawn and len(shown) == 10
    for qid in contest.bank.question_ids:
        assert (escape(contest.question(qid).prompt) in form) is (qid in drawn), qid
    assert 'data-seconds-left="900"' in form and "Hết giờ làm bài lúc 02/11/2026 08:15" in form
    for qid in drawn:
        kind = contest.question(qid).kind.value
        inputs = re.findall(rf'<input type="(\w+)" name="q-{re.escape(qid)}"', form)
        assert set(inputs) == {"checkbox" if kind == "multiple" else "radio"}
    # English on switch: the same questions from the English bank
    an.set_cookie(LANGUAGE_COOKIE, "en")
    english = _text(an.get(f"{PREFIX}{PAGE}"))
    assert all(escape(contest.question(q, Language.ENGLISH).prompt) in english for q in drawn)
    an.set_cookie(LANGUAGE_COOKIE, "vi")

    clock.advance(minutes=7, seconds=5)
    data = _form(contest, drawn[:7], _csrf(form))  # seven right, three left blank
    submitted = an.post(f"{PREFIX}{PAGE}submit", data=data)
    assert submitted.status_code == 303, _text(submitted)
    [_start_event, submit] = _events(site)
    assert (submit["event"], submit["score"], submit["max"], submit["late"]) == (
        "submit", 7, 10, False)
    result = _text(an.get(f"{PREFIX}{PAGE}"))
    assert "7 / 10 điểm" in result and "7:05" in result and "thứ 1 trên 1" in result
    # the key only once the contest has closed
    assert "Các câu hỏi của bạn và đáp án đúng" not in result
    # (closes + 15 minutes + 30 s of grace, said to the next whole minute)
    assert "sẽ hiện ở đây từ 01/01/2027 00:16 (giờ Việt Nam)" in result

    # another person, fewer right, and the leaderboards by person and by agency
    binh = log_in(app, "binh", PAGE)
    clock.advance(minutes=1)
    _start(binh)
    clock.advance(minutes=2)
    binh_form = _text(binh.get(f"{PREFIX}{PAGE}"))
    assert binh.post(f"{PREFIX}{PAGE}submit", data=_form(
        contest, list(contest.drawn("binh"))[:4], _csrf(binh_form))).status_code == 303
    board = _text(an.get(f"{PREFIX}{BOARD}"))
    people = re.findall(r'<tr data-username="(\w+)"', board)
    assert people == ["an", "binh"]
    assert "Nguyễn Văn An" in board and TAI_CHINH in board and NOI_VU in board
    assert "7 / 10" in board and "4 / 10" in board and "Theo cơ quan" in board
    agencies = re.findall(r'<td class="number">([^<]+)</td>\s*<th scope="row">([^<]+)</th>\s*'
                          r'<td class="number">(\d+)</td>\s*<td class="number">([\d.]+)</td>',
                          board)
    # one participant each: listed, not ranked (an agency needs three)
    assert agencies == [("chưa xếp hạng", TAI_CHINH, "1", "7"),
                        ("chưa xếp hạng", NOI_VU, "1", "4")]

    # closed, but a start of the last minute still runs: no key yet
    clock.now = contest.closes
    assert "Các câu hỏi của bạn và đáp án đúng" not in _text(an.get(f"{PREFIX}{PAGE}"))
    # once nobody can answer any more, the result shows the key and the explanations
    clock.now = contest.answers_shown_at
    closed = _text(an.get(f"{PREFIX}{PAGE}"))
    assert "Các câu hỏi của bạn và đáp án đúng" in closed
    assert escape(contest.explanation(drawn[0], Language.VIETNAMESE)) in closed
    # each question with the person's answer and the right one, as the options read
    single = next(q for q in drawn if contest.question(q).kind.value == "single")
    label = contest.question(single).label_of(contest.right_answer(single))
    assert f"<dt>Đáp án đúng</dt><dd>{escape(label)}</dd>" in closed


def test_start_sent_again_goes_to_the_questions_and_records_nothing(
        app: Flask, site: Path, contest: Contest, clock: Clock) -> None:
    """A double click on Start, or Start in a second tab: the running attempt's questions
    (303), not an error; once the attempt has ended, a Start is refused (409)."""
    an = log_in(app, "an", PAGE)
    token = _csrf(_text(an.get(f"{PREFIX}{PAGE}")))
    assert an.post(f"{PREFIX}{PAGE}start", data={"csrf_token": token}).status_code == 303
    clock.advance(minutes=5)
    again = an.post(f"{PREFIX}{PAGE}start", data={"csrf_token": token})
    assert again.status_code == 303 and again.location.endswith(f"{PREFIX}{PAGE}")
    assert 'data-seconds-left="600"' in _text(an.get(f"{PREFIX}{PAGE}"))  # the same attempt
    assert [e["event"] for e in _events(site)] == ["start"]
    clock.advance(minutes=11)  # her time has run out
    ended = an.post(f"{PREFIX}{PAGE}start", data={"csrf_token": token})
    assert ended.status_code == 409
    assert "Bạn đã bắt đầu cuộc thi này: mỗi người chỉ có một lượt thi." in _text(ended)
    assert [e["event"] for e in _events(site)] == ["start"]


def test_submit_sent_again_goes_to_the_result_and_records_nothing(
        app: Flask, site: Path, contest: Contest) -> None:
    an = log_in(app, "an", PAGE)
    _start(an)
    token = _csrf(_text(an.get(f"{PREFIX}{PAGE}")))
    data = _form(contest, list(contest.drawn("an")), token)
    assert an.post(f"{PREFIX}{PAGE}submit", data=data).status_code == 303
    again = an.post(f"{PREFIX}{PAGE}submit", data={**data, f"q-{contest.drawn('an')[0]}": []})
    assert again.status_code == 303 and again.location.endswith(f"{PREFIX}{PAGE}")
    assert "10 / 10 điểm" in _text(an.get(f"{PREFIX}{PAGE}"))  # the first submit's result
    assert [e["event"] for e in _events(site)] == ["start", "submit"]


def test_a_late_submit_is_recorded_as_late_and_goes_to_the_result(
        app: Flask, site: Path, contest: Contest, clock: Clock) -> None:
    an = log_in(app, "an", PAGE)
    _start(an)
    token = _csrf(_text(an.get(f"{PREFIX}{PAGE}")))
    clock.advance(seconds=(contest.time_limit + GRACE).total_seconds() + 1)
    late = an.post(f"{PREFIX}{PAGE}submit", data=_form(contest, list(contest.drawn("an")),
                                                       token))
    assert late.status_code == 303 and late.location.endswith(f"{PREFIX}{PAGE}")
    submit = _events(site)[-1]
    assert (submit["late"], submit["score"]) == (True, 0) and len(submit["answers"]) == 10
    result = _text(an.get(f"{PREFIX}{PAGE}"))
    assert "hết 15 phút làm bài: bài được ghi nhận là nộp muộn và được 0 điểm" in result
    assert "0 / 10 điểm" in result
    assert "nộp muộn: 0 điểm" in _text(an.get(f"{PREFIX}{BOARD}"))
    # the review, once shown: her answers (all right) are not marked right: they scored 0
    clock.now = contest.answers_shown_at
    review = _text(an.get(f"{PREFIX}{PAGE}"))
    assert "Các câu hỏi của bạn và đáp án đúng" in review
    assert "Bài làm đến muộn nên không được chấm" in review
    assert review.count(">không chấm</span>") == 10
    assert 'class="right"' not in review and 'class="wrong"' not in review


def test_a_submit_is_timed_by_when_it_arrived(app: Flask, site: Path, contest: Contest,
                                              clock: Clock,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A submit that arrives in time but waits (for the lock, the roster, a busy worker) is on
    time: the server reads the arrival first thing."""
    an = log_in(app, "an", PAGE)
    _start(an)
    token = _csrf(_text(an.get(f"{PREFIX}{PAGE}")))
    arrival = OPEN_DAY + contest.time_limit + GRACE  # the last moment that counts
    waiting = ContestStore.submit

    def slow_submit(self: ContestStore, *args: Any, **kwargs: Any) -> Any:
        clock.advance(minutes=2)  # its turn at the lock came late
        return waiting(self, *args, **kwargs)

    monkeypatch.setattr(ContestStore, "submit", slow_submit)
    clock.now = arrival
    sent = an.post(f"{PREFIX}{PAGE}submit", data=_form(contest, list(contest.drawn("an")),
                                                       token))
    assert sent.status_code == 303
    submit = _events(site)[-1]
    assert (submit["late"], submit["score"], submit["at"]) == (False, 10, arrival.isoformat())


def test_time_ran_out_without_a_submit(app: Flask, site: Path, contest: Contest,
                                       clock: Clock) -> None:
    an = log_in(app, "an", PAGE)
    _start(an)
    clock.advance(minutes=16)
    page = _text(an.get(f"{PREFIX}{PAGE}"))
    assert "Đã hết giờ làm bài lúc 02/11/2026 08:15 mà bạn chưa nộp bài" in page
    assert 'name="q-' not in page
    assert "Các câu hỏi của bạn và đáp án đúng" not in page
    assert "không nộp bài: 0 điểm" in _text(an.get(f"{PREFIX}{BOARD}"))
    # the review comes to her too, once nobody can answer any more: nothing marked
    clock.now = contest.answers_shown_at
    review = _text(an.get(f"{PREFIX}{PAGE}"))
    assert "Các câu hỏi của bạn và đáp án đúng" in review
    assert "Bạn chưa nộp bài nên bài không được chấm." in review
    assert review.count(">không chấm</span>") == 10
    drawn = contest.drawn("an")
    assert escape(contest.explanation(drawn[0], Language.VIETNAMESE)) in review


def _key_texts(contest: Contest) -> list[str]:
    """What only the review may show: every explanation of the bank (both languages) and
    the review's labels."""
    texts = [str(escape(contest.explanation(qid, language)))
             for qid in contest.bank.question_ids
             for language in (Language.VIETNAMESE, Language.ENGLISH)]
    return [*texts, "Đáp án đúng</dt>", "Right answer</dt>", "Các câu hỏi của bạn và đáp án đúng",
            "Your questions, with the right answers", 'class="right"', 'class="wrong"',
            ">không chấm<", ">not marked<"]


def test_no_page_shows_the_key_or_an_explanation_before_their_time(
        app: Flask, site: Path, contest: Contest, clock: Clock) -> None:
    """The rules, the form, the result before the reveal and the leaderboard, in both
    languages, while the contest is open and after it has closed: no explanation and no
    label of the key."""
    hidden = _key_texts(contest)
    an = log_in(app, "an", PAGE)
    binh = log_in(app, "binh", PAGE)
    pages: dict[str, str] = {}

    def look(name: str, client: FlaskClient, url: str) -> None:
        for language in ("vi", "en"):
            client.set_cookie(LANGUAGE_COOKIE, language)
            response = client.get(f"{PREFIX}{url}")
            assert response.status_code == 200, (name, language)
            pages[f"{name} ({language})"] = _text(response)
        client.set_cookie(LANGUAGE_COOKIE, "vi")

    look("rules", an, PAGE)
    _start(an)
    look("form", an, PAGE)
    an.post(f"{PREFIX}{PAGE}submit", data=_form(contest, list(contest.drawn("an"))[:5],
                                                _csrf(pages["form (vi)"])))
    look("result", an, PAGE)
    look("leaderboard", an, BOARD)
    clock.now = contest.closes - timedelta(minutes=1)
    _start(binh)  # the last minute: the contest closes while she answers
    clock.now = contest.closes + timedelta(minutes=13)
    look("result after closing", an, PAGE)
    look("form after closing", binh, PAGE)
    look("leaderboard after closing", binh, BOARD)
    assert "Thời gian còn lại" in pages["form after closing (vi)"]
    clock.now = contest.answers_shown_at - timedelta(seconds=1)
    look("result just before", an, PAGE)
    look("timed out just before", binh, PAGE)
    assert "mà bạn chưa nộp bài" in pages["timed out just before (vi)"]
    for name, html in pages.items():
        for text in hidden:
            assert text not in html, (name, text)
    # and the moment it may, it does
    clock.now = contest.answers_shown_at
    assert "Các câu hỏi của bạn và đáp án đúng" in _text(an.get(f"{PREFIX}{PAGE}"))


def test_a_start_just_before_closing_keeps_the_key_hidden_until_its_time_is_over(
        app: Flask, site: Path, contest: Contest, clock: Clock) -> None:
    """binh starts a minute before the contest closes: she has her whole 15 minutes; an, who
    finished long before, sees no key until binh's time (and its grace) is over."""
    an = log_in(app, "an", PAGE)
    _start(an)
    an.post(f"{PREFIX}{PAGE}submit", data=_form(contest, list(contest.drawn("an")),
                                                _csrf(_text(an.get(f"{PREFIX}{PAGE}")))))
    binh = log_in(app, "binh", PAGE)
    clock.now = contest.closes - timedelta(minutes=1)
    assert _start(binh).status_code == 303
    clock.now = contest.closes + timedelta(minutes=13)  # closed; binh still answering
    form = _text(binh.get(f"{PREFIX}{PAGE}"))
    assert 'data-seconds-left="60"' in form
    assert "Các câu hỏi của bạn và đáp án đúng" not in _text(an.get(f"{PREFIX}{PAGE}"))
    binh_answers = _form(contest, list(contest.drawn("binh")), _csrf(form))
    assert binh.post(f"{PREFIX}{PAGE}submit", data=binh_answers).status_code == 303
    assert _events(site)[-1]["late"] is False
    clock.now = contest.answers_shown_at - timedelta(seconds=1)
    assert "Các câu hỏi của bạn và đáp án đúng" not in _text(an.get(f"{PREFIX}{PAGE}"))
    clock.now = contest.answers_shown_at
    assert "Các câu hỏi của bạn và đáp án đúng" in _text(an.get(f"{PREFIX}{PAGE}"))


def test_answers_that_are_not_answers_get_400_and_record_nothing(
        app: Flask, site: Path, contest: Contest) -> None:
    an = log_in(app, "an", PAGE)
    _start(an)
    token = _csrf(_text(an.get(f"{PREFIX}{PAGE}")))
    drawn = list(contest.drawn("an"))
    other = next(q for q in contest.bank.question_ids if q not in drawn)
    single = next(q for q in drawn if contest.question(q).kind.value == "single")
    for data, message in [
        ({f"q-{other}": _right(contest, other)}, "không phải là câu trả lời cho các câu hỏi"),
        ({"role": "admin"}, "không phải là câu trả lời cho các câu hỏi"),
        ({f"q-{single}": '"no-such-option"'}, "không phải là phương án của câu hỏi"),
        ({f"q-{single}": ["__import__('os').system('id')"]}, "không phải là phương án"),
    ]:
        response = an.post(f"{PREFIX}{PAGE}submit", data={"csrf_token": token, **data})
        assert response.status_code == 400, data
        assert message in _text(response) and "Chưa có gì được ghi nhận" in _text(response)
    assert [e["event"] for e in _events(site)] == ["start"]


def test_csrf_is_required(app: Flask, site: Path, contest: Contest) -> None:
    an = log_in(app, "an", PAGE)
    assert an.post(f"{PREFIX}{PAGE}start").status_code == 400
    assert an.post(f"{PREFIX}{PAGE}start", data={"csrf_token": "forged"}).status_code == 400
    assert _events(site) == []
    _start(an)
    submit = an.post(f"{PREFIX}{PAGE}submit", data=_form(contest, list(contest.drawn("an")),
                                                         "forged"))
    assert submit.status_code == 400
    assert [e["event"] for e in _events(site)] == ["start"]


def test_before_it_opens_and_after_it_closes(app: Flask, site: Path, contest: Contest,
                                             clock: Clock) -> None:
    an = log_in(app, "an", PAGE)
    clock.now = contest.opens - timedelta(minutes=1)
    page = _text(an.get(f"{PREFIX}{PAGE}"))
    assert "Cuộc thi chưa mở: cuộc thi bắt đầu lúc 10/10/2026 00:00" in page
    assert ">Bắt đầu</button>" not in page
    clock.now = contest.closes
    page = _text(an.get(f"{PREFIX}{PAGE}"))
    assert "Cuộc thi đã kết thúc lúc 01/01/2027 00:00 (giờ Việt Nam)" in page
    assert ">Bắt đầu</button>" not in page
    assert _events(site) == []


def test_a_start_outside_the_window_is_refused(site: Path, contest: Contest,
                                               clock: Clock) -> None:
    app = make_app(site, CONTEST_CLOCK=clock, WTF_CSRF_ENABLED=False)
    an = log_in(app, "an", PAGE)
    for moment, message in [(contest.opens - timedelta(seconds=1), "Cuộc thi chưa mở"),
                            (contest.closes, "Cuộc thi đã kết thúc")]:
        clock.now = moment
        refused = an.post(f"{PREFIX}{PAGE}start")
        assert refused.status_code == 403 and message in _text(refused)
    assert _events(site) == []


def _routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] != "contest":
            continue
        url = rule.rule.replace("<contest_id>", CONTEST_ID)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    return routes


#: what each person of the roster gets, route after route in this order (CSRF off): the
#: list, the rules, Start (to the questions), the questions, Submit with nothing ticked (to
#: the result), the result, the leaderboard
ROSTER_WALK = [("GET", "/contests/", 200), ("GET", PAGE, 200), ("POST", f"{PAGE}start", 303),
               ("GET", PAGE, 200), ("POST", f"{PAGE}submit", 303), ("GET", PAGE, 200),
               ("GET", BOARD, 200)]


def test_every_route_needs_a_login_and_a_person_of_the_roster(site: Path, clock: Clock) -> None:
    """Every route of the blueprint (walked from the URL map: a route added later is covered
    too, and must be added to ROSTER_WALK): a browser without a login goes to the hub; a hub
    user outside the roster, or without the dashboards' access, gets 403; everyone on the
    roster, whatever the role, gets exactly what a participant gets. (CSRF off: the guard is
    what is tested; CSRF has its own test.)"""
    app = make_app(site, CONTEST_CLOCK=clock, WTF_CSRF_ENABLED=False)
    routes = _routes(app)
    assert set(routes) == {(method, url) for method, url, _status in ROSTER_WALK}
    anonymous = app.test_client()
    for method, url in routes:
        response = anonymous.open(f"{PREFIX}{url}", method=method,
                                  headers={"Accept": "text/html"})
        assert response.status_code == 302, (method, url)
        assert "/hub/api/oauth2/authorize" in response.location
    outsiders = {name: log_in(app, name, "/contests/") for name in ("alice", "outsider")}
    for method, url in routes:
        for name, client in outsiders.items():
            response = client.open(f"{PREFIX}{url}", method=method)
            assert response.status_code == 403, (name, method, url)
    assert _events(site) == []
    for name in sorted(ROSTER_PEOPLE):
        client = log_in(app, name, "/contests/")
        for method, url, status in ROSTER_WALK:
            response = client.open(f"{PREFIX}{url}", method=method)
            assert response.status_code == status, (name, method, url, response.status_code)
    assert sorted((e["event"], e["user"]) for e in _events(site)) == sorted(
        (event, name) for name in ROSTER_PEOPLE for event in ("start", "submit"))


def test_an_unknown_contest_is_404(app: Flask) -> None:
    response = log_in(app, "an", PAGE).get(f"{PREFIX}/contests/no-such-contest/")
    assert response.status_code == 404 and "Không có cuộc thi này." in _text(response)


def test_the_trainers_overview_links_to_the_leaderboard_and_learners_have_a_nav_link(
        app: Flask) -> None:
    overview = _text(log_in(app, "giang", "/trainer/").get(f"{PREFIX}/trainer/"))
    assert "Kết quả cuộc thi" in overview
    assert f'href="{PREFIX}{BOARD}"' in overview
    assert "Bảng xếp hạng Cuộc thi tìm hiểu chuyển đổi số năm 2026" in overview
    # the header: a learner (no role page) gets the contests; a trainer keeps one link
    learner_page = _text(log_in(app, "an", PAGE).get(f"{PREFIX}/certificates/"))
    assert f'href="{PREFIX}/contests/">Cuộc thi</a>' in learner_page
    nav = re.search(r'<nav class="roles".*?</nav>', overview, re.S)
    assert nav is not None and nav.group(0).count("<a ") == 1


def test_without_a_contest_the_pages_say_so(base: Path, tmp_path: Path) -> None:
    app = make_app(shutil.copytree(base, tmp_path / "academy"))
    an = log_in(app, "an", "/contests/")
    assert "Hiện chưa có cuộc thi nào." in _text(an.get(f"{PREFIX}/contests/"))
    assert "/contests/" not in _text(an.get(f"{PREFIX}/certificates/"))
    overview = _text(log_in(app, "giang", "/trainer/").get(f"{PREFIX}/trainer/"))
    assert "Kết quả cuộc thi" not in overview


def test_a_broken_store_is_said_in_the_log_not_shown(app: Flask, site: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """A whole line that is no event (written by hand) stops the contest: 503, the line
    named in the log only. It is not skipped: a skipped start would be a second attempt."""
    an = log_in(app, "an", PAGE)
    _start(an)
    with DataLayout.at(site).contest_results_file(CONTEST_ID).open("a") as handle:
        handle.write("not an event\n")
    response = an.get(f"{PREFIX}{PAGE}")
    assert response.status_code == 503
    assert "Hiện chưa thể hiển thị cuộc thi" in _text(response)
    assert "line 2 is not a contest event" in caplog.text
    assert "line 2" not in _text(response)
    assert an.get(f"{PREFIX}{BOARD}").status_code == 503


def test_a_hand_written_time_without_its_zone_is_a_503_said_in_the_log(
        app: Flask, site: Path, contest: Contest, caplog: pytest.LogCaptureFixture) -> None:
    an = log_in(app, "an", PAGE)
    _start(an)
    path = DataLayout.at(site).contest_results_file(CONTEST_ID)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"event": "start", "user": "binh", "at": "2026-11-02T08:01:00",
                                 "questions": list(contest.drawn("binh"))}) + "\n")
    for url in (PAGE, BOARD):
        response = an.get(f"{PREFIX}{url}")
        assert response.status_code == 503, url
    assert "'at' = '2026-11-02T08:01:00' has no time zone" in caplog.text


def test_a_line_cut_off_by_a_crash_does_not_stop_the_contest(
        app: Flask, site: Path, contest: Contest, caplog: pytest.LogCaptureFixture) -> None:
    """The last line without its newline (the server died while writing it, so nobody was
    told it was recorded): the pages leave it out, the next start cuts it off and logs it."""
    an = log_in(app, "an", PAGE)
    _start(an)
    path = DataLayout.at(site).contest_results_file(CONTEST_ID)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"event": "submit", "user": "an", "answers": {"cds-0')
    assert an.get(f"{PREFIX}{PAGE}").status_code == 200  # her form, still running
    assert an.get(f"{PREFIX}{BOARD}").status_code == 200
    binh = log_in(app, "binh", PAGE)
    assert _start(binh).status_code == 303
    assert "the last line has no end" in caplog.text
    assert [(e["event"], e["user"]) for e in _events(site)] == [("start", "an"),
                                                               ("start", "binh")]


# --- the form's script, in a real browser -------------------------------------------------

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time
#: stops any form's submission in the page, after the form's own submit handler has run
HOLD_SUBMITS = ("window.addEventListener('submit', function (event) { "
                "event.preventDefault(); window.heldSubmits = (window.heldSubmits || 0) + 1; });")


def test_the_form_keeps_answers_over_a_reload_and_sends_them_before_the_time_limit(
        browser: Browser, live_dashboards: Callable[[str], str], site: Path,
        contest: Contest, clock: Clock) -> None:
    """As an in Chromium: Start is pressed once; the ticked answers survive a reload (the
    tab's sessionStorage); Submit is pressed once and clears them; and a form left open
    sends itself, with the kept answers, AUTO_SUBMIT_SECONDS before the time limit."""
    expect.set_options(timeout=STATE_TIMEOUT)
    assert AUTO_SUBMIT_SECONDS == 10
    base = live_dashboards("an")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base}{PAGE}")
        start = page.locator("#contest-start button")
        # Start pressed: disabled at once, a second press sends nothing more
        page.evaluate(HOLD_SUBMITS)
        start.click()
        expect(start).to_be_disabled()
        start.click(force=True)
        assert page.evaluate("window.heldSubmits") == 1
        page.reload()
        page.locator("#contest-start button").click()
        expect(page.locator("#contest-form")).to_be_visible()
        assert [e["event"] for e in _events(site)] == ["start"]

        # two answers ticked, then a reload: still ticked
        drawn = list(contest.drawn("an"))
        first, second = (page.locator(f'fieldset[data-question="{q}"] input').first
                         for q in drawn[:2])
        first.check()
        second.check()
        ticked = [first.get_attribute("value"), second.get_attribute("value")]
        page.reload()
        expect(page.locator(f'fieldset[data-question="{drawn[0]}"] input').first).to_be_checked()
        expect(page.locator(f'fieldset[data-question="{drawn[1]}"] input').first).to_be_checked()
        key = page.locator("#contest-form").get_attribute("data-draft-key")
        assert key and key.startswith(f"contest:{CONTEST_ID}:an:")
        assert page.evaluate("k => sessionStorage.getItem(k)", key) is not None

        # Submit pressed: disabled, the kept answers cleared, a second press sends nothing
        page.evaluate(HOLD_SUBMITS)
        submit = page.locator("#contest-submit")
        submit.click()
        expect(submit).to_be_disabled()
        assert page.evaluate("k => sessionStorage.getItem(k)", key) is None
        submit.click(force=True)
        assert page.evaluate("window.heldSubmits") == 1
        assert [e["event"] for e in _events(site)] == ["start"]  # held: nothing sent

        # left open near the time limit: the page sends itself, with the kept answers
        page.reload()  # (the held submit cleared the draft: tick again)
        first.check()
        second.check()
        clock.now = OPEN_DAY + contest.time_limit - timedelta(seconds=AUTO_SUBMIT_SECONDS + 3)
        page.reload()
        expect(page.locator(".score-big")).to_be_visible()  # the result page
        [_start_event, submit_event] = _events(site)
        assert submit_event["late"] is False
        expected = {}
        for qid, value in zip(drawn[:2], ticked, strict=True):
            chosen = json.loads(value or "null")
            multiple = contest.question(qid).kind.value == "multiple"
            expected[qid] = [chosen] if multiple else chosen
        assert submit_event["answers"] == expected
    finally:
        context.close()
