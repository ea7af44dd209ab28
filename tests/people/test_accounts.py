"""Hub accounts on NativeAuthenticator's table: codes, first password, lockout, reset, the
move of old scrypt hashes. On SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from datetime import timedelta

import bcrypt
import pytest
from nativeauthenticator.orm import UserInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from people.accounts import (
    NO_SECRET,
    AccountPolicy,
    AccountRefused,
    PasswordProblem,
    Refusal,
    activate,
    add_pending,
    change_own_password,
    check_login,
    import_legacy_hashes,
    issue_code,
    mark_deactivated,
    new_code,
    open_account_store,
    password_problem,
    set_password,
    statuses,
    unlock,
    utc_now,
)
from people.roster import AccountStatus
from tests.conftest import throwaway_postgres_database

POLICY = AccountPolicy(min_password_length=10, max_failures=3, lock_minutes=15,
                       code_valid_days=30)
GOOD = "Hoa-sen-nở-2026"


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request: pytest.FixtureRequest, tmp_path) -> Iterator[Session]:
    if request.param == "sqlite":
        sessions = open_account_store(f"sqlite:///{tmp_path / 'hub.sqlite'}")
        with sessions() as s:
            yield s
        sessions.kw["bind"].dispose()
        return
    with throwaway_postgres_database() as url:
        sessions = open_account_store(url)
        with sessions() as s:
            yield s
        sessions.kw["bind"].dispose()


def refusal(fn, *args, **kwargs) -> Refusal:  # type: ignore[no-untyped-def]
    with pytest.raises(AccountRefused) as caught:
        fn(*args, **kwargs)
    return caught.value.refusal


def test_an_imported_person_cannot_log_in_or_activate_before_a_code_is_issued(session):
    assert add_pending(session, ["nva", "ttb", "nva"]) == 2
    assert add_pending(session, ["nva"]) == 0  # idempotent
    session.commit()
    assert statuses(session) == {"nva": AccountStatus.NOT_ACTIVATED,
                                 "ttb": AccountStatus.NOT_ACTIVATED}
    assert refusal(check_login, session, "nva", "anything", POLICY) is Refusal.NOT_ACTIVATED
    assert refusal(activate, session, "nva", "AAAA-BBBB-CCCC", GOOD, POLICY) is Refusal.NO_CODE


def test_activation_code_sets_the_first_password_once(session):
    add_pending(session, ["nva"])
    code, expires = issue_code(session, "nva", POLICY)
    session.commit()
    assert expires - utc_now() > timedelta(days=29)
    stored = session.scalars(select(UserInfo.password)).one()
    assert code.encode() not in stored and stored.startswith(b"$2")  # a bcrypt hash
    # logging in with the code is not activating
    assert refusal(check_login, session, "nva", code, POLICY) is Refusal.NOT_ACTIVATED
    # typed in lower case with spaces around: still the code
    activate(session, "nva", f"  {code.lower()} ", GOOD, POLICY)
    session.commit()
    assert statuses(session) == {"nva": AccountStatus.ACTIVE}
    check_login(session, "nva", GOOD, POLICY)
    assert refusal(check_login, session, "nva", "Sai-mat-khau-1", POLICY) is Refusal.WRONG
    # the code works once
    assert refusal(activate, session, "nva", code, "Khac-hoan-toan-9", POLICY) \
        is Refusal.ALREADY_ACTIVE
    check_login(session, "nva", GOOD, POLICY)


@pytest.mark.parametrize(("password", "why"), [
    ("ngan-qua", "ít nhất 10"),
    ("password123", "phổ biến"),
    ("nva-2026-mat-khau", "tên đăng nhập"),
    ("ầ" * 25, "72 byte"),
])
def test_weak_first_passwords_are_refused_and_the_code_still_works(session, password, why):
    assert password_problem(password, "nva", POLICY) is not None
    add_pending(session, ["nva"])
    code, _ = issue_code(session, "nva", POLICY)
    with pytest.raises(AccountRefused) as caught:
        activate(session, "nva", code, password, POLICY)
    assert caught.value.refusal is Refusal.WEAK_PASSWORD and why in caught.value.message
    activate(session, "nva", code, GOOD, POLICY)
    check_login(session, "nva", GOOD, POLICY)


def test_common_password_list_is_nativeauthenticators():
    assert password_problem("qwertyuiop", "x", POLICY) is not None
    assert password_problem("QWERTYUIOP", "x", POLICY) is not None
    assert password_problem(GOOD, "x", POLICY) is None


def test_expired_code_is_refused(session):
    add_pending(session, ["nva"])
    code, expires = issue_code(session, "nva", POLICY)
    later = expires + timedelta(minutes=1)
    assert refusal(activate, session, "nva", code, GOOD, POLICY, now=later) \
        is Refusal.CODE_EXPIRED


def test_repeated_failures_lock_the_account_for_a_while(session):
    set_password(session, "nva", GOOD)
    session.commit()
    now = utc_now()
    for _ in range(POLICY.max_failures - 1):
        assert refusal(check_login, session, "nva", "wrong-wrong", POLICY, now=now) \
            is Refusal.WRONG
    session.commit()
    assert refusal(check_login, session, "nva", "wrong-wrong", POLICY, now=now) is Refusal.WRONG
    session.commit()
    assert statuses(session, now) == {"nva": AccountStatus.LOCKED}
    # locked: even the right password is refused, and the message says for how long
    with pytest.raises(AccountRefused) as caught:
        check_login(session, "nva", GOOD, POLICY, now=now + timedelta(minutes=1))
    assert caught.value.refusal is Refusal.LOCKED and "14 min" in caught.value.message
    # after the lock time the right password works, and the count starts again
    check_login(session, "nva", GOOD, POLICY, now=now + timedelta(minutes=16))
    assert statuses(session, now + timedelta(minutes=16)) == {"nva": AccountStatus.ACTIVE}


def test_changing_ones_password_checks_the_current_one_like_a_login(session):
    """A wrong current password counts toward the lock (someone at a shared office PC with
    a session left open cannot guess without limit); a weak new one is refused and changes
    nothing; the change works with the right one."""
    set_password(session, "nva", GOOD)
    session.commit()
    now = utc_now()
    better = "Sen-hồng-nở-2027"
    with pytest.raises(AccountRefused) as caught:
        change_own_password(session, "nva", GOOD, "password123", POLICY, now=now)
    assert caught.value.refusal is Refusal.WEAK_PASSWORD
    assert caught.value.password_problem is PasswordProblem.COMMON
    check_login(session, "nva", GOOD, POLICY, now=now)  # unchanged
    for _ in range(POLICY.max_failures):
        assert refusal(change_own_password, session, "nva", "wrong-wrong", better, POLICY,
                       now=now) is Refusal.WRONG
    session.commit()
    assert statuses(session, now) == {"nva": AccountStatus.LOCKED}
    assert refusal(change_own_password, session, "nva", GOOD, better, POLICY,
                   now=now + timedelta(minutes=1)) is Refusal.LOCKED
    later = now + timedelta(minutes=16)
    change_own_password(session, "nva", GOOD, better, POLICY, now=later)
    session.commit()
    check_login(session, "nva", better, POLICY, now=later)
    assert refusal(check_login, session, "nva", GOOD, POLICY, now=later) is Refusal.WRONG


def test_wrong_codes_count_toward_the_lock_and_an_admin_can_unlock(session):
    add_pending(session, ["nva"])
    code, _ = issue_code(session, "nva", POLICY)
    for _ in range(POLICY.max_failures):
        refusal(activate, session, "nva", new_code(), GOOD, POLICY)
    assert refusal(activate, session, "nva", code, GOOD, POLICY) is Refusal.LOCKED
    assert unlock(session, "nva") is True
    assert unlock(session, "nva") is False
    activate(session, "nva", code, GOOD, POLICY)


def test_reset_removes_the_password_and_issues_a_new_code(session):
    set_password(session, "nva", GOOD)
    code, _ = issue_code(session, "nva", POLICY)  # the admin's reset
    session.commit()
    assert statuses(session) == {"nva": AccountStatus.NOT_ACTIVATED}
    assert refusal(check_login, session, "nva", GOOD, POLICY) is Refusal.NOT_ACTIVATED
    activate(session, "nva", code, "Mat-khau-moi-123", POLICY)
    check_login(session, "nva", "Mat-khau-moi-123", POLICY)
    assert refusal(check_login, session, "nva", GOOD, POLICY) is Refusal.WRONG


def test_unknown_user_is_just_wrong(session):
    assert refusal(check_login, session, "ghost", GOOD, POLICY) is Refusal.WRONG
    assert refusal(activate, session, "ghost", new_code(), GOOD, POLICY) is Refusal.WRONG
    assert statuses(session) == {}


def _old_scrypt_hash(password: str) -> str:
    """What the academy stored before NativeAuthenticator (hub_config/passwords.py)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_old_scrypt_hashes_move_and_become_bcrypt_at_the_next_login(session):
    moved = import_legacy_hashes(session, {"learner1": _old_scrypt_hash("cu-mat-khau-1")})
    assert moved == 1
    session.commit()
    assert refusal(check_login, session, "learner1", "sai-mat-khau", POLICY) is Refusal.WRONG
    check_login(session, "learner1", "cu-mat-khau-1", POLICY)
    session.commit()
    stored = session.scalars(select(UserInfo.password)).one()
    assert stored.startswith(b"$2") and bcrypt.checkpw(b"cu-mat-khau-1", stored)
    check_login(session, "learner1", "cu-mat-khau-1", POLICY)
    # moving again never overwrites an active account
    assert import_legacy_hashes(session, {"learner1": _old_scrypt_hash("x")}) == 0


def test_no_secret_matches_nothing(session):
    add_pending(session, ["nva"])
    session.commit()
    assert session.scalars(select(UserInfo.password)).one() == NO_SECRET
    info = session.scalars(select(UserInfo)).one()
    info.is_authorized = True  # even if someone flipped the flag by hand
    assert refusal(check_login, session, "nva", NO_SECRET.decode(), POLICY) is Refusal.WRONG


def test_a_person_who_left_the_roster_is_refused_at_once_and_back_when_reimported(session):
    set_password(session, "nva", GOOD)
    add_pending(session, ["ttb"])
    issue_code(session, "ttb", POLICY)
    code, _ = issue_code(session, "ttb", POLICY)
    mark_deactivated(session, {"nva", "ttb", "not-in-store"})
    session.commit()
    assert statuses(session) == {"nva": AccountStatus.DEACTIVATED,
                                 "ttb": AccountStatus.DEACTIVATED}
    assert refusal(check_login, session, "nva", GOOD, POLICY) is Refusal.DEACTIVATED
    assert refusal(activate, session, "ttb", code, GOOD, POLICY) is Refusal.DEACTIVATED
    mark_deactivated(session, set())
    check_login(session, "nva", GOOD, POLICY)
    activate(session, "ttb", code, GOOD, POLICY)
