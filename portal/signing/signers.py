"""Who signs each issued document: the deciding officer, or the authority's electronic seal."""

from __future__ import annotations

from flask_babel import force_locale

from portal.signing.signatures import DocumentSigner

#: The role printed under an authority's electronic seal (documents no officer signs).
SEAL_ROLE = "Ventanilla Única AMSS"


def seal(authority, reason: str) -> DocumentSigner:
    """The authority's electronic seal, for receipts and payment orders (no officer acts)."""
    return DocumentSigner(
        authority=authority,
        name=f"Sello electrónico de {authority.short_name}",
        role=SEAL_ROLE,
        reason=reason,
    )


def officer(authority, decision, reason: str) -> DocumentSigner:
    """The officer who took the decision (a history entry: its actor and the role they acted
    in), or the authority's seal when no person took it (a deadline, positive silence)."""
    if decision is None or decision.actor is None:
        return seal(authority, reason)
    return DocumentSigner(
        authority=authority,
        name=decision.actor.full_name,
        role=role_label(decision.actor_role or decision.actor.role),
        reason=reason,
    )


def role_label(role: str) -> str:
    """A staff role as printed on a document, in Spanish ("Jefatura", "Personal técnico")."""
    from portal.applications.dashboard import ROLE_TITLES

    title = ROLE_TITLES.get(role)
    if title is None:
        return role
    with force_locale("es"):
        text = str(title)
    return text[:1].upper() + text[1:]
