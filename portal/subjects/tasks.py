"""RQ entry point for the e-mail inviting an address to represent a legal unit."""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.accounts.services import get_user_by_email
from portal.extensions import db
from portal.links import public_url
from portal.notifications.services import deliver, message_id_for, record_delivery, was_sent
from portal.representatives import services as representatives
from portal.subjects.models import Representation


def send_invitation(representation_id: int) -> bool:
    """Send the invitation link once (keyed by the invitation); False when sent or withdrawn.

    In the language of the invited address's account, Spanish when it has none. The caller's
    transaction commits (`portal.jobs.services.run_message`).
    """
    found = db.session.get(Representation, representation_id)
    name = f"representation-invite-{representation_id}"
    if found is None or found.revoked_at is not None or was_sent(name):
        return False
    account = get_user_by_email(found.invited_email)
    owner = found.legal_unit
    message = EmailMessage()
    with force_locale("en" if account is not None and account.locale == "en" else "es"):
        message["Subject"] = _("Le invitan a representar a %(name)s", name=owner.name or owner.nit)
        body = render_template(
            "email/representation_invite.txt",
            unit=owner,
            inviter=db.session.get(User, found.granted_by_id),
            link=public_url(f"/mis-datos/representacion/{representatives.link_token(found)}"),
            days=representatives.INVITATION_DAYS,
        )
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = found.invited_email
    message["Message-ID"] = message_id_for(name)
    message.set_content(body)
    if not record_delivery(name, message):
        return False
    deliver(message, name)
    return True
