"""The extension in a real jupyter server, driven like a browser (cookies, forms, _xsrf).

The tests of this module share one server and one learner, and run in file order:
start, submit, then grading.
"""

from __future__ import annotations

import re

import requests
from ml_academy import (
    COURSE_ID,
    COURSE_TITLE,
    FRESH_ID,
    FRESH_TITLE,
    GRADED_ID,
    GRADED_TITLE,
    NOTEBOOK,
    UNRELEASED_TITLE,
    Academy,
    Server,
)

VOILA_PATH = f"/voila/render/{COURSE_ID}/{FRESH_ID}/{NOTEBOOK}"


def form(session: requests.Session, module_id: str = FRESH_ID, xsrf: bool = True) -> dict:
    data = {"course_id": COURSE_ID, "assignment_id": module_id}
    if xsrf:
        data["_xsrf"] = session.cookies["_xsrf"]
    return data


def status_of(page: str, title: str) -> str:
    """The status badge text of the module titled `title` on the page."""
    match = re.search(
        rf"<h3>{re.escape(title)}</h3>\s*<span class=\"badge\">([^<]+)<", page
    )
    assert match, f"module {title!r} not on the page"
    return match.group(1).strip()


def assert_friendly(page: str) -> None:
    assert "Traceback" not in page
    assert "File \"" not in page
    assert "My learning" in page


def test_login_is_required(server: Server) -> None:
    response = requests.get(server.url + "learning", allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_page_lists_course_and_modules(server: Server) -> None:
    session = server.session()
    page = session.get(server.url + "learning", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    text = page.text
    assert "Học tập của tôi" in text
    assert COURSE_TITLE in text
    assert "Chữ ký số trong hoạt động công vụ" in text
    assert status_of(text, FRESH_TITLE).startswith("Not started")
    assert status_of(text, UNRELEASED_TITLE).startswith("Not open yet")
    assert "jupyterlab" not in text.lower() and "/static/lab" not in text
    # the sandbox e-office (and the trainers' desks in it) is one click away
    assert 'href="/services/eoffice/"' in text
    assert 'href="/services/dashboards/certificates/"' in text  # the learner's certificates


def test_actions_need_the_xsrf_token(server: Server, server_academy: Academy) -> None:
    session = server.session()
    response = session.post(
        server.url + "learning/fetch", data=form(session, xsrf=False), allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 403
    assert_friendly(response.text)
    assert "try again" in response.text
    assert not server_academy.notebook(FRESH_ID).exists()


def test_start_fetches_and_opens_the_module(server: Server, server_academy: Academy) -> None:
    session = server.session()
    response = session.post(
        server.url + "learning/fetch", data=form(session), allow_redirects=False, timeout=30
    )
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == VOILA_PATH
    assert server_academy.notebook(FRESH_ID).is_file()
    page = session.get(server.url + "learning", timeout=30).text
    assert status_of(page, FRESH_TITLE).startswith("In progress")
    assert f'href="{VOILA_PATH}"' in page


def test_submit_hands_in_and_confirms(server: Server, server_academy: Academy) -> None:
    server_academy.answer(FRESH_ID)
    session = server.session()
    response = session.post(
        server.url + "learning/submit", data=form(session), allow_redirects=False, timeout=30
    )
    assert response.status_code == 303, response.text
    page = session.get(server.url + response.headers["Location"].lstrip("/"), timeout=30)
    assert page.status_code == 200
    assert re.search(r"was submitted \(đã nộp bài\) at \d\d:\d\d, \d\d/\d\d/\d{4}", page.text)
    assert status_of(page.text, FRESH_TITLE).startswith("Submitted")
    assert "Submit again" in page.text
    assert "Waiting for your trainer to grade it" in page.text
    assert 'http-equiv="refresh"' not in page.text

    # a course graded on submit says so, and the page refreshes itself until the score is in
    server_academy.write_catalog(grade_on_submit=True)
    try:
        page = session.get(server.url + "learning", timeout=30)
    finally:
        server_academy.write_catalog()
    assert "It is being graded automatically" in page.text
    assert '<meta http-equiv="refresh" content="15">' in page.text


def test_unknown_module_is_a_clear_message(server: Server) -> None:
    session = server.session()
    for action in ("fetch", "submit"):
        response = session.post(
            server.url + f"learning/{action}", data=form(session, module_id="no-such-module"),
            allow_redirects=False, timeout=30,
        )
        assert response.status_code == 404
        assert_friendly(response.text)
        assert "This module was not found in your courses" in response.text
        assert COURSE_TITLE in response.text  # the rest of the page still loads


def test_graded_module_shows_score_and_feedback(server: Server) -> None:
    session = server.session()
    page = session.get(server.url + "learning", timeout=30).text
    assert status_of(page, GRADED_TITLE).startswith("Graded")
    assert "<strong>7 / 10</strong>" in page
    assert "Passed (Đạt)" in page
    link = f"/learning/feedback/{COURSE_ID}/{GRADED_ID}/lesson"
    assert f'href="{link}"' in page
    feedback = session.get(server.url + link.lstrip("/"), timeout=30)
    assert feedback.status_code == 200
    assert "(Score: 7.0 / 10.0)" in feedback.text
    assert "sandbox" in feedback.headers["Content-Security-Policy"]
    missing = session.get(server.url + f"learning/feedback/{COURSE_ID}/nope", timeout=30)
    assert missing.status_code == 404
    assert_friendly(missing.text)


def test_catalog_titles_are_escaped(server: Server, server_academy: Academy) -> None:
    server_academy.write_catalog('<script>alert("x")</script> Chữ ký số')
    try:
        page = server.session().get(server.url + "learning", timeout=30).text
    finally:
        server_academy.write_catalog()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Chữ ký số" in page
