"""Hub accounts: activation codes, the first password, lockout and an admin's reset.

Passwords belong to jupyterhub-nativeauthenticator: its ``users_info`` table in the hub's
database, bcrypt hashes that carry their own salt and cost, and its list of common
passwords. This module adds what a province needs on top of it, in one companion table
(``academy_accounts``) of the same database:

- a person imported from the personnel file is *not yet activated*: their ``users_info``
  row holds no usable secret until HR exports activation codes (``academy accounts codes``);
- the code is stored as a bcrypt hash in the ``users_info`` row and expires; with it the
  person chooses their own password (``/hub/activate``), checked for length, for being a
  common password and for containing the username;
- repeated failures (password or code) lock the account for a while, across hub restarts;
- an admin's reset issues a new code and removes the password.

Every function takes a SQLAlchemy ``Session``; the caller owns the transaction. Times are
naive UTC (SQLite keeps no time zone).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from urllib.parse import urlencode

import bcrypt
from jupyterhub.orm import Base, new_session_factory
from nativeauthenticator.orm import UserInfo
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from people.roster import AccountStatus, Person

# a random code is guessed in 2**59 tries; a slow hash adds nothing but hours to an export
# of 13,500 codes, so codes use bcrypt's lowest cost. Passwords use bcrypt's default.
CODE_ROUNDS = 4
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# what a not-yet-activated row holds instead of a hash: matches no password or code
NO_SECRET = b"!no-secret"
LEGACY_PREFIX = "scrypt$"
MAX_PASSWORD_BYTES = 72  # bcrypt's limit
_LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # the parameters hub_config/passwords.py used


class AccountState(Base):
    """What NativeAuthenticator's ``users_info`` does not keep: code expiry and lockout."""

    __tablename__ = "academy_accounts"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    code_expires: Mapped[datetime | None] = mapped_column(default=None)
    activated_at: Mapped[datetime | None] = mapped_column(default=None)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    # gone from the personnel file: refused at once, without waiting for a hub restart
    deactivated: Mapped[bool] = mapped_column(default=False)


@dataclass(frozen=True)
class AccountPolicy:
    min_password_length: int = 10
    max_failures: int = 5
    lock_minutes: int = 15
    code_valid_days: int = 30


class Refusal(StrEnum):
    """Why a login or an activation was refused."""

    WRONG = "wrong"
    DEACTIVATED = "deactivated"
    NOT_ACTIVATED = "not activated"
    LOCKED = "locked"
    ALREADY_ACTIVE = "already active"
    NO_CODE = "no code"
    CODE_EXPIRED = "code expired"
    WEAK_PASSWORD = "weak password"  # noqa: S105 (a reason, not a password)


class AccountRefused(Exception):
    """A login or activation was refused; ``message`` says why, in Vietnamese and English."""

    def __init__(self, refusal: Refusal, message: str, locked_until: datetime | None = None,
                 password_problem: PasswordProblem | None = None):
        super().__init__(message)
        self.refusal = refusal
        self.message = message
        self.locked_until = locked_until
        self.password_problem = password_problem  # with Refusal.WEAK_PASSWORD


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def open_account_store(db_url: str) -> sessionmaker[Session]:
    """Sessions on the hub's database, created and stamped the way the hub itself does
    (``jupyterhub.orm.new_session_factory``), with NativeAuthenticator's table and ours."""
    return new_session_factory(db_url)


def new_password() -> str:
    """A random password that is easy to type, for the demo accounts: four groups of four
    lowercase letters and digits (79 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def new_code() -> str:
    """A one-time activation code, easy to read aloud: XXXX-XXXX-XXXX (59 bits)."""
    return "-".join(
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(3)
    )


def _normal_code(code: str) -> bytes:
    return code.strip().upper().replace(" ", "").encode()


# --- queries ------------------------------------------------------------------------------
def find_account(session: Session, username: str) -> UserInfo | None:
    return session.scalars(
        select(UserInfo).where(UserInfo.username == username).execution_options(
            populate_existing=True
        )
    ).first()


def _state(session: Session, username: str) -> AccountState:
    state = session.get(AccountState, username, populate_existing=True)
    if state is None:
        state = AccountState(username=username, failures=0)
        session.add(state)
    return state


def statuses(session: Session, now: datetime | None = None) -> dict[str, AccountStatus]:
    """The account status of every username the store knows (missing = not activated)."""
    now = now or utc_now()
    result = {
        info.username: AccountStatus.ACTIVE if info.is_authorized else AccountStatus.NOT_ACTIVATED
        for info in session.scalars(select(UserInfo))
    }
    for state in session.scalars(select(AccountState).where(AccountState.locked_until > now)):
        if state.username in result:
            result[state.username] = AccountStatus.LOCKED
    for username in session.scalars(
        select(AccountState.username).where(AccountState.deactivated.is_(True))
    ):
        if username in result:
            result[username] = AccountStatus.DEACTIVATED
    return result


# --- provisioning (the `academy` command) ---------------------------------------------------
def set_password(session: Session, username: str, password: str) -> None:
    """An active account with this password (the demo accounts)."""
    info = find_account(session, username)
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    if info is None:
        session.add(UserInfo(username=username, password=hashed, is_authorized=True))
    else:
        info.password, info.is_authorized = hashed, True
    state = _state(session, username)
    state.activated_at, state.code_expires = utc_now(), None
    state.failures, state.locked_until = 0, None


def add_pending(session: Session, usernames: list[str]) -> int:
    """Not-yet-activated accounts for the usernames that have none; how many were added."""
    known = set(session.scalars(select(UserInfo.username)))
    new = [u for u in dict.fromkeys(usernames) if u not in known]
    session.add_all(UserInfo(username=u, password=NO_SECRET, is_authorized=False) for u in new)
    return len(new)


def mark_deactivated(session: Session, deactivated: set[str]) -> None:
    """Refuse exactly these usernames from now on (people who left the roster); the
    others are allowed again. Their records and password stay."""
    states = {s.username: s for s in session.scalars(select(AccountState))}
    known = set(session.scalars(select(UserInfo.username)))
    for username in deactivated - states.keys():
        if username in known:
            states[username] = _state(session, username)
    for username, state in states.items():
        state.deactivated = username in deactivated


def issue_code(
    session: Session, username: str, policy: AccountPolicy = AccountPolicy(),
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """A new activation code for ``username`` and when it expires. The account's password
    and any earlier code stop working: this is also an admin's reset."""
    now = now or utc_now()
    code = new_code()
    hashed = bcrypt.hashpw(_normal_code(code), bcrypt.gensalt(rounds=CODE_ROUNDS))
    info = find_account(session, username)
    if info is None:
        session.add(UserInfo(username=username, password=hashed, is_authorized=False))
    else:
        info.password, info.is_authorized = hashed, False
    state = _state(session, username)
    state.code_expires = now + timedelta(days=policy.code_valid_days)
    state.activated_at, state.failures, state.locked_until = None, 0, None
    return code, state.code_expires


def unlock(session: Session, username: str) -> bool:
    """Lift a lockout; False if the account was not locked."""
    state = session.get(AccountState, username)
    if state is None or state.locked_until is None:
        return False
    state.failures, state.locked_until = 0, None
    return True


def import_legacy_hashes(session: Session, hashes: dict[str, str]) -> int:
    """Carry the scrypt hashes of an installation made before NativeAuthenticator into its
    table; each is replaced by a bcrypt hash at that person's next login."""
    moved = 0
    for username, stored in hashes.items():
        info = find_account(session, username)
        if info is not None and info.is_authorized:
            continue
        if info is None:
            session.add(UserInfo(username=username, password=stored.encode(),
                                 is_authorized=True))
        else:
            info.password, info.is_authorized = stored.encode(), True
        moved += 1
    return moved


# --- the hub: login and activation -----------------------------------------------------------
def check_login(
    session: Session, username: str, password: str, policy: AccountPolicy,
    now: datetime | None = None,
) -> None:
    """Return if ``password`` logs ``username`` in; raise AccountRefused otherwise. Counts
    failures and locks the account after ``policy.max_failures`` of them."""
    now = now or utc_now()
    info, state = _usable_account(session, username, now, WRONG_MESSAGE)
    if not info.is_authorized:
        raise AccountRefused(Refusal.NOT_ACTIVATED, NOT_ACTIVATED_MESSAGE)
    if not _password_matches(info, password):
        _count_failure(state, policy, now)
        raise AccountRefused(Refusal.WRONG, WRONG_MESSAGE)
    state.failures, state.locked_until = 0, None


def activate(
    session: Session, username: str, code: str, password: str, policy: AccountPolicy,
    now: datetime | None = None,
) -> None:
    """Set the first password of ``username`` with their activation code, or raise
    AccountRefused saying what is wrong."""
    now = now or utc_now()
    info, state = _usable_account(session, username, now, WRONG_CODE_MESSAGE)
    if info.is_authorized:
        raise AccountRefused(Refusal.ALREADY_ACTIVE, ALREADY_ACTIVE_MESSAGE)
    if info.password == NO_SECRET or state.code_expires is None:
        raise AccountRefused(Refusal.NO_CODE, NO_CODE_MESSAGE)
    if not _bcrypt_matches(_normal_code(code), info.password):
        _count_failure(state, policy, now)
        raise AccountRefused(Refusal.WRONG, WRONG_CODE_MESSAGE)
    if now > state.code_expires:
        raise AccountRefused(Refusal.CODE_EXPIRED, CODE_EXPIRED_MESSAGE)
    problem = password_problem(password, username, policy)
    if problem:
        raise AccountRefused(Refusal.WEAK_PASSWORD, describe_password_problem(problem, policy),
                             password_problem=problem)
    info.password = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    info.is_authorized = True
    state.activated_at, state.code_expires, state.failures = now, None, 0


def change_own_password(
    session: Session, username: str, current: str, new: str, policy: AccountPolicy,
    now: datetime | None = None,
) -> None:
    """A logged-in person changes their password: ``current`` is checked as a login is (a
    wrong one counts toward the lockout, a locked or deactivated account is refused), then
    ``new`` against the password rules. AccountRefused says what is wrong."""
    check_login(session, username, current, policy, now)
    problem = password_problem(new, username, policy)
    if problem:
        raise AccountRefused(Refusal.WEAK_PASSWORD, describe_password_problem(problem, policy),
                             password_problem=problem)
    set_password(session, username, new)


class PasswordProblem(StrEnum):
    """Why a new password is refused (the pages say it in their language, hub_config)."""

    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    COMMON = "common"
    CONTAINS_USERNAME = "contains_username"


def password_problem(password: str, username: str,
                     policy: AccountPolicy) -> PasswordProblem | None:
    """What is wrong with a new password (None if nothing): too long for bcrypt, too short,
    a common password, or the username in it."""
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return PasswordProblem.TOO_LONG
    if len(password) < policy.min_password_length:
        return PasswordProblem.TOO_SHORT
    if password.lower() in common_passwords():
        return PasswordProblem.COMMON
    if username and username.lower() in password.lower():
        return PasswordProblem.CONTAINS_USERNAME
    return None


def describe_password_problem(problem: PasswordProblem, policy: AccountPolicy) -> str:
    """``problem`` in Vietnamese and English, for logs and the command line."""
    n = policy.min_password_length
    return {
        PasswordProblem.TOO_LONG: (f"Mật khẩu quá dài (tối đa {MAX_PASSWORD_BYTES} byte) / "
                                   f"The password is too long ({MAX_PASSWORD_BYTES} bytes "
                                   "at most)."),
        PasswordProblem.TOO_SHORT: (f"Mật khẩu phải có ít nhất {n} ký tự / "
                                    f"The password must have at least {n} characters."),
        PasswordProblem.COMMON: ("Mật khẩu này quá phổ biến, dễ bị đoán / "
                                 "This password is too common and easy to guess."),
        PasswordProblem.CONTAINS_USERNAME: ("Mật khẩu không được chứa tên đăng nhập / "
                                            "The password must not contain the username."),
    }[problem]


@cache
def common_passwords() -> frozenset[str]:
    """NativeAuthenticator's list of common passwords (lower-cased)."""
    text = (resources.files("nativeauthenticator") / "common-credentials.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _usable_account(
    session: Session, username: str, now: datetime, unknown_message: str
) -> tuple[UserInfo, AccountState]:
    """The account and its state, or AccountRefused: unknown (``unknown_message``, the
    same as a wrong secret), deactivated, or locked."""
    info = find_account(session, username)
    if info is None:
        raise AccountRefused(Refusal.WRONG, unknown_message)
    state = _state(session, username)
    if state.deactivated:
        raise AccountRefused(Refusal.DEACTIVATED, DEACTIVATED_MESSAGE)
    if state.locked_until is not None and now < state.locked_until:
        minutes = max(1, round((state.locked_until - now).total_seconds() / 60))
        raise AccountRefused(Refusal.LOCKED, locked_message(minutes), state.locked_until)
    return info, state


def _count_failure(state: AccountState, policy: AccountPolicy, now: datetime) -> None:
    state.failures = (state.failures or 0) + 1
    if state.failures >= policy.max_failures:
        state.locked_until = now + timedelta(minutes=policy.lock_minutes)
        state.failures = 0


def _password_matches(info: UserInfo, password: str) -> bool:
    stored: bytes = info.password
    if stored.startswith(LEGACY_PREFIX.encode()):
        if not _legacy_matches(password, stored.decode()):
            return False
        info.password = bcrypt.hashpw(password.encode(), bcrypt.gensalt())  # upgraded
        return True
    return _bcrypt_matches(password.encode(), stored)


def _bcrypt_matches(secret: bytes, stored: bytes) -> bool:
    try:
        return bcrypt.checkpw(secret, stored)
    except ValueError:  # NO_SECRET, or a damaged hash
        return False


def _legacy_matches(password: str, stored: str) -> bool:
    """Verify a hash written by the academy before NativeAuthenticator (never writes one)."""
    try:
        _, salt_b64, digest_b64 = stored.split("$")
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=len(expected), **_LEGACY_SCRYPT)
    return hmac.compare_digest(digest, expected)


# --- what people read ------------------------------------------------------------------------
WRONG_MESSAGE = "Sai tên đăng nhập hoặc mật khẩu / Invalid username or password"
WRONG_CODE_MESSAGE = "Sai tên đăng nhập hoặc mã kích hoạt / Invalid username or activation code"
DEACTIVATED_MESSAGE = (
    "Tài khoản đã ngừng hoạt động (không còn trong danh sách cán bộ); hồ sơ học tập vẫn được "
    "lưu / This account is deactivated (no longer on the staff roster); its records are kept"
)
NOT_ACTIVATED_MESSAGE = (
    "Tài khoản chưa được kích hoạt: hãy kích hoạt bằng mã do bộ phận tổ chức cán bộ cấp / "
    "This account is not activated yet: activate it with the code from your HR office"
)
ALREADY_ACTIVE_MESSAGE = (
    "Tài khoản đã được kích hoạt: hãy đăng nhập, hoặc nhờ quản trị viên đặt lại / "
    "This account is already active: log in, or ask an administrator to reset it"
)
NO_CODE_MESSAGE = (
    "Chưa có mã kích hoạt cho tài khoản này: hãy liên hệ bộ phận tổ chức cán bộ / "
    "No activation code has been issued for this account yet: ask your HR office"
)
CODE_EXPIRED_MESSAGE = (
    "Mã kích hoạt đã hết hạn: hãy xin mã mới ở bộ phận tổ chức cán bộ / "
    "The activation code has expired: ask your HR office for a new one"
)


def locked_message(minutes: int) -> str:
    return (f"Tài khoản tạm khoá do nhập sai nhiều lần; thử lại sau {minutes} phút / "
            f"Too many failed attempts: the account is locked, try again in {minutes} min")


# --- the code sheet HR hands out ---------------------------------------------------------------
CODE_SHEET_COLUMNS = (
    "employee_id", "full_name", "agency", "unit", "username", "activation_code",
    "activation_link", "valid_until",
)


def activation_link(public_url: str, username: str, code: str) -> str:
    """The link that opens the activation page with the username and code filled in."""
    query = urlencode({"username": username, "code": code})
    return f"{public_url.rstrip('/')}/hub/activate?{query}"


def code_sheet_row(person: Person, code: str, expires: datetime, public_url: str) -> list[str]:
    return [person.employee_id, person.full_name, person.agency, person.unit, person.username,
            code, activation_link(public_url, person.username, code), expires.date().isoformat()]


def account_status(person: Person, known: dict[str, AccountStatus]) -> AccountStatus:
    """What ``academy roster list`` shows: deactivated from the roster, the rest from the
    account store."""
    if not person.can_log_in:
        return AccountStatus.DEACTIVATED
    return known.get(person.username, AccountStatus.NOT_ACTIVATED)
