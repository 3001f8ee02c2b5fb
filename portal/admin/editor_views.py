"""Admin pages that edit a draft in forms, one section a page, with its problems beside."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import draft_services, editor_services, services
from portal.admin import editor_presenters as presenters
from portal.admin.views import NotEditable, bp, editable
from portal.errors import InvalidInput
from portal.views_util import admin_required, svg_response
from workflows.diagram import render_svg

DRAFT = "/tramites/<int:procedure_id>/versiones/<int:version>/editar"
SECTION_WORDS = "any(" + ", ".join(presenters.SECTIONS) + ")"


def _draft(procedure_id: int, version: int):
    """The draft in the admin's scope: a 404 for a version not in scope, which the admin
    blueprint's handler audits (`portal.admin.views.not_found`); for a published or retired
    version, the page that says it cannot change (409, `portal.admin.views.not_editable`)."""
    return editable(services.require_version(current_user, procedure_id, version))


@bp.route(f"{DRAFT}/<{SECTION_WORDS}:section>", methods=["GET", "POST"])
@admin_required
def edit_draft(procedure_id: int, version: int, section: str):
    row = _draft(procedure_id, version)
    if request.method == "GET":
        regimes = editor_services.tariff_regimes(row.definition or {})
        adding = request.args.get("anadir", "")
        values = editor_services.values_of(section, row.definition or {}, regimes, adding)
        page = presenters.Page(section, values, {}, editor_services.draft_problems(row))
        return _render(row, page, row.revision)
    values = request.form.to_dict(flat=False)
    revision = request.form.get("revision", type=int) or 0
    try:
        saved, problems, errors = editor_services.edit_section(
            current_user, row.id, section, values,
            op=request.form.get("op", ""), expected_revision=revision,
        )  # fmt: skip
    except draft_services.StaleDraft as stale:
        page = presenters.Page(section, values, {}, [])
        return _render(row, page, revision, stale=_stale_message(stale.params)), 409
    except InvalidInput as refused:  # `not_a_draft`: published since the page was drawn
        raise NotEditable(row=row) from refused
    if saved is None:
        page = presenters.Page(section, values, errors, problems)
        return _render(row, page, revision), 400
    if problems:
        flash(_saved_with_problems(saved.revision, len(problems)), "warning")
    else:
        flash(_("Se guardó el borrador (revisión %(n)s).", n=saved.revision), "success")
    return redirect(_after_save(saved, section, request.form.get("op", "")))


def _after_save(saved, section: str, op: str) -> str:
    """The section again; after "Añadir", with the new row drawn (not stored) and in view."""
    url = url_for(
        ".edit_draft", procedure_id=saved.procedure_id, version=saved.version, section=section
    )
    kind, _sep, path = op.partition(":")
    if kind != "add" or path not in editor_services.ADDS.get(section, ()):
        return url
    count = editor_services.new_row_count(saved.definition or {}, path)
    return url_for(
        ".edit_draft", procedure_id=saved.procedure_id, version=saved.version, section=section,
        anadir=path, _anchor=f"{path}[{count}]",
    )  # fmt: skip


def _saved_with_problems(revision: int, count: int) -> str:
    return ngettext(
        "Se guardó el borrador (revisión %(n)s) con %(num)d problema: se muestra junto a lo que "
        "afecta. Un borrador con problemas no se puede publicar.",
        "Se guardó el borrador (revisión %(n)s) con %(num)d problemas: se muestran junto a lo "
        "que afectan. Un borrador con problemas no se puede publicar.",
        count,
        n=revision,
    )


def _stale_message(params) -> str:
    when = format_datetime(params["at"], "short") if params.get("at") else ""
    if params.get("mine"):
        return _(
            "Usted guardó este borrador en otra pestaña o ventana (%(at)s) mientras lo editaba "
            "aquí. No se guardó nada: lo que escribió sigue abajo. Abra la versión actual en "
            "otra pestaña, copie sus cambios y guárdelos de nuevo.",
            at=when,
        )
    return _(
        "Otra persona (%(by)s, %(at)s) guardó este borrador mientras usted lo editaba. No se "
        "guardó nada: lo que escribió sigue abajo. Abra la versión actual en otra pestaña, "
        "copie sus cambios y guárdelos de nuevo.",
        by=params.get("by") or _("sin nombre"),
        at=when,
    )


def _render(row, page, revision: int, stale: str | None = None):
    return render_template(
        f"admin/editor/{page.section}.html",
        row=row,
        page=page,
        revision=revision,
        stale=stale,
        sections=presenters.SECTIONS,
        **presenters.page_context(row, page, request.args, str(get_locale())),
    )


@bp.get(f"{DRAFT}/diagrama.svg")
@admin_required
def draft_diagram(procedure_id: int, version: int):
    definition = editor_services.draft_definition(_draft(procedure_id, version))
    if definition is None:
        abort(404)
    return svg_response(render_svg(definition, locale=str(get_locale())))


@bp.get(f"{DRAFT}/constancia/vista-previa.pdf")
@admin_required
def certificate_preview(procedure_id: int, version: int):
    pdf = editor_services.certificate_preview(_draft(procedure_id, version))
    if pdf is None:
        abort(404)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="vista-previa.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


# What the editors redraw as one types (static/js/live.js): each runs the editor's own code on
# the section as posted, unsaved; 422 with the messages when what is typed cannot be used.


@bp.post(f"{DRAFT}/tasas/estimacion")
@admin_required
def live_estimate(procedure_id: int, version: int):
    row = _draft(procedure_id, version)
    definition, errors, problems = editor_services.typed_definition(row, "tasas", _posted())
    if definition is None:
        return _cannot(_("No se puede estimar con las tasas escritas:"), errors, problems)
    context = presenters.estimator_context(row, definition, request.form, str(get_locale()))
    return render_template("admin/editor/_estimator.html", typed=True, **context)


@bp.post(f"{DRAFT}/flujo/diagrama.svg")
@admin_required
def live_diagram(procedure_id: int, version: int):
    row = _draft(procedure_id, version)
    definition, errors, problems = editor_services.typed_definition(row, "flujo", _posted())
    if definition is None:
        lead = _("El diagrama muestra lo último que se pudo dibujar. Lo escrito no se puede "
                 "dibujar:")  # fmt: skip
        return _cannot(lead, errors, problems)
    return svg_response(render_svg(definition, locale=str(get_locale())))


@bp.post(f"{DRAFT}/avisos/vista-previa")
@admin_required
def live_notices(procedure_id: int, version: int):
    row = _draft(procedure_id, version)
    return render_template(
        "admin/editor/_notice_previews.html",
        **presenters.notices_context(row.definition or {}, _posted()),
    )


def _posted() -> dict[str, list[str]]:
    return request.form.to_dict(flat=False)


def _cannot(lead: str, errors, problems):
    messages = presenters.live_messages(errors, problems)
    return render_template("admin/editor/_live_messages.html", lead=lead, messages=messages), 422
