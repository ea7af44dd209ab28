"""Sandbox e-office: a practice copy of the document management system (iOffice).

Run under JupyterHub as a service:  gunicorn 'sandbox_eoffice:create_app()'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from sandbox_eoffice.blueprints import activity as activity_pages
from sandbox_eoffice.blueprints import (
    api,
    auth,
    dashboard,
    documents,
    evidence,
    health,
    outgoing,
    pki,
    task_check,
)
from sandbox_eoffice.blueprints import signatures as signature_pages
from sandbox_eoffice.config import load_config
from sandbox_eoffice.i18n import init_i18n
from sandbox_eoffice.mail import api as mail_api
from sandbox_eoffice.mail import pages as mail_pages
from sandbox_eoffice.one_stop import api as one_stop_api
from sandbox_eoffice.one_stop import pages as one_stop_pages
from sandbox_eoffice.reports import api as reports_api
from sandbox_eoffice.reports import pages as reports_pages
from sandbox_eoffice.request_db import init_db
from sandbox_eoffice.signing_service import check_pki
from sandbox_eoffice.web_ui import init_ui
from service_auth.hub_login import hub_oauth_from_env, init_hub_auth
from service_auth.prefix import PrefixMiddleware

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    load_config(app, test_config)
    init_db(app)
    hub_auth = app.config["HUB_AUTH"] or hub_oauth_from_env(base_url=app.config["URL_PREFIX"])
    init_hub_auth(app, hub_auth)
    csrf = CSRFProtect(app)
    # the API takes tokens only, never the session cookie: no cross-site request can use it
    feature_apis = (mail_api.bp, one_stop_api.bp, reports_api.bp, task_check.bp)
    for api_blueprint in (api.bp, *feature_apis):
        csrf.exempt(api_blueprint)
    # the PKI's OCSP and timestamp endpoints take DER requests from any relying party
    csrf.exempt(pki.bp)
    init_i18n(app)
    api.init_api(app, feature_apis)
    init_ui(app)  # after the API: its error pages answer JSON under /api/ and HTML elsewhere
    for blueprint in (
        auth.bp,
        dashboard.bp,
        documents.bp,
        outgoing.bp,
        signature_pages.bp,
        mail_pages.bp,
        one_stop_pages.bp,
        reports_pages.bp,
        pki.bp,
        activity_pages.bp,
        evidence.bp,
        health.bp,
    ):
        app.register_blueprint(blueprint)
    check_pki(app)
    app.wsgi_app = PrefixMiddleware(app.wsgi_app, app.config["URL_PREFIX"])  # type: ignore[method-assign]
    return app
