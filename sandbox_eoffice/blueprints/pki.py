"""The sandbox PKI's public endpoints, as a CA publishes them: CA certificates, CRLs
(RFC 5280), OCSP (RFC 6960, POST and GET) and the timestamp authority (RFC 3161).

No login: relying parties (a PDF reader, `academy sign verify`, a learner's own tools) need
them; they only publish what is public. Served under /pki/ of the e-office.
"""

from __future__ import annotations

import base64
import binascii

from asn1crypto import tsp
from cryptography.hazmat.primitives import serialization
from flask import Blueprint, Response, abort, request

from common.event_loop import run_coroutine
from sandbox_eoffice.request_db import db
from sandbox_eoffice.signatures import current_crls, ocsp_response
from sandbox_eoffice.signing_service import training_pki

bp = Blueprint("pki", __name__, url_prefix="/pki")

MAX_REQUEST = 64 * 1024


def _der(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<any(root, issuing):authority>.crt")
def ca_certificate(authority: str) -> Response:
    pki = training_pki()
    certificate = pki.root.certificate if authority == "root" else pki.issuing.certificate
    return _der(certificate.public_bytes(serialization.Encoding.DER),
                "application/pkix-cert", f"sandbox-{authority}.crt")


@bp.get("/crl/<any(root, issuing):authority>.crl")
def crl(authority: str) -> Response:
    crls = current_crls(db(), training_pki())
    return _der(crls[authority].public_bytes(serialization.Encoding.DER),
                "application/pkix-crl", f"sandbox-{authority}.crl")


@bp.post("/ocsp")
def ocsp_post() -> Response:
    data = request.get_data(cache=False)[:MAX_REQUEST + 1]
    if len(data) > MAX_REQUEST:
        abort(413)
    return _ocsp(data)


@bp.get("/ocsp/<path:encoded>")
def ocsp_get(encoded: str) -> Response:
    try:
        data = base64.b64decode(encoded.replace("%2B", "+").replace("%2F", "/"), validate=False)
    except (binascii.Error, ValueError):
        data = b""
    return _ocsp(data)


def _ocsp(data: bytes) -> Response:
    answer = ocsp_response(db(), training_pki(), data)
    return Response(answer, mimetype="application/ocsp-response",
                    headers={"Cache-Control": "no-store"})


@bp.post("/tsa")
def timestamp() -> Response:
    data = request.get_data(cache=False)[:MAX_REQUEST + 1]
    if len(data) > MAX_REQUEST:
        abort(413)
    try:
        tsa_request = tsp.TimeStampReq.load(data)
        tsa_request.native  # noqa: B018  (parse it all now)
    except (ValueError, TypeError):
        abort(400, description="not an RFC 3161 TimeStampReq")
    answer = run_coroutine(training_pki().timestamper.async_request_tsa_response(tsa_request))
    return Response(answer.dump(), mimetype="application/timestamp-reply")
