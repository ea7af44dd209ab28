"""Configuration: defaults, then DASHBOARDS_* environment variables, then test_config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from common.files import read_or_create_secret
from installation.layout import DataLayout
from service_auth.prefix import normalise_prefix

ENV_PREFIX = "DASHBOARDS"
KEY_FILENAME = "dashboards_secret_key"


def default_config() -> dict[str, Any]:
    return {
        # the academy's data directory (`academy --data-dir`): the certificate registry
        # and the academy's root certificate and CRL are read from it, never written
        "DATA_DIR": None,
        # default: read (or create, 0600) <DATA_DIR>/secrets/dashboards_secret_key; in
        # isolated mode the hub gives <DATA_DIR>/dashboards/secret_key, the account's own
        "SECRET_KEY": None,
        "SECRET_KEY_FILE": None,
        # where the hub's proxy sends us, e.g. /services/dashboards/
        "URL_PREFIX": os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or "/",
        "SESSION_COOKIE_NAME": "dashboards-session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # an uploaded certificate is a PDF of a few hundred kB; refuse anything far larger
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        # a jupyterhub HubOAuth instance (the learner's own pages); default: built from the
        # JUPYTERHUB_* variables the hub gives its services
        "HUB_AUTH": None,
    }


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    app.config.update(default_config())
    app.config.from_prefixed_env(ENV_PREFIX)
    if test_config:
        app.config.update(test_config)
    if not app.config["DATA_DIR"]:
        raise RuntimeError("DASHBOARDS_DATA_DIR must name the academy's data directory")
    layout = DataLayout(Path(app.config["DATA_DIR"]).expanduser().resolve())
    app.config["LAYOUT"] = layout
    app.config["URL_PREFIX"] = normalise_prefix(str(app.config["URL_PREFIX"]))
    app.config.setdefault("SESSION_COOKIE_PATH", app.config["URL_PREFIX"])
    if app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = str(app.config["SECRET_KEY"])
    else:
        key_file = Path(app.config["SECRET_KEY_FILE"] or layout.secrets_dir / KEY_FILENAME)
        app.config["SECRET_KEY"] = read_or_create_secret(key_file)


def layout_of(app: Flask) -> DataLayout:
    layout: DataLayout = app.config["LAYOUT"]
    return layout
