"""The hub's authenticator: NativeAuthenticator with the academy's account rules, and what
its pages say when they refuse, in the page's language."""

from datetime import timedelta

import pytest
from tornado import web

from common.event_loop import run_coroutine
from common.i18n import Language
from hub_config.authenticator import (
    PASSWORD_PROBLEMS,
    REFUSAL_MESSAGES,
    AcademyAuthenticator,
    password_problem_text,
    refusal_text,
)
from hub_config.page_language import PageLanguageMixin, catalogue
from people.accounts import (
    AccountPolicy,
    AccountRefused,
    PasswordProblem,
    Refusal,
    add_pending,
    describe_password_problem,
    issue_code,
    new_password,
    open_account_store,
    password_problem,
    set_password,
    utc_now,
)

VI = catalogue(Language.VIETNAMESE).gettext
EN = catalogue(Language.ENGLISH).gettext


def test_new_passwords_are_random_and_long_enough():
    passwords = {new_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) == 19 for p in passwords)


@pytest.fixture
def auth(tmp_path):
    url = f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    sessions = open_account_store(url)
    with sessions() as session, session.begin():
        set_password(session, "learner1", "s3cret-s3cret")
        add_pending(session, ["learner2"])
        issue_code(session, "learner3")
    sessions.kw["bind"].dispose()
    authenticator = AcademyAuthenticator(db_url=url, allowed_failed_logins=2)
    yield authenticator
    authenticator._sessions.kw["bind"].dispose()


class EnglishPage(PageLanguageMixin):
    """A login page whose reader switched to English."""

    def page_language(self) -> Language:
        return Language.ENGLISH


def login(auth, username, password, handler=None):
    return run_coroutine(auth.authenticate(handler, {"username": username,
                                                     "password": password}))


def test_authenticator_accepts_only_the_right_password(auth):
    assert not auth.enable_signup and auth.check_common_password
    assert login(auth, "learner1", "s3cret-s3cret") == "learner1"
    assert login(auth, "LEARNER1", "s3cret-s3cret") == "learner1"  # normalised
    assert login(auth, "learner1", "wrong") is None
    assert login(auth, "nobody", "s3cret-s3cret") is None
    assert login(auth, "learner1", "") is None


def test_not_activated_and_locked_accounts_say_why_in_the_pages_language(auth):
    for username in ("learner2", "learner3"):
        with pytest.raises(web.HTTPError) as caught:
            login(auth, username, "anything-at-all")  # no language chosen: Vietnamese
        assert caught.value.status_code == 403
        assert caught.value.log_message == VI(REFUSAL_MESSAGES[Refusal.NOT_ACTIVATED])
        assert caught.value.log_message.startswith("Tài khoản chưa được kích hoạt")
    with pytest.raises(web.HTTPError) as caught:
        login(auth, "learner2", "anything-at-all", EnglishPage())
    assert caught.value.log_message.startswith("This account is not activated yet")
    assert login(auth, "learner1", "wrong") is None
    assert login(auth, "learner1", "wrong") is None  # the second failure locks
    with pytest.raises(web.HTTPError) as caught:
        login(auth, "learner1", "s3cret-s3cret")
    assert caught.value.log_message \
        == "Tài khoản tạm khoá do nhập sai nhiều lần; thử lại sau 15 phút"
    with pytest.raises(web.HTTPError) as caught:
        login(auth, "learner1", "s3cret-s3cret", EnglishPage())
    assert caught.value.log_message \
        == "Too many failed attempts: the account is locked, try again in 15 min"


def test_change_password_follows_the_policy(auth):
    assert auth.change_password("learner1", "short") is None
    assert auth.change_password("learner1", "password123") is None  # common
    assert auth.change_password("learner1", "Mot-mat-khau-moi") is True
    assert login(auth, "learner1", "Mot-mat-khau-moi") == "learner1"
    assert auth.get_user("learner1").is_valid_password("Mot-mat-khau-moi")


POLICY = AccountPolicy(min_password_length=10)


@pytest.mark.parametrize(("password", "vietnamese", "english"), [
    ("ngan-qua", "Mật khẩu phải có ít nhất 10 ký tự.",
     "The password must have at least 10 characters."),
    ("password123", "Mật khẩu này quá phổ biến, dễ bị đoán.",
     "This password is too common and easy to guess."),
    ("nva-2026-mat-khau", "Mật khẩu không được chứa tên đăng nhập.",
     "The password must not contain the username."),
    ("ầ" * 25, "Mật khẩu quá dài (tối đa 72 byte).",
     "The password is too long (72 bytes at most)."),
])
def test_each_password_problem_is_said_in_one_language(password, vietnamese, english):
    problem = password_problem(password, "nva", POLICY)
    assert problem is not None
    # the command line's bilingual sentence says the same as the page
    assert describe_password_problem(problem, POLICY).endswith(english)
    assert password_problem_text(problem, POLICY, VI) == vietnamese
    assert password_problem_text(problem, POLICY, EN) == english
    refused = AccountRefused(Refusal.WEAK_PASSWORD, describe_password_problem(problem, POLICY),
                             password_problem=problem)
    assert refusal_text(refused, POLICY, VI, activation=True) == vietnamese


def test_every_password_problem_is_one_people_accounts_can_find():
    found = {password_problem_text(password_problem(p, "nva", POLICY), POLICY, EN)
             for p in ("ngan-qua", "password123", "nva-2026-mat-khau", "ầ" * 25)}
    values = {"min_length": 10, "max_bytes": 72}
    assert found == {message % values for message in PASSWORD_PROBLEMS.values()}
    assert set(PASSWORD_PROBLEMS) == set(PasswordProblem)


def test_an_activation_refusal_is_said_in_the_pages_language():
    wrong = AccountRefused(Refusal.WRONG, "Sai tên đăng nhập hoặc mã kích hoạt / ...")
    assert refusal_text(wrong, POLICY, VI, activation=True) == "Sai tên đăng nhập hoặc mã kích hoạt"
    assert refusal_text(wrong, POLICY, EN, activation=True) == "Invalid username or activation code"
    assert refusal_text(wrong, POLICY, EN) == "Invalid username or password"
    expired = AccountRefused(Refusal.CODE_EXPIRED, "...")
    assert refusal_text(expired, POLICY, VI, activation=True) \
        == "Mã kích hoạt đã hết hạn: hãy xin mã mới ở bộ phận tổ chức cán bộ"
    assert refusal_text(expired, POLICY, EN, activation=True) \
        == "The activation code has expired: ask your HR office for a new one"
    now = utc_now()
    locked = AccountRefused(Refusal.LOCKED, "...", now + timedelta(minutes=7, seconds=50))
    assert refusal_text(locked, POLICY, VI, activation=True, now=now) \
        == "Tài khoản tạm khoá do nhập sai nhiều lần; thử lại sau 8 phút"
    for refusal in Refusal:
        refused = AccountRefused(refusal, "bilingual / song ngữ", now + timedelta(minutes=1))
        for texts in (VI, EN):
            said = refusal_text(refused, POLICY, texts, activation=True, now=now)
            assert said and " / " not in said, (refusal, said)
