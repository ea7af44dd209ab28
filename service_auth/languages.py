"""The platform's languages in a Flask service: Flask-Babel with the service's own gettext
catalogues, the language from the platform's shared cookie (``common.i18n``), Vietnamese by
default, and the switch link every page carries (``/language/<code>?next=...``)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, redirect, request, url_for
from flask_babel import Babel, get_locale

from common.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, Language, language_from
from common.web_paths import is_local_path

HOME_ENDPOINT_KEY = "LANGUAGE_HOME_ENDPOINT"

bp = Blueprint("language", __name__)


def select_language() -> str:
    return language_from(request.cookies.get(LANGUAGE_COOKIE)).value


def init_languages(app: Flask, translations_dir: Path, home_endpoint: str) -> None:
    """Babel on `app` with the catalogues in `translations_dir`; the switch goes back to
    the page it came from, or to `home_endpoint`."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", Language.VIETNAMESE.value)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations_dir)
    app.config[HOME_ENDPOINT_KEY] = home_endpoint
    Babel(app, locale_selector=select_language)
    app.jinja_env.globals.update(current_language=lambda: str(get_locale()), Language=Language)
    app.register_blueprint(bp)


def _safe_next(target: str | None) -> str:
    """`target` when it is a path of this site (``common.web_paths``), else the home page."""
    return target if target and is_local_path(target) else url_for(
        current_app.config[HOME_ENDPOINT_KEY])


@bp.get("/language/<code>")
def switch(code: str) -> Response:
    """Set the platform's language cookie and go back to the page the person was on."""
    response = redirect(_safe_next(request.args.get("next")))
    response.set_cookie(
        LANGUAGE_COOKIE,
        language_from(code).value,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        path="/",
        samesite="Lax",
        secure=request.is_secure,
    )
    return response
