"""Configuration: defaults, then EOFFICE_* environment variables, then test_config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from common.files import read_or_create_secret
from common.roles import EVIDENCE_SCOPE
from service_auth.prefix import normalise_prefix
from signing.training_pki import DIRECTORY_NAME

ENV_PREFIX = "EOFFICE"
KEY_FILENAME = "secret_key"


def default_config() -> dict[str, Any]:
    return {
        # where the SQLite database and the generated secret key live
        "DATA_DIR": None,
        # default: sqlite:///<DATA_DIR>/eoffice.sqlite
        "DATABASE_URL": None,
        # default: read (or create, 0600) <DATA_DIR>/secret_key
        "SECRET_KEY": None,
        "SECRET_KEY_FILE": None,
        # where the hub's proxy sends us, e.g. /services/eoffice/
        "URL_PREFIX": os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or "/",
        "EVIDENCE_SCOPE": EVIDENCE_SCOPE,
        # seed for sandboxes created at first login (mixed with the username)
        "DEFAULT_SEED": 0,
        "ACTIVITY_PAGE_SIZE": 200,
        # a jupyterhub HubOAuth instance; default: built from JUPYTERHUB_* variables
        "HUB_AUTH": None,
        "SESSION_COOKIE_NAME": "eoffice-session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        # a page left open all morning must still be able to register a document
        "WTF_CSRF_TIME_LIMIT": None,
        # a request body above this is refused (413) before it is read: uploads are at most
        # 5 MB (sandbox_eoffice.uploads), plus the form around them
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        # the sandbox training PKI's directory (keys: readable by this service only);
        # default <DATA_DIR>/training-pki
        "PKI_DIR": None,
        # make the PKI on first use when missing (one machine: `academy init` made it
        # already); false where it is provided, e.g. a Kubernetes Secret shared by replicas
        "PKI_CREATE": True,
        # where certificates say the PKI is served (CRL, OCSP, CA certificates), when this
        # service makes it; default http://127.0.0.1:8000<URL_PREFIX>pki/
        "PKI_BASE_URL": None,
    }


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    app.config.update(default_config())
    app.config.from_prefixed_env(ENV_PREFIX)
    if test_config:
        app.config.update(test_config)
    _resolve(app)


def _resolve(app: Flask) -> None:
    config = app.config
    data_dir = Path(config["DATA_DIR"] or Path.cwd()).expanduser().resolve()
    config["DATA_DIR"] = str(data_dir)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{data_dir / 'eoffice.sqlite'}"
    config["URL_PREFIX"] = normalise_prefix(str(config["URL_PREFIX"]))
    config["PKI_DIR"] = str(Path(config["PKI_DIR"] or data_dir / DIRECTORY_NAME).expanduser())
    if isinstance(config["PKI_CREATE"], str):  # EOFFICE_PKI_CREATE=false
        config["PKI_CREATE"] = config["PKI_CREATE"].strip().lower() not in ("0", "false", "no")
    if not config.get("SESSION_COOKIE_PATH"):
        config["SESSION_COOKIE_PATH"] = config["URL_PREFIX"]
    if config["SECRET_KEY"]:
        config["SECRET_KEY"] = str(config["SECRET_KEY"])
    else:
        key_file = Path(config["SECRET_KEY_FILE"] or data_dir / KEY_FILENAME)
        config["SECRET_KEY"] = read_or_create_secret(key_file)
