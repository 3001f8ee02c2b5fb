"""Where a case's owner is written to: one rule for every e-mail about a case."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.extensions import db
from portal.walkin.models import COUNTER_DOMAIN, WalkIn


def is_counter_account(user: User | None) -> bool:
    """Whether the account is a counter account, which never signs in (`portal.walkin`)."""
    return user is not None and user.email.endswith(f"@{COUNTER_DOMAIN}")


def mail_to(application) -> str | None:
    """The address for e-mail about a case: its owner's account address, or, when the owner
    is a counter account, the e-mail the citizen gave at the counter (None: none given, and
    nothing is sent until they claim the case)."""
    if not is_counter_account(application.applicant):
        return application.applicant.email
    return db.session.scalar(sa.select(WalkIn.email).where(WalkIn.application_id == application.id))
