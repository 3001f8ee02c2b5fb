"""Renewal of a licence or permit that expires, and the e-mail reminders before it does.

A decided case whose definition gives its output a `validity` (`workflows.model.Validity`:
a fixed day, months, or until the end of the fiscal year) expires on `effects.expiry_of`, the
rule its certificate's `valid_until` was computed with. From
`RENEW_FROM_DAYS` before that day the applicant may renew it: a new draft of the current version
of the same procedure, prefilled from the previous case's answers (the fields that still exist
with the same type) and then from the person's records. Reminders go out `REMINDER_DAYS`
before the expiry, one per case and threshold (the e-mail's delivery key).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext

import workflows
from portal.applications import effects
from portal.applications.clocks import local_date
from portal.applications.models import Application, real_cases
from portal.extensions import db
from portal.links import status_url
from portal.procedures.models import ProcedureVersion
from portal.procedures.services import definition_of
from portal.walkin.contact import mail_to
from workflows.model import APPROVED_KINDS
from workflows.prerequisites import add_months

log = logging.getLogger(__name__)

#: Days before the expiry from which "Renovar" is offered (and after it, for good).
RENEW_FROM_DAYS = 60
#: Days before the expiry at which the applicant is reminded by e-mail, largest first.
REMINDER_DAYS = (30, 7)


def renewal_token(previous: Application) -> str:
    """The start token of the renewal of `previous`: renewing twice opens one draft."""
    return f"renovar-{previous.id}"


def expires_on(application: Application, definition: workflows.Definition) -> date | None:
    """The last day the case's licence or permit is valid; None if it grants none that expires."""
    if application.decided_at is None or definition.state(application.state).kind not in (
        APPROVED_KINDS
    ):
        return None
    return effects.expiry_of(definition, local_date(application.decided_at))


def renewable(application: Application, definition: workflows.Definition, today: date) -> bool:
    """Whether "Renovar" is offered today: it expires within `RENEW_FROM_DAYS`, or has expired."""
    expiry = expires_on(application, definition)
    return expiry is not None and today >= expiry - timedelta(days=RENEW_FROM_DAYS)


def copy_answers(
    draft: Application, definition: workflows.Definition, previous: Application
) -> None:
    """Fill a new draft with the previous case's answers to fields that still exist, then from
    the records the previous case was about, as they are now (flush only).

    A field counts as the same when the new version has one of the same name and type; the
    answers hidden by other answers are dropped (`applicable_data`).
    """
    from workflows.guards import applicable_data

    old = {spec.name: spec.type for spec in definition_of(previous.procedure_version).fields}
    data = {
        spec.name: previous.data[spec.name]
        for spec in definition.fields
        if old.get(spec.name) == spec.type and previous.data.get(spec.name) not in (None, "", [])
    }
    draft.data = applicable_data(definition, data)
    # The same records as before (their current values fill the bound fields).
    from portal.subjects import services as subjects

    bound = subjects.bound_subjects(definition)
    for subject, link in subjects.links_of(previous).items():
        if subject in bound:
            subjects.choose(draft, definition, subject, link.record_id)


def _candidates(today: date) -> sa.ColumnElement[bool]:
    """SQL for 'approved on a version with a validity, possibly expiring within a reminder'."""
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    clauses = []
    for version in db.session.scalars(sa.select(ProcedureVersion)):
        definition = definition_of(version)
        validity = definition.validity
        approved = [s.code for s in definition.states if s.kind in APPROVED_KINDS]
        if validity is None or not approved:
            continue
        of_version = sa.and_(
            Application.procedure_version_id == version.id, Application.state.in_(approved)
        )
        if validity.until is not None:  # one last day for every case of the version
            if today <= validity.until <= horizon:
                clauses.append(of_version)
            continue
        if validity.ends_with_fiscal_year:
            if horizon < date(today.year, 12, 31):
                continue
            first, last = date(today.year, 1, 1), today
        elif validity.months:
            first = add_months(today, -validity.months) - timedelta(days=1)
            last = add_months(horizon, -validity.months) + timedelta(days=1)
        else:
            continue
        clauses.append(
            sa.and_(
                of_version,
                Application.decided_at >= _day_start(first),
                Application.decided_at < _day_start(last + timedelta(days=1)),
            )
        )
    return sa.and_(sa.or_(*clauses), real_cases()) if clauses else sa.false()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=effects.LOCAL_TZ)


def _threshold(days_left: int) -> int | None:
    """The reminder due with `days_left` to go: the nearest threshold not yet passed."""
    due = [days for days in REMINDER_DAYS if 0 <= days_left <= days]
    return min(due) if due else None


def _renewed(application: Application) -> bool:
    """A renewal of the case was already filed: no reminder is needed any more."""
    return (
        db.session.scalar(
            sa.select(Application.id).where(
                Application.applicant_id == application.applicant_id,
                Application.start_token == renewal_token(application),
                Application.tracking_number.is_not(None),
            )
        )
        is not None
    )


def _revoked(application: Application) -> bool:
    """The case's permit was revoked: there is nothing left to renew on time."""
    from portal.certificates.services import current_certificate

    document = current_certificate(application.id)
    return document is not None and document.revoked_at is not None


def send_expiry_reminders(today: date | None = None) -> dict[str, int]:
    """E-mail each applicant whose licence or permit expires within a reminder threshold.

    Idempotent: one e-mail per case and threshold (delivery key `expiry-<case>-<days>`), kept
    in the person's notification centre; a run that finds it sent skips it. One transaction per
    e-mail, so a failure leaves the others sent.
    """
    from portal.notifications import services as mail

    today = today or effects.local_now().date()
    ids = db.session.scalars(
        sa.select(Application.id).where(_candidates(today)).order_by(Application.id)
    ).all()
    sent = 0
    for application_id in ids:
        application = db.session.get(Application, application_id)
        definition = definition_of(application.procedure_version)
        expiry = expires_on(application, definition)
        days = _threshold((expiry - today).days) if expiry else None
        key = f"expiry-{application.id}-{days}"
        if days is None or mail.was_sent(key) or _renewed(application) or _revoked(application):
            continue
        locale = mail.locale_of(application.applicant)
        title = definition.title.get(locale)
        day = expiry.strftime("%d/%m/%Y")
        if mail.send_once(
            key,
            to=mail_to(application),
            locale=locale,
            subject=lambda title=title, day=day, number=application.tracking_number: gettext(
                "Su %(procedure)s vence el %(date)s (expediente %(number)s)",
                procedure=title,
                date=day,
                number=number,
            ),
            template="email/expiry_reminder.txt",
            context={
                "application": application,
                "procedure_title": title,
                "expiry": day,
                "status_url": status_url(application.id),
            },
            user_id=application.applicant_id,
            application_id=application.id,
        ):
            sent += 1
        db.session.commit()
    log.info("expiry reminders sent: %s", sent)
    return {"cases": len(ids), "sent": sent}
