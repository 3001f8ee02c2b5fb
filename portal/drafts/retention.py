"""How long an untouched draft is kept, and when its applicant is warned (one rule, one place).

A draft is kept `Definition.retention_days` calendar days (a procedure's
`draft_retention_days`, else 30) after the applicant last saved it; its applicant is e-mailed
`WARNING_DAYS` before (or half-way, for a shorter retention), and then it is deleted
(`portal.drafts.services.sweep_drafts`); an expired draft answers 404 even before the sweep.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.applications.models import Application
from portal.procedures.services import definition_of

#: Days before a draft expires that its applicant is warned (by e-mail and on the draft).
WARNING_DAYS = 7


def is_draft(application: Application) -> bool:
    """The case was never filed (no tracking number), is not deleted, and is in its draft
    state (a draft withdrawn before filing is not one any more)."""
    return (
        application.tracking_number is None
        and application.discarded_at is None
        and definition_of(application.procedure_version).state(application.state).kind == "draft"
    )


def last_saved(application: Application) -> datetime:
    return application.draft_saved_at or application.updated_at or application.created_at


def expires_at(application: Application) -> datetime:
    """The instant (UTC) a draft left as it is now stops being kept."""
    days = definition_of(application.procedure_version).retention_days
    return last_saved(application) + timedelta(days=days)


def warn_from(application: Application) -> datetime:
    """The instant (UTC) from which the applicant is told the draft will expire."""
    days = definition_of(application.procedure_version).retention_days
    return expires_at(application) - timedelta(days=min(WARNING_DAYS, days // 2))


def is_expired(application: Application, now: datetime) -> bool:
    return is_draft(application) and now >= expires_at(application)
