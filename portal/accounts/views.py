"""Sign-up, sign-in, sign-out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from forms.accounts import AccountLoginForm, AccountRegisterForm
from forms.messages import message_for
from portal.accounts import services
from portal.errors import InvalidInput
from portal.extensions import limiter
from portal.views_util import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/cuenta")


@bp.route("/registro", methods=["GET", "POST"])
# Only accounts actually created count, so typing mistakes never lock anyone out.
@limiter.limit("20 per hour", methods=["POST"], deduct_when=lambda r: r.status_code == 302)
def register():
    form = AccountRegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_applicant(
                email=form.email.data,
                password=form.password.data,
                full_name=form.full_name.data,
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            getattr(form, error.field).errors.append(message_for(error.code, **error.params))
        else:
            login_user(user)
            flash(_("Su cuenta está lista. Ya puede iniciar trámites."), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("catalogue.index"))
    return render_template("accounts/register.html", form=form)


@bp.route("/entrar", methods=["GET", "POST"])
# Failed attempts only (the form comes back with 200): slows password guessing per address.
@limiter.limit("10 per 10 minutes", methods=["POST"], deduct_when=lambda r: r.status_code == 200)
def login():
    form = AccountLoginForm()
    if form.validate_on_submit():
        user = services.authenticate(
            email=form.email.data, password=form.password.data, ip=request.remote_addr
        )
        if user is None:
            form.email.errors.append(message_for("bad_credentials"))
        else:
            login_user(user)
            default = url_for("review.queue") if user.is_staff else url_for("applications.index")
            return redirect(safe_next(request.args.get("next")) or default)
    return render_template("accounts/login.html", form=form)


@bp.post("/salir")
@login_required
def logout():
    services.record_logout(actor=current_user._get_current_object(), ip=request.remote_addr)
    logout_user()
    flash(_("Cerró su sesión."), "success")
    return redirect(url_for("main.index"))
