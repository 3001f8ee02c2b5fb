"""Admin pages for staff (/admin/personal) and the audit log (/admin/auditoria)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from forms.messages import message_for
from forms.staff import (
    ACTION_LABELS,
    ROLE_LABELS,
    AuditSearchForm,
    StaffActionForm,
    StaffConfirmForm,
    StaffCreateForm,
    StaffEditForm,
    StaffReassignForm,
)
from portal import permissions
from portal.assignment import services as assignment
from portal.errors import InvalidInput, NotAllowed, NotFound
from portal.staff import audit_log as log
from portal.staff import services
from portal.views_util import admin_required, int_arg

bp = Blueprint("staff", __name__, url_prefix="/admin")


def _load(user_id: int, *, lock: bool = False):
    """The person, if in the admin's scope; else 404, audited (any URL naming them)."""
    try:
        return services.get_staff_for(current_user, user_id, lock=lock)
    except NotFound as refused:
        permissions.deny(refused, None, "staff")


def _authority_choices(form) -> None:
    form.authority.choices = [("", _("Elija la institución"))] + [
        (str(a.id), a.name) for a in services.authorities_for(current_user)
    ]


def _int(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _field_error(form, error: InvalidInput) -> None:
    field = getattr(form, error.field)
    field.errors = [*field.errors, message_for(error.code, **error.params)]


@bp.get("/personal/")
@admin_required
def index():
    filters, typed = _staff_filters()
    return render_template(
        "staff/index.html",
        people=services.list_staff_for(current_user, filters),
        authorities=services.authorities_for(current_user),
        role_labels=ROLE_LABELS,
        typed=typed,
    )


def _staff_filters() -> tuple[services.StaffFilters, dict]:
    typed = {key: request.args.get(key, "").strip() for key in ("institucion", "rol", "estado")}
    authority = typed["institucion"]
    return services.StaffFilters(
        authority_id=int(authority) if authority.isdigit() else None,
        role=typed["rol"] if typed["rol"] in ROLE_LABELS else None,
        active={"activo": True, "inactivo": False}.get(typed["estado"]),
    ), typed


@bp.route("/personal/nuevo", methods=["GET", "POST"])
@admin_required
def create():
    form = StaffCreateForm()
    _authority_choices(form)
    if form.validate_on_submit():
        try:
            person, created = services.create_staff_member(
                actor=current_user,
                full_name=form.full_name.data,
                email=form.email.data,
                authority_id=_int(form.authority.data),
                roles=form.roles.data,
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            _field_error(form, error)
        else:
            if created:
                message = _(
                    "Creamos la cuenta y enviamos a %(email)s un enlace para elegir su contraseña.",
                    email=person.email,
                )
                flash(message, "success")
            return redirect(url_for(".person", user_id=person.id))
    return render_template("staff/new.html", form=form), (400 if form.errors else 200)


@bp.route("/personal/<int:user_id>", methods=["GET", "POST"])
@admin_required
def person(user_id: int):
    user = _load(user_id)
    form = StaffEditForm(
        data={"authority": str(user.authority_id), "roles": list(user.roles)}
        if request.method == "GET"
        else None
    )
    _authority_choices(form)
    if form.validate_on_submit():
        try:
            changed = services.change_staff_member(
                actor=current_user,
                user_id=user_id,
                authority_id=_int(form.authority.data),
                roles=form.roles.data,
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            _field_error(form, error)
        else:
            flash(_("Guardamos los cambios.") if changed else _("No había cambios."), "success")
            return redirect(url_for(".person", user_id=user_id))
    return _person_page(user, form)


#: The confirmed commands' form prefixes (their boxes' names on the person's page).
CONFIRMED = {"deactivate": "desactivar", "reset_second_factor": "segundo_factor"}


def _person_page(user, form, reassign=None, **confirm_forms):
    confirms = {
        name: confirm_forms.get(name) or StaffConfirmForm(formdata=None, prefix=prefix)
        for name, prefix in CONFIRMED.items()
    }
    open_cases = services.open_cases_of(user)
    reassign = reassign or StaffReassignForm(
        formdata=None, prefix="reasignar", shown=",".join(str(c.id) for c in open_cases)
    )
    if open_cases:
        _reassign_choices(reassign, user, open_cases)
    failed = form.errors or reassign.errors or any(f.errors for f in confirms.values())
    return render_template(
        "staff/person.html",
        person=user,
        form=form,
        action_form=StaffActionForm(),
        confirms=confirms,
        reassign=reassign,
        enrolled=services.is_enrolled(user),
        open_cases=open_cases,
        role_labels=ROLE_LABELS,
    ), (400 if failed else 200)


def _edit_form(user) -> StaffEditForm:
    form = StaffEditForm(data={"authority": str(user.authority_id), "roles": list(user.roles)})
    _authority_choices(form)
    return form


def _roles_text(person) -> str:
    return ", ".join(str(ROLE_LABELS[r]) for r in person.roles if r in ROLE_LABELS)


def _reassign_choices(form, user, open_cases) -> None:
    """Who may take over the person's cases: the active staff this admin manages, of the
    admin's scope or of the person's office (`portal.assignment.services.office_staff`)."""
    managed = services.list_staff_for(current_user, services.StaffFilters(active=True))
    office = {p.id for p in assignment.office_staff(current_user, user)}
    form.target.choices = [("", _("Elija a una persona"))] + [
        (str(p.id), f"{p.full_name} ({_roles_text(p)})")
        for p, _enrolled in managed
        if p.id != user.id and p.id in office
    ]
    form.cases.choices = [(str(c.id), c.tracking_number or str(c.id)) for c in open_cases]


def _command(user_id: int, command, done: str, unchanged: str, confirm: str = ""):
    user = _load(user_id)
    form = StaffConfirmForm(prefix=CONFIRMED[confirm]) if confirm else StaffActionForm()
    if form.validate_on_submit():
        try:
            changed = command(actor=current_user, user_id=user_id, ip=request.remote_addr)
        except NotFound as refused:
            permissions.deny(refused, None, "staff")
        except NotAllowed as refused:
            flash(message_for(refused.code), "error")
        else:
            flash(done if changed else unchanged, "success")
    elif confirm and set(form.errors) == {"confirm"}:  # only the box left unticked: say so
        return _person_page(user, _edit_form(user), **{confirm: form})
    return redirect(url_for(".person", user_id=user_id))


@bp.post("/personal/<int:user_id>/desactivar")
@admin_required
def deactivate(user_id: int):
    return _command(
        user_id,
        services.deactivate_staff_member,
        _("Desactivamos la cuenta y cerramos todas sus sesiones."),
        _("La cuenta ya estaba desactivada."),
        confirm="deactivate",
    )


@bp.post("/personal/<int:user_id>/reactivar")
@admin_required
def reactivate(user_id: int):
    return _command(
        user_id,
        services.reactivate_staff_member,
        _("Reactivamos la cuenta."),
        _("La cuenta ya estaba activa."),
    )


@bp.post("/personal/<int:user_id>/segundo-factor")
@admin_required
def reset_second_factor(user_id: int):
    return _command(
        user_id,
        services.reset_staff_second_factor,
        _("Quitamos su segundo factor y cerramos sus sesiones: lo configurará al volver a entrar."),
        _("No tenía segundo factor configurado."),
        confirm="reset_second_factor",
    )


@bp.post("/personal/<int:user_id>/reasignar")
@admin_required
def reassign(user_id: int):
    user = _load(user_id)
    form = StaffReassignForm(prefix="reasignar")
    if form.validate_on_submit():
        ids = form.cases.data if form.which.data == "marcados" else form.shown.data.split(",")
        try:
            result = assignment.reassign_cases(
                actor=current_user,
                user_id=user_id,
                target_id=_int(form.target.data),
                case_ids=[_int(i) for i in ids if _int(i)],
                ip=request.remote_addr,
            )
        except NotFound as refused:
            permissions.deny(refused, None, "staff")
        except InvalidInput as error:
            _field_error(form, error)
        else:
            _flash_reassignment(result)
            return redirect(url_for(".person", user_id=user_id))
    return _person_page(user, _edit_form(user), reassign=form)


def _flash_reassignment(result: assignment.Reassignment) -> None:
    name = result.target.full_name
    if result.moved:
        count = len(result.moved)
        text = ngettext(
            "Asignamos %(num)d expediente a %(name)s.",
            "Asignamos %(num)d expedientes a %(name)s.",
            count,
            name=name,
        )
        flash(text, "success")
    elif result.unchanged:
        text = _("No había cambios: esos expedientes ya estaban asignados a %(name)s.", name=name)
        flash(text, "success")
    if result.refused:
        cases = "; ".join(f"{number}: {message_for(code)}" for number, code in result.refused)
        text = _(
            "Estos expedientes no se asignaron a %(name)s y siguen como estaban: %(cases)s",
            name=name,
            cases=cases,
        )
        flash(text, "error")
    if not (result.moved or result.unchanged or result.refused):
        flash(_("No había expedientes que asignar."), "info")


@bp.get("/auditoria")
@admin_required
def audit_log():
    form = AuditSearchForm(request.args)
    days = {}
    for field in (form.desde, form.hasta):
        try:
            days[field.name] = log.parse_day(field.data or "", field.name)
        except InvalidInput as error:
            _field_error(form, error)
    if days.get("desde") and days.get("hasta") and days["hasta"] < days["desde"]:
        _field_error(form, InvalidInput("dates_reversed", field="hasta"))
    filters = log.AuditFilters(
        actor=form.quien.data or "",
        action=form.accion.data if form.accion.data in ACTION_LABELS else "",
        target=form.persona.data or "",
        since=days.get("desde"),
        until=days.get("hasta"),
    )
    page = int_arg("pagina", 1, minimum=1, maximum=100_000)
    rows, total = log.list_audit_for(current_user, filters, page)
    return render_template(
        "staff/audit.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // log.PAGE_SIZE)),
        labels=ACTION_LABELS,
    ), (400 if form.errors else 200)
