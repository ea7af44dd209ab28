"""The hub's authenticator: NativeAuthenticator with the academy's account rules."""

import pytest
from tornado import web

from common.event_loop import run_coroutine
from hub_config.authenticator import AcademyAuthenticator
from people.accounts import add_pending, issue_code, new_password, open_account_store, set_password


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


def login(auth, username, password):
    return run_coroutine(auth.authenticate(None, {"username": username, "password": password}))


def test_authenticator_accepts_only_the_right_password(auth):
    assert not auth.enable_signup and auth.check_common_password
    assert login(auth, "learner1", "s3cret-s3cret") == "learner1"
    assert login(auth, "LEARNER1", "s3cret-s3cret") == "learner1"  # normalised
    assert login(auth, "learner1", "wrong") is None
    assert login(auth, "nobody", "s3cret-s3cret") is None
    assert login(auth, "learner1", "") is None


def test_not_activated_and_locked_accounts_say_why(auth):
    for username in ("learner2", "learner3"):
        with pytest.raises(web.HTTPError) as caught:
            login(auth, username, "anything-at-all")
        assert caught.value.status_code == 403 and "not activated" in caught.value.log_message
    assert login(auth, "learner1", "wrong") is None
    assert login(auth, "learner1", "wrong") is None  # the second failure locks
    with pytest.raises(web.HTTPError) as caught:
        login(auth, "learner1", "s3cret-s3cret")
    assert "locked" in caught.value.log_message


def test_change_password_follows_the_policy(auth):
    assert auth.change_password("learner1", "short") is None
    assert auth.change_password("learner1", "password123") is None  # common
    assert auth.change_password("learner1", "Mot-mat-khau-moi") is True
    assert login(auth, "learner1", "Mot-mat-khau-moi") == "learner1"
    assert auth.get_user("learner1").is_valid_password("Mot-mat-khau-moi")
