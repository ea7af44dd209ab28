"""The frame's JSON on a learner's server configured like the platform's: which module a
notebook is (``learning/api/frame``) and how many of its questions are answered
(``learning/api/answered/<course>/<module>``), counted from the real answers file and the
module's Vietnamese notebook; only this server's own files; anything else a 404.

The tests share one server and run in file order (they rewrite the answers file)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import requests
from test_my_learning_frame_lib import (
    COURSE_ID,
    COURSE_TITLE,
    COURSE_TITLE_VI,
    LEARNER,
    MODULE_ID,
    MODULE_TITLE,
    MODULE_TITLE_VI,
    NOTEBOOK,
    NOTEBOOK_EN,
    QUESTIONS_ASKED,
    FrameSite,
    LearnerServer,
    write_answers,
    write_module,
)

from course_kit.questions.draws import drawn_question_ids
from course_kit.questions.notebook import read_banks

NOT_FETCHED_ID = "fr02-not-fetched"
OUTSIDE_ID = "fr03-outside"  # its folder is a link to a folder outside the server's root
EXTRA_MODULES = f"""
[[modules]]
id = "{NOT_FETCHED_ID}"
title = "Not fetched"
notebook = "{NOTEBOOK}"

[[modules]]
id = "{OUTSIDE_ID}"
title = "Outside"
notebook = "{NOTEBOOK}"
"""
ANSWERED = f"learning/api/answered/{COURSE_ID}/{MODULE_ID}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> FrameSite:
    site = FrameSite.create(tmp_path_factory.mktemp("frame-api") / "site")
    with (site.catalog / f"{COURSE_ID}.toml").open("a", encoding="utf-8") as handle:
        handle.write(EXTRA_MODULES)
    write_module(site.module_folder)  # as nbgrader fetched it (the release's notebooks)
    outside = site.root / "outside" / OUTSIDE_ID
    write_module(outside)
    write_answers(outside, {"q1": "integrity"})
    (site.home / COURSE_ID / OUTSIDE_ID).symlink_to(outside, target_is_directory=True)
    return site


@pytest.fixture(scope="module")
def server(site: FrameSite) -> Iterator[LearnerServer]:
    server = LearnerServer(site).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def session(server: LearnerServer) -> requests.Session:
    return server.session()


def drawn_and_not(site: FrameSite) -> tuple[str, str]:
    """The bank question drawn for the learner, and the one not drawn (the kit's draw)."""
    nb = nbformat.read(site.module_folder / NOTEBOOK, as_version=4)
    bank = read_banks(nb)["signing"]
    (drawn,) = drawn_question_ids(bank, LEARNER)
    (other,) = [qid for qid in bank.question_ids if qid != drawn]
    return drawn, other


def get(session: requests.Session, server: LearnerServer, route: str,
        **params: str) -> requests.Response:
    return session.get(server.url + route, params=params, timeout=30)


def test_login_is_required(server: LearnerServer) -> None:
    for path in (ANSWERED, "learning/api/frame"):
        response = requests.get(server.url + path, timeout=30, allow_redirects=False)
        assert response.status_code == 403
        assert response.headers["Content-Type"].startswith("application/json")


def test_nothing_answered_yet(site: FrameSite, server: LearnerServer,
                             session: requests.Session) -> None:
    (site.module_folder / "responses.json").unlink(missing_ok=True)  # whatever ran before
    response = get(session, server, ANSWERED, lang="en")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json() == {
        "answered": 0, "total": QUESTIONS_ASKED, "unanswered": QUESTIONS_ASKED,
        "text": f"0 of {QUESTIONS_ASKED} questions answered",
        "confirm": f"{QUESTIONS_ASKED} questions are not answered yet. Submit anyway?",
    }


def test_counts_the_answers_the_grader_would_take(
    site: FrameSite, server: LearnerServer, session: requests.Session
) -> None:
    drawn, not_drawn = drawn_and_not(site)
    write_answers(site.module_folder, {
        "q1": "integrity",  # one of its options
        "q2": "not-an-option",  # the grader drops it: not answered
        drawn: "seal" if drawn == "b1" else "issue",
        not_drawn: "seal" if not_drawn == "b1" else "issue",  # not asked of this learner
        "zz": "x",  # no such question
    })
    english = get(session, server, ANSWERED, lang="en").json()
    assert (english["answered"], english["total"], english["unanswered"]) == (2, 4, 2)
    assert english["text"] == "2 of 4 questions answered"
    assert english["confirm"] == "2 questions are not answered yet. Submit anyway?"
    vietnamese = get(session, server, ANSWERED).json()  # no ?lang=: the cookie's, vi
    assert vietnamese["text"] == "Đã trả lời 2/4 câu hỏi"
    assert vietnamese["confirm"] == "Còn 2 câu hỏi chưa được trả lời. Bạn vẫn muốn nộp bài?"


def test_one_left_and_all_answered(
    site: FrameSite, server: LearnerServer, session: requests.Session
) -> None:
    drawn, _ = drawn_and_not(site)
    answers = {"q1": "integrity", "q2": "wait", drawn: "seal" if drawn == "b1" else "issue"}
    write_answers(site.module_folder, answers)
    one_left = get(session, server, ANSWERED, lang="en").json()
    assert one_left["confirm"] == "1 question is not answered yet. Submit anyway?"
    write_answers(site.module_folder, {**answers, "q3": "colleague"})  # wrong is answered
    done = get(session, server, ANSWERED, lang="en").json()
    assert (done["answered"], done["unanswered"], done["confirm"]) == (4, 0, None)
    assert done["text"] == "4 of 4 questions answered"


def test_a_damaged_answers_file_counts_nothing(
    site: FrameSite, server: LearnerServer, session: requests.Session
) -> None:
    (site.module_folder / "responses.json").write_text("{not json", encoding="utf-8")
    assert get(session, server, ANSWERED).json()["answered"] == 0


def test_the_frame_knows_the_module_of_either_notebook(
    server: LearnerServer, session: requests.Session
) -> None:
    vietnamese = get(session, server, "learning/api/frame",
                     path=f"{COURSE_ID}/{MODULE_ID}/{NOTEBOOK}", lang="vi")
    assert vietnamese.status_code == 200
    body = vietnamese.json()
    assert body["course"] == {"id": COURSE_ID, "title": COURSE_TITLE_VI}
    assert body["module"] == {"id": MODULE_ID, "title": MODULE_TITLE_VI, "version": "vi"}
    assert body["texts"]["back"] == "Quay lại Học tập của tôi"
    assert body["texts"]["submit"] == "Nộp bài"
    assert body["texts"]["submit_anyway"] == "Vẫn nộp bài"
    assert body["learning_url"] == "/learning"
    assert body["submit_url"] == "/learning/submit"
    assert body["answered_url"] == f"/{ANSWERED}"
    assert body["answered"]["total"] == QUESTIONS_ASKED
    assert body["xsrf"]

    english = get(session, server, "learning/api/frame",
                  path=f"{COURSE_ID}/{MODULE_ID}/{NOTEBOOK_EN}", lang="en").json()
    assert english["course"]["title"] == COURSE_TITLE
    assert english["module"] == {"id": MODULE_ID, "title": MODULE_TITLE, "version": "en"}
    assert english["texts"]["keep_working"] == "Keep working"
    assert english["answered"]["text"].endswith("questions answered")


def test_the_submit_token_is_accepted_by_my_learning(
    server: LearnerServer, session: requests.Session
) -> None:
    body = get(session, server, "learning/api/frame",
               path=f"{COURSE_ID}/{MODULE_ID}/{NOTEBOOK}").json()
    # the same POST the frame's form makes (the module is not released: nbgrader says so,
    # after the _xsrf check let it through)
    response = session.post(server.url + "learning/submit", data={
        "_xsrf": body["xsrf"], "course_id": COURSE_ID, "assignment_id": MODULE_ID,
    }, timeout=60, allow_redirects=False)
    assert response.status_code == 404, response.text
    refused = session.post(server.url + "learning/submit", data={
        "_xsrf": "wrong", "course_id": COURSE_ID, "assignment_id": MODULE_ID,
    }, timeout=60, allow_redirects=False)
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        f"learning/api/answered/no-such-course/{MODULE_ID}",
        f"learning/api/answered/{COURSE_ID}/no-such-module",
        f"learning/api/answered/{COURSE_ID}/{NOT_FETCHED_ID}",  # in the catalog, no folder
        f"learning/api/answered/{COURSE_ID}/{OUTSIDE_ID}",  # its folder leads outside
        f"learning/api/answered/%2E%2E/{MODULE_ID}",
        f"learning/api/answered/{COURSE_ID}/%2E%2E%2F%2E%2E%2Foutside%2F{OUTSIDE_ID}",
    ],
)
def test_answered_is_only_for_fetched_modules_in_the_servers_files(
    server: LearnerServer, session: requests.Session, path: str
) -> None:
    response = get(session, server, path)
    assert response.status_code == 404, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert "answered" not in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "",
        f"/{COURSE_ID}/{MODULE_ID}/{NOTEBOOK}",
        f"{COURSE_ID}/{MODULE_ID}/../{MODULE_ID}/{NOTEBOOK}",
        f"../site/home/{COURSE_ID}/{MODULE_ID}/{NOTEBOOK}",
        f"{COURSE_ID}/{MODULE_ID}/other.ipynb",
        f"{COURSE_ID}/{MODULE_ID}/responses.json",
        f"elsewhere/{MODULE_ID}/{NOTEBOOK}",
        f"{COURSE_ID}/{OUTSIDE_ID}/{NOTEBOOK}",
        f"{COURSE_ID}/{NOT_FETCHED_ID}/{NOTEBOOK}",
    ],
)
def test_a_notebook_that_is_no_fetched_module_gets_only_the_way_back(
    site: FrameSite, server: LearnerServer, session: requests.Session, path: str
) -> None:
    (site.home / "elsewhere" / MODULE_ID).mkdir(parents=True, exist_ok=True)
    (site.home / "elsewhere" / MODULE_ID / NOTEBOOK).write_text(
        json.dumps(nbformat.v4.new_notebook()), encoding="utf-8")
    response = get(session, server, "learning/api/frame", path=path, lang="en")
    assert response.status_code == 404, response.text
    body = response.json()
    assert set(body) == {"language", "learning_url", "texts"}
    assert body["texts"]["back"] == "Back to My learning"


def test_outside_files_are_never_read(site: FrameSite, server: LearnerServer,
                                      session: requests.Session) -> None:
    """The module behind the link outside the root has an answer; asking for it gives a
    404 and no count, and the link and the answer are still there."""
    assert (site.home / COURSE_ID / OUTSIDE_ID).is_symlink()
    assert Path(site.root / "outside" / OUTSIDE_ID / "responses.json").is_file()
    response = get(session, server, f"learning/api/answered/{COURSE_ID}/{OUTSIDE_ID}")
    assert response.status_code == 404 and "answered" not in response.json()
