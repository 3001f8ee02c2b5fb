"""Absolute links for what leaves the portal (PDFs, e-mail, QR codes).

The base address, in order: `PUBLIC_BASE_URL` when configured (the address people outside
use; required in production, see `check_public_base_url`); else, during a request, the
address that request came to (`request.host_url`, which honours trusted proxies); else
`PREFERRED_URL_SCHEME://SERVER_NAME`; else the development address `http://127.0.0.1:5000`.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_request_context, request

log = logging.getLogger(__name__)
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def public_base_url() -> str:
    """The scheme and host (no trailing slash) that links leaving the portal start with."""
    config = current_app.config
    if config.get("PUBLIC_BASE_URL"):
        return config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    if config.get("SERVER_NAME"):
        return f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}"
    return DEVELOPMENT_BASE_URL


def check_public_base_url(app: Flask) -> None:
    """Refuse to start in production without PUBLIC_BASE_URL; warn in the log otherwise.

    Jobs (certificates, e-mail) run outside any request, so only the configuration can tell
    them the address people use; a wrong one prints unusable QR codes on legal documents.

    Raises:
        RuntimeError: `PRODUCTION` is set and `PUBLIC_BASE_URL` is not.
    """
    if app.config.get("PUBLIC_BASE_URL"):
        return
    if app.config.get("PRODUCTION"):
        raise RuntimeError(
            "PUBLIC_BASE_URL is required in production (PRODUCTION=1): set it to the address "
            "people use, e.g. https://ventanilla.amss.gob.sv; QR codes and e-mail links use it."
        )
    log.warning(
        "PUBLIC_BASE_URL is not set: links in PDFs and e-mail use the address of the request, "
        "and jobs outside a request use %s.",
        public_base_url_outside_requests(app),
    )


def public_base_url_outside_requests(app: Flask) -> str:
    with app.app_context():
        return public_base_url()


def public_url(path: str) -> str:
    """The absolute address of a portal path (starting with /), as people outside reach it."""
    return f"{public_base_url()}{path}"


def status_url(application_id: int) -> str:
    return public_url(f"/solicitudes/{application_id}")


def case_url(application_id: int) -> str:
    return public_url(f"/bandeja/{application_id}")


def verification_url(code: str) -> str:
    return public_url(f"/verificar/{code}")


def tracking_url() -> str:
    """The public tracking page (number and code, no sign-in)."""
    return public_url("/seguimiento/")


def claim_url() -> str:
    """The page where a citizen claims online a case filed for them at the counter."""
    return public_url("/reclamar/")
