"""The academy's own pages beyond a learner's: the public verification of completion
certificates (no login: anyone holding a certificate, or its id, can check it), a learner's
own certificates to download (hub login), and the home pages of trainers (class overview),
HR officers (training records) and admins (platform status, audit log), each refused to
every other role (docs/dashboards.md), and the digital transformation contest, open to
everyone on the roster (docs/contest.md).

Run under JupyterHub as the service ``dashboards``:  gunicorn 'dashboards:create_app()'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from dashboards import (
    admin,
    contest,
    hr,
    learner_certificates,
    learner_records,
    records_export,
    trainer,
    verification,
)
from dashboards.config import load_config
from dashboards.i18n import init_i18n
from dashboards.navigation import init_navigation
from service_auth.hub_login import hub_oauth_from_env, init_hub_auth
from service_auth.prefix import PrefixMiddleware

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    load_config(app, test_config)
    init_hub_auth(app, app.config["HUB_AUTH"] or hub_oauth_from_env(
        base_url=app.config["URL_PREFIX"]))
    CSRFProtect(app)
    init_i18n(app)
    app.register_blueprint(verification.bp)
    app.register_blueprint(learner_certificates.bp)
    app.register_blueprint(learner_records.bp)
    # the home pages of the roles other than the learner's, each behind its hub scope
    for blueprint in (trainer.bp, hr.bp, admin.bp, records_export.bp):
        app.register_blueprint(blueprint)
    # the contest: everyone on the roster (its own guard)
    app.register_blueprint(contest.bp)
    init_navigation(app)
    app.jinja_env.filters["vietnam_date"] = verification.vietnam_date
    app.wsgi_app = PrefixMiddleware(app.wsgi_app, app.config["URL_PREFIX"])  # type: ignore[method-assign]
    return app
