"""The hub's authenticator: NativeAuthenticator, with activation codes, lockout and reset.

jupyterhub-nativeauthenticator keeps the passwords (bcrypt, in its ``users_info`` table of
the hub's database) and checks their strength. The academy adds, in ``people.accounts``:
activation codes that HR hands out, a first password the person chooses, lockout after
repeated failures that survives a restart, and an admin's reset. Sign-up is off: accounts
come from the roster (``academy roster import``).

Pages it adds to the hub:
- ``/hub/activate``: username, activation code, new password (linked from the login page);
- ``/hub/change-password``: NativeAuthenticator's page, for a logged-in person;
- ``/hub/reset-account/<username>``: admins only; a new activation code, shown once.

Like the login page, they speak the platform's language (``hub_config.page_language``:
Vietnamese by default, English on switch). ``people.accounts`` says why it refuses with a
``Refusal`` and a bilingual message for logs and the command line; the pages show the
refusal's own text from ``REFUSAL_MESSAGES`` and ``PASSWORD_PROBLEMS`` (English msgids of
``hub_config/translations``), in the page's language.

It uses its own database connections (the hub's shared session is deprecated for
authenticators), on the hub's database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from jupyterhub.handlers.login import LoginHandler
from jupyterhub.scopes import needs_scope
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import ChangePasswordHandler
from nativeauthenticator.orm import UserInfo
from sqlalchemy import create_engine, delete
from sqlalchemy.orm import Session, sessionmaker
from tornado import web
from traitlets import Integer, Unicode, default

from common.i18n import DEFAULT_LANGUAGE, N_
from hub_config.page_language import PageLanguageMixin, catalogue
from people.accounts import (
    MAX_PASSWORD_BYTES,
    AccountPolicy,
    AccountRefused,
    AccountState,
    PasswordProblem,
    Refusal,
    activate,
    change_own_password,
    check_login,
    find_account,
    issue_code,
    password_problem,
    set_password,
    utc_now,
)

T = TypeVar("T")
Texts = Callable[[str], str]

# --- what the pages say, as English msgids (translated where they are shown) ---------------
#: why a login or an activation was refused. A wrong password at login is the hub's own
#: "Invalid username or password"; a weak password says which rule it breaks
#: (PASSWORD_PROBLEMS); a lock says for how long (``minutes``).
REFUSAL_MESSAGES: dict[Refusal, str] = {
    Refusal.WRONG: N_("Invalid username or password"),
    Refusal.DEACTIVATED: N_("This account is deactivated (no longer on the staff roster); "
                            "its records are kept"),
    Refusal.NOT_ACTIVATED: N_("This account is not activated yet: activate it with the code "
                              "from your HR office"),
    Refusal.LOCKED: N_("Too many failed attempts: the account is locked, try again in "
                       "%(minutes)d min"),
    Refusal.ALREADY_ACTIVE: N_("This account is already active: log in, or ask an "
                               "administrator to reset it"),
    Refusal.NO_CODE: N_("No activation code has been issued for this account yet: ask your "
                        "HR office"),
    Refusal.CODE_EXPIRED: N_("The activation code has expired: ask your HR office for a new "
                             "one"),
    Refusal.WEAK_PASSWORD: N_("This password cannot be used: choose another one"),
}
#: Refusal.WRONG on the activation page: an unknown username or a wrong code
WRONG_CODE_MESSAGE = N_("Invalid username or activation code")
#: what ``people.accounts.password_problem`` finds (``min_length`` and ``max_bytes`` filled in)
PASSWORD_PROBLEMS: dict[PasswordProblem, str] = {
    PasswordProblem.TOO_LONG: N_("The password is too long (%(max_bytes)d bytes at most)."),
    PasswordProblem.TOO_SHORT: N_("The password must have at least %(min_length)d "
                                  "characters."),
    PasswordProblem.COMMON: N_("This password is too common and easy to guess."),
    PasswordProblem.CONTAINS_USERNAME: N_("The password must not contain the username."),
}
PASSWORDS_DIFFER_MESSAGE = N_("The two passwords do not match")
NO_SUCH_ACCOUNT_MESSAGE = N_("No such account")
WRONG_CURRENT_PASSWORD_MESSAGE = N_("Your current password is incorrect.")
PASSWORD_CHANGED_MESSAGE = N_("Your password has been changed.")


def password_problem_text(problem: PasswordProblem | None, policy: AccountPolicy,
                          texts: Texts) -> str:
    """Why a new password is refused, in the language of ``texts``."""
    if problem is None:
        return texts(REFUSAL_MESSAGES[Refusal.WEAK_PASSWORD])
    values = {"min_length": policy.min_password_length, "max_bytes": MAX_PASSWORD_BYTES}
    return texts(PASSWORD_PROBLEMS[problem]) % values


def refusal_text(refused: AccountRefused, policy: AccountPolicy, texts: Texts, *,
                 activation: bool = False, now: datetime | None = None) -> str:
    """Why ``refused``, in the language of ``texts``: on the activation page
    (``activation``) or the login page."""
    refusal = refused.refusal
    if refusal is Refusal.WEAK_PASSWORD:
        return password_problem_text(refused.password_problem, policy, texts)
    if refusal is Refusal.WRONG and activation:
        return texts(WRONG_CODE_MESSAGE)
    if refusal is Refusal.LOCKED:
        minutes = policy.lock_minutes
        if refused.locked_until is not None:  # as people.accounts counts them
            left = (refused.locked_until - (now or utc_now())).total_seconds()
            minutes = max(1, round(left / 60))
        return texts(REFUSAL_MESSAGES[refusal]) % {"minutes": minutes}
    return texts(REFUSAL_MESSAGES[refusal])


class AcademyAuthenticator(NativeAuthenticator):
    """Logs in the roster's people; see the module docstring."""

    db_url = Unicode(config=True, help="The database of the accounts (default: the hub's).")
    code_valid_days = Integer(30, config=True, help="Days an activation code stays valid.")

    @default("db_url")
    def _hub_db_url(self) -> str:
        return str(getattr(self.parent, "db_url", "") or "sqlite:///jupyterhub.sqlite")

    # NativeAuthenticator's settings, with the academy's defaults
    @default("enable_signup")
    def _no_signup(self) -> bool:
        return False

    @default("check_common_password")
    def _check_common(self) -> bool:
        return True

    @default("minimum_password_length")
    def _min_length(self) -> int:
        return 10

    @default("allowed_failed_logins")
    def _max_failures(self) -> int:
        return 5

    @default("seconds_before_next_try")
    def _lock_seconds(self) -> int:
        return 900

    def __init__(self, **kwargs: object) -> None:
        # add_new_table=False: the tables are made by `academy init` (people.accounts)
        super().__init__(add_new_table=False, **kwargs)
        engine = create_engine(self.db_url)
        AccountState.metadata.create_all(
            engine, tables=[UserInfo.__table__, AccountState.__table__]
        )
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    @property
    def policy(self) -> AccountPolicy:
        return AccountPolicy(
            min_password_length=self.minimum_password_length,
            max_failures=max(1, self.allowed_failed_logins),
            lock_minutes=max(1, self.seconds_before_next_try // 60),
            code_valid_days=self.code_valid_days,
        )

    def in_transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction, committed even when it refuses (a failure
        counts toward the lockout)."""
        with self._sessions() as session:
            try:
                result = work(session)
            except AccountRefused:
                session.commit()
                raise
            session.commit()
            return result

    async def authenticate(self, handler, data):  # type: ignore[override]
        username = self.normalize_username((data or {}).get("username", ""))
        password = (data or {}).get("password", "")
        if not username or not password:
            return None
        try:
            # bcrypt takes a quarter of a second: not on the hub's event loop
            await asyncio.to_thread(
                self.in_transaction, lambda s: check_login(s, username, password, self.policy)
            )
        except AccountRefused as refused:
            self.log.warning("Login refused for %r: %s", username, refused.refusal)
            if refused.refusal is Refusal.WRONG:
                return None  # the hub's own "invalid username or password"
            # the login page (or the activation page logging the person in) says why, in
            # its language
            texts = (handler.page_texts() if isinstance(handler, PageLanguageMixin)
                     else catalogue(DEFAULT_LANGUAGE).gettext)
            raise web.HTTPError(403, refusal_text(refused, self.policy, texts)) from None
        return username

    # --- what NativeAuthenticator's change-password page calls ------------------------------
    def get_user(self, username: str) -> UserInfo | None:
        return self.in_transaction(
            lambda s: find_account(s, self.normalize_username(username)))

    def change_password(self, username: str, new_password: str) -> bool | None:
        if password_problem(new_password, username, self.policy):
            return None

        def change(session: Session) -> bool:
            set_password(session, username, new_password)
            return True

        return self.in_transaction(change)

    def delete_user(self, user):  # type: ignore[no-untyped-def]
        def forget(session: Session) -> None:
            session.execute(delete(UserInfo).where(UserInfo.username == user.name))
            session.execute(delete(AccountState).where(AccountState.username == user.name))

        self.in_transaction(forget)
        return Authenticator.delete_user(self, user)

    def get_handlers(self, app):  # type: ignore[no-untyped-def]
        return [
            (r"/login", AcademyLoginHandler),
            (r"/activate", ActivateHandler),
            (r"/change-password", AcademyChangePasswordHandler),
            (r"/reset-account/([^/]+)", ResetAccountHandler),
        ]


class AcademyLoginHandler(PageLanguageMixin, LoginHandler):
    """JupyterHub's login page, in the platform's language (``hub_config.page_language``)."""


class ActivateHandler(PageLanguageMixin, BaseHandler):
    """``/hub/activate``: the first password, chosen with the activation code."""

    async def get(self) -> None:
        await self._page(username=self.get_argument("username", ""),
                         code=self.get_argument("code", ""))

    async def post(self) -> None:
        authenticator: AcademyAuthenticator = self.authenticator
        username = authenticator.normalize_username(self.get_body_argument("username", ""))
        code = self.get_body_argument("code", "")
        password = self.get_body_argument("password", "", strip=False)
        confirmation = self.get_body_argument("password_confirmation", "", strip=False)
        texts = self.page_texts()
        if password != confirmation:
            self.set_status(400)
            await self._page(username=username, code=code,
                             error=texts(PASSWORDS_DIFFER_MESSAGE))
            return
        try:
            await asyncio.to_thread(authenticator.in_transaction, lambda s: activate(
                s, username, code, password, authenticator.policy))
        except AccountRefused as refused:
            self.log.warning("Activation refused for %r: %s", username, refused.refusal)
            self.set_status(403 if refused.refusal is Refusal.LOCKED else 400)
            await self._page(username=username, code=code, error=refusal_text(
                refused, authenticator.policy, texts, activation=True))
            return
        self.log.info("Account activated: %s", username)
        user = await self.login_user({"username": username, "password": password})
        if user is None:  # activated, but not (or no longer) on the roster
            await self._page(username=username, activated=True)
            return
        self.redirect(self.get_next_url(user))

    async def _page(self, username: str = "", code: str = "", error: str = "",
                    activated: bool = False) -> None:
        html = await self.render_template(
            "activate.html", username=username, code=code, error=error, activated=activated,
            min_length=self.authenticator.minimum_password_length,
        )
        self.finish(html)


class ResetAccountHandler(PageLanguageMixin, BaseHandler):
    """``/hub/reset-account/<username>`` (admins): remove the password, issue a new code."""

    @needs_scope("admin:users")
    async def get(self, username: str) -> None:
        await self._page(username)

    @needs_scope("admin:users")
    async def post(self, username: str) -> None:
        authenticator: AcademyAuthenticator = self.authenticator
        if authenticator.get_user(username) is None:
            raise web.HTTPError(404, self.page_texts()(NO_SUCH_ACCOUNT_MESSAGE))
        code, expires = authenticator.in_transaction(
            lambda s: issue_code(s, username, authenticator.policy))
        self.log.info("Account reset by %s: %s", self.current_user.name, username)
        await self._page(username, code=code, expires=expires.strftime("%Y-%m-%d"))

    async def _page(self, username: str, code: str = "", expires: str = "") -> None:
        if self.authenticator.get_user(username) is None:
            raise web.HTTPError(404, self.page_texts()(NO_SUCH_ACCOUNT_MESSAGE))
        html = await self.render_template(
            "reset-account.html", account=username, code=code, expires=expires,
            activate_url=self.hub.base_url + "activate",
        )
        self.finish(html)


class AcademyChangePasswordHandler(PageLanguageMixin, ChangePasswordHandler):
    """NativeAuthenticator's ``/hub/change-password`` (its GET, our template). The change is
    ``people.accounts.change_own_password``: the current password checked like a login (a
    wrong one counts toward the lockout), bcrypt off the hub's event loop; what went wrong
    said in the page's language, with 400 (or 403 for a locked account)."""

    @web.authenticated
    async def post(self) -> None:
        user = await self.get_current_user()
        authenticator: AcademyAuthenticator = self.authenticator
        current = self.get_body_argument("old_password", "", strip=False)
        new_password = self.get_body_argument("new_password", "", strip=False)
        confirmation = self.get_body_argument("new_password_confirmation", "", strip=False)
        texts = self.page_texts()
        alert, status = "alert-danger", 400
        if new_password != confirmation:
            message = texts(PASSWORDS_DIFFER_MESSAGE)
        else:
            try:
                await asyncio.to_thread(authenticator.in_transaction, lambda s: (
                    change_own_password(s, user.name, current, new_password,
                                        authenticator.policy)))
            except AccountRefused as refused:
                self.log.warning("Password change refused for %r: %s", user.name,
                                 refused.refusal)
                status = 403 if refused.refusal is Refusal.LOCKED else 400
                message = (texts(WRONG_CURRENT_PASSWORD_MESSAGE)
                           if refused.refusal is Refusal.WRONG
                           else refusal_text(refused, authenticator.policy, texts))
            else:
                self.log.info("Password changed: %s", user.name)
                alert, status, message = "alert-success", 200, texts(PASSWORD_CHANGED_MESSAGE)
        self.set_status(status)
        html = await self.render_template(
            "change-password.html", user_name=user.name, result_message=message, alert=alert)
        self.finish(html)
