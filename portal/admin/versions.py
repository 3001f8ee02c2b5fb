"""Admin pages of the version lifecycle: drafts, publish, retire, copy, compare, export, import."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

import workflows
from forms.messages import message_for, problem_message
from forms.problem_places import problem_place
from forms.versions import (
    DraftSourceForm,
    ProcedureCopyForm,
    ProcedureImportForm,
    VersionCloneForm,
    VersionCompareForm,
    VersionConfirmForm,
    VersionPublishForm,
)
from portal import errors
from portal.admin import draft_services, lifecycle_services, services, transfer_services
from portal.admin.views import NotEditable, bp, editable
from portal.applications.effects import local_now
from portal.errors import InvalidInput
from portal.views_util import admin_required
from workflows.source import MAX_BYTES

VERSION = "/tramites/<int:procedure_id>/versiones/<int:version>"
bp.add_app_template_global(problem_place, "problem_place")
bp.add_app_template_global(problem_message, "problem_message")


def _locale() -> str:
    return str(get_locale() or "es")


def _to_version(row) -> Response:
    return redirect(url_for(".version", procedure_id=row.procedure_id, version=row.version))


def refuse(form, error: InvalidInput) -> None:
    """Put a service's refusal at its field (or above the form when no field shows it)."""
    message = message_for(error.code, **dict(error.params))
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


@bp.post(f"{VERSION}/borrador")
@admin_required
def create_draft(procedure_id: int, version: int):
    if not VersionConfirmForm().validate_on_submit():
        return _to_version(services.require_version(current_user, procedure_id, version))
    draft = draft_services.clone_to_draft(current_user, procedure_id, version)
    flash(_("Borrador versión %(n)s listo para editar.", n=draft.version), "success")
    return _to_version(draft)


@bp.route(f"{VERSION}/clonar", methods=["GET", "POST"])
@admin_required
def clone_elsewhere(procedure_id: int, version: int):
    row = services.require_version(current_user, procedure_id, version)
    form = VersionCloneForm()
    form.authority.choices = [(0, _("Elija una institución"))] + [
        (a.id, a.name)
        for a in services.authorities_for(current_user)
        if a.id != row.procedure.authority_id
    ]
    if form.validate_on_submit():
        try:
            draft = transfer_services.clone_to_authority(
                current_user, procedure_id, version, form.authority.data
            )
        except InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("Copia creada como borrador versión 1."), "success")
            return _to_version(draft)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/clone.html", row=row, form=form, locale=_locale()), status


@bp.route(f"{VERSION}/retirar", methods=["GET", "POST"])
@admin_required
def retire(procedure_id: int, version: int):
    row = services.require_version(current_user, procedure_id, version)
    form = VersionConfirmForm()
    if form.validate_on_submit():
        try:
            lifecycle_services.retire_version(current_user, procedure_id, version)
        except InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("Versión %(n)s retirada: no recibe solicitudes nuevas.", n=version), "success")
            return _to_version(row)
    status = 422 if form.form_errors else 200
    page = render_template(
        "admin/confirm.html", row=row, form=form, kind="retire", locale=_locale()
    )
    return page, status


@bp.route(f"{VERSION}/eliminar", methods=["GET", "POST"])
@admin_required
def delete_draft(procedure_id: int, version: int):
    procedure = services.require_procedure(current_user, procedure_id)
    form = VersionConfirmForm()
    if form.validate_on_submit():
        try:
            lifecycle_services.delete_draft(current_user, procedure_id, version)
        except InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("Borrador eliminado."), "success")
            return redirect(url_for(".procedures"))
    row = services.require_version(current_user, procedure_id, version)
    page = render_template(
        "admin/confirm.html",
        row=row,
        procedure=procedure,
        form=form,
        kind="delete",
        locale=_locale(),
    )
    return page, (422 if form.form_errors else 200)


@bp.route(f"{VERSION}/publicar", methods=["GET", "POST"])
@admin_required
def publish(procedure_id: int, version: int):
    row = services.require_version(current_user, procedure_id, version)
    form = VersionPublishForm(data={"valid_from": local_now().date(), "revision": row.revision})
    problems = []
    if form.validate_on_submit():
        try:
            lifecycle_services.publish_version(
                current_user,
                procedure_id,
                version,
                valid_from=form.valid_from.data,
                today=local_now().date(),
                expected_revision=form.revision.data,
                unchanged=form.unchanged.data,
            )
            flash(_("Versión %(n)s publicada.", n=version), "success")
            return _to_version(row)
        except InvalidInput as error:
            refuse(form, error)
        except draft_services.StaleDraft as stale:  # read what changed, then publish that
            code = "stale_draft_mine" if stale.params.get("mine") else stale.code
            form.form_errors.append(message_for(code))
            form.revision.data = stale.params["revision"]
        except workflows.InvalidDefinition as refused:
            problems = list(refused.problems)
    return _publish_page(row, form, problems)


def _publish_page(row, form, problems):
    preview = lifecycle_services.publish_preview(row, _locale())
    refused = bool(form.errors or form.form_errors or problems)
    return render_template(
        "admin/publish.html",
        row=row,
        form=form,
        preview=preview,
        problems=problems or preview.problems,
        locale=_locale(),
    ), (422 if refused else 200)


def _stale_message(stale: draft_services.StaleDraft) -> str:
    from portal.notifications.views import local_datetime

    at = stale.params.get("at")
    if stale.params.get("mine"):
        return _(
            "Usted guardó este borrador en otra pestaña o ventana a las %(time)s. Sus cambios "
            "no se guardaron: cópielos, abra la versión actual y vuelva a aplicarlos.",
            time=local_datetime(at)[-5:] if at else "—",
        )
    return _(
        "Otra persona guardó este borrador a las %(time)s (%(name)s). Sus cambios no se "
        "guardaron: cópielos, abra la versión actual y vuelva a aplicarlos.",
        time=local_datetime(at)[-5:] if at else "—",
        name=stale.params.get("by") or _("persona desconocida"),
    )


@bp.route(f"{VERSION}/yaml", methods=["GET", "POST"])
@admin_required
def edit_source(procedure_id: int, version: int):
    row = services.require_version(current_user, procedure_id, version)
    if request.method == "POST":
        editable(row)  # the text of a published version is shown, never changed
    form = DraftSourceForm(data={"source": row.source or "", "revision": row.revision})
    status, problems = (422 if form.is_submitted() else 200), None
    if form.validate_on_submit():
        try:
            saved, problems = draft_services.save_draft_source(
                current_user, row.id, form.source.data, expected_revision=form.revision.data or 0
            )
        except draft_services.StaleDraft as stale:
            form.form_errors.append(_stale_message(stale))
            status = 409
        except InvalidInput as refused:  # `not_a_draft`: published since the page was drawn
            raise NotEditable(row=row) from refused
        else:
            if saved is not None:
                flash(_("Borrador guardado (revisión %(n)s).", n=saved.revision), "success")
                return redirect(url_for(".edit_source", procedure_id=procedure_id, version=version))
            form.source.errors = [_("El texto no se guardó: corrija los problemas indicados.")]
    return _source_page(row, form, problems, status)


def _source_page(row, form, problems, status: int):
    """The YAML view: the text (as typed, after a refused save) beside its problems."""
    if problems is None and row.status == "draft":
        problems = draft_services.draft_problems(row)
    typed = form.source.data if status != 200 else None
    return render_template(
        "admin/source.html",
        row=row,
        form=form,
        problems=problems or [],
        data=services.text_data(typed) if typed else services.draft_data(row),
        locale=_locale(),
    ), status


@bp.get("/tramites/<int:procedure_id>/comparar")
@admin_required
def compare(procedure_id: int):
    procedure = services.require_procedure(current_user, procedure_id)
    form = VersionCompareForm(request.args)
    choices = [(v.version, _("Versión %(n)s", n=v.version)) for v in procedure.versions]
    form.de.choices, form.a.choices = choices, choices
    sentences, status = None, 200
    if form.de.data and form.a.data:
        try:
            if form.de.data == form.a.data:
                raise InvalidInput("same_versions", field="a")
            sentences = lifecycle_services.compare_versions(
                current_user, procedure_id, form.de.data, form.a.data, _locale()
            )
        except InvalidInput as error:
            error.field = {"old": "de", "new": "a"}.get(error.field, error.field)
            refuse(form, error)
            status = 422
    return render_template(
        "admin/compare.html",
        procedure=procedure,
        form=form,
        sentences=sentences,
        locale=_locale(),
    ), status


@bp.get("/tramites/<int:procedure_id>/exportar")
@admin_required
def export(procedure_id: int):
    from portal.views_util import int_arg

    version = int_arg("version", 0, minimum=0) or None
    as_json = request.args.get("formato") == "json"
    name, text = transfer_services.export_procedure(
        current_user, procedure_id, version, as_json=as_json
    )
    response = Response(text, mimetype="application/json" if as_json else "application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/tramites/importar", methods=["GET", "POST"])
@admin_required
def import_file():
    form = ProcedureImportForm()
    if form.validate_on_submit():
        try:
            draft, renumbered = transfer_services.import_procedure_file(
                current_user,
                _upload(form.file.data),
                version=int(form.version.data) if form.version.data else None,
            )
        except InvalidInput as error:
            if error.code == "import_unreadable":
                error.params = {"problem": problem_message(str(error.params["problem"]))}
            refuse(form, error)
        else:
            flash(_imported(draft, renumbered), "success")
            return _to_version(draft)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/import.html", form=form), status


def _upload(storage) -> bytes:
    """The file's bytes, at most one more than the reader accepts (it then says too large)."""
    if storage is None or not getattr(storage, "filename", ""):
        raise InvalidInput("import_file_required", field="file")
    try:
        return storage.stream.read(MAX_BYTES + 1)
    finally:
        storage.close()  # a large upload is spooled to a temporary file


def _imported(draft, renumbered: bool) -> str:
    if renumbered:
        return _(
            "Importado como borrador versión %(n)s (el número del archivo ya existía).",
            n=draft.version,
        )
    return _("Importado como borrador versión %(n)s.", n=draft.version)


@bp.route("/tramites/copiar", methods=["GET", "POST"])
@admin_required
def copy_from_elsewhere():
    form = ProcedureCopyForm()
    form.source.choices = [("", _("Elija un trámite"))] + [
        (f"{v.procedure_id}:{v.version}", _copy_label(v))
        for v in services.list_public_versions(current_user)
    ]
    form.authority.choices = [(0, _("Elija una institución"))] + [
        (a.id, a.name) for a in services.authorities_for(current_user)
    ]
    if form.validate_on_submit():
        procedure_id, _sep, version = (form.source.data or "").partition(":")
        if not (procedure_id.isdigit() and version.isdigit()):
            raise errors.NotFound("version_not_found")
        try:
            draft = transfer_services.clone_to_authority(
                current_user, int(procedure_id), int(version), form.authority.data
            )
        except InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("Copia creada como borrador versión 1."), "success")
            return _to_version(draft)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/copy.html", form=form), status


def _copy_label(row) -> str:
    title = row.procedure.title.get(_locale()) or row.procedure.title.get("es", "")
    return _(
        "%(authority)s — %(title)s (versión %(n)s)",
        authority=row.procedure.authority.short_name,
        title=title,
        n=row.version,
    )
