"""The digital transformation contest ("Cuộc thi tìm hiểu chuyển đổi số", docs/contest.md):
a timed quiz open to every person of the roster, questions drawn from a trainer's bank, one
attempt per person, the time limit kept by the server, leaderboards by person and by agency.

No Flask here: ``dashboards.contest`` serves the pages and calls what follows.

**A contest** is a folder (``courses/<folder>/contest.toml``, copied by `academy init` to
``DataLayout.contests_dir``): the toml file (id, titles, minutes, opening and closing dates,
draw count, the bank notebook) and a trainer's notebook in the course kit's format holding
one ``question_bank(...)`` and, in its hidden tests, the ``bank_key(...)`` with bilingual
explanations; optionally an English notebook with the same ids and option keys. Notebooks
are read with ``ast`` (``course_kit.questions.notebook``), never run. ``load_contest``
refuses a contest naming the file and what is wrong.

**The store** is an append-only JSON-lines file per contest (``DataLayout.contest_results_file``,
0600 in the records folder). Each change is made holding an exclusive ``flock`` of that file:
read every event, decide, append one whole line (or nothing: a failed write is cut back),
fsync. A last line without its newline was never acknowledged (a crash mid-write): readers
leave it out and the next change cuts it off, saying so in the log. Any other line that is no
event stops the contest (``ContestError``): skipping it could skip a start, and so give a
second attempt. Two events:

* ``start``  (user, at, the drawn question ids): refused if the person has started before
  (whatever happened next: one attempt), or outside the contest's window;
* ``submit`` (user, at, answers, score, max, late): answers are data, checked against the
  person's drawn questions and each question's option keys; later than the start + the time
  limit + ``GRACE`` is recorded as late with score 0 (the answers kept for the record).

The clock is a parameter (``Clock``), so tests can move time; a submit may also be given the
time its request arrived (``at``), so that waiting for the lock does not make it late.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from common.clock import VIETNAM_TZ, to_vietnam, vietnam_now
from common.i18n import Language
from common.text import ascii_fold
from course_kit.questions.draws import drawn_question_ids, learner_order
from course_kit.questions.marking import check_key_entry, mark
from course_kit.questions.notebook import (
    BANK_FUNCTION,
    BANK_KEY_FUNCTION,
    BEGIN_HIDDEN,
    EXPLAIN_FUNCTION,
    SLOT_FUNCTION,
    Explanation,
    bank_keys_in,
    calls_named,
    explanations_in,
    read_banks,
    without_hidden_tests,
)
from course_kit.questions.specs import BankSpec, QuestionDefinitionError, QuestionKind, QuestionSpec
from installation.layout import DataLayout
from people.roster import Person

log = logging.getLogger(__name__)

CONTEST_FILE = "contest.toml"
#: how late a submit may come after the time limit and still count (the browser's round trip)
GRACE = timedelta(seconds=30)
#: the kinds a contest asks: one click each, marked all or nothing
KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE})
MAX_MINUTES = 240
#: a contest's store is read whole under the lock; this many bytes is far beyond any province
MAX_STORE_BYTES = 64 * 1024 * 1024
FIELDS = frozenset({"id", "title", "title_vi", "minutes", "opens", "closes", "draw", "bank",
                    "bank_en"})
REQUIRED = FIELDS - {"bank_en"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: the form field of a question: ``q-<question id>``
FIELD_PREFIX = "q-"
#: an agency is ranked on the leaderboard once this many of its people have finished: the
#: mean of one or two people says little about an agency (docs/contest.md)
AGENCY_MINIMUM = 3

Clock = Callable[[], datetime]


class ContestError(ValueError):
    """A contest cannot be loaded, or its store cannot be read; the message names the file
    and says what is wrong."""


# --- the contest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Contest:
    contest_id: str
    title: str
    title_vi: str
    minutes: int
    opens: datetime  # Vietnam time, inclusive
    closes: datetime  # Vietnam time, exclusive
    draw: int
    bank: BankSpec  # the Vietnamese bank (the one with the key)
    key: Mapping[str, Mapping[str, Any]]
    explanations: Mapping[str, Explanation]
    folder: Path
    files: tuple[str, ...]  # contest.toml and the bank notebook(s): what `academy init` copies
    bank_en: BankSpec | None = None

    @property
    def time_limit(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    def title_in(self, language: Language) -> str:
        return self.title_vi if language is Language.VIETNAMESE else self.title

    def is_open(self, now: datetime) -> bool:
        return self.opens <= now < self.closes

    def deadline(self, started_at: datetime) -> datetime:
        """The time limit of an attempt started at ``started_at`` (the grace comes on top)."""
        return started_at + self.time_limit

    @property
    def answers_shown_at(self) -> datetime:
        """When the right answers and explanations may be shown: a start may come until the
        contest closes and runs its whole time limit (and the grace), so only after that
        has nobody an attempt left to answer."""
        return self.closes + self.time_limit + GRACE

    def drawn(self, username: str) -> tuple[str, ...]:
        """The questions ``username`` gets, in order: the kit's draw, seeded by the username
        (``course_kit.questions.draws``), the same every time and on every machine."""
        return drawn_question_ids(self.bank, username)

    def question(self, qid: str, language: Language = Language.VIETNAMESE) -> QuestionSpec:
        """The question in ``language`` (the English bank's texts, the same option keys)."""
        if language is Language.ENGLISH and self.bank_en is not None:
            try:
                return self.bank_en.question(qid)
            except KeyError:
                pass
        try:
            return self.bank.question(qid)
        except KeyError:
            raise ContestError(f"{self.folder / CONTEST_FILE}: the bank has no question "
                               f"{qid!r} (was it removed after people started?)") from None

    def choices(self, qid: str, username: str,
                language: Language = Language.VIETNAMESE) -> list[tuple[str, Any]]:
        """(label, value) of a choice question as ``username`` sees it: the kit's per-learner
        order when the bank shuffles. True/false: ``[("True", True), ("False", False)]``."""
        spec = self.question(qid, language)
        pairs = list(zip(spec.labels, spec.options, strict=True))
        if spec.shuffle and spec.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            keys = [json.dumps(value, ensure_ascii=False) for _, value in pairs]
            pairs = learner_order(pairs, keys, "options", qid, username)
        return pairs

    def right_answer(self, qid: str) -> Any:
        return self.key[qid]["answer"]

    def explanation(self, qid: str, language: Language) -> str:
        found = self.explanations.get(qid)
        return found.render(language) if found else ""

    def mark(self, answers: Mapping[str, Any], question_ids: Iterable[str]) -> float:
        """Points of checked answers: one per question right (the kit's marking: all or
        nothing for these kinds); unanswered questions earn nothing."""
        total = 0.0
        for qid in question_ids:
            total += mark(self.bank.question(qid), answers.get(qid), self.key[qid])
        return total


def _problem(path: Path, message: str) -> ContestError:
    return ContestError(f"{path}: {message}")


def _moment(value: Any, name: str, path: Path, *, end_of_day: bool) -> datetime:
    """An ISO date (a whole day in Vietnam time: from its start, or to its end) or an ISO
    date and time (Vietnam time unless it says otherwise)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else (
                date.fromisoformat(value))
        except ValueError:
            raise _problem(path, f"{name} = {value!r} is not an ISO date (2026-10-10) or "
                                 "date and time (2026-10-10T08:00)") from None
    if isinstance(value, datetime):
        return to_vietnam(value) if value.tzinfo else value.replace(tzinfo=VIETNAM_TZ)
    if isinstance(value, date):
        day = value + timedelta(days=1) if end_of_day else value
        return datetime.combine(day, time(0, 0), tzinfo=VIETNAM_TZ)
    raise _problem(path, f"{name} must be an ISO date, e.g. \"2026-10-10\"")


def _whole(value: Any, name: str, path: Path, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _problem(path, f"{name} must be a whole number from {low} to {high}")
    return value


def _text(value: Any, name: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _problem(path, f"{name} must be a text")
    return value.strip()


def _notebook_file(folder: Path, value: Any, name: str, path: Path) -> Path:
    if not isinstance(value, str) or not value.endswith(".ipynb") or Path(value).name != value:
        raise _problem(path, f"{name} must name a notebook in the contest's folder, "
                             "e.g. \"bank.ipynb\"")
    notebook = folder / value
    if not notebook.is_file():
        raise _problem(path, f"{name} = {value!r}: there is no such file in {folder}")
    return notebook


def _read_notebook(path: Path) -> Any:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _problem(path, f"not a notebook ({exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise _problem(path, "not a notebook (no cells)")
    return nb


def _one_bank(nb: Any, path: Path) -> BankSpec:
    try:
        banks = read_banks(nb)
    except QuestionDefinitionError as exc:
        raise _problem(path, str(exc)) from None
    if len(banks) != 1:
        raise _problem(path, f"holds {len(banks)} question banks; a contest has exactly one "
                             f"{BANK_FUNCTION}(...)")
    [bank] = banks.values()
    wrong = [f"{q.qid} ({q.kind.value})" for q in bank.questions if q.kind not in KINDS]
    if wrong:
        raise _problem(path, "a contest asks single choice, multiple choice and true/false "
                             f"questions only: {', '.join(wrong)}")
    return bank


def _sources(nb: Any) -> Iterator[tuple[str, Any]]:
    for index, cell in enumerate(nb["cells"]):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
            yield f"cell {grade_id or index}", source


def _checked_key(nb: Any, bank: BankSpec, path: Path) -> dict[str, Mapping[str, Any]]:
    """The bank's key (``bank_key(...)`` in the hidden tests, docs/authoring.md §6): one
    entry per question, each fitting its question; nothing outside the hidden tests."""
    for where, source in _sources(nb):
        for function in (BANK_KEY_FUNCTION, EXPLAIN_FUNCTION):
            if calls_named(without_hidden_tests(source), function):
                raise _problem(path, f"{where}: {function}(...) outside '{BEGIN_HIDDEN}'")
    key = bank_keys_in(nb).get(bank.bank_id, {})
    unknown = sorted(set(key) - set(bank.question_ids))
    if unknown:
        raise _problem(path, f"the key names {', '.join(unknown)}, not in the bank")
    missing = [qid for qid in bank.question_ids if qid not in key]
    if missing:
        raise _problem(path, f"no key for {', '.join(missing)} (write it in "
                             f"{BANK_KEY_FUNCTION}({bank.bank_id!r}, {{...}}))")
    for spec in bank.questions:
        try:
            check_key_entry(spec, key[spec.qid])
        except QuestionDefinitionError as exc:
            raise _problem(path, str(exc)) from None
    return {qid: key[qid] for qid in bank.question_ids}


def _check_english(bank: BankSpec, english: BankSpec, nb: Any, path: Path) -> None:
    """The English bank: the same bank, question ids, kinds, option keys and draw as the
    Vietnamese one (so one answer means the same in both), and no key at all."""
    for where, source in _sources(nb):
        for function in (BANK_KEY_FUNCTION, SLOT_FUNCTION, EXPLAIN_FUNCTION):
            if calls_named(source, function):
                raise _problem(path, f"{where}: {function}(...) belongs in the Vietnamese "
                                     "bank's hidden tests only")
    if english.bank_id != bank.bank_id or english.draw != bank.draw:
        raise _problem(path, f"the English bank must be {bank.bank_id!r} with draw={bank.draw}, "
                             "like the Vietnamese one")
    if english.question_ids != bank.question_ids:
        raise _problem(path, "the English bank must have the same question ids in the same "
                             "order as the Vietnamese one")
    for vi, en in zip(bank.questions, english.questions, strict=True):
        if (vi.kind, vi.options, vi.shuffle) != (en.kind, en.options, en.shuffle):
            raise _problem(path, f"question {vi.qid}: the kind and the option keys must be the "
                                 "same as in the Vietnamese bank")


def load_contest(folder: Path) -> Contest:
    """The contest in ``folder`` (its contest.toml and notebooks), checked; ContestError
    naming the file and the problem otherwise."""
    path = folder / CONTEST_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _problem(path, "no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _problem(path, f"cannot be read ({exc})") from None
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise _problem(path, f"unknown field {', '.join(unknown)} (known: "
                             f"{', '.join(sorted(FIELDS))})")
    missing = sorted(REQUIRED - set(raw))
    if missing:
        raise _problem(path, f"missing {', '.join(missing)}")
    contest_id = raw["id"]
    if not isinstance(contest_id, str) or not _ID.match(contest_id):
        raise _problem(path, f"id = {contest_id!r}: use lower-case letters, digits and '-'")
    opens = _moment(raw["opens"], "opens", path, end_of_day=False)
    closes = _moment(raw["closes"], "closes", path, end_of_day=True)
    if closes <= opens:
        raise _problem(path, "closes must come after opens")
    minutes = _whole(raw["minutes"], "minutes", path, 1, MAX_MINUTES)
    draw = _whole(raw["draw"], "draw", path, 1, 1000)
    bank_file = _notebook_file(folder, raw["bank"], "bank", path)
    nb = _read_notebook(bank_file)
    bank = _one_bank(nb, bank_file)
    if bank.draw != draw:
        raise _problem(bank_file, f"{BANK_FUNCTION}(..., draw={bank.draw}) but {CONTEST_FILE} "
                                  f"says draw = {draw}: make them the same")
    key = _checked_key(nb, bank, bank_file)
    files = [CONTEST_FILE, bank_file.name]
    bank_en = None
    if "bank_en" in raw:
        en_file = _notebook_file(folder, raw["bank_en"], "bank_en", path)
        en_nb = _read_notebook(en_file)
        bank_en = _one_bank(en_nb, en_file)
        _check_english(bank, bank_en, en_nb, en_file)
        files.append(en_file.name)
    return Contest(
        contest_id=contest_id, title=_text(raw["title"], "title", path),
        title_vi=_text(raw["title_vi"], "title_vi", path), minutes=minutes, opens=opens,
        closes=closes, draw=draw, bank=bank, key=key, explanations=explanations_in(nb),
        folder=folder, files=tuple(files), bank_en=bank_en,
    )


def contest_folders(directory: Path) -> list[Path]:
    """The contest folders in ``directory`` (each ``*/contest.toml``), in name order; hidden
    folders (a copy being made) are not contests."""
    return sorted(p.parent for p in directory.glob(f"*/{CONTEST_FILE}")
                  if not p.parent.name.startswith("."))


def load_contests(directory: Path) -> dict[str, Contest]:
    """Every contest in ``directory`` by id; ContestError for the first broken one."""
    contests: dict[str, Contest] = {}
    for folder in contest_folders(directory):
        contest = load_contest(folder)
        if contest.contest_id in contests:
            raise _problem(folder / CONTEST_FILE, f"the id {contest.contest_id!r} is used by "
                                                  "another contest too")
        contests[contest.contest_id] = contest
    return contests


# --- answers as data -------------------------------------------------------------------------


class AnswerProblem(StrEnum):
    UNKNOWN_FIELD = "unknown-field"  # not one of the person's drawn questions
    NOT_ONE = "not-one"  # several values for a one-answer question
    NOT_AN_OPTION = "not-an-option"  # a value that is not one of the question's options
    REPEATED = "repeated"  # the same option twice


class AnswerError(ValueError):
    """Answers that are not answers to the person's drawn questions; nothing is recorded."""

    def __init__(self, problem: AnswerProblem, field_name: str) -> None:
        super().__init__(f"{field_name}: {problem.value}")
        self.problem = problem
        self.field_name = field_name


def _decode(text: str, field_name: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        raise AnswerError(AnswerProblem.NOT_AN_OPTION, field_name) from None
    if isinstance(value, dict | list) or value is None:
        raise AnswerError(AnswerProblem.NOT_AN_OPTION, field_name)
    return value


def answers_from_form(questions: Mapping[str, QuestionSpec],
                      fields: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The answers in a submitted form: ``q-<id>`` fields of the drawn ``questions`` only,
    each value the JSON of one option's key (``true``/``false`` for true/false), several
    for a multiple-choice question. A question left out is unanswered. Anything else:
    ``AnswerError`` (the caller adds its own fields, such as the CSRF token, to skip)."""
    answers: dict[str, Any] = {}
    for name, values in fields.items():
        qid = name.removeprefix(FIELD_PREFIX)
        if not name.startswith(FIELD_PREFIX) or qid not in questions:
            raise AnswerError(AnswerProblem.UNKNOWN_FIELD, name)
        spec = questions[qid]
        decoded = [_decode(v, name) for v in values]
        if spec.kind is QuestionKind.MULTIPLE:
            value: Any = decoded
            if len({json.dumps(v) for v in decoded}) != len(decoded):
                raise AnswerError(AnswerProblem.REPEATED, name)
        elif len(decoded) != 1:
            raise AnswerError(AnswerProblem.NOT_ONE, name)
        else:
            value = decoded[0]
        if spec.problem_with(value) is not None:
            raise AnswerError(AnswerProblem.NOT_AN_OPTION, name)
        answers[qid] = value
    return answers


def check_answers(questions: Mapping[str, QuestionSpec], answers: Mapping[str, Any]
                  ) -> dict[str, Any]:
    """Answers as a mapping (question id -> value) checked like ``answers_from_form``."""
    checked: dict[str, Any] = {}
    for qid, value in answers.items():
        name = f"{FIELD_PREFIX}{qid}"
        if qid not in questions:
            raise AnswerError(AnswerProblem.UNKNOWN_FIELD, name)
        if questions[qid].problem_with(value) is not None:
            raise AnswerError(AnswerProblem.NOT_AN_OPTION, name)
        checked[qid] = value
    return checked


# --- attempts and the store --------------------------------------------------------------------


class Refusal(StrEnum):
    NOT_OPEN_YET = "not-open-yet"
    CLOSED = "closed"
    ALREADY_STARTED = "already-started"
    NOT_STARTED = "not-started"
    ALREADY_SUBMITTED = "already-submitted"


class AttemptRefused(Exception):
    """A start or submit that the contest's rules refuse; nothing is recorded."""

    def __init__(self, refusal: Refusal, attempt: Attempt | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.attempt = attempt


@dataclass(frozen=True)
class Attempt:
    """One person's attempt, as the store's events tell it."""

    username: str
    question_ids: tuple[str, ...]
    started_at: datetime
    submitted_at: datetime | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    score: float | None = None
    max_score: int = 0
    late: bool = False

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    def seconds_taken(self) -> int | None:
        if self.submitted_at is None:
            return None
        return max(0, int((self.submitted_at - self.started_at).total_seconds()))


def _event_line(event: Mapping[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"


def _moment_of(value: Any) -> datetime:
    """An event's ``at``: an ISO date and time with its time zone (a hand-edited time without
    one cannot be compared with the server's clock)."""
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise ValueError(f"'at' = {value!r} has no time zone (write it as "
                         "2026-11-02T08:00:00+07:00)")
    return at


def _attempts(lines: Iterable[bytes], path: Path) -> dict[str, Attempt]:
    """The attempts told by the store's whole lines (each with its newline taken off);
    ContestError naming the first line that is no event."""
    attempts: dict[str, Attempt] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            kind, user, at = event["event"], event["user"], _moment_of(event["at"])
            if kind == "start":
                if user in attempts:
                    raise ValueError(f"{user} started twice")
                attempts[user] = Attempt(user, tuple(event["questions"]), at)
            elif kind == "submit":
                started = attempts[user]
                if started.submitted:
                    raise ValueError(f"{user} submitted twice")
                attempts[user] = Attempt(
                    user, started.question_ids, started.started_at, at,
                    dict(event["answers"]), float(event["score"]), int(event["max"]),
                    bool(event["late"]))
            else:
                raise ValueError(f"unknown event {kind!r}")
        except (ValueError, KeyError, TypeError) as exc:
            raise ContestError(f"{path}: line {number} is not a contest event ({exc})") from None
    return attempts


class ContestStore:
    """The events of one contest (one JSON-lines file), read and appended under a lock."""

    def __init__(self, path: Path, clock: Clock = vietnam_now) -> None:
        self.path = path
        self.clock = clock

    @classmethod
    def of(cls, layout: DataLayout, contest_id: str, clock: Clock = vietnam_now) -> ContestStore:
        return cls(layout.contest_results_file(contest_id), clock)

    def now(self) -> datetime:
        return to_vietnam(self.clock())

    def _make_folders(self) -> None:
        """The store's folder and any missing folder above it, each 0700 (the records are
        root's alone: a parent made with the default mode would be listable by all)."""
        missing = []
        folder = self.path.parent
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            made.mkdir(mode=0o700, exist_ok=True)
            os.chmod(made, 0o700)

    @contextmanager
    def _locked(self, exclusive: bool) -> Iterator[tuple[dict[str, Attempt], int]]:
        if exclusive:
            self._make_folders()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW,
                         0o600)
        else:
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
            except FileNotFoundError:
                yield {}, -1
                return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            size = os.fstat(fd).st_size
            if size > MAX_STORE_BYTES:
                raise ContestError(f"{self.path}: larger than {MAX_STORE_BYTES} bytes")
            data = os.pread(fd, size, 0)
            whole = data.rfind(b"\n") + 1  # the bytes up to the last newline
            if whole < len(data):
                # a line cut off by a crash mid-write: never acknowledged, so not an event;
                # readers leave it out, a change cuts it off before appending
                if exclusive:
                    log.warning("%s: the last line has no end (a write cut off): removed %r",
                                self.path, data[whole:][:200])
                    os.ftruncate(fd, whole)
                data = data[:whole]
            yield _attempts(data.splitlines(), self.path), fd
        finally:
            os.close(fd)  # releases the lock

    def _append(self, fd: int, event: Mapping[str, Any]) -> None:
        """One whole line, fsynced, or nothing: a write that fails part way is cut back to
        the size before, so that no half line is left (the caller holds the exclusive
        lock)."""
        line = _event_line(event)
        before = os.fstat(fd).st_size
        try:
            written = 0
            while written < len(line):
                written += os.write(fd, line[written:])
            os.fsync(fd)
        except BaseException:
            os.ftruncate(fd, before)
            raise

    def attempts(self) -> dict[str, Attempt]:
        """Every person's attempt so far, by username."""
        with self._locked(exclusive=False) as (attempts, _fd):
            return attempts

    def attempt(self, username: str) -> Attempt | None:
        return self.attempts().get(username)

    def start(self, contest: Contest, username: str) -> Attempt:
        """Start ``username``'s one attempt now: draw their questions and write them down.
        AttemptRefused outside the window or if they have started before."""
        with self._locked(exclusive=True) as (attempts, fd):
            now = self.now()
            if now < contest.opens:
                raise AttemptRefused(Refusal.NOT_OPEN_YET)
            if now >= contest.closes:
                raise AttemptRefused(Refusal.CLOSED)
            if username in attempts:
                raise AttemptRefused(Refusal.ALREADY_STARTED, attempts[username])
            attempt = Attempt(username, contest.drawn(username), now)
            self._append(fd, {"event": "start", "user": username, "at": now.isoformat(),
                              "questions": list(attempt.question_ids)})
            return attempt

    def submit(self, contest: Contest, username: str, answers: Mapping[str, Any],
               at: datetime | None = None) -> Attempt:
        """Record ``username``'s answers (question id -> value) and their score, at ``at``
        (when the request arrived; now if not given). AnswerError for answers that are not
        answers to their drawn questions, AttemptRefused without a start or after a submit;
        both record nothing. After the time limit and ``GRACE`` the answers are recorded as
        late, with score 0."""
        with self._locked(exclusive=True) as (attempts, fd):
            now = to_vietnam(at) if at is not None else self.now()
            attempt = attempts.get(username)
            if attempt is None:
                raise AttemptRefused(Refusal.NOT_STARTED)
            if attempt.submitted:
                raise AttemptRefused(Refusal.ALREADY_SUBMITTED, attempt)
            questions = {qid: contest.question(qid) for qid in attempt.question_ids}
            checked = check_answers(questions, answers)
            late = now > contest.deadline(attempt.started_at) + GRACE
            score = 0.0 if late else contest.mark(checked, attempt.question_ids)
            points = len(attempt.question_ids)
            self._append(fd, {"event": "submit", "user": username, "at": now.isoformat(),
                              "answers": checked, "score": score, "max": points, "late": late})
            return Attempt(username, attempt.question_ids, attempt.started_at, now, checked,
                           score, points, late)


# --- leaderboards ----------------------------------------------------------------------------


class Outcome(StrEnum):
    ON_TIME = "on-time"
    LATE = "late"  # submitted after the time limit: score 0
    NOT_SUBMITTED = "not-submitted"  # the time ran out without a submit: score 0


@dataclass(frozen=True)
class Standing:
    rank: int
    username: str
    full_name: str
    agency: str
    score: float
    max_score: int
    seconds: int  # time taken (the whole time limit when nothing was submitted)
    finished_at: datetime
    outcome: Outcome


@dataclass(frozen=True)
class AgencyStanding:
    rank: int | None  # None: fewer than AGENCY_MINIMUM participants, not ranked yet
    agency: str
    participants: int
    mean_score: float
    best_score: float


@dataclass(frozen=True)
class Leaderboard:
    people: list[Standing]
    agencies: list[AgencyStanding]

    def of(self, username: str) -> Standing | None:
        return next((s for s in self.people if s.username == username), None)


def _finished(contest: Contest, attempt: Attempt, now: datetime
              ) -> tuple[float, int, datetime, Outcome] | None:
    """(score, seconds, finished at, outcome) of a finished attempt; None while it runs."""
    if attempt.submitted_at is not None:
        outcome = Outcome.LATE if attempt.late else Outcome.ON_TIME
        return (attempt.score or 0.0, attempt.seconds_taken() or 0, attempt.submitted_at,
                outcome)
    deadline = contest.deadline(attempt.started_at)
    if now > deadline + GRACE:
        return 0.0, contest.minutes * 60, deadline, Outcome.NOT_SUBMITTED
    return None


def _name_order(name: str) -> tuple[str, str]:
    return ascii_fold(unicodedata.normalize("NFC", name)).casefold(), name


def agency_name(text: str) -> str:
    """An agency as the leaderboard groups it: the roster's text in NFC, trimmed, spaces
    inside made single (so that "Sở Nội vụ" typed on two machines is one agency)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def leaderboard(contest: Contest, attempts: Mapping[str, Attempt], roster: Iterable[Person],
                now: datetime) -> Leaderboard:
    """Everyone who has finished: by score, then the shorter time, then the earlier submit;
    an attempt whose time ran out without a submit counts as 0 in the whole time limit
    (attempts still running are left out). Agencies (the roster's, ``agency_name``; people
    without one or no longer on the roster count for none) by mean score, then best score,
    then participants; those with fewer than ``AGENCY_MINIMUM`` participants follow, not
    ranked."""
    people = {p.username: p for p in roster}
    rows = []
    for username, attempt in attempts.items():
        finished = _finished(contest, attempt, now)
        if finished is None:
            continue
        score, seconds, at, outcome = finished
        person = people.get(username)
        rows.append((score, seconds, at, username,
                     person.full_name if person else username,
                     agency_name(person.agency) if person else "", outcome,
                     len(attempt.question_ids)))
    rows.sort(key=lambda r: (-r[0], r[1], r[2], r[3]))
    standings = [Standing(rank, username, name, agency, score, points, seconds, at, outcome)
                 for rank, (score, seconds, at, username, name, agency, outcome, points)
                 in enumerate(rows, start=1)]
    by_agency: dict[str, list[float]] = {}
    for standing in standings:
        if standing.agency and standing.username in people:
            by_agency.setdefault(standing.agency, []).append(standing.score)
    order = sorted(by_agency.items(), key=lambda item: (
        len(item[1]) < AGENCY_MINIMUM, -sum(item[1]) / len(item[1]), -max(item[1]),
        -len(item[1]), _name_order(item[0])))
    agencies = []
    for agency, scores in order:
        ranked = len(scores) >= AGENCY_MINIMUM
        agencies.append(AgencyStanding(len(agencies) + 1 if ranked else None, agency,
                                       len(scores), sum(scores) / len(scores), max(scores)))
    return Leaderboard(standings, agencies)
