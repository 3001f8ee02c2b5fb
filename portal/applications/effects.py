"""The portal's side of the engine's effects; the clocks live in portal.applications.clocks."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

import workflows
from portal.applications.models import Application, HistoryEntry, TrackingCounter
from portal.extensions import db, utcnow
from portal.jobs.services import enqueue
from portal.walkin.contact import applicant_name
from workflows.model import FINAL_KINDS

LOCAL_TZ = ZoneInfo("America/El_Salvador")


def local_now() -> datetime:
    return utcnow().astimezone(LOCAL_TZ)


def district_field(definition: workflows.Definition) -> str | None:
    """Return the name of the definition's district field, if it has one."""
    return next((f.name for f in definition.fields if f.type == "district"), None)


def expiry_of(definition: workflows.Definition, decided_on):
    """Last day an approved output is valid, from the definition's validity; None if unlimited.

    The one rule (`workflows.model.Validity.last_day`): the certificate's `valid_until`, the
    reminders before it and the renewal offer read it.
    """
    validity = definition.validity
    return None if validity is None else validity.last_day(decided_on)


def route(application: Application, definition: workflows.Definition) -> None:
    """Send the case to the authority the routing rules pick for its data, when it is filed."""
    from portal.applications.facts import typed_data
    from portal.authorities.models import Authority
    from workflows.routing import issuing_authority

    code = issuing_authority(definition, typed_data(definition, application.data))
    authority = db.session.scalar(sa.select(Authority).where(Authority.code == code))
    if authority is None:  # seeding refuses such definitions; never file to a ghost office
        raise LookupError(f"routing names an unknown authority: {code}")
    application.authority_id = authority.id
    application.authority = authority


def assign_tracking_number(application: Application) -> None:
    """Give the case its number, like OPAMSS-2026-000001, from a per-authority yearly counter.

    A test case (`Application.is_test`) takes `PRUEBA-<id>` and leaves the counter alone, so
    the office's numbers stay gapless.
    """
    from portal.tracking.services import new_tracking_code

    if application.is_test:
        application.tracking_number = f"PRUEBA-{application.id}"
        application.filed_at = utcnow()
        application.tracking_code = new_tracking_code()
        return
    year = local_now().year
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(TrackingCounter)
        .values(authority_id=application.authority_id, year=year, last=0)
        .on_conflict_do_nothing()
    )
    number = db.session.execute(
        sa.update(TrackingCounter)
        .where(
            TrackingCounter.authority_id == application.authority_id, TrackingCounter.year == year
        )
        .values(last=TrackingCounter.last + 1)
        .returning(TrackingCounter.last)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    prefix = application.authority.tracking_prefix
    application.tracking_number = f"{prefix}-{year}-{number:06d}"
    application.filed_at = utcnow()
    application.tracking_code = new_tracking_code()


def _calendar(application: Application):
    """The issuing office's calendar: its local days off count as non-working."""
    from portal.applications.clocks import calendar_of

    return calendar_of(application)


def _change_clock(application, definition, change) -> None:
    """Apply `change(clock, today)` to the case's stored clock, if it has one."""
    from portal.applications import clocks

    clock = clocks.clock_of(application, definition, _calendar(application))
    if clock is not None:
        clocks.store(application, change(clock, local_now().date()))


def _feed_payload(
    application: Application, definition: workflows.Definition, entry: HistoryEntry, event_type: str
) -> dict:
    """The event as SIMDET sees it: the case, its place and its establishment, never a person.

    The establishment's facts come from the data dictionary's bindings
    (`bindings.feed_establishment`): a local field or a personal element never enters.
    """
    from portal.applications.bindings import feed_establishment

    establishment = feed_establishment(application, definition)
    return {
        "type": event_type,
        "tracking_number": application.tracking_number,
        "authority": application.authority.code,
        "district": application.district.code if application.district else None,
        "procedure": definition.slug,
        "procedure_version": definition.version,
        "action": entry.action,
        "state": entry.to_state,
        "state_kind": definition.state(entry.to_state).kind,
        "activity_code": establishment.get("activity_code"),
        "establishment": establishment,
        "mype": _mype(application, establishment),
        "occurred_at": entry.occurred_at.isoformat(),
    }


def _mype(application: Application, establishment: dict) -> dict | None:
    """The Ley MYPE size of the establishment on the filing date, with the minimum wage and the
    rule version it was counted with (SIMDET's provenance); None when sales or workers are not
    known (`portal.reference.values.mype_size`)."""
    from portal.reference.values import mype_size
    from workflows.numbers import read_number

    sales = read_number(establishment.get("annual_sales"))
    workers = read_number(establishment.get("employees"))
    if sales is None or workers is None or application.filed_at is None:
        return None
    found = mype_size(sales, int(workers), application.filed_at.astimezone(LOCAL_TZ).date())
    if found is None:
        return None
    return {
        "size": found.size,
        "minimum_wage": str(found.wage),
        "rule_from": found.rule_from.isoformat(),
    }


def emit_feed_event(application, definition, entry, params) -> None:
    add_feed_event(application, definition, entry, params["type"])
    db.session.info["feed_pending"] = True


def add_feed_event(application, definition, entry, event_type: str, extra=None) -> None:
    """Add the SIMDET event `event_type` of the act `entry` (`_feed_payload`, plus `extra`:
    ids and serials, never personal data); the caller has it sequenced (`sequence_feed`).

    A test case's acts never reach the feed: this is the one place feed events are built.
    """
    from portal.simdet.models import FeedEvent

    if application.is_test:
        return

    db.session.add(
        FeedEvent(
            event_id=str(uuid.uuid4()),
            type=event_type,
            occurred_at=entry.occurred_at,
            payload=_feed_payload(application, definition, entry, event_type) | (extra or {}),
        )
    )


def issue_receipt(application, definition, entry, params) -> None:
    _issue(application, definition, entry, "receipt")


def issue_certificate(application, definition, entry, params) -> None:
    _issue(application, definition, entry, "certificate", decision=entry.to_state)


def issue_resolution(application, definition, entry, params) -> None:
    """Issue the signed resolution of a decision that is not an approval (a denial)."""
    _issue(application, definition, entry, "resolution", decision=entry.to_state)


#: The render job of each kind of issued document (`portal.certificates.tasks`).
RENDER_TASKS = {
    "receipt": "render_receipt",
    "certificate": "render_certificate",
    "resolution": "render_resolution",
}


def _issue(application, definition, entry, kind: str, decision: str | None = None) -> None:
    """Issue a document of `kind` for the act `entry`, with its serial, and enqueue its PDF.

    The receipt goes to the applicant, a certificate or resolution to the declared holder. One
    act issues one document of a kind: run twice for one entry, the second run adds nothing.
    The serial is taken here, in the act's transaction (`portal.certificates.serials`).
    """
    from portal.applications.bindings import certificate_holder
    from portal.certificates.models import IssuedDocument
    from portal.certificates.serials import next_serial
    from portal.tracking.services import new_verification_code

    existing = db.session.scalar(
        sa.select(IssuedDocument.id).where(
            IssuedDocument.history_entry_id == entry.id, IssuedDocument.kind == kind
        )
    )
    if existing is not None:
        return
    title = (
        definition.certificate.title
        if kind == "certificate" and definition.certificate
        else definition.title
    )
    issued_at = utcnow()
    document = IssuedDocument(
        application_id=application.id,
        kind=kind,
        authority_id=application.authority_id,
        serial=next_serial(application.authority, kind, issued_at, test=application.is_test),
        history_entry_id=entry.id,
        code=new_verification_code(),
        title={"es": title.es, "en": title.en},
        holder_name=(
            applicant_name(application)
            if kind == "receipt"
            else certificate_holder(application, definition)
        ),
        decision=decision,
        issued_at=issued_at,
        valid_until=(
            expiry_of(definition, issued_at.astimezone(LOCAL_TZ).date())
            if kind == "certificate"
            else None
        ),
    )
    db.session.add(document)
    db.session.flush()
    enqueue(RENDER_TASKS[kind], document_id=document.id)


def notify(application, definition, entry, params) -> None:
    enqueue("send_notification", history_id=entry.id)


def request_payment(application, definition, entry, params) -> None:
    """Issue a payment order for the fees the definition assesses on this case's data.

    The order, its payment reference, due date and PDF job: `portal.payments.services.issue_order`.
    """
    from portal.applications.facts import typed_data
    from portal.payments.assessment import assess
    from portal.payments.models import PaymentOrder
    from portal.payments.services import issue_order
    from workflows.fees import FeeRegimeError

    pending = db.session.scalar(
        sa.select(PaymentOrder).where(
            PaymentOrder.application_id == application.id, PaymentOrder.status == "pending"
        )
    )
    if pending is not None:
        return
    # The regime in force when the case was filed, as its procedure version is.
    filed_on = (application.filed_at or utcnow()).astimezone(LOCAL_TZ).date()
    typed = typed_data(definition, application.data)
    assessment = assess(definition, typed, application.district, on=filed_on)
    if assessment.missing_regime:  # filed cases have a district; an authority without a regime
        raise FeeRegimeError(f"no tariff regime for district of case {application.id}")
    issue_order(application, definition, assessment, params)


def register_establishment(application, definition, entry, params) -> None:
    """Record the establishment an approved registration creates, without personal data.

    Its trade name, activity and employees are the case's answers bound to the data
    dictionary's establishment elements; its district is the case's (a district's registration
    is about an establishment in that district).
    """
    from portal.applications.facts import typed_data
    from portal.establishments.models import Establishment
    from portal.subjects import services as subjects
    from workflows.dictionary import bound

    if (
        db.session.scalar(
            sa.select(Establishment).where(Establishment.application_id == application.id)
        )
        is not None
    ):
        return
    values = bound(definition, typed_data(definition, application.data)).get("establishment", {})
    establishment = Establishment(
        application_id=application.id,
        authority_id=application.authority_id,
        district_id=application.district_id,
        trade_name=values.get("trade_name"),
        activity_code=values.get("activity_code"),
        employees=values.get("employees"),
    )
    db.session.add(establishment)
    subjects.establishment_registered(application, definition, establishment)


def close_establishment(application, definition, entry, params) -> None:
    """End the establishment the approved closure is about (its record's `valid_to`)."""
    from portal.subjects import services as subjects

    subjects.close_establishment(application, entry)


def assign_to_role(application, definition, entry, params) -> None:
    application.assigned_role = params["role"]


def _reason(entry: HistoryEntry) -> str:
    """Why the clock changed, as the record keeps it: the actor's comment, else the act."""
    return entry.comment or entry.action


def extend_clock(application, definition, entry, params) -> None:
    """Extend the legal period by a motivated number of business days (the comment says why).

    Raises:
        workflows.TransitionNotAllowed: `extension_beyond_limit` (with `limit`), when the
            extensions would pass the definition's `max_extension_business_days`.
    """
    from workflows.clocks import ClockError

    def extend(clock, today):
        try:
            return clock.extend(int(params["business_days"]), today, _reason(entry))
        except ClockError as refused:
            reason = workflows.Reason(refused.code, {"limit": clock.max_extension_days})
            raise workflows.TransitionNotAllowed([reason]) from refused

    _change_clock(application, definition, extend)


def suspend_clock(application, definition, entry, params) -> None:
    """Suspend the legal period from today (a correction request); a second one changes nothing."""
    _change_clock(
        application,
        definition,
        lambda clock, today: clock if clock.is_suspended else clock.suspend(today, _reason(entry)),
    )


def resume_clock(application, definition, entry, params) -> None:
    """Resume the legal period after today; overdue cases stay overdue.

    While an external opinion that suspends the clock is pending, the clock stays suspended
    (its answer resumes it: `portal.opinions.services`).
    """
    from portal.opinions.services import clock_held

    if clock_held(application):
        return
    _change_clock(
        application,
        definition,
        lambda clock, today: clock.resume(today, _reason(entry)) if clock.is_suspended else clock,
    )


#: Effects a test case skips: they write the public registries (establishments) that the
#: SIMDET snapshots and the applicant's records read. What a test case shows of them is the
#: state it reaches; its e-mails and PDFs are produced as for a real case.
TEST_SKIPPED = frozenset({"register_establishment", "close_establishment"})

HANDLERS = {
    "emit_feed_event": emit_feed_event,
    "issue_receipt": issue_receipt,
    "issue_certificate": issue_certificate,
    "issue_resolution": issue_resolution,
    "notify": notify,
    "request_payment": request_payment,
    "register_establishment": register_establishment,
    "close_establishment": close_establishment,
    "assign_to_role": assign_to_role,
    "extend_clock": extend_clock,
    "suspend_clock": suspend_clock,
    "resume_clock": resume_clock,
}


def apply(
    application: Application,
    definition: workflows.Definition,
    outcome: workflows.Outcome,
    entry: HistoryEntry,
) -> None:
    """Perform every effect of a fired transition within the current transaction.

    The legal clock starts at filing; suspensions, resumptions and extensions are effects;
    then the due dates, the next breach day and, in a final state, the Art. 97 notification
    deadline are derived from the clocks (portal.applications.clocks).
    """
    from portal.applications import clocks

    calendar = _calendar(application)
    today = local_now().date()
    if application.clock is None and definition.state(outcome.source).kind == "draft":
        clocks.start_clock(application, definition, calendar, today)
    for ref in outcome.effects:
        if application.is_test and ref.name in TEST_SKIPPED:
            continue
        HANDLERS[ref.name](application, definition, entry, dict(ref.params))
    target_kind = definition.state(outcome.target).kind
    if target_kind in FINAL_KINDS:
        application.decided_at = utcnow()
        # Kept for the deadline report: derive_deadlines clears `due_on` in a final state.
        clock = clocks.clock_of(application, definition, calendar)
        application.decided_due_on = clock.due_date if clock is not None else None
    # A decision and a prevención are acts the applicant must be notified of (LPA Art. 97);
    # once the applicant acts again, the last one was evidently notified.
    if target_kind in FINAL_KINDS or target_kind == "waiting_applicant":
        clocks.decided(application, today, calendar)
    else:
        application.notify_by = None
    clocks.derive_deadlines(application, definition, calendar)
    db.session.flush()
    if db.session.info.pop("feed_pending", False):
        enqueue("sequence_feed")
