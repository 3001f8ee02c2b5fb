"""Who the applicant of a case is, to read and to write to: one rule for every page, text and
e-mail about a case.

A case filed at the counter for a citizen without an account is owned by a shared counter
account (one per identifier, `portal.walkin.services.counter_account`); that account carries
no fact of any one case. The name, e-mail and phone the citizen gave at the counter are kept
on the case's own `WalkIn` row, and are what the case shows until the citizen claims it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from portal.accounts.models import User
from portal.extensions import db
from portal.walkin.models import COUNTER_DOMAIN, WalkIn


def is_counter_account(user: User | None) -> bool:
    """Whether the account is a counter account, which never signs in (`portal.walkin`)."""
    return user is not None and user.email.endswith(f"@{COUNTER_DOMAIN}")


def counter_record(application) -> WalkIn | None:
    """The counter record of a case its counter account still owns (unclaimed), else None:
    a case filed online, for a registered person, or claimed since, is its account's."""
    if not is_counter_account(application.applicant):
        return None
    return db.session.scalar(sa.select(WalkIn).where(WalkIn.application_id == application.id))


def applicant_name(application) -> str:
    """The applicant's name as a case shows and writes it (pages, reasoned texts, receipts):
    the name given at the counter while a counter account owns the case, else the account
    holder's name."""
    record = counter_record(application)
    return record.full_name if record is not None else application.applicant.full_name


@dataclass(frozen=True)
class Contact:
    """The applicant as a case shows them to staff: `email` and `phone` None when not given
    (`at_counter`: as given at the counter, the case still owned by its counter account)."""

    name: str
    email: str | None
    phone: str | None
    at_counter: bool


def applicant_contact(application) -> Contact:
    """Who the applicant of a case is and how to reach them (`Contact`)."""
    record = counter_record(application)
    if record is None:
        return Contact(application.applicant.full_name, application.applicant.email, None, False)
    return Contact(record.full_name, record.email, record.phone, True)


def mail_to(application) -> str | None:
    """The address for e-mail about a case: its owner's account address, or, when the owner
    is a counter account, the e-mail the citizen gave at the counter (None: none given, and
    nothing is sent until they claim the case)."""
    if not is_counter_account(application.applicant):
        return application.applicant.email
    return db.session.scalar(sa.select(WalkIn.email).where(WalkIn.application_id == application.id))
