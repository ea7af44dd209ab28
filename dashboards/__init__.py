"""The academy's own pages beyond a learner's: the public verification of completion
certificates (no login: anyone holding a certificate, or its id, can check it) and a
learner's own certificates to download (hub login); the home pages of trainers, HR officers
and admins come here next (docs/architecture.md).

Run under JupyterHub as the service ``dashboards``:  gunicorn 'dashboards:create_app()'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from dashboards import learner_certificates, verification
from dashboards.config import load_config
from dashboards.i18n import init_i18n
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
    app.jinja_env.filters["vietnam_date"] = verification.vietnam_date
    app.wsgi_app = PrefixMiddleware(app.wsgi_app, app.config["URL_PREFIX"])  # type: ignore[method-assign]
    return app
