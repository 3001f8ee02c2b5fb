"""The public catalogue: find a procedure; what each one needs, costs and takes."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user

from forms.review import ApplicationStartForm
from portal.applications.clocks import local_date
from portal.catalogue import presenters, services
from portal.drafts import presenters as draft_pages
from portal.drafts import services as draft_services
from portal.errors import NotFound
from portal.procedures import services as procedures
from portal.views_util import svg_response
from workflows.diagram import render_svg

bp = Blueprint("catalogue", __name__, url_prefix="/tramites")


@bp.get("/")
def index():
    """The catalogue; a search or filter value it cannot use is a 400 with its message at the
    field, what was typed kept, and no list that would pretend it was applied."""
    locale = str(get_locale())
    districts, offices = services.filter_choices()
    form = presenters.search_form(request.args, districts, offices, locale)
    if form.errors:
        return render_template("catalogue/index.html", form=form, entries=[], locale=locale), 400
    wanted = presenters.search_terms(form)
    entries = services.search(**wanted)
    return render_template(
        "catalogue/index.html",
        form=form,
        entries=entries,
        locale=locale,
        searched=any(wanted.values()),
        notice=presenters.district_notice(wanted["district"], districts, offices, entries),
    )


@bp.get("/<authority>/<slug>")
def detail(authority: str, slug: str):
    procedure, definition = _open_definition(authority, slug)
    locale = str(get_locale())
    estimator = presenters.Estimator(procedure, definition, locale, request.args)
    return render_template(
        "catalogue/detail.html",
        procedure=procedure,
        definition=definition,
        sheet=presenters.Sheet(definition, locale),
        estimator=estimator,
        money=presenters.money,
        form=ApplicationStartForm(token=secrets.token_urlsafe(24)),
        locale=locale,
        diagram=url_for(".diagram", authority=authority, slug=slug, locale=locale),
        draft=_own_draft(procedure),
    )


def _own_draft(procedure) -> tuple[str, str] | None:
    """The signed-in applicant's newest kept draft of this procedure (not deleted, not
    expired: `list_drafts_for`), as where "Continuar" resumes it and the day it was started;
    None when there is none (or nobody applying is signed in)."""
    if not current_user.is_authenticated or current_user.is_staff:
        return None
    for draft, _expires, _soon in draft_services.list_drafts_for(current_user):
        if draft.procedure_id == procedure.id:
            started = format_date(local_date(draft.created_at), "long")
            return draft_pages.resume_url(draft), started
    return None


@bp.get("/<authority>/<slug>/diagrama.<any(es, en):locale>.svg")
def diagram(authority: str, slug: str, locale: str):
    """The workflow drawn as an SVG document, shown on the page as an image (never inlined)."""
    _procedure, definition = _open_definition(authority, slug)
    return svg_response(render_svg(definition, locale=locale))


def _open_definition(authority: str, slug: str):
    """The definition new cases of a procedure take; 404 if unknown, 410 when it was retired."""
    procedure = procedures.get_procedure(authority, slug)
    if procedure is None:
        abort(404)
    try:
        version = procedures.version_for_new_cases(procedure)
    except NotFound as closed:
        abort(410 if closed.params.get("retired") else 404)
    return procedure, procedures.definition_of(version)
