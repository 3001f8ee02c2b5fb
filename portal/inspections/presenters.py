"""What the case page shows of inspections, and the forms it offers to whom."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

import workflows
from forms.inspections import (
    CHECKLIST_CHOICES,
    RESULTS,
    InspectionCancelForm,
    InspectionRescheduleForm,
    InspectionScheduleForm,
    build_visit_form,
)
from portal import permissions
from portal.accounts.models import User
from portal.applications.models import Application
from portal.inspections import services
from portal.inspections.models import InspectionVisit
from portal.review.models import Inspection
from portal.review.services import has_checklist, inspection_recorded
from workflows.guards import RECORD_INSPECTION, SCHEDULE_INSPECTION
from workflows.tasks import inspection_states


@dataclass
class VisitRow:
    """One visit on the case page: scheduled, recorded (scheduled first or not) or cancelled.

    `visit` is the schedule (None for a visit recorded without one), `inspection` the record
    (None until recorded); `checklist` is [(label, answer label, observation)].
    """

    status: str
    inspector: str
    visit: InspectionVisit | None = None
    inspection: Inspection | None = None
    checklist: list = field(default_factory=list)
    photos: list = field(default_factory=list)


@dataclass
class InspectionPanel:
    """The inspections of a case as the back office sees them.

    Attributes:
        rows: `VisitRow`s, latest first.
        pending: The visit scheduled and not yet recorded, if any.
        schedule: The scheduling form, when the person may schedule and none is pending.
        reschedule, cancel: Forms on the pending visit, for who may schedule.
        may_record: The person is the pending visit's inspector and may record it now.
        not_yet: Why the pending visit's inspector cannot record it yet (`record_blocker`),
            shown to them instead of the button; empty otherwise.
        legacy: Offer the plain inspection form (no visit, no checklist): the person may
            record an inspection, the definition has no checklist, none is pending and none
            was recorded in the case's current state (one record per visit).
        results: Result code -> label.
    """

    rows: list = field(default_factory=list)
    pending: InspectionVisit | None = None
    schedule: InspectionScheduleForm | None = None
    reschedule: InspectionRescheduleForm | None = None
    cancel: InspectionCancelForm | None = None
    may_record: bool = False
    not_yet: str = ""
    legacy: bool = False
    results: dict = field(default_factory=dict)


def checklist_of(definition: workflows.Definition, locale: str) -> list[tuple[str, str]]:
    """The definition's checklist as (code, label) in the person's language."""
    if definition.inspection is None:
        return []
    return [(item.code, item.label.get(locale)) for item in definition.inspection.checklist]


def inspector_choices(application: Application) -> list[tuple[int | str, str]]:
    """The inspectors of the case's scope, for a select (a blank first choice)."""
    return [("", "")] + [(u.id, u.full_name) for u in services.inspectors_for(application)]


def schedule_form(application: Application, formdata: bool = False) -> InspectionScheduleForm:
    form = InspectionScheduleForm() if formdata else InspectionScheduleForm(formdata=None)
    form.inspector.choices = inspector_choices(application)
    return form


def reschedule_form(
    application: Application, pending: InspectionVisit | None = None, formdata: bool = False
) -> InspectionRescheduleForm:
    if formdata:
        form = InspectionRescheduleForm()
    else:
        form = InspectionRescheduleForm(
            formdata=None,
            data={"inspector": pending.inspector_id if pending else None},
        )
    form.inspector.choices = inspector_choices(application)
    return form


def panel(
    application: Application,
    definition: workflows.Definition,
    actor: User,
    tasks: frozenset[str],
    locale: str,
) -> InspectionPanel:
    """Read the case's visits and records (four statements) and the forms the person may use."""
    visits = services.list_visits(application.id)
    inspections = services.list_inspections(application.id)
    ids = [i.id for i in inspections]
    answers, photos = services.answers_of(ids), services.photos_of(ids)
    labels = dict(checklist_of(definition, locale))
    choice = {key: str(label) for key, label in CHECKLIST_CHOICES}
    names = {u.id: u.full_name for u in services.users_named([i.inspector_id for i in inspections])}

    def row(status, inspector, visit=None, inspection=None):
        found = answers.get(inspection.id, []) if inspection else []
        checklist = [
            (labels.get(a.item, a.item), choice.get(a.answer, a.answer), a.observation)
            for a in found
        ]
        shown = photos.get(inspection.id, []) if inspection else []
        return VisitRow(status, inspector, visit, inspection, checklist, shown)

    recorded = {i.visit_id: i for i in inspections if i.visit_id is not None}
    rows = [row(v.status, v.inspector.full_name, v, recorded.get(v.id)) for v in visits] + [
        row("recorded", names.get(i.inspector_id, ""), None, i)
        for i in inspections
        if i.visit_id is None
    ]
    rows.sort(
        key=lambda r: r.inspection.recorded_at if r.inspection else r.visit.scheduled_at,
        reverse=True,
    )
    pending = next((v for v in visits if v.status == "scheduled"), None)
    out = InspectionPanel(rows=rows, pending=pending)
    out.results = {key: str(label) for key, label in RESULTS}
    if SCHEDULE_INSPECTION in tasks:
        if pending is None:
            out.schedule = schedule_form(application)
        else:
            out.reschedule = reschedule_form(application, pending)
            out.cancel = InspectionCancelForm(formdata=None)
    out.may_record = (
        pending is not None and pending.inspector_id == actor.id and RECORD_INSPECTION in tasks
    )
    if pending is not None and pending.inspector_id == actor.id and not out.may_record:
        out.not_yet = record_blocker(application, definition, tasks, locale)
    out.legacy = (
        RECORD_INSPECTION in tasks
        and pending is None
        and not has_checklist(definition)
        and not inspection_recorded(application)
    )
    return out


def record_blocker(
    application: Application, definition: workflows.Definition, tasks: frozenset[str], locale: str
) -> str:
    """Why the inspector of a scheduled visit cannot record it now, or "" when they can.

    A visit is scheduled from the state before the inspection state
    (`workflows.tasks.inspection_states`), so it is recorded when the case gets there: the
    message names that state as the definition labels it. A case that waits in no such state
    and goes to none from here says so.
    """
    if RECORD_INSPECTION in tasks:
        return ""
    waiting = inspection_states(definition)
    ahead = [
        t.target
        for t in definition.transitions_from(application.state)
        if t.target in waiting and application.state not in waiting
    ]
    if ahead:
        return _(
            "Se podrá registrar cuando el expediente llegue a «%(state)s».",
            state=definition.state(ahead[0]).label.get(locale),
        )
    return _(
        "El expediente está en «%(state)s»: en este estado no se registran visitas.",
        state=definition.state(application.state).label.get(locale),
    )


@dataclass(frozen=True)
class QueueRow:
    """A visit on the inspector's queue: `not_yet` says why it cannot be recorded yet (no
    link is offered then), empty when it can."""

    visit: InspectionVisit
    application: Application
    not_yet: str = ""


def queue_rows(actor: User, locale: str) -> list[QueueRow]:
    """The visits scheduled for `actor` (`services.list_visits_for`), each with whether it
    may be recorded now (the one permission check's tasks on its case)."""
    from portal.procedures.services import definition_of

    rows = []
    for visit, application in services.list_visits_for(actor):
        definition = definition_of(application.procedure_version)
        tasks = permissions.allowed_tasks(actor, application)
        rows.append(
            QueueRow(visit, application, record_blocker(application, definition, tasks, locale))
        )
    return rows


def visit_form(definition: workflows.Definition, locale: str, formdata: bool = False):
    """The form to record a visit, with the definition's checklist."""
    form_class = build_visit_form(checklist_of(definition, locale))
    return form_class() if formdata else form_class(formdata=None)


def answers_from(form) -> dict[str, tuple[str, str]]:
    """Checklist answers as the service takes them: code -> (answer, observation)."""
    return {
        code: (getattr(form, f"c_{code}").data or "", getattr(form, f"o_{code}").data or "")
        for code, _label in form.checklist
    }
