"""The extension in a real jupyter server, driven like a browser (cookies, forms, _xsrf).

The tests of this module share one server and one learner, and run in file order:
start, submit, then grading. The page is in Vietnamese unless the session carries the
platform's language cookie set to English.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import requests
from ml_academy import (
    COURSE_ID,
    COURSE_TITLE,
    FRESH_ID,
    FRESH_TITLE,
    FULL_NAME,
    GRADED_ID,
    GRADED_TITLE,
    NOTEBOOK,
    TOKEN,
    UNRELEASED_TITLE,
    Academy,
    Server,
)

from common.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, Language
from grading.feedback import language_style

COURSE_TITLE_VI = "Chữ ký số trong hoạt động công vụ"

# the module in the page's language (the course kit reads ?lang=)
VOILA_PATH = f"/voila/render/{COURSE_ID}/{FRESH_ID}/{NOTEBOOK}?lang=vi"


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


def next_step_of(page: str) -> tuple[str, str]:
    """The kind and the text of the course's "what to do next" box."""
    match = re.search(
        r'<div class="next-step [a-z_]+" data-next-step="([a-z_]+)">(.*?)</div>', page, re.S
    )
    assert match, "no next step on the page"
    return match.group(1), " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def assert_friendly(page: str, title: str = "Học tập của tôi") -> None:
    assert "Traceback" not in page
    assert "File \"" not in page
    assert title in page


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
    # Vietnamese by default, the learner greeted by the full name the hub passed
    assert '<html lang="vi">' in text
    assert "<h1>Học tập của tôi</h1>" in text
    assert f'<p class="greeting">Xin chào {FULL_NAME}.</p>' in text
    assert f'<h2 id="course-1" lang="vi">{COURSE_TITLE_VI}</h2>' in text
    assert status_of(text, FRESH_TITLE) == "Chưa bắt đầu"
    assert status_of(text, UNRELEASED_TITLE) == "Chưa mở"
    assert "jupyterlab" not in text.lower() and "/static/lab" not in text
    # the sandbox e-office (and the trainers' desks in it) is one click away
    assert 'href="/services/eoffice/"' in text
    assert 'href="/services/dashboards/certificates/"' in text  # the learner's certificates
    # the switch to English comes back to this page, never with a login token in the link
    assert f'href="/learning/language/en?next={quote("/learning", safe="")}"' in text
    first_visit = requests.get(
        server.url + "learning", params={"token": TOKEN, "done": "x"}, timeout=30
    ).text
    assert f'href="/learning/language/en?next={quote("/learning?done=x", safe="")}"' in first_visit
    assert TOKEN not in first_visit


def test_progress_and_what_to_do_next(server: Server) -> None:
    text = server.session().get(server.url + "learning", timeout=30).text
    # one module of three graded, 7 of 10 points, against the catalog's pass mark of 70
    assert 'Đã hoàn thành 1/3 học phần' in text
    assert '<progress max="3" value="1" aria-labelledby="course-1-done">' in text
    assert "Điểm các học phần đã chấm: <strong>7 / 10</strong> (70%)." in text
    assert "Mức điểm đạt: 70%." in text
    assert next_step_of(text) == (
        "start", f"Việc cần làm tiếp theo Bắt đầu học phần “{FRESH_TITLE}”. Bắt đầu"
    )


def test_the_same_page_in_english(server: Server) -> None:
    text = server.session(Language.ENGLISH).get(server.url + "learning", timeout=30).text
    assert '<html lang="en">' in text
    assert "<h1>My learning</h1>" in text
    assert f'<p class="greeting">Hello, {FULL_NAME}.</p>' in text
    assert f'<h2 id="course-1">{COURSE_TITLE}</h2>' in text
    assert status_of(text, FRESH_TITLE) == "Not started"
    assert status_of(text, GRADED_TITLE) == "Graded"
    assert "1 of 3 modules done" in text
    assert "<span>Score of the graded modules: <strong>7 / 10</strong> (70%).</span>" in text
    assert next_step_of(text)[1] == f"What to do next Start “{FRESH_TITLE}”. Start"
    assert "Học tập của tôi" not in text and "Chưa bắt đầu" not in text


def test_the_language_switch_sets_the_platform_cookie(server: Server) -> None:
    session = server.session()
    back_to = "/learning?done=submitted&course=x"
    response = session.get(
        server.url + "learning/language/en", params={"next": back_to}, allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == back_to
    cookie = next(c for c in session.cookies if c.name == LANGUAGE_COOKIE)
    assert (cookie.value, cookie.path) == ("en", "/")
    set_cookie = response.headers["Set-Cookie"]
    assert f"Max-Age={LANGUAGE_COOKIE_MAX_AGE}" in set_cookie
    assert "SameSite=Lax" in set_cookie
    assert "<h1>My learning</h1>" in session.get(server.url + "learning", timeout=30).text

    # back to Vietnamese; an unknown code is the default language
    session.get(server.url + "learning/language/vi", timeout=30)
    assert session.cookies[LANGUAGE_COOKIE] == "vi"
    session.get(server.url + "learning/language/fr", timeout=30)
    assert session.cookies[LANGUAGE_COOKIE] == "vi"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\t/evil.example", "/\\evil.example",
    "javascript:alert(1)", "", "learning",
])
def test_the_language_switch_never_leaves_the_site(server: Server, target: str) -> None:
    response = server.session().get(
        server.url + "learning/language/en", params={"next": target}, allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/learning"


def test_the_language_switch_needs_a_login(server: Server) -> None:
    response = requests.get(server.url + "learning/language/en", allow_redirects=False,
                            timeout=30)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert LANGUAGE_COOKIE not in response.headers.get("Set-Cookie", "")


def test_actions_need_the_xsrf_token(server: Server, server_academy: Academy) -> None:
    session = server.session()
    response = session.post(
        server.url + "learning/fetch", data=form(session, xsrf=False), allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 403
    assert_friendly(response.text)
    assert "Vui lòng quay lại “Học tập của tôi” và thử lại." in response.text
    assert not server_academy.notebook(FRESH_ID).exists()
    english = server.session(Language.ENGLISH)
    response = english.post(server.url + "learning/fetch", data=form(english, xsrf=False),
                            allow_redirects=False, timeout=30)
    assert response.status_code == 403
    assert_friendly(response.text, title="My learning")
    assert "Please go back to “My learning” and try again." in response.text


def test_start_fetches_and_opens_the_module(server: Server, server_academy: Academy) -> None:
    session = server.session()
    response = session.post(
        server.url + "learning/fetch", data=form(session), allow_redirects=False, timeout=30
    )
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == VOILA_PATH
    assert server_academy.notebook(FRESH_ID).is_file()
    page = session.get(server.url + "learning", timeout=30).text
    assert status_of(page, FRESH_TITLE) == "Đang học"
    assert f'href="{VOILA_PATH}"' in page
    kind, text = next_step_of(page)
    assert (kind, text) == ("continue", f"Việc cần làm tiếp theo Học tiếp “{FRESH_TITLE}”, "
                            "rồi nộp bài. Học tiếp")
    assert f'<a class="button primary" href="{VOILA_PATH}">Học tiếp</a>' in page
    english = server.session(Language.ENGLISH).get(server.url + "learning", timeout=30).text
    assert f'href="{VOILA_PATH.removesuffix("?lang=vi")}?lang=en">Continue</a>' in english


def test_submit_hands_in_and_confirms(server: Server, server_academy: Academy) -> None:
    server_academy.answer(FRESH_ID)
    session = server.session()
    response = session.post(
        server.url + "learning/submit", data=form(session), allow_redirects=False, timeout=30
    )
    assert response.status_code == 303, response.text
    page = session.get(server.url + response.headers["Location"].lstrip("/"), timeout=30)
    assert page.status_code == 200
    assert re.search(
        rf"Bài làm “{re.escape(FRESH_TITLE)}” của bạn đã được nộp lúc "
        r"\d\d:\d\d, \d\d/\d\d/\d{4}\.", page.text
    )
    assert status_of(page.text, FRESH_TITLE) == "Đã nộp bài"
    assert "Nộp lại" in page.text
    assert "Đang chờ giảng viên chấm điểm." in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert next_step_of(page.text) == (
        "wait_for_grading", f"Việc cần làm tiếp theo Chờ giảng viên chấm điểm “{FRESH_TITLE}”."
    )
    english = server.session(Language.ENGLISH).get(
        server.url + response.headers["Location"].lstrip("/"), timeout=30
    ).text
    assert re.search(r"was submitted at \d\d:\d\d, \d\d/\d\d/\d{4}\. If you change", english)
    assert "Waiting for your trainer to grade it." in english

    # a course graded on submit says so, and the page refreshes itself until the score is in
    server_academy.write_catalog(grade_on_submit=True)
    try:
        page = session.get(server.url + "learning", timeout=30)
    finally:
        server_academy.write_catalog()
    assert "Bài đang được chấm tự động" in page.text
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
        assert "Không tìm thấy học phần này trong các khóa học của bạn." in response.text
        assert COURSE_TITLE_VI in response.text  # the rest of the page still loads
        # the switch comes back to the page, not to the address the form was posted to
        assert f'href="/learning/language/en?next={quote("/learning", safe="")}"' in response.text


def test_graded_module_shows_score_and_feedback(server: Server) -> None:
    session = server.session()
    page = session.get(server.url + "learning", timeout=30).text
    assert status_of(page, GRADED_TITLE) == "Đã chấm điểm"
    assert 'Điểm: <strong>7 / 10</strong> <span class="passed">Đạt</span>' in page
    link = f"/learning/feedback/{COURSE_ID}/{GRADED_ID}/lesson"
    assert f'href="{link}"' in page
    feedback = session.get(server.url + link.lstrip("/"), timeout=30)
    assert feedback.status_code == 200
    assert "(Score: 7.0 / 10.0)" in feedback.text
    assert "sandbox" in feedback.headers["Content-Security-Policy"]
    # the page holds both languages (grading.feedback); the learner's language shows alone
    hide_english = language_style(Language.VIETNAMESE)
    assert "data-lf-lang=en" in hide_english and "celltag_lf-en" in hide_english
    assert feedback.text.count(hide_english) == 1 and language_style(
        Language.ENGLISH) not in feedback.text
    english = server.session(Language.ENGLISH).get(server.url + link.lstrip("/"), timeout=30)
    assert english.text.count(language_style(Language.ENGLISH)) == 1
    assert hide_english not in english.text
    missing = session.get(server.url + f"learning/feedback/{COURSE_ID}/nope", timeout=30)
    assert missing.status_code == 404
    assert_friendly(missing.text)


def test_catalog_titles_are_escaped(server: Server, server_academy: Academy) -> None:
    server_academy.write_catalog('<script>alert("x")</script> Chữ ký số')
    try:
        page = server.session(Language.ENGLISH).get(server.url + "learning", timeout=30).text
    finally:
        server_academy.write_catalog()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Chữ ký số" in page
