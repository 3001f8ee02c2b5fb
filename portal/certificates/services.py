"""Render receipts and certificates into stored PDFs, and look them up for verification."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import workflows
from portal import permissions
from portal.accounts.models import AuditEvent, User
from portal.applications.models import Application, HistoryEntry
from portal.authorities.models import Authority
from portal.certificates.layouts import DECISION_TEMPLATES, decision_layout, layout_for
from portal.certificates.models import IssuedDocument
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.extensions import db, utcnow
from portal.links import claim_url, status_url, tracking_url, verification_url
from portal.procedures.services import definition_of
from portal.storage import storage
from portal.tracking.services import display_code, verification_keys
from portal.walkin.contact import is_counter_account
from portal.walkin.models import WalkIn
from workflows.identifiers import identifiers_in

#: The Spanish name of each kind of issued document in its download URL, and back.
SLUGS = {
    "receipt": "constancia",
    "certificate": "certificado",
    "resolution": "resolucion-desfavorable",
}
KIND_OF_SLUG = {slug: kind for kind, slug in SLUGS.items()}


#: The nouns a certificate's title may start with, as written: the kind of document it is.
TITLE_NOUNS = ("Resolución", "Constancia", "Permiso", "Licencia", "Certificado")
#: The noun of the other kinds: a receipt is a constancia de recepción (its title is the
#: procedure's), a denial's document a resolution.
KIND_NOUNS = {"receipt": "Constancia", "resolution": "Resolución", "certificate": "Certificado"}


def _plain(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def document_noun(document: IssuedDocument) -> str:
    """The kind of document as its title names it, one of `TITLE_NOUNS` ("Resolución de
    Calificación de Lugar": "Resolución"; "PERMISO de Rótulo": "Permiso"); "Certificado" when
    the title names none; other kinds by `KIND_NOUNS`."""
    if document.kind != "certificate":
        return KIND_NOUNS[document.kind]
    first = _plain((document.title or {}).get("es", "").split(" ", 1)[0])
    return next((noun for noun in TITLE_NOUNS if _plain(noun) == first), KIND_NOUNS["certificate"])


def document_word(document: IssuedDocument) -> str:
    """The first word of the document's file name: its noun unaccented, in lower case
    ("resolucion-STE-2026-000123.pdf")."""
    return _plain(document_noun(document))


def clauses(texts) -> list[str]:
    """Return sentence pieces without their closing full stop, for a document to join them and
    close the sentence once ("…IV.25; Ley …, 97."), whatever its layout joins them with."""
    return [bare for bare in (text.strip().rstrip(". ").strip() for text in texts) if bare]


#: The kinds that record a case's decision (a URL of one points to the other when the case
#: was decided otherwise).
DECISION_KINDS = ("certificate", "resolution")
#: The layout of the receipt; the certificate's is the procedure version's
#: (`portal.certificates.layouts.layout_for`), a resolution's the portal's, in the same sandbox
#: (`layouts.decision_layout`).
TEMPLATES = {"receipt": "pdf/receipt.html"}

#: The applicant's right to appeal a resolution, printed on it (LPA Arts. 132 to 135: a
#: reconsideration before the office that decided, an appeal before its superior).
APPEAL_TEXT = (
    "Contra la presente resolución procede el recurso de reconsideración, ante el mismo órgano "
    "que la dictó, dentro de los diez días hábiles siguientes a su notificación; y el recurso de "
    "apelación, ante el superior jerárquico, dentro de los quince días hábiles siguientes a su "
    "notificación (Ley de Procedimientos Administrativos, Arts. 132 a 135)."
)

# A certificate names the case, not the whole file: its first rows. The closing block (place,
# date, signature, QR code) stays at the foot of page 1 whatever their length (print.css).
SUMMARY_ROWS = 6
#: The portal's logo, printed when an authority has none of its own.
PORTAL_LOGO = "images/favicon.svg"


def _current_first():
    """Documents nothing replaces first (the ends of replacement chains), those not revoked
    before those revoked, newest first: the first of a kind is the case's current one. A
    chain's end is current whatever its status (a revoked end is shown as revoked, never the
    document it replaced); of two separate issues (two acts), a revoked newer one gives way to
    the older one still in force."""
    successor = sa.orm.aliased(IssuedDocument)
    replaced = sa.exists().where(successor.replaces_id == IssuedDocument.id)
    return sa.select(IssuedDocument).order_by(
        replaced,
        IssuedDocument.revoked_at.is_not(None),
        IssuedDocument.issued_at.desc(),
        IssuedDocument.id.desc(),
    )


def get_issued(application_id: int, kind: str) -> IssuedDocument | None:
    """The case's current document of `kind` (`_current_first`): the end of its replacement
    chain, revoked or not; of several chains, the newest not revoked, else the newest."""
    return db.session.scalar(
        _current_first()
        .where(IssuedDocument.application_id == application_id, IssuedDocument.kind == kind)
        .limit(1)
    )


def issued_for(application_id: int) -> dict[str, IssuedDocument]:
    """The case's current document of each kind it holds (`get_issued`), in one statement."""
    current: dict[str, IssuedDocument] = {}
    for row in db.session.scalars(
        _current_first().where(IssuedDocument.application_id == application_id)
    ):
        current.setdefault(row.kind, row)
    return current


def decision_document(issued: dict[str, IssuedDocument]) -> IssuedDocument | None:
    """Of a case's current documents (`issued_for`), the newest that records a decision (a
    certificate or a resolution), or None."""
    decided = [document for document in issued.values() if document.decision is not None]
    return max(decided, key=lambda d: (d.issued_at, d.id), default=None)


def current_certificate(application_id: int) -> IssuedDocument | None:
    """The case's current document recording a decision (certificate or resolution), if any."""
    return decision_document(issued_for(application_id))


def get_by_code(code: str) -> IssuedDocument | None:
    """Find a document by its public code as typed (`portal.tracking.services.verification_keys`:
    case, spaces and dashes of any kind; O/I/L for 0/1 in the older hexadecimal codes)."""
    keys = verification_keys(code)
    if not keys:
        return None
    return db.session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.code.in_(keys))
        .options(
            joinedload(IssuedDocument.application).joinedload(Application.authority),
            joinedload(IssuedDocument.application).joinedload(Application.district),
        )
    )


def _context(document: IssuedDocument) -> dict:
    from portal.pdf import qr_png_data_uri

    application = document.application
    definition = definition_of(application.procedure_version)
    url = verification_url(document.code)
    # The decision the document records, even if the case has moved on since.
    state = definition.state(document.decision or application.state)
    summary = display_rows(definition, application.data, locale="es")[:SUMMARY_ROWS]
    decision = _issuing_entry(document)
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
        "reasons": _reason_labels(definition, decision),
        "legal_basis": clauses(text.es for text in definition.catalogue.legal_basis),
        "appeal_text": APPEAL_TEXT,
        "signer_name": decision.actor.full_name if decision and decision.actor else "",
        "issued_at": document.issued_at,
        "filed_at": application.filed_at,
        "district_name": application.district.name if application.district else "",
        "data_summary": summary,
        "documents": received,
        "due_date": application.due_on,
        "verification_code": display_code(document.code),
        "serial": document.serial,
        "verification_url": url,
        "status_url": status_url(application.id),
        "tracking_code": display_code(application.tracking_code),
        "tracking_url": tracking_url(),
        "qr": qr_png_data_uri(url),
        "validity_text": _validity_text(definition, document),
        "valid_until": document.valid_until,
        "status": document.status,
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


def certificate_context(document: IssuedDocument) -> dict:
    """What a certificate layout receives: `_context` and its own keys, primitives only.

    Adds `issued_on`, `authority_logo`, `legal_basis`, `conditions` or `reasoned_text` (the
    decision's comment, by the decided state's kind), `valid_until` and defaults for
    `signer_role` and `serial`; `portal.certificates.layouts.primitives` writes dates out.
    """
    from portal.applications.effects import LOCAL_TZ, expiry_of
    from portal.certificates.layouts import primitives

    application = document.application
    definition = definition_of(application.procedure_version)
    context = {"signer_role": "", "serial": ""} | _context(document)
    issued_on = document.issued_at.astimezone(LOCAL_TZ).date()
    if context.get("valid_until") is None:  # issued before valid_until was stored
        context["valid_until"] = expiry_of(definition, issued_on) if definition.validity else None
    with_conditions = definition.state(application.state).kind == "approved_with_conditions"
    comment = context["decision_comment"]
    context |= {
        "issued_on": issued_on,
        "authority_logo": authority_logo(application.authority.code),
        "legal_basis": clauses(text.es for text in definition.catalogue.legal_basis),
        "conditions": comment if with_conditions else "",
        "reasoned_text": "" if with_conditions else comment,
    }
    return primitives(context)


def authority_logo(code: str) -> str:
    """The authority's logo as a path into static/ (`images/authorities/<code>.svg` or
    `.png`), or the portal's when it has none."""
    from flask import current_app

    static = Path(current_app.static_folder)
    for suffix in (".svg", ".png"):
        path = f"images/authorities/{code.lower()}{suffix}"
        if (static / path).is_file():
            return path
    return PORTAL_LOGO


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


def _issuing_entry(document: IssuedDocument) -> HistoryEntry | None:
    """The act that issued the document; for documents issued before that was recorded, the
    history entry that put the case in its current state."""
    if document.history_entry_id is not None:
        return db.session.get(HistoryEntry, document.history_entry_id)
    return _decision_entry(document.application)


def _reason_labels(definition, entry: HistoryEntry | None) -> list[str]:
    """The Spanish labels of the reasons the decision gave, in the definition's order."""
    given = set(entry.reasons or ()) if entry is not None else set()
    return [reason.label.es for reason in definition.reasons if reason.code in given]


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
    # Documents issued before `valid_until` was stored: the same rule, from their issue date.
    expiry = document.valid_until or expiry_of(
        definition, document.issued_at.astimezone(LOCAL_TZ).date()
    )
    parts = [f"hasta el {PdfFormat.long_date(expiry)}."] if expiry else []
    if definition.validity.note:
        parts.append(definition.validity.note.es)
    return " ".join(parts) or None


def render_issued(document_id: int) -> bool:
    """Render and store the PDF of an issued document once; return True when rendered now.

    Runs inside the caller's transaction (the outbox run commits it): the document's row is
    locked while its PDF is checked, rendered and recorded, so two runs at one instant store
    one PDF; the second finds `pdf_key` set and stops. The file's key is fixed per document
    (`storage_name`): a run killed after storing the file but before its commit leaves a file
    that the next run overwrites, never a second one.
    """
    from portal.pdf import render_into

    document = db.session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.id == document_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if document is None or document.pdf_key is not None:
        return False
    definition = definition_of(document.application.procedure_version)
    if document.kind == "certificate":
        template, context = layout_for(definition.certificate), certificate_context(document)
    elif document.kind in DECISION_TEMPLATES:
        template = decision_layout(document.kind, definition.certificate)
        context = certificate_context(document)
    else:
        template, context = TEMPLATES[document.kind], _context(document)
    render_into(
        document,
        template,
        context,
        prefix=f"issued/{document.application_id}",
        name=storage_name(document),
        signer=_signer(document),
        test=document.application.is_test,
    )
    return True


def current_document_id(application_id: int, kind: str) -> int | None:
    """The id of the case's current document of `kind` (render jobs queued by name of case)."""
    document = get_issued(application_id, kind)
    return document.id if document is not None else None


def storage_name(document: IssuedDocument) -> str:
    """The file name of a document's PDF under its case's folder: `<id>-<serial>.pdf`."""
    return f"{document.id}-{document.serial}"


def _signer(document: IssuedDocument):
    """A receipt is sealed by the authority; any decision document (certificate, resolution)
    is signed by the officer who took the decision."""
    from portal.signing.signers import officer, seal

    application = document.application
    number = application.tracking_number
    if document.kind == "receipt":
        return seal(application.authority, f"Constancia de recepción del expediente {number}")
    return officer(
        application.authority,
        _decision_entry(application),
        f"{document.title['es']}: resolución del expediente {number}",
    )


def read_pdf(document: IssuedDocument) -> bytes | None:
    return storage().get(document.pdf_key) if document.pdf_key else None


# ---------------------------------------------------------------- lifecycle

#: History actions of the lifecycle acts (the timeline names them; the applicant sees them).
REVOKE, REPLACE = "document:revoke", "document:replace"
#: Audit actions of the same acts (the access log names them).
REVOKED_AUDIT, REPLACED_AUDIT = "document.revoked", "document.replaced"
REASON_MAX_CHARS = 1000
#: A public reason says what happened: a word or a letter does not.
REASON_MIN_CHARS = 10


def _lifecycle_document(
    actor: User, application: Application, document_id: int, reason: str
) -> tuple[Application, IssuedDocument, workflows.Definition, str, str]:
    """Lock the case and its document; check who acts and why (shared by revoke and replace).

    Raises:
        NotFound: not the actor's case (another office), or no such certificate of the case.
        NotAllowed: `role_not_allowed` when the definition's `certificate.revoke_roles` does
            not name their role.
        InvalidInput: at `reason`: `required`, `reason_too_short` (under `REASON_MIN_CHARS`),
            `too_long`, `reason_names_a_person` (a DUI, NIT or e-mail: `identifiers_in`).
    """
    from portal.applications.services import lock_application

    application = lock_application(application)
    if not actor.is_staff:
        raise NotAllowed("role_not_allowed")
    role = permissions.authorize(actor, application, permissions.READ)
    document = db.session.scalar(
        sa.select(IssuedDocument)
        .where(
            IssuedDocument.id == document_id,
            IssuedDocument.application_id == application.id,
            IssuedDocument.kind != "receipt",
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if document is None:
        raise NotFound("not_your_case")
    definition = definition_of(application.procedure_version)
    revokers = () if definition.certificate is None else definition.certificate.revoke_roles
    if not any(r in revokers for r in {role, *permissions.staff_roles(actor)}):
        raise NotAllowed("role_not_allowed", role=role, task=REVOKE)
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("required", field="reason")
    if len(text) < REASON_MIN_CHARS:
        raise InvalidInput("reason_too_short", field="reason")
    if len(text) > REASON_MAX_CHARS:
        raise InvalidInput("too_long", field="reason")
    if identifiers_in(text):  # the reason is public: no DUI, NIT or e-mail of a person
        raise InvalidInput("reason_names_a_person", field="reason")
    return application, document, definition, role, text


def _record(
    application, definition, actor, role, action, comment, event_type, payload, ip
) -> HistoryEntry:
    """The act's history entry (public), its SIMDET event and its audit record (flush only)."""
    from portal.applications.effects import add_feed_event
    from portal.jobs.services import enqueue

    entry = HistoryEntry.staff_act(application, actor, role, action, comment)
    db.session.add(entry)
    db.session.flush()
    add_feed_event(application, definition, entry, event_type, payload)
    audit = REVOKED_AUDIT if action == REVOKE else REPLACED_AUDIT
    db.session.add(
        AuditEvent(
            action=audit,
            actor_id=actor.id,
            application_id=application.id,
            subject=application.tracking_number,
            ip=ip,
            detail=payload,
        )
    )
    enqueue("sequence_feed")
    enqueue("send_notification", history_id=entry.id)  # the applicant's e-mail
    return entry


def document_of_act(entry: HistoryEntry) -> tuple[IssuedDocument | None, IssuedDocument | None]:
    """The document a revoking or replacing act acted on, and its replacement (or None)."""
    if entry.action == REPLACE:
        replacement = db.session.scalar(
            sa.select(IssuedDocument).where(IssuedDocument.history_entry_id == entry.id)
        )
        return (replacement.replaces if replacement else None), replacement
    revoked = db.session.scalar(
        sa.select(IssuedDocument)
        .where(
            IssuedDocument.application_id == entry.application_id,
            IssuedDocument.revoked_by_id == entry.actor_id,
            IssuedDocument.revocation_reason == entry.comment,
        )
        .order_by(IssuedDocument.revoked_at.desc(), IssuedDocument.id.desc())
        .limit(1)
    )
    return revoked, None


def _reference(document: IssuedDocument) -> dict:
    """A document as SIMDET and the audit see it: its id, kind and serial, no personal data."""
    return {"id": document.id, "kind": document.kind, "serial": document.serial}


def revoke_document(
    *, actor: User, application: Application, document_id: int, reason: str, ip: str | None = None
) -> IssuedDocument:
    """Revoke an issued certificate with a public reason, once.

    The act is recorded in the case history (the applicant sees it and why), the SIMDET feed
    (`permit.revoked`) and the audit log, in one transaction. Sent twice, the second changes
    nothing. A document already replaced is not revoked (its replacement is the one to revoke).

    Raises:
        NotFound, NotAllowed, InvalidInput: see `_lifecycle_document`.
        Conflict: `document_replaced`.
    """
    application, document, definition, role, text = _lifecycle_document(
        actor, application, document_id, reason
    )
    if document.revoked_at is None:
        if document.replaced_by is not None:
            raise Conflict("document_replaced")
        # Compare and set: SQLite takes no row lock, so two requests may both have read the
        # document unrevoked; only the first UPDATE finds it so (the second finds none).
        successor = sa.orm.aliased(IssuedDocument)
        revoked = db.session.execute(
            sa.update(IssuedDocument)
            .where(
                IssuedDocument.id == document.id,
                IssuedDocument.revoked_at.is_(None),
                ~sa.exists().where(successor.replaces_id == IssuedDocument.id),
            )
            .values(revoked_at=utcnow(), revocation_reason=text, revoked_by_id=actor.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(document)
        if revoked:
            payload = {"document": _reference(document)}
            _record(
                application, definition, actor, role, REVOKE, text, "permit.revoked", payload, ip
            )
        elif document.revoked_at is None:  # replaced meanwhile
            db.session.rollback()
            raise Conflict("document_replaced")
    db.session.commit()
    return document


def replace_document(
    *, actor: User, application: Application, document_id: int, reason: str, ip: str | None = None
) -> IssuedDocument:
    """Reissue a certificate after a correction: a new document (new code) replaces it, once.

    The new one has the same kind, decision and last day; its holder and title are read again
    from the case; its PDF is rendered by the render job. The old one stays verifiable and
    points to the new one. History, SIMDET (`permit.replaced`, both documents) and audit, in
    one transaction; sent twice, the second returns the replacement already made.

    Raises:
        NotFound, NotAllowed, InvalidInput: see `_lifecycle_document`.
        Conflict: `document_revoked`.
    """
    application, document, definition, role, text = _lifecycle_document(
        actor, application, document_id, reason
    )
    if document.replaced_by is not None:
        db.session.commit()
        return document.replaced_by
    if document.revoked_at is not None:
        raise Conflict("document_revoked")
    try:
        replacement = _replace(application, definition, actor, role, document, text, ip)
    except sa.exc.IntegrityError:
        # A request at the same instant replaced it first (SQLite takes no row lock, so both
        # read "not replaced"): the unique `replaces_id` refused this one; answer with its
        # replacement, as a resubmission gets.
        db.session.rollback()
        replacement = db.session.scalar(
            sa.select(IssuedDocument).where(IssuedDocument.replaces_id == document_id)
        )
        if replacement is None:
            raise
    db.session.commit()
    return replacement


def _replace(application, definition, actor, role, document, text, ip) -> IssuedDocument:
    """The replacing act of `replace_document`, flushed (IntegrityError if raced)."""
    from portal.applications.bindings import certificate_holder
    from portal.applications.effects import RENDER_TASKS
    from portal.certificates.serials import next_serial
    from portal.jobs.services import enqueue
    from portal.tracking.services import new_verification_code

    # Compare and "set" (a no-op write): takes SQLite's write lock and checks the document is
    # still unrevoked as it now is; a revocation committed meanwhile wins.
    still_open = db.session.execute(
        sa.update(IssuedDocument)
        .where(IssuedDocument.id == document.id, IssuedDocument.revoked_at.is_(None))
        .values(revoked_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not still_open:
        db.session.rollback()
        raise Conflict("document_revoked")
    title = document.title
    issued_at = utcnow()
    replacement = IssuedDocument(
        application_id=application.id,
        kind=document.kind,
        authority_id=document.authority_id,
        serial=next_serial(application.authority, document.kind, issued_at),
        issued_at=issued_at,
        code=new_verification_code(),
        title=dict(title),
        holder_name=certificate_holder(application, definition),
        decision=document.decision,
        valid_until=document.valid_until,
        replaces=document,
    )
    db.session.add(replacement)
    db.session.flush()
    payload = {"document": _reference(document), "replacement": _reference(replacement)}
    entry = _record(
        application, definition, actor, role, REPLACE, text, "permit.replaced", payload, ip
    )
    replacement.history_entry_id = entry.id  # the act that issued it
    enqueue(RENDER_TASKS[replacement.kind], document_id=replacement.id)
    db.session.flush()
    return replacement


def mark_expired(today: date | None = None) -> dict[str, int]:
    """Mark the documents past their last day expired (`expired_at`), once each; daily job.

    A revoked or replaced document keeps that status; running twice marks nothing more.
    """
    from portal.applications.effects import local_now

    today = today or local_now().date()
    successor = sa.orm.aliased(IssuedDocument)
    result = db.session.execute(
        sa.update(IssuedDocument)
        .where(
            IssuedDocument.valid_until < today,
            IssuedDocument.expired_at.is_(None),
            IssuedDocument.revoked_at.is_(None),
            ~sa.exists().where(successor.replaces_id == IssuedDocument.id),
        )
        .values(expired_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return {"expired": result.rowcount}
