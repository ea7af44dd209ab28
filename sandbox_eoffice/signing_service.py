"""The e-office's sandbox PKI for the request being served (created on first use)."""

from __future__ import annotations

from flask import current_app, request

from sandbox_eoffice.signatures import ensure_pki
from signing.training_pki import TrainingPki


def pki_base_url() -> str:
    """Where the e-office serves the PKI (printed in certificates): PKI_BASE_URL, or this
    e-office's own address as the browser sees it."""
    configured = current_app.config.get("PKI_BASE_URL")
    if configured:
        return str(configured).rstrip("/") + "/"
    return request.host_url.rstrip("/") + current_app.config["URL_PREFIX"] + "pki/"


def training_pki() -> TrainingPki:
    return ensure_pki(current_app.config["DATA_DIR"], pki_base_url())
