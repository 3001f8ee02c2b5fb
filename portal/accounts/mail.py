"""Compose and send account e-mail in the owner's language; links are built at send time.

Kinds: `confirm` (sign-up link), `signup_existing` (someone tried to sign up with this
address), `reset` (password reset link, one hour, once), `password_changed` (notice, ASVS
2.2.3), `welcome` (a new staff account: a link to choose its first password, three days,
once). A reset link signs the user's current security stamp, so sending happens after commit.
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l

from portal.accounts import tokens
from portal.accounts.models import User
from portal.extensions import db
from portal.links import public_url
from portal.notifications.services import locale_of, send_once

SUBJECTS = {
    "confirm": _l("Confirme su correo en la Ventanilla Única AMSS"),
    "signup_existing": _l("Ya tiene una cuenta en la Ventanilla Única AMSS"),
    "reset": _l("Cambie su contraseña de la Ventanilla Única AMSS"),
    "password_changed": _l("Su contraseña de la Ventanilla Única AMSS cambió"),
    "welcome": _l("Su cuenta de personal en la Ventanilla Única AMSS"),
}


def _link(kind: str, user: User) -> str:
    if kind == "confirm":
        return public_url(f"/cuenta/confirmar/{tokens.make('confirm', user.id, user.email)}")
    if kind == "reset":
        token = tokens.make("reset", user.id, user.security_stamp)
        return public_url(f"/cuenta/restablecer/{token}")
    if kind == "welcome":  # a reset link that lasts longer: the first password of staff
        token = tokens.make("welcome", user.id, user.security_stamp)
        return public_url(f"/cuenta/restablecer/{token}")
    return public_url("/cuenta/olvide")  # signup_existing, password_changed


def send_account_mail(kind: str, user_id: int, key: str | None = None) -> bool:
    """Send one account e-mail unless it was sent; False when sent before, or nothing to send.

    `key` (given at enqueue time) names this e-mail, so a retried or duplicated job finds the
    delivery recorded in `mail_deliveries` and sends nothing; the caller's transaction commits.
    """
    user = db.session.get(User, user_id)
    if user is None or kind not in SUBJECTS:
        return False
    return send_once(
        f"account-{kind}-{user.id}-{key or secrets.token_hex(4)}",
        to=user.email,
        locale=locale_of(user),
        subject=SUBJECTS[kind],
        template=f"email/account_{kind}.txt",
        context={"user": user, "link": _link(kind, user)},
    )
