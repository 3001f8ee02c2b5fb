"""The queue pages (/bandeja/), claiming and assigning a case, and the office's workload.

Routes of the `review` blueprint (`portal.review.views.bp`); permissions in
`portal.permissions.ROUTES`; services in `portal.review.queues` and `portal.assignment.services`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from forms.messages import message_for
from portal import permissions
from portal.accounts.models import User
from portal.applications.dashboard import ROLE_TITLES
from portal.applications.effects import local_now
from portal.assignment import services as assignment
from portal.authorities.models import Authority
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.extensions import db
from portal.procedures.services import definition_of
from portal.review import queues
from portal.review.views import _case_forms, _load_case, _render_case, bp
from portal.views_util import staff_required

DEADLINE_LABELS = {
    "a_tiempo": lambda: _("A tiempo"),
    "por_vencer": lambda: _("Vencen en 2 días hábiles o menos"),
    "vencido": lambda: _("Vencidos"),
    "suspendido": lambda: _("Plazo suspendido"),
}
VIEW_LABELS = {
    "por_atender": lambda: _("Por atender"),
    "mios": lambda: _("Mis casos"),
    "sin_asignar": lambda: _("Sin asignar"),
    "oficina": lambda: _("Toda la oficina"),
}


@dataclass
class Row:
    """One case as a queue card shows it."""

    application: object
    procedure: str
    district: str
    state_label: str
    state_kind: str
    waiting_on: str
    deadline: str  # status: a_tiempo, por_vencer, vencido, suspendido, sin_plazo
    colour: str
    days_text: str


def days_text(status: str, days: int | None) -> str:
    """The deadline in words (never colour alone)."""
    if status == "suspendido":
        return _("Plazo suspendido")
    if status == "sin_plazo":
        return _("Sin plazo en esta etapa")
    if status == "vencido":
        late = max(1, -(days or 0))
        return ngettext("Vencido hace %(num)s día hábil", "Vencido hace %(num)s días hábiles", late)
    if days == 0:
        return _("Vence hoy")
    return ngettext("Queda %(num)s día hábil", "Quedan %(num)s días hábiles", days)


def _waiting_on(roles: list[str]) -> str:
    """Who an unassigned case waits on: the office's roles (or the applicant)."""
    names = [str(ROLE_TITLES[r]) for r in roles if r in ROLE_TITLES]
    if not names:
        return _("La persona solicitante")
    return _("Sin asignar (%(roles)s)", roles=", ".join(names))


def _name(names: dict[int, str], ident: int | None, model) -> str | None:
    """A district's or person's name from the page's labels; read alone only when the case
    changed between the page's statements (a case assigned a moment ago)."""
    if ident is None:
        return None
    if ident not in names:
        found = db.session.get(model, ident)
        names[ident] = found.short_name if model is Authority else found.full_name
    return names[ident]


def _rows(
    page: queues.Page, limits: queues.Limits, choices: queues.Choices, locale: str
) -> list[Row]:
    """The cards of a page. A page of fifty cases has a handful of distinct deadlines and
    acting roles: each text is translated and formatted once per page, not once per card."""
    rows = []
    days_texts: dict[tuple[str, int | None], str] = {}
    unassigned: dict[str | None, str] = {}
    districts, people = choices.names("districts"), choices.names("assignees")
    for application in page.cases:
        definition = definition_of(application.procedure_version)
        state = definition.state(application.state)
        status, colour, days = queues.days_left(application, limits, limits.calendar)
        if (status, days) not in days_texts:
            days_texts[status, days] = days_text(status, days)
        waiting_on = _name(people, application.assignee_id, User)
        if waiting_on is None:
            if application.acting_roles not in unassigned:
                unassigned[application.acting_roles] = _waiting_on(queues.acting_roles(application))
            waiting_on = unassigned[application.acting_roles]
        rows.append(
            Row(
                application=application,
                procedure=definition.title.get(locale),
                district=_name(districts, application.district_id, Authority) or "—",
                state_label=state.label.get(locale),
                state_kind=state.kind,
                waiting_on=waiting_on,
                deadline=status,
                colour=colour,
                days_text=days_texts[status, days],
            )
        )
    return rows


@bp.get("/")
@staff_required
def queue():
    actor = current_user
    locale = str(get_locale())
    filters, errors = queues.parse_filters(request.args, actor)
    limits = queues.limits_for(actor, local_now().date())
    after = None
    cursor_error = None
    if request.args.get("despues"):
        after = queues.decode_cursor(request.args["despues"])
        if after is None:
            cursor_error = message_for("bad_cursor")
    page = queues.page_of(actor, filters, limits, after)
    counts = queues.counts_for(actor, filters.view, limits)
    choices = queues.choices_for(actor, counts, filters, locale)
    if choices.unknown_state:  # no procedure of this queue has such a state
        errors["estado"] = "invalid_choice"
    field_errors = {name: message_for(code) for name, code in errors.items()}
    return render_template(
        "review/queue.html",
        rows=_rows(page, limits, choices, locale),
        page=page,
        filters=filters,
        counts=counts,
        choices=choices,
        errors=field_errors,
        typed=request.args,
        cursor_error=cursor_error,
        views=[
            (v, VIEW_LABELS[v]())
            for v in queues.VIEWS
            if v not in queues.OFFICE_VIEWS or actor.has_role(*permissions.OFFICE_VIEW_ROLES)
        ],
        deadlines=[(d, DEADLINE_LABELS[d]()) for d in queues.DEADLINES],
        unassigned=queues.UNASSIGNED,
        office_view=actor.has_role(*permissions.OFFICE_VIEW_ROLES),
    ), (400 if errors else 200)


# ---------------------------------------------------------------- claim and assign


def _refused_page(application_id: int, message: str, status: int):
    """The case page again, with the message in the assignment panel, and nothing changed."""
    g.assignment_error = message
    case = _load_case(application_id)
    return _render_case(case, _case_forms(case), status)


@bp.post("/<int:application_id>/tomar")
@staff_required
def claim(application_id: int):
    application = permissions.current_case()
    try:
        changed = assignment.claim(
            actor=current_user,
            application_id=application.id,
            expected=request.form.get("assignee_id", ""),
            ip=request.remote_addr,
        )
    except Conflict as conflict:
        return _refused_page(application_id, message_for(conflict.code), 409)
    except NotAllowed as refused:
        permissions.deny(refused, application_id, permissions.CLAIM)
    if changed:
        flash(
            _("Usted tomó el expediente %(number)s.", number=application.tracking_number), "success"
        )
    return redirect(url_for(".case", application_id=application_id))


@bp.post("/<int:application_id>/asignar")
@staff_required
def assign(application_id: int):
    application = permissions.current_case()
    raw = request.form.get("assignee", "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        return _refused_page(application_id, message_for("invalid_assignee"), 400)
    try:
        changed = assignment.assign(
            actor=current_user,
            application_id=application.id,
            assignee_id=int(raw),
            expected=request.form.get("assignee_id", ""),
            ip=request.remote_addr,
        )
    except Conflict as conflict:
        return _refused_page(application_id, message_for(conflict.code), 409)
    except InvalidInput as error:
        return _refused_page(application_id, message_for(error.code), 400)
    except NotAllowed as refused:
        permissions.deny(refused, application_id, permissions.ASSIGN)
    if changed:
        flash(_("Expediente %(number)s asignado.", number=application.tracking_number), "success")
    return redirect(url_for(".case", application_id=application_id))


@bp.app_template_global("assignment_panel")
def assignment_panel(application) -> dict:
    """What the case page's assignment controls show (templates/review/_assignment.html)."""
    tasks = {task for task in (permissions.CLAIM, permissions.ASSIGN) if _may(application, task)}
    return {
        "assignee": application.assignee,
        "expected": "" if application.assignee_id is None else str(application.assignee_id),
        "may_claim": permissions.CLAIM in tasks and application.assignee_id != current_user.id,
        "may_assign": permissions.ASSIGN in tasks,
        "people": (
            assignment.eligible_assignees(application, current_user)
            if permissions.ASSIGN in tasks
            else []
        ),
        "error": g.get("assignment_error"),
        "waiting_on": [
            str(ROLE_TITLES[r]) for r in queues.acting_roles(application) if r in ROLE_TITLES
        ],
    }


def _may(application, task: str) -> bool:
    try:
        permissions.authorize(current_user, application, task)
    except NotAllowed:
        return False
    return True


@bp.get("/carga")
@staff_required
def workload():
    if not current_user.has_role(*permissions.OFFICE_VIEW_ROLES):
        return render_template("errors/403.html", reasons=[message_for("role_not_allowed")]), 403
    limits = queues.limits_for(current_user, local_now().date())
    rows = assignment.workload(current_user, limits.today, limits.soon)
    return render_template("review/workload.html", rows=rows)
