"""Hub login for Flask services (one place for every service of the platform).

JupyterHub is the single sign-on of the academy. A Flask service behind the hub:

    hub_auth = hub_oauth_from_env(base_url=prefix)       # a jupyterhub HubOAuth
    init_hub_auth(app, hub_auth)                           # needs app.secret_key

    @bp.get("/oauth_callback")                             # JUPYTERHUB_OAUTH_CALLBACK_URL
    def oauth_callback():
        user, next_url = finish_login()                    # raises OAuthLoginError
        return redirect(next_url)

    @bp.get("/")
    @login_required                                        # HubOAuth.access_scopes
    def home(): user = current_hub_user(); ...

    @bp.get("/api/thing")
    @require_scopes("custom:thing:read", api=True)         # 403 without the scope
    def thing(): ...

A request is identified by an ``Authorization: token <t>`` (or ``bearer``) header first,
then by the OAuth token kept in the Flask session cookie after login. The hub answers who
owns a token (``HubOAuth.user_for_token``, cached ``cache_max_age`` seconds); the model is
a dict with ``name``, ``kind`` ("user" or "service"), ``scopes``, ``groups``, ``roles``.
Scopes are checked with ``HubOAuth.check_scopes``, which resolves scope filters such as
``access:services!service=eoffice``.

The OAuth state (and PKCE verifier) lives in the signed session cookie, not in process
memory, so the callback may land on any worker process.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlencode

import requests
from flask import Flask, Response, abort, current_app, g, jsonify, redirect, request, session
from jupyterhub.services.auth import HubOAuth
from tornado.web import HTTPError as HubHTTPError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

EXTENSION_KEY = "hub_auth"
LOGIN_SESSION_KEY = "hub_login"
STATE_SESSION_KEY = "hub_oauth_states"
MAX_PENDING_LOGINS = 5
HubUser = dict[str, Any]

P = ParamSpec("P")
R = TypeVar("R")


class OAuthLoginError(Exception):
    """The OAuth callback could not complete a login; `status` is the HTTP status to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class HubUnavailable(HTTPException):
    code = 502
    description = "The login server (JupyterHub) could not be reached. Please try again."


class AcademyHubOAuth(HubOAuth):
    """HubOAuth, plus what the platform's services ask the hub with their own token."""

    def groups_with_prefix(self, prefix: str) -> dict[str, list[str]]:
        """Members of the hub's groups named `prefix` + something, by that something (e.g.
        "nbgrader-" gives each course's learners, nbgrader's JupyterHub convention).
        Needs the service's role to hold list:groups and read:groups; raises
        HubUnavailable when the hub cannot answer."""
        try:
            response = requests.get(f"{self.api_url}/groups",
                                    headers={"Authorization": f"token {self.api_token}"},
                                    params={"limit": 1000}, timeout=10)
            response.raise_for_status()
            groups = response.json()
        except (requests.RequestException, ValueError) as error:
            log.warning("the hub's groups could not be read: %s", error)
            raise HubUnavailable() from error
        items = groups["items"] if isinstance(groups, dict) else groups  # paginated or not
        return {group["name"].removeprefix(prefix): sorted(group.get("users") or [])
                for group in items if group["name"].startswith(prefix)}

    def hub_api_get(self, path: str, params: dict[str, str | int] | None = None, *,
                    paginated: bool = False, timeout: float = 5.0) -> Any:
        """The parsed JSON of a GET on the hub's REST API at `path` below ``api_url`` ("/"
        the hub's version, "/info", "/services", "/users"), with the service's own token:
        it reads what the service's hub role grants (hub_config.rbac), nothing more.
        `paginated` asks for JupyterHub's paginated form ({"items": [...], "_pagination":
        {...}}) where the endpoint has one. The environment's HTTP proxies are not used:
        the token goes to the hub and nowhere else. Raises HubUnavailable (its
        ``__cause__`` says why: no answer, an HTTP error status, not JSON) when the hub
        cannot answer."""
        headers = {"Authorization": f"token {self.api_token}"}
        if paginated:
            headers["Accept"] = "application/jupyterhub-pagination+json"
        url = self.api_url.rstrip("/") + "/" + path.lstrip("/")
        try:
            with requests.Session() as hub:
                hub.trust_env = False
                response = hub.get(url, headers=headers, params=params, timeout=timeout,
                                   allow_redirects=False)
                response.raise_for_status()
                return response.json()
        except (requests.RequestException, ValueError) as error:
            log.warning("the hub's API %s could not be read: %s", path, error)
            raise HubUnavailable() from error


def hub_oauth_from_env(
    *, base_url: str | None = None, cache_max_age: int = 60, **traits: Any
) -> AcademyHubOAuth:
    """A HubOAuth configured from the JUPYTERHUB_* variables the hub gives its services.

    Reads JUPYTERHUB_API_TOKEN, JUPYTERHUB_CLIENT_ID, JUPYTERHUB_SERVICE_PREFIX, and
    (through HubOAuth's own defaults) JUPYTERHUB_API_URL, JUPYTERHUB_OAUTH_CALLBACK_URL,
    JUPYTERHUB_BASE_URL, JUPYTERHUB_HOST, JUPYTERHUB_OAUTH_ACCESS_SCOPES,
    JUPYTERHUB_SERVICE_NAME. Keyword arguments override any HubOAuth trait.
    """
    traits["api_token"] = traits.get("api_token") or os.environ.get("JUPYTERHUB_API_TOKEN", "")
    traits["oauth_client_id"] = traits.get("oauth_client_id") or os.environ.get(
        "JUPYTERHUB_CLIENT_ID", ""
    )
    if not traits["api_token"] or not traits["oauth_client_id"]:
        raise RuntimeError(
            "JUPYTERHUB_API_TOKEN and JUPYTERHUB_CLIENT_ID must be set: run this service "
            "from JupyterHub (c.JupyterHub.services) or set them by hand"
        )
    traits.setdefault("base_url", base_url or os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or "/")
    return AcademyHubOAuth(cache_max_age=cache_max_age, **traits)


def init_hub_auth(app: Flask, hub_auth: HubOAuth) -> None:
    """Attach `hub_auth` to the app. The app needs a secret_key (session cookie)."""
    app.extensions[EXTENSION_KEY] = hub_auth


def get_hub_auth() -> HubOAuth:
    hub_auth: HubOAuth = current_app.extensions[EXTENSION_KEY]
    return hub_auth


# --- who is asking ---------------------------------------------------------------------


def _header_token(hub_auth: HubOAuth) -> str | None:
    match = hub_auth.auth_header_pat.match(request.headers.get(hub_auth.auth_header_name, ""))
    return match.group(1).strip() if match else None


def _user_for_token(hub_auth: HubOAuth, token: str) -> HubUser | None:
    try:
        model = hub_auth.user_for_token(
            token, session_id=request.cookies.get("jupyterhub-session-id", "")
        )
    except HubHTTPError as error:
        log.error("hub could not check a token: %s", error)
        raise HubUnavailable() from error
    if not model:
        return None
    model = dict(model)
    model.setdefault("kind", "user")
    model.setdefault("scopes", [])
    return model


def resolve_hub_user() -> HubUser | None:
    """The hub user or service making this request, or None. Cached for the request."""
    if "hub_user" in g:
        cached: HubUser | None = g.hub_user
        return cached
    hub_auth = get_hub_auth()
    user: HubUser | None = None
    g.hub_token_authenticated = False
    token = _header_token(hub_auth)
    if token:
        user = _user_for_token(hub_auth, token)
        g.hub_token_authenticated = user is not None
    elif session.get(LOGIN_SESSION_KEY):
        user = _user_for_token(hub_auth, session[LOGIN_SESSION_KEY])
        if user is None:
            log.info("token stored in the session expired; logging in again")
            session.pop(LOGIN_SESSION_KEY, None)
    g.hub_user = user
    return user


def current_hub_user() -> HubUser:
    """The user resolved by login_required/require_scopes for this request."""
    user = g.get("hub_user")
    if user is None:
        raise RuntimeError("current_hub_user() outside a login_required view")
    return user


def has_scopes(user: HubUser, *scopes: str) -> bool:
    """True if the user's token holds every one of `scopes` (filters resolved)."""
    hub_auth = get_hub_auth()
    return all(hub_auth.check_scopes({scope}, user) for scope in scopes)


def has_any_scope(user: HubUser, scopes: set[str]) -> bool:
    return bool(get_hub_auth().check_scopes(scopes, user))


# --- decorators ----------------------------------------------------------------------


def _wants_json() -> bool:
    if request.headers.get("Authorization"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _is_browser_navigation() -> bool:
    """A browser opening the page (explicitly accepts HTML), not a script or fetch()."""
    if request.headers.get("Authorization"):
        return False
    return any(mimetype == "text/html" for mimetype, _quality in request.accept_mimetypes)


def _deny(status: int, message: str, *, api: bool) -> Response:
    """JSON for API clients; for browsers abort(), so the app's error pages render it."""
    if api or _wants_json():
        response = jsonify({"error": message, "status": status})
        response.status_code = status
        return response
    abort(status, description=message)


def _authorize(
    required_any: set[str] | None, required_all: tuple[str, ...], *, api: bool
) -> Response | None:
    """None if the request may proceed, else the response to send.

    required_any: the token must hold at least one of these (an empty set admits nobody).
    required_all: the token must hold every one of these.
    """
    user = resolve_hub_user()
    if user is None:
        send_to_login = _is_browser_navigation() if api else not _wants_json()
        if send_to_login:
            return start_login(request.script_root + request.full_path.rstrip("?"))
        return _deny(401, "Authentication required: log in through JupyterHub.", api=True)
    if required_any is not None and not (required_any and has_any_scope(user, required_any)):
        log.warning("hub %s %s lacks access scopes %s", user["kind"], user["name"], required_any)
        return _deny(403, f"{user['name']} is not allowed to use this service.", api=api)
    if required_all and not has_scopes(user, *required_all):
        log.warning("hub %s %s lacks scopes %s", user["kind"], user["name"], required_all)
        return _deny(403, "You do not have permission to see this page.", api=api)
    return None


def login_required(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Require a hub login holding the service's access scopes (HubOAuth.access_scopes).

    Browsers without a login are sent to the hub; token requests get 401; users without
    the access scope get 403. With no access scopes configured, everyone is refused.
    """

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        access_scopes = set(get_hub_auth().access_scopes)
        if not access_scopes:
            log.error("HubOAuth.access_scopes is empty: set JUPYTERHUB_OAUTH_ACCESS_SCOPES")
        denied = _authorize(access_scopes, (), api=False)
        return denied if denied is not None else view(*args, **kwargs)

    return wrapper


def require_scopes(
    *scopes: str, api: bool = False
) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Require a hub login whose token holds all `scopes`; 403 otherwise.

    The access scopes are not required in addition: a grader service token with only
    the listed scopes is enough. With api=True, a request without a login gets 401 JSON,
    except a browser opening the URL (Accept: text/html), which is sent to the hub login.
    """
    if not scopes:
        raise ValueError("require_scopes() needs at least one scope")

    def decorator(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            denied = _authorize(None, scopes, api=api)
            return denied if denied is not None else view(*args, **kwargs)

        return wrapper

    return decorator


def refuse_unless(*scopes: str) -> Response | None:
    """For a blueprint's ``before_request``: None when the request's hub login holds every
    one of `scopes`, else the response refusing it (the hub login for a browser without
    one, 403 otherwise). Guards every route of the blueprint, present and future."""
    if not scopes:
        raise ValueError("refuse_unless() needs at least one scope")
    return _authorize(None, scopes, api=False)


# --- the OAuth dance ----------------------------------------------------------------


def safe_next_url(next_url: str | None) -> str:
    base = get_hub_auth().base_url
    if not next_url or not next_url.startswith("/") or next_url.startswith("//"):
        return base
    if "\\" in next_url:
        return base
    return next_url


def start_login(next_url: str) -> Response:
    """Redirect the browser to the hub's OAuth authorize URL, remembering `next_url`."""
    hub_auth = get_hub_auth()
    state = secrets.token_urlsafe(16)
    pending: dict[str, dict[str, str]] = dict(session.get(STATE_SESSION_KEY, {}))
    entry = {"next_url": safe_next_url(next_url)}
    params = {"state": state}
    if hub_auth.pkce_enabled:
        verifier, challenge, method = hub_auth.generate_pkce_code_challenge()
        entry["code_verifier"] = verifier
        params.update(code_challenge=challenge, code_challenge_method=method)
    pending[state] = entry
    # keep only the newest few pending logins (several tabs may start one at once)
    session[STATE_SESSION_KEY] = dict(list(pending.items())[-MAX_PENDING_LOGINS:])
    separator = "&" if "?" in hub_auth.login_url else "?"
    return redirect(hub_auth.login_url + separator + urlencode(params))


def finish_login() -> tuple[HubUser, str]:
    """Complete the OAuth callback: returns (user model, URL to go back to).

    Stores the token in the session. Raises OAuthLoginError with a status to show.
    """
    hub_auth = get_hub_auth()
    error = request.args.get("error")
    if error:
        raise OAuthLoginError(400, request.args.get("error_description", error))
    code = request.args.get("code")
    state = request.args.get("state")
    if not code or not state:
        raise OAuthLoginError(400, "The login answer from the hub is incomplete.")
    pending: dict[str, dict[str, str]] = dict(session.get(STATE_SESSION_KEY, {}))
    entry = pending.pop(state, None)
    if entry is None:
        raise OAuthLoginError(403, "This login link has expired or was not started here.")
    session[STATE_SESSION_KEY] = pending
    try:
        token = hub_auth.token_for_code(code, code_verifier=entry.get("code_verifier"))
    except HubHTTPError as err:
        log.error("hub refused the OAuth code: %s", err)
        raise OAuthLoginError(502, "The hub did not accept the login.") from err
    user = _user_for_token(hub_auth, token)
    if user is None:
        raise OAuthLoginError(500, "The hub did not identify the user for this login.")
    session[LOGIN_SESSION_KEY] = token
    g.hub_user = user
    log.info("logged in hub %s %s", user["kind"], user["name"])
    return user, safe_next_url(entry.get("next_url"))


def end_session() -> str:
    """Forget the login in this service; returns the hub's logout URL to redirect to."""
    session.pop(LOGIN_SESSION_KEY, None)
    session.pop(STATE_SESSION_KEY, None)
    g.hub_user = None
    hub_auth = get_hub_auth()
    return hub_auth.hub_host + hub_auth.hub_prefix.rstrip("/") + "/logout"
