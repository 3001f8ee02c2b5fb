"""RQ entry point for the e-mail inviting an address to represent a legal unit."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.accounts.services import get_user_by_email
from portal.extensions import db
from portal.links import public_url
from portal.notifications.services import locale_of, send_once
from portal.representatives import services as representatives
from portal.subjects.models import Representation


def send_invitation(representation_id: int) -> bool:
    """Send the invitation link once (keyed by the invitation); False when sent or withdrawn.

    In the language of the invited address's account (kept in its notification centre), in
    Spanish when it has none. The caller's transaction commits (`portal.jobs.services`).
    """
    found = db.session.get(Representation, representation_id)
    if found is None or found.revoked_at is not None:
        return False
    account = get_user_by_email(found.invited_email)
    unit = found.legal_unit
    return send_once(
        f"representation-invite-{representation_id}",
        to=found.invited_email,
        locale=locale_of(account) if account is not None else "es",
        subject=lambda: _("Le invitan a representar a %(name)s", name=unit.name or unit.nit),
        template="email/representation_invite.txt",
        context={
            "unit": unit,
            "inviter": db.session.get(User, found.granted_by_id),
            "link": public_url(f"/mis-datos/representacion/{representatives.link_token(found)}"),
            "days": representatives.INVITATION_DAYS,
        },
        user_id=account.id if account is not None else None,
    )
