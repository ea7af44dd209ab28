"""The digital transformation contest's logic (grading.contest, docs/contest.md): a contest
loaded and checked, the draw, the marking, answers as data, one attempt under a lock (also
against threads and processes racing), the time limit kept with the server's clock, and the
leaderboards by person and by agency."""

from __future__ import annotations

import errno
import json
import logging
import multiprocessing
import os
import stat
import threading
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import nbformat
import pytest

from common.clock import VIETNAM_TZ
from common.i18n import Language
from course_kit.questions.draws import drawn_question_ids
from course_kit.questions.specs import QuestionKind
from grading.contest import (
    AGENCY_MINIMUM,
    GRACE,
    AnswerError,
    AnswerProblem,
    AttemptRefused,
    ContestError,
    ContestStore,
    Outcome,
    Refusal,
    agency_name,
    answers_from_form,
    leaderboard,
    load_contest,
    load_contests,
)
from installation.layout import DataLayout
from people.roster import Person

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "courses" / "contest"
OPEN_DAY = datetime(2026, 11, 2, 8, 0, tzinfo=VIETNAM_TZ)

#: a small bank for the tests: two single choice, one multiple choice, one true/false
QUESTIONS: list[dict[str, Any]] = [
    {"id": "t1", "kind": "single", "prompt": "Ngày Chuyển đổi số quốc gia?",
     "options": [("Ngày 10 tháng 10", "10-10"), ("Ngày 1 tháng 1", "01-01")]},
    {"id": "t2", "kind": "multiple", "prompt": "Độ khẩn?",
     "options": [("Khẩn", "khan"), ("Hỏa tốc", "hoa-toc"), ("Tối mật", "toi-mat")]},
    {"id": "t3", "kind": "true_false", "prompt": "Chữ ký số có giá trị như chữ ký tay."},
    {"id": "t4", "kind": "single", "prompt": "Văn bản đi gửi qua đâu?",
     "options": [("Trục liên thông", "axis"), ("Gmail", "gmail")]},
]
KEY: dict[str, dict[str, Any]] = {
    "t1": {"answer": "10-10", "explain": {"vi": "Quyết định 505/QĐ-TTg.", "en": "Decision 505."}},
    "t2": {"answer": ["khan", "hoa-toc"], "explain": "Khẩn, thượng khẩn, hỏa tốc."},
    "t3": {"answer": True},
    "t4": {"answer": "axis"},
}
RIGHT = {"t1": "10-10", "t2": ["hoa-toc", "khan"], "t3": True, "t4": "axis"}
TOML = {"id": "thu-nghiem", "title": "Test contest", "title_vi": "Cuộc thi thử", "minutes": 15,
        "opens": "2026-11-01", "closes": "2026-11-30", "draw": 3, "bank": "bank.ipynb"}


def _toml(values: dict[str, Any]) -> str:
    return "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in values.items())


def _notebook(folder: Path, name: str, *sources: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, folder / name)


def bank_cell(questions: list[dict[str, Any]] | None = None, draw: int = 3,
              bank_id: str = "tb") -> str:
    return f"question_bank({bank_id!r}, {questions if questions is not None else QUESTIONS!r}, " \
           f"draw={draw})"


def key_cell(key: dict[str, Any] | None = None, bank_id: str = "tb") -> str:
    return ("### BEGIN HIDDEN TESTS\nfrom course_kit.grading import bank_key\n"
            f"bank_key({bank_id!r}, {key if key is not None else KEY!r})\n"
            "### END HIDDEN TESTS")


def make_contest(folder: Path, toml: dict[str, Any] | None = None,
                 cells: tuple[str, ...] | None = None,
                 english: tuple[str, ...] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    values = dict(TOML, **(toml or {}))
    if english is not None:
        values["bank_en"] = "bank.en.ipynb"
        _notebook(folder, "bank.en.ipynb", *english)
    (folder / "contest.toml").write_text(_toml(values), encoding="utf-8")
    _notebook(folder, "bank.ipynb", *(cells if cells is not None else (bank_cell(), key_cell())))
    return folder


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self, now: datetime = OPEN_DAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def contest(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_contest(make_contest(tmp_path / "contest"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> ContestStore:
    return ContestStore.of(DataLayout.at(tmp_path / "academy"), "thu-nghiem", clock)


def _events(store: ContestStore) -> list[dict[str, Any]]:
    return [json.loads(line) for line in store.path.read_text(encoding="utf-8").splitlines()]


# --- the real contest ------------------------------------------------------------------


def test_the_academy_s_contest_keeps_to_the_brief() -> None:
    """courses/contest: at least 20 questions of the three kinds, 10 drawn, 15 minutes; every
    question with a key and an explanation in both languages; the English bank asks the same
    questions with the same option keys, in English."""
    real = load_contest(REAL)
    assert not (REAL / "course.toml").exists()  # the nbgrader catalogue must not see it
    assert (real.minutes, real.draw) == (15, 10) and len(real.bank.questions) >= 20
    assert {q.kind for q in real.bank.questions} == {
        QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE}
    assert real.bank_en is not None
    for qid in real.bank.question_ids:
        vi, en = real.question(qid, Language.VIETNAMESE), real.question(qid, Language.ENGLISH)
        assert vi.options == en.options and vi.prompt != en.prompt
        explanation = real.explanations[qid]
        assert explanation.vi and explanation.en, qid
        assert real.mark({qid: real.right_answer(qid)}, [qid]) == 1.0
    assert real.files == ("contest.toml", "bank.ipynb", "bank.en.ipynb")
    assert real.opens < real.closes
    assert list(load_contests(REPO / "courses")) == [real.contest_id]


# --- loading and validation -----------------------------------------------------------------


def test_a_contest_loads_with_its_window_in_vietnam_time(contest) -> None:  # type: ignore[no-untyped-def]
    assert contest.contest_id == "thu-nghiem" and contest.draw == 3
    assert contest.opens == datetime(2026, 11, 1, tzinfo=VIETNAM_TZ)
    # a closing date is the whole day: open until midnight at its end
    assert contest.closes == datetime(2026, 12, 1, tzinfo=VIETNAM_TZ)
    assert contest.is_open(datetime(2026, 11, 30, 23, 59, tzinfo=VIETNAM_TZ))
    assert not contest.is_open(contest.closes)
    assert contest.title_in(Language.VIETNAMESE) == "Cuộc thi thử"
    assert contest.explanation("t1", Language.ENGLISH) == "Decision 505."


def test_the_answers_are_shown_only_once_the_last_attempt_has_ended(contest) -> None:  # type: ignore[no-untyped-def]
    """A start may come until the contest closes and runs its whole time (and the grace):
    only then may the key travel."""
    assert contest.answers_shown_at == contest.closes + timedelta(minutes=15) + GRACE
    assert contest.answers_shown_at == contest.deadline(contest.closes) + GRACE


WITHOUT_T2 = [q for q in QUESTIONS if q["id"] != "t2"]
PROBLEMS = {
    "unknown field": ({"prize": "1"}, None, "unknown field prize"),
    "bad id": ({"id": "Thi Thử"}, None, "id = 'Thi Thử'"),
    "minutes": ({"minutes": 0}, None, "minutes must be a whole number from 1 to 240"),
    "closes before opens": ({"closes": "2026-10-01"}, None, "closes must come after opens"),
    "not a date": ({"opens": "mùng 10"}, None, "opens = 'mùng 10' is not an ISO date"),
    "no bank file": ({"bank": "missing.ipynb"}, None, "there is no such file"),
    "bank outside": ({"bank": "../bank.ipynb"}, None, "must name a notebook in the contest's"),
    "draw mismatch": ({"draw": 2}, None, "says draw = 2: make them the same"),
    "two banks": ({}, (bank_cell(), bank_cell(bank_id="tb2"), key_cell()),
                  "holds 2 question banks"),
    "no bank": ({}, (key_cell(),), "holds 0 question banks"),
    "a short text question": ({}, (bank_cell(
        [*QUESTIONS, {"id": "t5", "kind": "short_text", "prompt": "Tên?"}]), key_cell()),
        "single choice, multiple choice and true/false questions only: t5 (short_text)"),
    "a key missing": ({}, (bank_cell(), key_cell({k: v for k, v in KEY.items() if k != "t3"})),
                      "no key for t3"),
    "a key of another question": ({}, (bank_cell(WITHOUT_T2), key_cell()),
                                  "the key names t2, not in the bank"),
    "a key that is no option": ({}, (bank_cell(), key_cell({**KEY, "t1": {"answer": "11-11"}})),
                                "key of t1"),
    "the key in sight": ({}, (bank_cell(), f"from course_kit.grading import bank_key\n"
                              f"bank_key('tb', {KEY!r})"), "bank_key(...) outside"),
    "a question without options": ({}, (bank_cell(
        [{"id": "t9", "kind": "single", "prompt": "?"}], draw=1), key_cell({})),
        "question t9: options missing"),
}


@pytest.mark.parametrize("case", sorted(PROBLEMS))
def test_a_broken_contest_is_refused_naming_the_file_and_the_problem(tmp_path: Path,
                                                                      case: str) -> None:
    toml, cells, expected = PROBLEMS[case]
    folder = make_contest(tmp_path / "c", toml, cells)
    with pytest.raises(ContestError) as refused:
        load_contest(folder)
    message = str(refused.value)
    assert expected in message, message
    assert str(folder) in message


def test_no_contest_toml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContestError, match=r"contest\.toml: no such file"):
        load_contest(tmp_path)


def test_the_english_bank_must_ask_the_same_questions_without_a_key(tmp_path: Path) -> None:
    english = [dict(q, prompt=f"EN {q['prompt']}") for q in QUESTIONS]
    good = load_contest(make_contest(tmp_path / "good", english=(bank_cell(english),)))
    assert good.question("t1", Language.ENGLISH).prompt == "EN Ngày Chuyển đổi số quốc gia?"
    assert good.question("t1", Language.VIETNAMESE).prompt == "Ngày Chuyển đổi số quốc gia?"
    other_keys = [dict(q, options=[("A", "a"), ("B", "b")]) if q["id"] == "t1" else q
                  for q in english]
    for name, cells, expected in [
        ("keys", (bank_cell(other_keys),), "question t1: the kind and the option keys"),
        ("ids", (bank_cell(WITHOUT_T2),), "the same question ids"),
        ("draw", (bank_cell(english, draw=2),), "with draw=3"),
        ("key", (bank_cell(english), key_cell()), "bank_key(...) belongs in the Vietnamese"),
    ]:
        with pytest.raises(ContestError, match="bank.en.ipynb") as refused:
            load_contest(make_contest(tmp_path / name, english=cells))
        assert expected in str(refused.value), (name, refused.value)


def test_two_contests_with_one_id_are_refused(tmp_path: Path) -> None:
    make_contest(tmp_path / "a")
    make_contest(tmp_path / "b")
    with pytest.raises(ContestError, match="used by another contest too"):
        load_contests(tmp_path)


# --- the draw and the marking -----------------------------------------------------------


def test_the_draw_is_the_kits_seeded_by_the_username(contest) -> None:  # type: ignore[no-untyped-def]
    drawn = {user: contest.drawn(user) for user in ("an", "binh", "chi", "dung", "giang")}
    assert drawn["an"] == contest.drawn("an") == drawn_question_ids(contest.bank, "an")
    assert all(len(ids) == 3 and set(ids) <= set(contest.bank.question_ids)
               for ids in drawn.values())
    assert len(set(drawn.values())) > 1  # not everyone gets the same questions in one order
    # the option order is per person too, and always the same for one person
    orders = {user: [v for _l, v in contest.choices("t2", user)] for user in drawn}
    assert orders["an"] == [v for _l, v in contest.choices("t2", "an")]
    assert all(sorted(o) == ["hoa-toc", "khan", "toi-mat"] for o in orders.values())


def test_marking_is_the_kits_one_point_a_question(contest) -> None:  # type: ignore[no-untyped-def]
    ids = ["t1", "t2", "t3", "t4"]
    assert contest.mark(RIGHT, ids) == 4
    assert contest.mark({}, ids) == 0
    assert contest.mark({**RIGHT, "t1": "01-01"}, ids) == 3
    assert contest.mark({**RIGHT, "t2": ["khan"]}, ids) == 3  # all the right options or none
    assert contest.mark({**RIGHT, "t2": ["khan", "hoa-toc", "toi-mat"]}, ids) == 3
    assert contest.mark({**RIGHT, "t3": False}, ids) == 3
    assert contest.mark(RIGHT, ["t1", "t3"]) == 2  # only the questions drawn count


def test_answers_are_data_checked_against_the_drawn_questions(contest) -> None:  # type: ignore[no-untyped-def]
    questions = {qid: contest.question(qid) for qid in ("t1", "t2", "t3")}
    good = answers_from_form(questions, {"q-t1": ['"10-10"'], "q-t2": ['"khan"', '"hoa-toc"'],
                                         "q-t3": ["false"]})
    assert good == {"t1": "10-10", "t2": ["khan", "hoa-toc"], "t3": False}
    assert answers_from_form(questions, {}) == {}  # nothing answered: allowed, scores 0
    refused = {
        "q-t4": (['"axis"'], AnswerProblem.UNKNOWN_FIELD),  # in the bank, not drawn
        "name": (["x"], AnswerProblem.UNKNOWN_FIELD),
        "q-t1": (['"11-11"'], AnswerProblem.NOT_AN_OPTION),
        "q-t3": (['"true"'], AnswerProblem.NOT_AN_OPTION),  # a text, not true
    }
    for field, (values, problem) in refused.items():
        with pytest.raises(AnswerError) as error:
            answers_from_form(questions, {field: values})
        assert (error.value.problem, error.value.field_name) == (problem, field)
    for fields, problem in [
        ({"q-t1": ['"10-10"', '"01-01"']}, AnswerProblem.NOT_ONE),
        ({"q-t2": ['"khan"', '"khan"']}, AnswerProblem.REPEATED),
        ({"q-t1": ["__import__('os')"]}, AnswerProblem.NOT_AN_OPTION),
        ({"q-t2": ['["khan"]']}, AnswerProblem.NOT_AN_OPTION),
    ]:
        with pytest.raises(AnswerError) as error:
            answers_from_form(questions, fields)
        assert error.value.problem is problem, fields


# --- one attempt --------------------------------------------------------------------------


def test_one_attempt_a_second_start_or_submit_is_refused(contest, store: ContestStore,  # type: ignore[no-untyped-def]
                                                         clock: Clock) -> None:
    started = store.start(contest, "an")
    assert started.question_ids == contest.drawn("an")
    with pytest.raises(AttemptRefused) as again:
        store.start(contest, "an")
    assert again.value.refusal is Refusal.ALREADY_STARTED
    with pytest.raises(AttemptRefused) as unstarted:
        store.submit(contest, "binh", {})
    assert unstarted.value.refusal is Refusal.NOT_STARTED
    clock.advance(minutes=3)
    answers = {qid: RIGHT[qid] for qid in started.question_ids}
    done = store.submit(contest, "an", answers)
    assert (done.score, done.max_score, done.late, done.seconds_taken()) == (3, 3, False, 180)
    for attempt in (lambda: store.start(contest, "an"),
                    lambda: store.submit(contest, "an", answers)):
        with pytest.raises(AttemptRefused) as refused:
            attempt()
        assert refused.value.refusal in (Refusal.ALREADY_STARTED, Refusal.ALREADY_SUBMITTED)
    events = _events(store)
    assert [(e["event"], e["user"]) for e in events] == [("start", "an"), ("submit", "an")]
    assert events[0]["questions"] == list(contest.drawn("an"))
    assert events[1]["answers"] == answers and events[1]["score"] == 3
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_answers_that_are_not_answers_record_nothing(contest, store: ContestStore) -> None:  # type: ignore[no-untyped-def]
    [first, *_rest] = store.start(contest, "an").question_ids
    other = next(q for q in contest.bank.question_ids if q not in contest.drawn("an"))
    for answers in ({other: RIGHT[other]}, {first: "not an option"}):
        with pytest.raises(AnswerError):
            store.submit(contest, "an", answers)
    assert [e["event"] for e in _events(store)] == ["start"]
    assert not store.attempt("an").submitted  # type: ignore[union-attr]


def test_outside_the_window_nobody_starts(contest, store: ContestStore, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    clock.now = contest.opens - timedelta(seconds=1)
    with pytest.raises(AttemptRefused) as early:
        store.start(contest, "an")
    assert early.value.refusal is Refusal.NOT_OPEN_YET
    clock.now = contest.closes
    with pytest.raises(AttemptRefused) as late:
        store.start(contest, "an")
    assert late.value.refusal is Refusal.CLOSED
    assert store.attempts() == {}


def _start_racing(barrier: threading.Barrier, folder: Path, path: Path) -> str:
    contest = load_contest(folder)
    store = ContestStore(path, lambda: OPEN_DAY)
    barrier.wait()
    try:
        store.start(contest, "an")
    except AttemptRefused as refused:
        return refused.refusal.value
    return "started"


def test_threads_racing_to_start_one_wins(contest, store: ContestStore) -> None:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(8)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(
        _start_racing(barrier, contest.folder, store.path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["already-started"] * 7 + ["started"]
    assert [e["event"] for e in _events(store)] == ["start"]


def _process_start(barrier: Any, folder: Path, path: Path, results: Any) -> None:
    results.put(_start_racing(barrier, folder, path))


def test_processes_racing_to_start_one_wins(contest, store: ContestStore) -> None:  # type: ignore[no-untyped-def]
    """As gunicorn's workers would: separate processes, the file's lock between them."""
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    processes = [ctx.Process(target=_process_start,
                             args=(barrier, contest.folder, store.path, results))
                 for _ in range(4)]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert outcomes == ["already-started"] * 3 + ["started"]
    assert [e["event"] for e in _events(store)] == ["start"]


# --- the time limit, on the server's clock --------------------------------------------------


def test_a_submit_after_the_time_limit_is_late_and_scores_0(contest, store: ContestStore,  # type: ignore[no-untyped-def]
                                                            clock: Clock) -> None:
    store.start(contest, "an")
    store.start(contest, "binh")
    limit = contest.time_limit + GRACE
    clock.advance(seconds=limit.total_seconds())  # just in time: the grace is for the browser
    answers_an = {qid: RIGHT[qid] for qid in contest.drawn("an")}
    on_time = store.submit(contest, "an", answers_an)
    assert (on_time.late, on_time.score) == (False, 3)
    clock.advance(seconds=1)
    answers_binh = {qid: RIGHT[qid] for qid in contest.drawn("binh")}
    late = store.submit(contest, "binh", answers_binh)
    assert (late.late, late.score, late.max_score) == (True, 0, 3)
    recorded = _events(store)[-1]
    assert recorded["late"] is True and recorded["score"] == 0
    assert recorded["answers"] == answers_binh  # kept for the record
    assert store.attempt("binh").late  # type: ignore[union-attr]


def test_a_start_just_before_closing_runs_its_whole_time(contest, store: ContestStore,  # type: ignore[no-untyped-def]
                                                          clock: Clock) -> None:
    clock.now = contest.closes - timedelta(minutes=1)
    store.start(contest, "an")
    clock.now = contest.closes + timedelta(minutes=14)  # closed, but her time runs to 14:00
    done = store.submit(contest, "an", {qid: RIGHT[qid] for qid in contest.drawn("an")})
    assert (done.late, done.score) == (False, 3)
    assert done.submitted_at < contest.answers_shown_at


def test_a_submit_is_timed_by_when_it_arrived(contest, store: ContestStore,  # type: ignore[no-untyped-def]
                                              clock: Clock) -> None:
    """The request's arrival, not the moment its turn at the lock came, is what counts."""
    started = store.start(contest, "an")
    arrived = started.started_at + contest.time_limit + GRACE  # the last moment that counts
    clock.now = arrived + timedelta(minutes=2)  # it waited for the lock
    done = store.submit(contest, "an", {}, at=arrived)
    assert (done.late, done.submitted_at) == (False, arrived)
    assert _events(store)[-1]["at"] == arrived.isoformat()


def test_a_broken_store_line_is_named_and_not_skipped(contest, store: ContestStore) -> None:  # type: ignore[no-untyped-def]
    """A whole line that is no event stops the contest: skipping it might skip a start, and
    give that person a second attempt."""
    store.start(contest, "an")
    with store.path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    with pytest.raises(ContestError, match=r"line 2 is not a contest event"):
        store.attempts()
    with pytest.raises(ContestError, match=r"line 2 is not a contest event"):
        store.start(contest, "binh")
    assert store.path.read_text(encoding="utf-8").endswith("{not json\n")  # left as it was


def test_an_event_time_without_a_time_zone_is_named(contest, store: ContestStore) -> None:  # type: ignore[no-untyped-def]
    """A hand-edited ``at`` without its zone cannot be compared with the server's clock: said
    plainly (a ContestError, the pages' 503), not a TypeError later."""
    store.start(contest, "an")
    event = {"event": "start", "user": "binh", "at": "2026-11-02T08:00:00",
             "questions": list(contest.drawn("binh"))}
    with store.path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event) + "\n")
    with pytest.raises(ContestError, match=r"line 2 is not a contest event \('at' = "
                                           r"'2026-11-02T08:00:00' has no time zone"):
        store.attempts()


def test_a_line_cut_off_by_a_crash_is_left_out_then_cut_off(
        contest, store: ContestStore, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    """A last line without its newline was never acknowledged (the writer died mid-write):
    readers leave it out, the next change cuts it off and says so, and the file is whole
    lines again."""
    store.start(contest, "an")
    whole = store.path.read_bytes()
    with store.path.open("ab") as handle:
        handle.write(b'{"event": "submit", "user": "an", "at": "2026-11-02T08:0')
    assert list(store.attempts()) == ["an"]  # no error; the half line is no submit
    assert not store.attempt("an").submitted  # type: ignore[union-attr]
    with caplog.at_level(logging.WARNING, logger="grading.contest"):
        store.start(contest, "binh")
    assert "the last line has no end" in caplog.text and str(store.path) in caplog.text
    data = store.path.read_bytes()
    assert data.startswith(whole) and data.endswith(b"\n")
    assert [(e["event"], e["user"]) for e in _events(store)] == [("start", "an"),
                                                                 ("start", "binh")]


def test_a_write_is_repeated_until_the_whole_line_is_written(
        contest, store: ContestStore, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """``os.write`` may write part of a line (a signal, a full disk): the rest follows."""
    real_write = os.write

    def short_write(fd: int, data: bytes) -> int:
        if b'"event"' in data or fd == short_write.fd:  # type: ignore[attr-defined]
            short_write.fd = fd  # type: ignore[attr-defined]
            return real_write(fd, bytes(data[:7]))
        return real_write(fd, data)

    short_write.fd = -1  # type: ignore[attr-defined]
    monkeypatch.setattr(os, "write", short_write)
    store.start(contest, "an")
    monkeypatch.undo()
    assert [(e["event"], e["user"]) for e in _events(store)] == [("start", "an")]


def test_a_failed_write_leaves_nothing(contest, store: ContestStore,  # type: ignore[no-untyped-def]
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails part way (no space left) is cut back to the size before: no half
    line, nothing recorded, the error goes up (the request fails), and the next start works."""
    store.start(contest, "an")
    before = store.path.read_bytes()
    real_write = os.write
    calls = []

    def failing_write(fd: int, data: bytes) -> int:
        if b'"binh"' in data or calls:
            calls.append(len(data))
            if len(calls) > 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(fd, bytes(data[:len(data) // 2]))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(OSError, match="No space left"):
        store.start(contest, "binh")
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert list(store.attempts()) == ["an"]
    store.start(contest, "binh")
    assert [e["user"] for e in _events(store)] == ["an", "binh"]


def test_the_store_s_folders_are_made_private(contest, tmp_path: Path, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """Every folder the store makes is 0700, the records folder above it too."""
    layout = DataLayout.at(tmp_path / "new" / "academy")
    store = ContestStore.of(layout, "thu-nghiem", clock)
    store.start(contest, "an")
    for folder in (store.path.parent, layout.records_dir, layout.root, tmp_path / "new"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


# --- leaderboards -----------------------------------------------------------------------------

ROSTER = [
    Person("an", "Nguyễn Văn An", "learner", agency="Sở Tài chính"),
    Person("binh", "Trần Thị Bình", "learner", agency="Sở Nội vụ"),
    Person("chi", "Lê Thị Chi", "learner", agency="Sở Nội vụ"),
    Person("dung", "Phạm Văn Dũng", "learner", agency="Sở Tài chính"),
    Person("giang", "Đỗ Thị Giang", "trainer", agency="Sở Nội vụ"),
    Person("hoa", "Vũ Thị Hoa", "hr", agency="Sở Tài chính"),
]


def _answers(contest, user: str, right: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """``right`` of the user's drawn questions answered right, the others left out."""
    return {qid: RIGHT[qid] for qid in contest.drawn(user)[:right]}


def test_leaderboards_by_person_and_by_agency(contest, store: ContestStore,  # type: ignore[no-untyped-def]
                                              clock: Clock) -> None:
    def take(user: str, right: int, minutes: float, after: float = 0) -> None:
        clock.now = OPEN_DAY + timedelta(minutes=after)
        store.start(contest, user)
        clock.advance(minutes=minutes)
        store.submit(contest, user, _answers(contest, user, right))

    take("an", 3, minutes=6)  # 3 points in 6 min
    take("binh", 3, minutes=4, after=1)  # 3 points, faster: ahead of an
    take("chi", 2, minutes=4, after=1)  # same time as binh, fewer points
    take("dung", 2, minutes=4, after=2)  # as chi but submitted later: behind chi
    take("giang", 3, minutes=16)  # 3 right but late: 0
    clock.now = OPEN_DAY
    store.start(contest, "hoa")  # never submits
    running = leaderboard(contest, store.attempts(), ROSTER, OPEN_DAY + timedelta(minutes=15))
    assert "hoa" not in [s.username for s in running.people]  # still within her time
    board = leaderboard(contest, store.attempts(), ROSTER, OPEN_DAY + timedelta(hours=1))
    assert [(s.rank, s.username, s.score, s.seconds) for s in board.people] == [
        (1, "binh", 3, 240), (2, "an", 3, 360), (3, "chi", 2, 240), (4, "dung", 2, 240),
        (5, "hoa", 0, 900), (6, "giang", 0, 960)]
    outcomes = {s.username: s.outcome for s in board.people}
    assert outcomes["giang"] is Outcome.LATE and outcomes["hoa"] is Outcome.NOT_SUBMITTED
    assert outcomes["an"] is Outcome.ON_TIME
    assert board.of("binh").full_name == "Trần Thị Bình"  # type: ignore[union-attr]
    assert board.of("binh").agency == "Sở Nội vụ"  # type: ignore[union-attr]
    # Sở Tài chính: an 3, dung 2, hoa 0 -> mean 5/3; Sở Nội vụ: binh 3, chi 2, giang 0 -> 5/3,
    # the same mean and best: three participants each; then the name decides
    assert [(a.rank, a.agency, a.participants, round(a.mean_score, 4), a.best_score)
            for a in board.agencies] == [(1, "Sở Nội vụ", 3, 1.6667, 3),
                                         (2, "Sở Tài chính", 3, 1.6667, 3)]


def _take_all(contest, store: ContestStore, clock: Clock,  # type: ignore[no-untyped-def]
              takers: tuple[tuple[str, int], ...]) -> None:
    for user, right in takers:
        clock.now = OPEN_DAY
        store.start(contest, user)
        clock.advance(minutes=2)
        store.submit(contest, user, _answers(contest, user, right))


def test_an_agency_ranks_by_its_mean_score(contest, store: ContestStore, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    _take_all(contest, store, clock, (("an", 3), ("dung", 3), ("hoa", 3), ("binh", 3),
                                      ("chi", 0), ("giang", 0)))
    board = leaderboard(contest, store.attempts(), ROSTER, clock.now)
    assert [(a.rank, a.agency, a.participants, a.mean_score, a.best_score)
            for a in board.agencies] == [(1, "Sở Tài chính", 3, 3, 3), (2, "Sở Nội vụ", 3, 1, 3)]


def test_an_agency_needs_a_minimum_of_participants_to_be_ranked(  # type: ignore[no-untyped-def]
        contest, store: ContestStore, clock: Clock) -> None:
    """One or two people's mean says little about an agency: with fewer than the minimum it
    follows the ranked ones, not ranked, however high its mean."""
    assert AGENCY_MINIMUM == 3
    _take_all(contest, store, clock, (("an", 3), ("dung", 3), ("binh", 2), ("chi", 1),
                                      ("giang", 0)))
    board = leaderboard(contest, store.attempts(), ROSTER, clock.now)
    assert [(a.rank, a.agency, a.participants, a.mean_score) for a in board.agencies] == [
        (1, "Sở Nội vụ", 3, 1), (None, "Sở Tài chính", 2, 3)]


def test_agencies_are_grouped_by_their_normalised_text_and_need_an_agency(  # type: ignore[no-untyped-def]
        contest, store: ContestStore, clock: Clock) -> None:
    """The roster's agency in NFC, trimmed, single spaces: one agency typed two ways is one
    row. People without an agency, or no longer on the roster, count for none (they keep
    their row by person)."""
    decomposed = unicodedata.normalize("NFD", "Sở Nội vụ")
    assert decomposed != "Sở Nội vụ" and agency_name(decomposed) == "Sở Nội vụ"
    roster = [
        Person("an", "Nguyễn Văn An", "learner", agency="Sở Nội vụ"),
        Person("binh", "Trần Thị Bình", "learner", agency=f"  {decomposed} "),
        Person("chi", "Lê Thị Chi", "learner", agency="Sở  Nội vụ"),
        Person("dung", "Phạm Văn Dũng", "learner", agency=""),
        Person("giang", "Đỗ Thị Giang", "trainer", agency="   "),
    ]
    _take_all(contest, store, clock, (("an", 1), ("binh", 2), ("chi", 3), ("dung", 3),
                                      ("giang", 3), ("hoa", 3)))  # hoa: left the roster
    board = leaderboard(contest, store.attempts(), roster, clock.now)
    assert [(a.rank, a.agency, a.participants, a.mean_score) for a in board.agencies] == [
        (1, "Sở Nội vụ", 3, 2)]
    assert {s.username: s.agency for s in board.people} == {
        "an": "Sở Nội vụ", "binh": "Sở Nội vụ", "chi": "Sở Nội vụ", "dung": "", "giang": "",
        "hoa": ""}
