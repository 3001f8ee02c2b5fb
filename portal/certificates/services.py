"""Render receipts and certificates into stored PDFs, and look them up for verification."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from portal.applications.models import Application
from portal.certificates.models import IssuedDocument
from portal.extensions import db, utcnow
from portal.procedures.services import definition_of
from portal.storage import storage


def verification_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verificar/{code}"


def status_url(application: Application) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/solicitudes/{application.id}"


def get_issued(application_id: int, kind: str) -> IssuedDocument | None:
    return db.session.scalar(sa.select(IssuedDocument).where(
        IssuedDocument.application_id == application_id, IssuedDocument.kind == kind))


def get_by_code(code: str) -> IssuedDocument | None:
    """Find a document by its public code (case-insensitive, spaces ignored)."""
    normalized = "".join(code.split()).upper()
    return db.session.scalar(
        sa.select(IssuedDocument).where(IssuedDocument.code == normalized).options(
            joinedload(IssuedDocument.application).joinedload(Application.authority),
            joinedload(IssuedDocument.application).joinedload(Application.district),
        )
    )


def _context(document: IssuedDocument) -> dict:
    from portal.pdf import qr_svg_data_uri

    application = document.application
    definition = definition_of(application.procedure_version)
    url = verification_url(document.code)
    state = definition.state(application.state)
    labels = {f.name: f.label.es for f in definition.fields}
    summary = [(labels[k], str(v)) for k, v in application.data.items()
               if k in labels and v not in (None, "")][:12]
    received = [definition.document(d.requirement_code).title.es
                for d in application.current_documents]
    return {
        "authority_name": application.authority.name,
        "authority_code": application.authority.code,
        "procedure_title": document.title["es"],
        "tracking_number": application.tracking_number,
        "holder_name": document.holder_name,
        "applicant_name": document.holder_name,
        "decision_label": state.label.es.upper(),
        "decision_comment": _decision_comment(application),
        "issued_at": document.issued_at,
        "filed_at": application.filed_at,
        "district_name": application.district.name if application.district else "",
        "data_summary": summary,
        "documents": received,
        "due_date": application.due_on,
        "verification_code": document.code,
        "verification_url": url,
        "status_url": f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}"
                      f"/solicitudes/{application.id}",
        "qr": qr_svg_data_uri(url),
        "validity_text": None,
        "medium": "Ventanilla Única AMSS, medio electrónico",
        "place": "San Salvador, El Salvador",
        "legal_note": "Constancia emitida conforme al Art. 96 de la Ley de Procedimientos "
                      "Administrativos.",
    }


def _decision_comment(application: Application) -> str:
    decisions = [h for h in application.history if h.to_state == application.state]
    return decisions[-1].comment if decisions else ""


def render_issued(application_id: int, kind: str) -> bool:
    """Render and store the PDF of an issued document once; return True when rendered now."""
    from portal.pdf import render_pdf

    document = get_issued(application_id, kind)
    if document is None or document.pdf_key is not None:
        db.session.rollback()
        return False
    template = "pdf/certificate.html" if kind == "certificate" else "pdf/receipt.html"
    pdf = render_pdf(template, _context(document))
    document.pdf_key = storage().put(pdf, prefix=f"issued/{application_id}", suffix=".pdf")
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.rendered_at = utcnow()
    db.session.commit()
    return True


def read_pdf(document: IssuedDocument) -> bytes | None:
    return storage().get(document.pdf_key) if document.pdf_key else None
