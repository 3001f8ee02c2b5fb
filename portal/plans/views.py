"""Pages of "abrir mi negocio": the questionnaire, the plan, saved plans and their steps."""

from __future__ import annotations

import json
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.messages import message_for
from forms.plans import (
    PlanSaveForm,
    PlanStepStartForm,
    answers_of,
    build_journey_form,
    check_required,
    shown_values,
)
from portal import permissions
from portal.authorities.services import list_districts
from portal.drafts.presenters import resume_url
from portal.errors import InvalidInput, NotFound
from portal.plans import services

bp = Blueprint("plans", __name__)


def _form(data=None):
    locale = str(get_locale())
    districts = [(d.code, d.short_name) for d in list_districts()]
    form_class = build_journey_form(services.journey(), locale=locale, districts=districts)
    return form_class(formdata=data, meta={"csrf": False}, data=None)


@bp.get("/abrir-mi-negocio")
def questionnaire():
    """One short page of questions; its answers travel in the address (nothing is stored)."""
    if not request.args:
        return _page(_form())
    form = _form(request.args)
    if request.args.get("cambiar"):  # back from the plan to change an answer: as given
        return _page(form)
    form.validate()
    check_required(form)
    answers = answers_of(form)
    name = form.activity_name
    answers[name] = form.activity_choice.data or answers.get(name)
    checked = services.check_answers(answers)
    if name in checked.errors and not getattr(form, f"f_{name}").errors:
        getattr(form, f"f_{name}").errors = [message_for(checked.errors[name])]
        form.activity_choice.choices = [
            (item.code, f"{item.code} · {item.description}") for item in checked.activity_matches
        ]
    if form.errors or checked.errors:
        return _page(form)
    return redirect(url_for(".result", **_query(checked.answers)))


def _page(form):
    return render_template(
        "plans/questionnaire.html", form=form, journey=services.journey(), locale=str(get_locale())
    )


def _query(answers: dict) -> dict[str, str]:
    """Answers as the address carries them (yes/no as "si"/"no")."""
    return {name[2:]: str(value) for name, value in shown_values(answers).items()}


@bp.get("/abrir-mi-negocio/plan")
def result():
    checked = services.check_answers(request.args.to_dict())
    if checked.errors:
        return redirect(url_for(".questionnaire", **_prefixed(request.args.to_dict())))
    save = PlanSaveForm(answers=json.dumps(checked.answers))
    return render_template(
        "plans/plan.html",
        view=services.build_plan_view(checked.answers),
        locale=str(get_locale()),
        save_form=save,
        change_url=url_for(".questionnaire", **_prefixed(request.args.to_dict()), cambiar=1),
    )


def _prefixed(args: dict) -> dict[str, str]:
    return {f"f_{name}": value for name, value in args.items()}


@bp.post("/abrir-mi-negocio/guardar")
@login_required
def save():
    form = PlanSaveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        raw = json.loads(form.answers.data)
        plan = services.save_plan(actor=current_user, raw=raw if isinstance(raw, dict) else {})
    except (ValueError, InvalidInput):
        flash(_("Revise sus respuestas: alguna ya no es válida."), "error")
        return redirect(url_for(".questionnaire"))
    return redirect(url_for(".dashboard", plan_id=plan.id))


@bp.get("/mis-planes/")
@login_required
def index():
    plans = services.list_plans_for(current_user)
    views = {plan.id: services.build_plan_view(plan.answers) for plan in plans}
    return render_template("plans/index.html", plans=plans, views=views, locale=str(get_locale()))


def _own_plan(plan_id: int):
    try:
        return services.get_plan(current_user, plan_id)
    except NotFound as refused:
        permissions.deny(refused, None, None)


@bp.get("/mis-planes/<int:plan_id>")
@login_required
def dashboard(plan_id: int):
    plan = _own_plan(plan_id)
    view = services.build_plan_view(plan.answers)
    return render_template(
        "plans/dashboard.html",
        plan=plan,
        view=view,
        progress=services.progress_of(current_user, view),
        start_form=PlanStepStartForm(token=secrets.token_urlsafe(24)),
        locale=str(get_locale()),
    )


@bp.post("/mis-planes/<int:plan_id>/comenzar/<authority>/<slug>")
@login_required
def start(plan_id: int, authority: str, slug: str):
    plan = _own_plan(plan_id)
    form = PlanStepStartForm()
    if current_user.is_staff or not form.validate_on_submit():
        abort(400)
    try:
        application = services.start_step(
            actor=current_user, plan=plan, key=f"{authority}/{slug}", token=form.token.data
        )
    except NotFound:
        abort(404)
    except InvalidInput:
        flash(_("Este paso espera la resolución favorable de los anteriores."), "error")
        return redirect(url_for(".dashboard", plan_id=plan.id))
    return redirect(resume_url(application))  # its first step with something to answer
