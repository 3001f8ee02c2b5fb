"""Inspections: schedule a visit, reschedule or cancel it, and record it with its checklist.

Who may do what is the one permission check's (`portal.permissions.authorize`): the task
`schedule_inspection` goes to the roles that send the case to its inspection state, and
`record_inspection` to the roles that take the transition guarded by `inspection_recorded`
(`workflows.tasks`). A scheduled visit is recorded by the inspector it was given to, no one
else. Each command locks the case, writes a history row, and commits once; sending the same
form twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal import permissions
from portal.accounts.models import User
from portal.applications import clocks
from portal.applications.effects import LOCAL_TZ
from portal.applications.models import Application, HistoryEntry
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.extensions import db, utcnow
from portal.inspections.models import (
    CHECKLIST_ANSWERS,
    InspectionAnswer,
    InspectionPhoto,
    InspectionVisit,
)
from portal.procedures.services import definition_of
from portal.review.models import Inspection
from portal.review.services import INSPECTION_RESULTS, _authorized
from portal.storage import storage
from portal.uploads import check_upload, stored_name
from workflows.guards import RECORD_INSPECTION, SCHEDULE_INSPECTION

#: Photos of one visit: JPEG or PNG (by content), at most `PHOTO_MAX_BYTES` each.
PHOTO_TYPES = ("image/jpeg", "image/png")
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_COUNT = 10
#: Visits listed on an inspector's queue (the next ones first, overdue before them).
QUEUE_LIMIT = 200
MAX_TEXT = 5000


@dataclass(frozen=True)
class Photo:
    """A photo as the view read it: the name on the person's device and the bytes."""

    filename: str
    data: bytes


def record_act(
    application: Application, actor: User, role: str, action: str, comment: str = ""
) -> None:
    """Write who did a staff act in the case history, with its reason (the state stays)."""
    db.session.add(HistoryEntry.staff_act(application, actor, role, action, comment))


def inspectors_for(application: Application) -> list[User]:
    """Return the active inspectors whose authority scope covers the case, by name."""
    found = db.session.scalars(
        sa.select(User)
        .where(User.holding("inspector"), User.active.is_(True), User.authority_id.is_not(None))
        .order_by(User.full_name, User.id)
    ).all()
    return [user for user in found if permissions.role_on(application, user) is not None]


def users_named(ids: list[int]) -> list[User]:
    """The users with these ids (one statement; none when none are asked for)."""
    if not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(set(ids)))).all())


def list_visits(application_id: int) -> list[InspectionVisit]:
    """Every visit scheduled on a case, latest first, with its inspector."""
    return list(
        db.session.scalars(
            sa.select(InspectionVisit)
            .where(InspectionVisit.application_id == application_id)
            .options(joinedload(InspectionVisit.inspector))
            .order_by(InspectionVisit.id.desc())
        ).all()
    )


def list_inspections(application_id: int) -> list[Inspection]:
    """Every visit recorded on a case (scheduled first or not), latest first."""
    return list(
        db.session.scalars(
            sa.select(Inspection)
            .where(Inspection.application_id == application_id)
            .order_by(Inspection.id.desc())
        ).all()
    )


def answers_of(inspection_ids: list[int]) -> dict[int, list[InspectionAnswer]]:
    """Checklist answers by inspection id (one statement)."""
    out: dict[int, list[InspectionAnswer]] = {}
    if inspection_ids:
        for row in db.session.scalars(
            sa.select(InspectionAnswer)
            .where(InspectionAnswer.inspection_id.in_(inspection_ids))
            .order_by(InspectionAnswer.id)
        ):
            out.setdefault(row.inspection_id, []).append(row)
    return out


def photos_of(inspection_ids: list[int]) -> dict[int, list[InspectionPhoto]]:
    """Photos by inspection id (one statement)."""
    out: dict[int, list[InspectionPhoto]] = {}
    if inspection_ids:
        for row in db.session.scalars(
            sa.select(InspectionPhoto)
            .where(InspectionPhoto.inspection_id.in_(inspection_ids))
            .order_by(InspectionPhoto.id)
        ):
            out.setdefault(row.inspection_id, []).append(row)
    return out


def list_visits_for(actor: User) -> list[tuple[InspectionVisit, Application]]:
    """The visits scheduled for this inspector, earliest first (so overdue ones lead)."""
    rows = db.session.execute(
        sa.select(InspectionVisit, Application)
        .join(Application, Application.id == InspectionVisit.application_id)
        .where(InspectionVisit.inspector_id == actor.id, InspectionVisit.status == "scheduled")
        .options(joinedload(Application.procedure), joinedload(Application.district))
        .order_by(InspectionVisit.scheduled_for, InspectionVisit.id)
        .limit(QUEUE_LIMIT)
    ).all()
    return [(visit, application) for visit, application in rows]


def get_visit(application: Application, visit_id: int) -> InspectionVisit:
    """The case's visit with this id.

    Raises:
        NotFound: no such visit on this case.
    """
    found = db.session.get(InspectionVisit, visit_id)
    if found is None or found.application_id != application.id:
        raise NotFound("not_found")
    return found


def get_photo(application: Application, inspection_id: int, photo_id: int) -> InspectionPhoto:
    """The photo with this id of the case's recorded inspection (NotFound otherwise)."""
    inspection = db.session.get(Inspection, inspection_id)
    found = db.session.get(InspectionPhoto, photo_id)
    if (
        inspection is None
        or inspection.application_id != application.id
        or found is None
        or found.inspection_id != inspection.id
    ):
        raise NotFound("not_found")
    return found


def read_photo(photo: InspectionPhoto) -> bytes:
    """The stored bytes of a photo."""
    return storage().get(photo.storage_key)


def _locked_visit(application: Application, visit_id: int) -> InspectionVisit:
    found = db.session.scalar(
        sa.select(InspectionVisit)
        .where(InspectionVisit.id == visit_id, InspectionVisit.application_id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound("not_found")
    return found


def _check_visit(application: Application, inspector_id: int | None, on: date, today: date):
    """The inspector must be one of the case's scope; the day today or later, and a working
    day of the office's calendar (`workflows.calendar`, the authority's days off)."""
    if on < today:
        raise InvalidInput("date_in_past", field="scheduled_for")
    calendar = clocks.calendar_of(application)
    day_off = calendar.reason(on)
    if day_off is not None:
        raise InvalidInput(
            "visit_day_off",
            field="scheduled_for",
            day=on,
            reason=day_off.name,
            next=calendar.next_business_day(on),
        )
    inspector = next((u for u in inspectors_for(application) if u.id == inspector_id), None)
    if inspector is None:
        raise InvalidInput("invalid_choice", field="inspector")
    return inspector


def schedule_inspection(
    *,
    actor: User,
    application: Application,
    inspector_id: int | None,
    scheduled_for: date,
    notes: str,
    today: date,
) -> InspectionVisit:
    """Schedule the site visit of a case: a day (today or later) and an inspector of its scope.

    One visit is scheduled at a time: the same schedule sent twice returns the first; another
    while one is pending is refused (reschedule it instead).

    Raises:
        NotFound, NotAllowed: from `portal.permissions.authorize` (`schedule_inspection`).
        InvalidInput: `date_in_past` / `visit_day_off` (a weekend, holiday or day off of the
            office: `day`, `reason` {es, en}, `next` working day) at `scheduled_for`,
            `invalid_choice` at `inspector`, `inspection_already_scheduled` at `scheduled_for`.
    """
    application, role = _authorized(application, actor, SCHEDULE_INSPECTION)
    inspector = _check_visit(application, inspector_id, scheduled_for, today)
    pending = db.session.scalar(
        sa.select(InspectionVisit).where(
            InspectionVisit.application_id == application.id,
            InspectionVisit.status == "scheduled",
        )
    )
    if pending is not None:
        if pending.inspector_id == inspector.id and pending.scheduled_for == scheduled_for:
            db.session.rollback()
            return pending  # the same form sent twice
        raise InvalidInput("inspection_already_scheduled", field="scheduled_for")
    visit = InspectionVisit(
        application_id=application.id,
        inspector_id=inspector.id,
        status="scheduled",
        scheduled_for=scheduled_for,
        scheduled_by_id=actor.id,
        notes=notes.strip()[:MAX_TEXT],
    )
    db.session.add(visit)
    record_act(application, actor, role, SCHEDULE_INSPECTION)
    db.session.commit()
    return visit


def reschedule_inspection(
    *,
    actor: User,
    application: Application,
    visit_id: int,
    inspector_id: int | None,
    scheduled_for: date,
    reason: str,
    today: date,
) -> InspectionVisit:
    """Move a scheduled visit to another day or inspector; the reason goes to the history.

    Raises:
        NotFound, NotAllowed: not the actor's case or task (`schedule_inspection`), or no such
            visit on the case.
        InvalidInput: `reason_required` at `reason`, and those of `schedule_inspection`.
        Conflict: `inspection_not_scheduled`: it was recorded or cancelled meanwhile.
    """
    application, role = _authorized(application, actor, SCHEDULE_INSPECTION)
    visit = _locked_visit(application, visit_id)
    if visit.status != "scheduled":
        raise Conflict("inspection_not_scheduled")
    if not reason.strip():
        raise InvalidInput("reason_required_plain", field="reason")
    inspector = _check_visit(application, inspector_id, scheduled_for, today)
    if visit.inspector_id == inspector.id and visit.scheduled_for == scheduled_for:
        db.session.rollback()
        return visit  # nothing changes: a double submission
    visit.inspector_id, visit.scheduled_for = inspector.id, scheduled_for
    record_act(application, actor, role, "reschedule_inspection", reason.strip()[:MAX_TEXT])
    db.session.commit()
    return visit


def cancel_inspection(
    *, actor: User, application: Application, visit_id: int, reason: str
) -> InspectionVisit:
    """Cancel a scheduled visit, with its reason; cancelling it again changes nothing.

    Raises:
        NotFound, NotAllowed: as `reschedule_inspection`.
        InvalidInput: `reason_required_plain` at `reason`.
        Conflict: `inspection_not_scheduled`: it was recorded meanwhile.
    """
    application, role = _authorized(application, actor, SCHEDULE_INSPECTION)
    visit = _locked_visit(application, visit_id)
    if visit.status == "cancelled":
        db.session.rollback()
        return visit
    if visit.status != "scheduled":
        raise Conflict("inspection_not_scheduled")
    if not reason.strip():
        raise InvalidInput("reason_required_plain", field="reason")
    visit.status, visit.cancelled_at = "cancelled", utcnow()
    visit.cancel_reason = reason.strip()[:MAX_TEXT]
    record_act(application, actor, role, "cancel_inspection", visit.cancel_reason)
    db.session.commit()
    return visit


def _recording(visit: InspectionVisit) -> Inspection:
    return db.session.scalar(sa.select(Inspection).where(Inspection.visit_id == visit.id))


def _check_answers(checklist, answers: dict[str, tuple[str, str]]) -> list[InspectionAnswer]:
    """Every checklist item answered; a `no_cumple` says why."""
    rows = []
    for item in checklist:
        answer, observation = answers.get(item.code, ("", ""))
        if answer not in CHECKLIST_ANSWERS:
            raise InvalidInput("checklist_answer_required", field=f"c_{item.code}")
        if answer == "no_cumple" and not observation.strip():
            raise InvalidInput("observation_required", field=f"o_{item.code}")
        rows.append(
            InspectionAnswer(
                item=item.code, answer=answer, observation=observation.strip()[:MAX_TEXT]
            )
        )
    return rows


def _check_photos(photos: list[Photo]) -> list[tuple[Photo, str, str]]:
    """Each photo JPEG or PNG by its content (`portal.uploads.check_upload`), not empty,
    within the size; at most ten."""
    if len(photos) > PHOTO_MAX_COUNT:
        raise InvalidInput("too_many_photos", field="photos", max=PHOTO_MAX_COUNT)
    checked = []
    for photo in photos:
        mime, extension = check_upload(
            photo.data,
            field="photos",
            accept=PHOTO_TYPES,
            max_bytes=PHOTO_MAX_BYTES,
            types="JPG o PNG",
        )
        checked.append((photo, mime, extension))
    return checked


def _check_result(result: str, rows: list[InspectionAnswer]) -> None:
    """The overall result agrees with the checklist: not `conforme` while an item fails.

    The result is the inspector's judgement (with observations or not conforming are both
    coherent with a failed item), so it is checked, not derived.
    """
    if result not in INSPECTION_RESULTS:
        raise InvalidInput("invalid_choice", field="result")
    if result == "conforme" and any(row.answer == "no_cumple" for row in rows):
        raise InvalidInput("result_contradicts_checklist", field="result")


def record_visit(
    *,
    actor: User,
    application: Application,
    visit_id: int,
    visited_on: date,
    result: str,
    notes: str,
    answers: dict[str, tuple[str, str]],
    photos: list[Photo],
    today: date,
) -> Inspection:
    """Record a scheduled visit (an append-only `Inspection`): day, result, each checklist
    item, photos, the record's text.

    `answers` maps a checklist item's code (the pinned definition's `inspection.checklist`)
    to (`cumple` | `no_cumple` | `no_aplica`, observation). Only the inspector the visit was
    given to records it; recording it again returns it unchanged. Photos are stored only
    when everything else is valid (nothing is written half-way).

    Raises:
        NotFound, NotAllowed: not the actor's case or task (`record_inspection`); no such
            visit; `not_your_inspection` for another inspector.
        InvalidInput: `date_in_future` / `date_before_filing` at `visited_on`, `invalid_choice`
            / `result_contradicts_checklist` (`conforme` with an item that fails) at `result`,
            `checklist_answer_required` at `c_<code>`, `observation_required` at `o_<code>`,
            `too_many_photos` / `empty_file` / `file_too_large` / `photo_heic` /
            `file_type_not_accepted` at `photos`. A photo's name keeps the device's name with
            the extension of its content (`portal.uploads.stored_name`).
        Conflict: `inspection_not_scheduled`: it was cancelled.
    """
    application, role = _authorized(application, actor, RECORD_INSPECTION)
    visit = _locked_visit(application, visit_id)
    if visit.status == "recorded":
        db.session.rollback()
        return _recording(visit)  # sent twice
    if visit.status != "scheduled":
        raise Conflict("inspection_not_scheduled")
    if visit.inspector_id != actor.id:
        raise NotAllowed("not_your_inspection")
    if visited_on > today:
        raise InvalidInput("date_in_future", field="visited_on")
    filed_on = application.filed_at.astimezone(LOCAL_TZ).date()
    if visited_on < filed_on:
        raise InvalidInput(
            "date_before_filing", field="visited_on", filed=filed_on.strftime("%d/%m/%Y")
        )
    definition = definition_of(application.procedure_version)
    checklist = definition.inspection.checklist if definition.inspection else ()
    rows = _check_answers(checklist, answers)
    _check_result(result, rows)
    checked = _check_photos(photos)
    inspection = Inspection(
        application_id=application.id,
        inspector_id=actor.id,
        visited_on=visited_on,
        result=result,
        notes=notes.strip()[:MAX_TEXT],
        visit_id=visit.id,
    )
    db.session.add(inspection)
    db.session.flush()
    visit.status = "recorded"
    for row in rows:
        row.inspection_id = inspection.id
        db.session.add(row)
    for photo, mime, extension in checked:
        key = storage().put(
            photo.data, prefix=f"inspections/{application.id}", suffix=f".{extension}"
        )
        db.session.add(
            InspectionPhoto(
                inspection_id=inspection.id,
                filename=stored_name(photo.filename, extension, "foto"),
                content_type=mime,
                size=len(photo.data),
                sha256=hashlib.sha256(photo.data).hexdigest(),
                storage_key=key,
                uploaded_by_id=actor.id,
            )
        )
    record_act(application, actor, role, RECORD_INSPECTION)
    db.session.commit()
    return inspection
