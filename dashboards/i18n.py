"""The dashboards' gettext catalogues (dashboards/translations), Vietnamese by default, the
language shared with the rest of the platform (``service_auth.languages``)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from service_auth.languages import init_languages

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def init_i18n(app: Flask) -> None:
    init_languages(app, TRANSLATIONS_DIR, home_endpoint="verification.verify_form")
