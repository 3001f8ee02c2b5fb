"""Absolute links for what leaves the portal (PDFs, e-mail, QR codes), from PUBLIC_BASE_URL."""

from __future__ import annotations

from flask import current_app


def public_url(path: str) -> str:
    """The absolute address of a portal path, as people outside reach it."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}{path}"


def status_url(application_id: int) -> str:
    return public_url(f"/solicitudes/{application_id}")


def case_url(application_id: int) -> str:
    return public_url(f"/bandeja/{application_id}")


def verification_url(code: str) -> str:
    return public_url(f"/verificar/{code}")
