"""External opinions: ask an institution the definition lists, record its answer, or cancel.

The institutions a procedure may consult, whether their consultation suspends the legal
clock and the business days they have to answer come from the pinned definition
(`opinions:`). While an opinion that suspends the clock is pending, the case's one clock
(`workflows.clocks.Clock`, stored by `portal.applications.clocks`) stays suspended: from the
day of the request until the day of the answer or cancellation (Ley de Procedimientos
Administrativos: the period is suspended while a mandatory report of another authority is
awaited), and the due dates are derived again. Each command locks the case, writes a history
row and commits once; the same form sent twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal.accounts.models import User
from portal.applications import clocks
from portal.applications.models import Application
from portal.errors import Conflict, InvalidInput, NotFound
from portal.extensions import db, utcnow
from portal.inspections.services import record_act
from portal.opinions.models import OPINION_ANSWERS, Opinion
from portal.procedures.services import definition_of
from portal.review.services import _authorized
from portal.storage import storage
from portal.uploads import check_upload, stored_name
from workflows.guards import RECORD_OPINION, REQUEST_OPINION

#: The answer's document: PDF, JPEG or PNG by its content, at most 20 MB.
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
MAX_TEXT = 5000
#: Answers that must say why or on what conditions.
ANSWERS_WITH_TEXT = ("negativa", "con_condiciones")


@dataclass(frozen=True)
class AnswerDocument:
    """The answer's document as the view read it: the name on the device and the bytes."""

    filename: str
    data: bytes


def list_opinions(application_id: int) -> list[Opinion]:
    """Every opinion asked on a case, pending first, then the latest."""
    return list(
        db.session.scalars(
            sa.select(Opinion)
            .where(Opinion.application_id == application_id)
            .order_by((Opinion.status == "pending").desc(), Opinion.id.desc())
        ).all()
    )


def pending_institutions(application: Application, locale: str) -> list[str]:
    """Names of the institutions the case is waiting on, as the applicant reads them."""
    definition = definition_of(application.procedure_version)
    codes = db.session.scalars(
        sa.select(Opinion.institution)
        .where(Opinion.application_id == application.id, Opinion.status == "pending")
        .order_by(Opinion.id)
    ).all()
    names = []
    for code in dict.fromkeys(codes):
        source = definition.opinion_source(code)
        names.append(source.name.get(locale) if source else code)
    return names


def get_opinion(application: Application, opinion_id: int) -> Opinion:
    """The case's opinion with this id (NotFound otherwise)."""
    found = db.session.get(Opinion, opinion_id)
    if found is None or found.application_id != application.id:
        raise NotFound("not_found")
    return found


def read_document(opinion: Opinion) -> bytes:
    """The stored bytes of the answer's document."""
    return storage().get(opinion.document_key)


def default_due_on(application: Application, institution: str, today: date) -> date | None:
    """The day the institution must answer by if asked today: its business days, counted on
    the office's calendar from the day after (`workflows.calendar`); None if not listed."""
    source = definition_of(application.procedure_version).opinion_source(institution)
    if source is None:
        return None
    calendar = clocks.calendar_of(application)
    return calendar.add_business_days(calendar.next_business_day(today), source.business_days)


def _clock_reason(definition, opinion: Opinion) -> str:
    source = definition.opinion_source(opinion.institution)
    return f"opinión técnica: {source.name.es if source else opinion.institution}"


def _suspend(application: Application, definition, opinion: Opinion, today: date) -> None:
    clock = clocks.clock_of(application, definition, clocks.calendar_of(application))
    if clock is None or clock.is_suspended:
        return  # already stopped (a correction round, another opinion): nothing to add
    clocks.store(application, clock.suspend(today, _clock_reason(definition, opinion)))
    clocks.derive_deadlines(application, definition, clocks.calendar_of(application))


def clock_held(application: Application, but: int | None = None) -> bool:
    """Tell whether a pending opinion that suspends the clock (other than `but`) holds it."""
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(Opinion.id)).where(
                Opinion.application_id == application.id,
                Opinion.status == "pending",
                Opinion.suspends_clock.is_(True),
                Opinion.id != (but or 0),
            )
        )
    )


def _resume(application: Application, definition, opinion: Opinion, today: date) -> None:
    """Resume when no other suspending opinion is pending and the state lets the clock run."""
    others = clock_held(application, but=opinion.id)
    state = definition.state(application.state)
    calendar = clocks.calendar_of(application)
    clock = clocks.clock_of(application, definition, calendar)
    if others or clock is None or not clock.is_suspended or state.clock == "suspended":
        return
    clocks.store(application, clock.resume(today, _clock_reason(definition, opinion)))
    clocks.derive_deadlines(application, definition, calendar)


def request_opinion(
    *,
    actor: User,
    application: Application,
    institution: str,
    question: str,
    due_on: date | None,
    today: date,
) -> Opinion:
    """Ask an institution of the definition's `opinions` for its technical opinion.

    `due_on` defaults to the institution's business days (`default_due_on`). When the
    definition says `suspends_clock`, the legal clock is suspended from `today`. The same
    question to the same institution while it is pending returns the first request.

    Raises:
        NotFound, NotAllowed: from `portal.permissions.authorize` (`request_opinion`).
        InvalidInput: `invalid_choice` at `institution`, `required` at `question`,
            `date_in_past` at `due_on`.
    """
    application, role = _authorized(application, actor, REQUEST_OPINION)
    definition = definition_of(application.procedure_version)
    source = definition.opinion_source(institution)
    if source is None:
        raise InvalidInput("invalid_choice", field="institution")
    if not question.strip():
        raise InvalidInput("required", field="question")
    due_on = due_on or default_due_on(application, institution, today)
    if due_on < today:
        raise InvalidInput("date_in_past", field="due_on")
    same = db.session.scalar(
        sa.select(Opinion).where(
            Opinion.application_id == application.id,
            Opinion.institution == institution,
            Opinion.status == "pending",
            Opinion.question == question.strip()[:MAX_TEXT],
        )
    )
    if same is not None:
        db.session.rollback()
        return same
    opinion = Opinion(
        application_id=application.id,
        institution=institution,
        question=question.strip()[:MAX_TEXT],
        requested_by_id=actor.id,
        requested_on=today,
        due_on=due_on,
        suspends_clock=source.suspends_clock,
        status="pending",
        answer_text="",
    )
    db.session.add(opinion)
    if source.suspends_clock:
        _suspend(application, definition, opinion, today)
    record_act(application, actor, role, REQUEST_OPINION, source.name.es)
    db.session.commit()
    return opinion


def _checked_document(document: AnswerDocument | None) -> tuple[str, str]:
    """The document's (MIME type, extension) by its content (`portal.uploads.check_upload`)."""
    if document is None:
        raise InvalidInput("opinion_document_required", field="document")
    return check_upload(
        document.data,
        field="document",
        accept=DOCUMENT_TYPES,
        max_bytes=DOCUMENT_MAX_BYTES,
        types="PDF, JPG o PNG",
    )


def answer_opinion(
    *,
    actor: User,
    application: Application,
    opinion_id: int,
    answer: str,
    text: str,
    answered_on: date,
    document: AnswerDocument | None,
    today: date,
) -> Opinion:
    """Record the institution's answer (with its document); the clock resumes if it stopped.

    Recording an answered opinion again returns it unchanged.

    Raises:
        NotFound, NotAllowed: not the actor's case or task (`record_opinion`), no such opinion.
        InvalidInput: `invalid_choice` at `answer`, `opinion_text_required` at `text` (an
            unfavourable answer or one with conditions), `date_in_future` /
            `date_before_request` at `answered_on`, `opinion_document_required` (none sent) /
            `empty_file` / `file_too_large` / `photo_heic` / `file_type_not_accepted` at
            `document`. The name kept ends with the extension of the content
            (`portal.uploads.stored_name`: a JPEG sent as `foto.pdf` is kept as `foto.jpg`).
        Conflict: `opinion_not_pending`: it was cancelled.
    """
    application, role = _authorized(application, actor, RECORD_OPINION)
    opinion = _locked(application, opinion_id)
    if opinion.status == "answered":
        db.session.rollback()
        return opinion
    if opinion.status != "pending":
        raise Conflict("opinion_not_pending")
    if answer not in OPINION_ANSWERS:
        raise InvalidInput("invalid_choice", field="answer")
    if answer in ANSWERS_WITH_TEXT and not text.strip():
        raise InvalidInput("opinion_text_required", field="text")
    if answered_on > today:
        raise InvalidInput("date_in_future", field="answered_on")
    if answered_on < opinion.requested_on:
        raise InvalidInput(
            "date_before_request",
            field="answered_on",
            requested=opinion.requested_on.strftime("%d/%m/%Y"),
        )
    mime, extension = _checked_document(document)
    opinion.document_key = storage().put(
        document.data, prefix=f"opinions/{application.id}", suffix=f".{extension}"
    )
    opinion.document_filename = stored_name(document.filename, extension, "respuesta-opinion")
    opinion.document_content_type, opinion.document_size = mime, len(document.data)
    opinion.document_sha256 = hashlib.sha256(document.data).hexdigest()
    opinion.status, opinion.answer = "answered", answer
    opinion.answer_text = text.strip()[:MAX_TEXT]
    opinion.answered_on, opinion.answered_at, opinion.answered_by_id = (
        answered_on,
        utcnow(),
        actor.id,
    )
    definition = definition_of(application.procedure_version)
    if opinion.suspends_clock:
        _resume(application, definition, opinion, today)
    record_act(application, actor, role, RECORD_OPINION)
    db.session.commit()
    return opinion


def cancel_opinion(
    *, actor: User, application: Application, opinion_id: int, reason: str, today: date
) -> Opinion:
    """Withdraw a pending request, with its reason; the clock resumes if it stopped for it.

    Raises:
        NotFound, NotAllowed: as `answer_opinion`.
        InvalidInput: `reason_required_plain` at `reason`.
        Conflict: `opinion_not_pending`: it was answered meanwhile.
    """
    application, role = _authorized(application, actor, RECORD_OPINION)
    opinion = _locked(application, opinion_id)
    if opinion.status == "cancelled":
        db.session.rollback()
        return opinion
    if opinion.status != "pending":
        raise Conflict("opinion_not_pending")
    if not reason.strip():
        raise InvalidInput("reason_required_plain", field="reason")
    opinion.status, opinion.cancelled_at = "cancelled", utcnow()
    opinion.cancel_reason = reason.strip()[:MAX_TEXT]
    definition = definition_of(application.procedure_version)
    if opinion.suspends_clock:
        _resume(application, definition, opinion, today)
    record_act(application, actor, role, "cancel_opinion", opinion.cancel_reason)
    db.session.commit()
    return opinion


def _locked(application: Application, opinion_id: int) -> Opinion:
    found = db.session.scalar(
        sa.select(Opinion)
        .where(Opinion.id == opinion_id, Opinion.application_id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound("not_found")
    return found
