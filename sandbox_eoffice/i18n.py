"""Flask-Babel for the e-office: the catalogues in sandbox_eoffice/translations, the language
from the platform's shared cookie (common.i18n), Vietnamese by default
(``service_auth.languages``, shared by the platform's Flask services)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from service_auth.languages import init_languages

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def init_i18n(app: Flask) -> None:
    init_languages(app, TRANSLATIONS_DIR, home_endpoint="dashboard.index")
