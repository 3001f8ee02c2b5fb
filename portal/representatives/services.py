"""Representatives: accounts that act for a legal unit with its owner's authorization.

The owner of a legal unit (the account that first filed with its NIT) invites an e-mail
address; the invitation link, valid `INVITATION_DAYS` days, is accepted by the signed-in
account with that address. From then on that account acts for the unit like its owner: it
sees and writes the unit's personal data when filing for it, and the unit's resolutions count
as prerequisites of its cases (`acting_units`). The owner revokes a representation or a
pending invitation at any time. Every grant, acceptance and revocation is audited.

Nothing here says whether an address has an account: the invitation goes to the address.
"""

from __future__ import annotations

import hmac
import secrets

import sqlalchemy as sa

from portal.accounts import tokens
from portal.accounts.models import AuditEvent, User
from portal.accounts.services import normalize_email
from portal.errors import InvalidInput, NotFound
from portal.extensions import db, utcnow
from portal.jobs.services import enqueue
from portal.subjects.models import LegalUnit, Representation

INVITATION_DAYS = 7
LINK_PURPOSE = "representation"


def standing(account_id: int) -> sa.Select:
    """Ids of the legal units the account represents now (accepted, not revoked)."""
    return sa.select(Representation.legal_unit_id).where(
        Representation.account_id == account_id,
        Representation.accepted_at.is_not(None),
        Representation.revoked_at.is_(None),
    )


def acting_units(account_id: int) -> set[int]:
    """Ids of the legal units the account acts for: those it owns and those it represents."""
    owned = sa.select(LegalUnit.id).where(LegalUnit.owner_id == account_id)
    return set(db.session.scalars(sa.union(owned, standing(account_id))))


def speaks_for(account_id: int, record) -> bool:
    """Whether the account acts for the record: a legal unit's owner or representative.

    Records of other subjects, and a legal unit nobody owns yet, are everyone's who filed
    about them.
    """
    owner = getattr(record, "owner_id", None)
    if owner in (None, account_id):
        return True
    if not isinstance(record, LegalUnit):
        return False
    return record.id in set(db.session.scalars(standing(account_id)))


def agents_of(legal_unit_ids: set[int]) -> set[int]:
    """The accounts that act for any of these legal units: owners and standing representatives
    (one statement)."""
    owners = sa.select(LegalUnit.owner_id).where(
        LegalUnit.id.in_(legal_unit_ids), LegalUnit.owner_id.is_not(None)
    )
    agents = sa.select(Representation.account_id).where(
        Representation.legal_unit_id.in_(legal_unit_ids),
        Representation.accepted_at.is_not(None),
        Representation.revoked_at.is_(None),
    )
    return set(db.session.scalars(sa.union(owners, agents)))


def list_for_owner(owner: User, legal_unit_id: int) -> list[Representation]:
    """The unit's invitations and representations not revoked, oldest first."""
    _owned(owner, legal_unit_id)
    return list(
        db.session.scalars(
            sa.select(Representation)
            .where(
                Representation.legal_unit_id == legal_unit_id,
                Representation.revoked_at.is_(None),
            )
            .order_by(Representation.id)
        )
    )


def _owned(owner: User, legal_unit_id: int) -> LegalUnit:
    unit = db.session.get(LegalUnit, legal_unit_id)
    if unit is None or unit.owner_id != owner.id:
        raise NotFound("not_found")
    return unit


def _audit(action: str, actor: User, target: str, ip: str | None, **detail) -> None:
    db.session.add(
        AuditEvent(action=action, actor_id=actor.id, subject=target[:200], ip=ip, detail=detail)
    )


def invite(*, owner: User, legal_unit_id: int, email: str, ip: str | None = None) -> bool:
    """Invite an address to represent the owner's legal unit (one transaction).

    Returns:
        True when an invitation was sent; False when one stands already for that address
        (a double submission sends nothing more).

    Raises:
        NotFound: the unit is not the owner's.
        InvalidInput: `representative_self` (the owner's own address), on field `email`.
    """
    unit = _owned(owner, legal_unit_id)
    address = normalize_email(email)
    if address == normalize_email(owner.email):
        raise InvalidInput("representative_self", field="email")
    existing = db.session.scalar(
        sa.select(Representation).where(
            Representation.legal_unit_id == unit.id,
            Representation.invited_email == address,
            Representation.revoked_at.is_(None),
        )
    )
    if existing is not None:
        return False
    invitation = Representation(
        legal_unit_id=unit.id,
        invited_email=address,
        nonce=secrets.token_hex(16),
        granted_by_id=owner.id,
    )
    db.session.add(invitation)
    db.session.flush()
    _audit("representation.invited", owner, f"legal_unit:{unit.id}", ip, email=address)
    enqueue("representation_invite", representation_id=invitation.id)
    db.session.commit()
    return True


def link_token(representation: Representation) -> str:
    """The signed token of an invitation's link (`/mis-datos/representacion/<token>`)."""
    return tokens.make(LINK_PURPOSE, representation.id, representation.nonce)


def invitation(token: str) -> Representation | None:
    """The open invitation a link names (not accepted, revoked or expired), or None."""
    read = tokens.read(LINK_PURPOSE, token, max_age=INVITATION_DAYS * 86400)
    if read is None:
        return None
    found = db.session.get(Representation, read[0])
    if (
        found is None
        or not hmac.compare_digest(found.nonce, read[1])
        or found.accepted_at is not None
        or found.revoked_at is not None
    ):
        return None
    return found


def _accepted_by(account: User, token: str) -> Representation | None:
    """The representation a link names when `account` accepted it and it still holds."""
    read = tokens.read(LINK_PURPOSE, token, max_age=INVITATION_DAYS * 86400)
    found = db.session.get(Representation, read[0]) if read else None
    if (
        found is None
        or not hmac.compare_digest(found.nonce, read[1])
        or found.account_id != account.id
        or found.accepted_at is None
        or found.revoked_at is not None
    ):
        return None
    return found


def accept(*, account: User, token: str, ip: str | None = None) -> Representation:
    """Accept an invitation as the signed-in account whose address it was sent to.

    Idempotent: the same account accepting the same link again (a double submission, back
    and send again) gets the representation it accepted, and nothing is written.

    Raises:
        NotFound: no open invitation for that link, or it was sent to another address (the
            same answer, so a link says nothing to someone it was not meant for).
    """
    found = invitation(token)
    if found is None:
        earlier = _accepted_by(account, token)
        if earlier is not None:  # accepted already by this account: a second click
            return earlier
    if found is None or normalize_email(account.email) != found.invited_email:
        raise NotFound("invitation_not_found")
    found.account_id, found.accepted_at = account.id, utcnow()
    _audit("representation.accepted", account, f"legal_unit:{found.legal_unit_id}", ip)
    db.session.commit()
    return found


def revoke(*, owner: User, legal_unit_id: int, representation_id: int, ip=None) -> None:
    """End a representation or withdraw an invitation (idempotent; one transaction)."""
    _owned(owner, legal_unit_id)
    found = db.session.get(Representation, representation_id)
    if found is None or found.legal_unit_id != legal_unit_id:
        raise NotFound("not_found")
    if found.revoked_at is None:
        found.revoked_at = utcnow()
        _audit(
            "representation.revoked",
            owner,
            f"legal_unit:{legal_unit_id}",
            ip,
            email=found.invited_email,
        )
    db.session.commit()
