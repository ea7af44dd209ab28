"""The e-office's sandbox PKI for the request being served."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from sandbox_eoffice.signatures import load_pki
from signing.training_pki import FILES, PkiUrls, TrainingPki, ensure_training_pki


def pki_base_url() -> str:
    """Where certificates made here say the PKI is served: PKI_BASE_URL, or the platform's
    default address (never a request's Host header: certificates outlive requests)."""
    configured = current_app.config.get("PKI_BASE_URL")
    if configured:
        return str(configured).rstrip("/") + "/"
    return "http://127.0.0.1:8000" + current_app.config["URL_PREFIX"] + "pki/"


def check_pki(app: Flask) -> None:
    """Where the PKI is provided (PKI_CREATE off), refuse to start without it."""
    directory = Path(app.config["PKI_DIR"])
    if not app.config["PKI_CREATE"] and not (directory / FILES["root"][0]).exists():
        raise RuntimeError(f"the sandbox PKI is missing from {directory} (PKI_CREATE is off: "
                           "provide it, see docs/deploy-kubernetes.md)")


def training_pki() -> TrainingPki:
    """The PKI in PKI_DIR; made on first use when PKI_CREATE, otherwise it must be there."""
    directory = Path(current_app.config["PKI_DIR"])
    if not (directory / FILES["root"][0]).exists():
        if not current_app.config["PKI_CREATE"]:
            raise RuntimeError(f"the sandbox PKI is missing from {directory} (PKI_CREATE is "
                               "off: provide it, see docs/deploy-kubernetes.md)")
        ensure_training_pki(directory, PkiUrls(pki_base_url()))
    return load_pki(directory)
