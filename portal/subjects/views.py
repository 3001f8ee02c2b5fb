"""The applicant's records ("Mis datos"): see and change them, and authorize representatives.

A change to a record prefills the next forms; filed cases keep the data they were filed with.
Someone else's record answers 404 and the refusal is audited, like someone else's case.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forms.builder import collected_data
from forms.messages import message_for
from forms.records import (
    ConfirmForm,
    InviteRepresentativeForm,
    editable_elements,
    record_form,
    shown,
)
from portal import permissions
from portal.accounts.services import normalize_email
from portal.certificates.services import display_value
from portal.errors import InvalidInput, NotFound
from portal.representatives import services as representatives
from portal.subjects import services
from portal.subjects.models import RECORD_SUBJECTS, LegalUnit
from workflows.model import Field

bp = Blueprint("subjects", __name__, url_prefix="/mis-datos")

#: URL words for the subjects, in Spanish like every address of the portal.
SLUGS = {"legal_unit": "titulares", "establishment": "establecimientos", "property": "inmuebles"}
SUBJECT_OF = {slug: subject for subject, slug in SLUGS.items()}


def _refuse(task: str):
    permissions.deny(NotFound("not_found"), None, task)


def _record(kind: str, record_id: int):
    if current_user.is_staff or kind not in SUBJECT_OF:
        _refuse("record")
    subject = SUBJECT_OF[kind]
    try:
        return subject, services.own_record(current_user, subject, record_id)
    except NotFound:
        _refuse("record")


@bp.get("/")
def index():
    if current_user.is_staff:
        abort(404)
    sections, locale = [], str(get_locale())
    for subject in RECORD_SUBJECTS:
        rows = []
        for record in services.records_of(current_user.id, subject):
            values = services.record_values(current_user, subject, record)
            rows.append(
                {
                    "record": record,
                    "label": services.subject_label(subject, record),
                    "values": [
                        (
                            item.label.get(locale),
                            _shown(item, values[item.name], locale),
                        )
                        for item in editable_elements(subject)
                        if values.get(item.name) not in (None, "")
                    ],
                    "editable": representatives.speaks_for(current_user.id, record),
                    "role": _role(subject, record),
                    # Its owner authorizes representatives (on the record's page).
                    "owned": isinstance(record, LegalUnit) and record.owner_id == current_user.id,
                }
            )
        sections.append({"subject": subject, "slug": SLUGS[subject], "rows": rows})
    return render_template("subjects/records.html", sections=sections)


def _shown(item, value, locale: str) -> str:
    """A record's value as every answer is shown (`display_value`: 1,250.50 m², Sí, 27/03/2026)."""
    return display_value(Field(name=item.name, type=item.types[0], label=item.label), value, locale)


def _role(subject: str, record) -> str | None:
    if not isinstance(record, LegalUnit):
        return None
    if record.owner_id in (None, current_user.id):
        return _("Titular")
    if representatives.speaks_for(current_user.id, record):
        return _("Representante")
    return _("Presentó trámites con este NIT")


@bp.route("/<kind>/<int:record_id>", methods=["GET", "POST"])
def edit(kind: str, record_id: int):
    subject, record = _record(kind, record_id)
    form_class = record_form(subject, str(get_locale()))
    names = form_class.field_names
    if request.method == "GET":
        form = form_class(data=shown(services.record_values(current_user, subject, record), names))
    else:
        form = form_class()
        if form.validate():
            changed = services.update_record(
                actor=current_user,
                subject=subject,
                record_id=record.id,
                values=collected_data(form),
                ip=request.remote_addr,
            )
            flash(
                _(
                    "Datos guardados. Sus próximas solicitudes los usarán; "
                    "las ya presentadas no cambian."
                )
                if changed
                else _("No cambió ningún dato."),
                "success",
            )
            return redirect(url_for(".index"))
    return _render(subject, kind, record, form)


def _render(subject, kind, record, form, invite_form=None, status=200):
    """The record's page: its form and, for its owner, its representatives."""
    owner = isinstance(record, LegalUnit) and record.owner_id == current_user.id
    if owner and invite_form is None:
        invite_form = InviteRepresentativeForm(formdata=None)
    page = render_template(
        "subjects/record.html",
        subject=subject,
        kind=kind,
        record=record,
        label=services.subject_label(subject, record),
        form=form,
        invite_form=invite_form if owner else None,
        representations=representatives.list_for_owner(current_user, record.id) if owner else [],
        revoke_form=ConfirmForm(formdata=None),
    )
    return page, status


@bp.post("/titulares/<int:record_id>/representantes")
def invite(record_id: int):
    _subject, record = _record("titulares", record_id)
    if record.owner_id != current_user.id:
        _refuse("representation")
    form = InviteRepresentativeForm()
    if form.validate():
        try:
            sent = representatives.invite(
                owner=current_user,
                legal_unit_id=record.id,
                email=form.email.data,
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            form.email.errors = [message_for(error.code)]
        else:
            flash(
                _(
                    "Invitación enviada a %(email)s. Vale %(days)s días.",
                    email=form.email.data,
                    days=representatives.INVITATION_DAYS,
                )
                if sent
                else _(
                    "Ya había una invitación o representación para %(email)s.",
                    email=form.email.data,
                ),
                "success",
            )
            return redirect(url_for(".edit", kind="titulares", record_id=record.id))
    record_class = record_form("legal_unit", str(get_locale()))
    values = services.record_values(current_user, "legal_unit", record)
    record_form_shown = record_class(data=shown(values, record_class.field_names))
    return _render("legal_unit", "titulares", record, record_form_shown, form, 422)


@bp.post("/titulares/<int:record_id>/representantes/<int:representation_id>/revocar")
def revoke(record_id: int, representation_id: int):
    _subject, record = _record("titulares", record_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        representatives.revoke(
            owner=current_user,
            legal_unit_id=record.id,
            representation_id=representation_id,
            ip=request.remote_addr,
        )
    except NotFound:
        _refuse("representation")
    flash(_("Representación revocada."), "success")
    return redirect(url_for(".edit", kind="titulares", record_id=record.id))


@bp.route("/representacion/<token>", methods=["GET", "POST"])
def accept(token: str):
    found = representatives.invitation(token)
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        try:  # accepting twice (a double submission) is answered as the first time
            accepted = representatives.accept(
                account=current_user, token=token, ip=request.remote_addr
            )
        except NotFound:
            return render_template("subjects/invitation.html", found=None, form=form), 404
        flash(
            _(
                "Ahora puede presentar trámites por %(name)s.",
                name=accepted.legal_unit.name or accepted.legal_unit.nit,
            ),
            "success",
        )
        return redirect(url_for(".index"))
    if found is None:
        return render_template("subjects/invitation.html", found=None, form=form), 404
    return render_template(
        "subjects/invitation.html",
        found=found,
        form=form,
        for_you=found.invited_email == normalize_email(current_user.email),
    )
