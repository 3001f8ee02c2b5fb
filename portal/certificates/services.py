"""Render receipts and certificates into stored PDFs, and look them up for verification."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.applications.models import Application
from portal.authorities.models import Authority
from portal.certificates.models import IssuedDocument
from portal.extensions import db
from portal.links import claim_url, status_url, tracking_url, verification_url
from portal.procedures.services import definition_of
from portal.storage import storage
from portal.tracking.services import display_code
from portal.walkin.contact import is_counter_account
from portal.walkin.models import WalkIn

#: The certificate layouts a definition's `certificate.template` may name, and their files
#: (checked by `portal.procedures.validation`).
CERTIFICATE_TEMPLATES = {"certificate": "pdf/certificate.html"}

# A certificate names the case, not the whole file: its first rows. The closing block (place,
# date, signature, QR code) stays at the foot of page 1 whatever their length (print.css).
SUMMARY_ROWS = 6


def get_issued(application_id: int, kind: str) -> IssuedDocument | None:
    return db.session.scalar(
        sa.select(IssuedDocument).where(
            IssuedDocument.application_id == application_id, IssuedDocument.kind == kind
        )
    )


def issued_for(application_id: int) -> dict[str, IssuedDocument]:
    """The case's issued documents by kind (`receipt`, `certificate`), in one statement."""
    rows = db.session.scalars(
        sa.select(IssuedDocument).where(IssuedDocument.application_id == application_id)
    )
    return {row.kind: row for row in rows}


def get_by_code(code: str) -> IssuedDocument | None:
    """Find a document by its public code (case-insensitive, spaces ignored)."""
    normalized = "".join(code.split()).upper()
    return db.session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.code == normalized)
        .options(
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
    summary = display_rows(definition, application.data, locale="es")[:SUMMARY_ROWS]
    decision = _decision_entry(application)
    received = [
        definition.document(d.requirement_code).title.es for d in application.current_documents
    ]
    counter = db.session.scalar(sa.select(WalkIn).where(WalkIn.application_id == application.id))
    unclaimed = counter is not None and is_counter_account(application.applicant)
    return {
        "authority_name": application.authority.name,
        "authority_code": application.authority.code,
        "procedure_title": document.title["es"],
        "tracking_number": application.tracking_number,
        "holder_name": document.holder_name,
        "applicant_name": document.holder_name,
        "decision_label": state.label.es.upper(),
        "decision_comment": decision.comment if decision else "",
        "decision_data": decision_rows(definition, application, locale="es"),
        "signer_name": decision.actor.full_name if decision and decision.actor else "",
        "issued_at": document.issued_at,
        "filed_at": application.filed_at,
        "district_name": application.district.name if application.district else "",
        "data_summary": summary,
        "documents": received,
        "due_date": application.due_on,
        "verification_code": document.code,
        "verification_url": url,
        "status_url": status_url(application.id),
        "tracking_code": display_code(application.tracking_code),
        "tracking_url": tracking_url(),
        "qr": qr_svg_data_uri(url),
        "validity_text": _validity_text(definition, document),
        "medium": (
            f"Ventanilla Única AMSS, en ventanilla de {application.authority.short_name}"
            if counter is not None
            else "Ventanilla Única AMSS, medio electrónico"
        ),
        # A counter case its counter account still owns: the code to claim it online.
        "claim_code": display_code(counter.claim_code) if unclaimed else "",
        "claim_url": claim_url() if unclaimed else "",
        "place": application.authority.place,
        "legal_note": "Constancia emitida conforme al Art. 96 de la Ley de Procedimientos "
        "Administrativos.",
    }


def display_value(spec, value, locale: str) -> str:
    """Show a stored value as people read it: choice labels, district names, Sí/No, dates as
    27/03/2026, amounts as El Salvador writes them ($1,250.50; 1,250.5 m²), the way the number
    parser (workflows.numbers) reads them back."""
    if spec.type == "district":
        authority = db.session.scalar(sa.select(Authority).where(Authority.code == value))
        return authority.short_name if authority else str(value)
    labels = {c.value: c.label.get(locale) for c in spec.choices}
    if spec.type in ("choice", "multi_choice"):
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if spec.type == "yes_no":
        return (
            {True: "Sí", False: "No"}.get(value, str(value))
            if locale == "es"
            else {True: "Yes", False: "No"}.get(value, str(value))
        )
    return _shown_scalar(spec.type, value)


def _shown_scalar(kind: str, value) -> str:
    try:
        if kind == "date":
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        if kind == "money":
            return f"${Decimal(str(value)):,.2f}"
        if kind == "area_m2":
            return f"{Decimal(str(value)):,} m²"
        if kind in ("number", "integer"):
            return f"{Decimal(str(value)):,}"
    except (ValueError, ArithmeticError):  # a value stored before its type's rules
        pass
    return str(value)


def display_rows(definition, data: dict, locale: str) -> list[tuple[str, str]]:
    """(label, shown value) for each filled field, in the definition's order."""
    return [
        (spec.label.get(locale), display_value(spec, data[spec.name], locale))
        for spec in definition.fields
        if data.get(spec.name) not in (None, "", [])
    ]


def _decision_entry(application: Application):
    """The history entry that put the case in its current state (the decision), if any."""
    decisions = [h for h in application.history if h.to_state == application.state]
    return decisions[-1] if decisions else None


def decision_rows(definition, application: Application, locale: str) -> list[tuple[str, str]]:
    """(label, shown value) of what the officers gave with their actions (transition outputs).

    In the definition's order; a later action's value replaces an earlier one of the same name.
    """
    given: dict[str, object] = {}
    for entry in application.history:
        given.update(entry.outputs or {})
    rows = []
    seen = set()
    for transition in definition.transitions:
        for spec in transition.outputs:
            if spec.name in given and spec.name not in seen:
                seen.add(spec.name)
                rows.append((spec.label.get(locale), display_value(spec, given[spec.name], locale)))
    return rows


def _validity_text(definition, document: IssuedDocument) -> str | None:
    """What the definition says about how long the permit lasts, with its last day."""
    from portal.applications.effects import LOCAL_TZ, expiry_of
    from portal.pdf import PdfFormat

    if definition.validity is None:
        return None
    issued_on = document.issued_at.astimezone(LOCAL_TZ).date()
    expiry = expiry_of(definition, issued_on)
    parts = [f"hasta el {PdfFormat.long_date(expiry)}."] if expiry else []
    if definition.validity.note:
        parts.append(definition.validity.note.es)
    return " ".join(parts) or None


def render_issued(application_id: int, kind: str) -> bool:
    """Render and store the PDF of an issued document once; return True when rendered now.

    Runs inside the caller's transaction (the outbox run commits it): the document's row is
    locked while its PDF is checked, rendered and recorded, so two runs at one instant store
    one PDF; the second finds `pdf_key` set and stops.
    """
    from portal.pdf import render_into

    document = db.session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.application_id == application_id, IssuedDocument.kind == kind)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if document is None or document.pdf_key is not None:
        return False
    template = CERTIFICATE_TEMPLATES["certificate"] if kind == "certificate" else "pdf/receipt.html"
    render_into(document, template, _context(document), prefix=f"issued/{application_id}")
    return True


def read_pdf(document: IssuedDocument) -> bytes | None:
    return storage().get(document.pdf_key) if document.pdf_key else None
