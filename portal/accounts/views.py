"""Sign-up, sign-in, sign-out, sessions, password change and reset."""

from __future__ import annotations

import hashlib
import time

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forms.accounts import (
    AccountLoginForm,
    AccountRegisterForm,
    EmailConfirmForm,
    PasswordChangeForm,
    PasswordForgotForm,
    PasswordResetForm,
)
from forms.messages import message_for
from portal.accounts import devices, services, web_session
from portal.errors import InvalidInput
from portal.extensions import limiter
from portal.sessions import services as sessions
from portal.views_util import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/cuenta")

# Failed sign-ins, counted in Redis when there is one (every web process shares the count):
# per address, and per account whatever the address. A full window refuses for at most its
# length, never for good; and a browser where the account signed in before (device cookie,
# portal/accounts/devices.py) is counted on its own, so guessing elsewhere never holds a clerk
# at their own desk.
ADDRESS_FAILURES = "10 per 10 minutes"
ACCOUNT_FAILURES = "10 per 15 minutes"
# Sign-up and reset requests send e-mail: per address, and per target address.
ADDRESS_MAILS = "10 per hour"
TARGET_MAILS = "3 per hour"


def _target_key() -> str:
    """The limit key of the e-mail typed in the form (hashed: no addresses kept in Redis)."""
    email = services.normalize_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode()).hexdigest() if email else ""


def _failed(_response) -> bool:
    return bool(g.get("sign_in_failed"))


def _sent(response) -> bool:
    return response.status_code == 302


def _audit_throttled(scope: str):
    def on_breach(_limit) -> None:
        services.record_throttled(
            email=request.form.get("email", ""), ip=request.remote_addr, scope=scope
        )

    return on_breach


@bp.errorhandler(429)
def too_many_attempts(_error):
    """Refusals by the limits above: the same form, the typed e-mail, a Spanish explanation."""
    current = limiter.current_limit
    minutes = max(1, round((current.reset_at - time.time()) / 60)) if current else 15
    forms = {
        "accounts.login": (AccountLoginForm, "accounts/login.html"),
        "accounts.register": (AccountRegisterForm, "accounts/register.html"),
        "accounts.forgot_password": (PasswordForgotForm, "accounts/forgot.html"),
    }
    form_class, template = forms.get(request.endpoint, forms["accounts.login"])
    form = form_class()
    text = _(
        "Demasiados intentos. Por su seguridad, espere %(minutes)s minutos y vuelva a intentarlo. "
        "Si olvidó su contraseña, puede pedir un enlace para cambiarla.",
        minutes=minutes,
    )
    return render_template(template, form=form, throttled=text), 429


@bp.route("/registro", methods=["GET", "POST"])
@limiter.limit(ADDRESS_MAILS, methods=["POST"], deduct_when=_sent)
@limiter.limit(TARGET_MAILS, key_func=_target_key, methods=["POST"], deduct_when=_sent)
def register():
    form = AccountRegisterForm()
    if form.validate_on_submit():
        try:
            services.sign_up(
                email=form.email.data,
                password=form.password.data,
                full_name=form.full_name.data,
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            getattr(form, error.field).errors.append(message_for(error.code, **error.params))
        else:
            return redirect(url_for("accounts.check_email", aviso="registro"))
    return render_template("accounts/register.html", form=form)


@bp.get("/revise-su-correo")
def check_email():
    return render_template("accounts/check_email.html", reason=request.args.get("aviso"))


@bp.route("/confirmar/<token>", methods=["GET", "POST"])
def confirm(token: str):
    form = EmailConfirmForm()
    if services.get_confirmation_user(token) is None:
        return render_template("accounts/link_invalid.html"), 400
    if not form.validate_on_submit():  # the e-mail's link only shows the button
        return render_template("accounts/confirm.html", form=form)
    if services.confirm_email(token=token, ip=request.remote_addr) is None:
        return render_template("accounts/link_invalid.html"), 400
    flash(_("Su correo quedó confirmado. Ya puede entrar a su cuenta."), "success")
    return redirect(url_for("accounts.login"))


def _device_key() -> str:
    """A browser where the typed account signed in before is counted on its own."""
    device = devices.trusted_for(request.form.get("email", ""))
    return f"device:{device}" if device else ""


def _trusted_device() -> bool:
    return bool(_device_key())


def _untrusted_device() -> bool:
    """No device limit to count (rather than an empty key, which Flask-Limiter logs as an
    error on every sign-in)."""
    return not _trusted_device()


@bp.route("/entrar", methods=["GET", "POST"])
@limiter.limit(
    ADDRESS_FAILURES, methods=["POST"], deduct_when=_failed, on_breach=_audit_throttled("address")
)
@limiter.limit(
    ACCOUNT_FAILURES,
    key_func=_target_key,
    methods=["POST"],
    deduct_when=_failed,
    exempt_when=_trusted_device,
    on_breach=_audit_throttled("account"),
)
@limiter.limit(
    ACCOUNT_FAILURES,
    key_func=_device_key,
    methods=["POST"],
    deduct_when=_failed,
    exempt_when=_untrusted_device,
    on_breach=_audit_throttled("device"),
)
def login():
    form = AccountLoginForm()
    if form.validate_on_submit():
        signed_in = services.sign_in(
            email=form.email.data,
            password=form.password.data,
            ip=request.remote_addr,
            user_agent=request.user_agent.string,
        )
        if signed_in is None:
            g.sign_in_failed = True
            form.email.errors.append(message_for("bad_credentials"))
        else:
            user, token = signed_in
            web_session.start(user, token)
            default = url_for("review.queue") if user.is_staff else url_for("applications.index")
            return devices.remember(
                redirect(safe_next(request.args.get("next")) or default), user.email
            )
    return render_template("accounts/login.html", form=form)


@bp.post("/salir")
@login_required
def logout():
    services.sign_out(
        actor=current_user._get_current_object(),
        session_token=web_session.current_token(),
        ip=request.remote_addr,
    )
    web_session.finish()
    flash(_("Cerró su sesión."), "success")
    return redirect(url_for("main.index"))


@bp.get("/sesiones")
@login_required
def sessions_page():
    current = sessions.find(web_session.current_token())
    rows = [
        web_session.describe(row, current=current is not None and row.id == current.id)
        for row in sessions.active_sessions(current_user)
    ]
    rows.sort(key=lambda row: not row["current"])  # this browser first
    return render_template("accounts/sessions.html", rows=rows)


@bp.post("/sesiones/cerrar-otras")
@login_required
def end_other_sessions():
    ended = sessions.end_others(
        actor=current_user, current_token=web_session.current_token(), ip=request.remote_addr
    )
    flash(_("Cerramos %(count)s sesiones en otros dispositivos.", count=ended), "success")
    return redirect(url_for("accounts.sessions_page"))


@bp.post("/sesiones/<int:session_id>/cerrar")
@login_required
def end_session(session_id: int):
    if not sessions.end_one(actor=current_user, session_id=session_id, ip=request.remote_addr):
        return render_template("errors/404.html"), 404
    flash(_("Cerramos esa sesión."), "success")
    return redirect(url_for("accounts.sessions_page"))


@bp.route("/contrasena", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            token = services.change_password(
                actor=current_user._get_current_object(),
                current_password=form.current_password.data,
                new_password=form.password.data,
                session_token=web_session.current_token(),
                ip=request.remote_addr,
                user_agent=request.user_agent.string,
            )
        except InvalidInput as error:
            getattr(form, error.field).errors.append(message_for(error.code, **error.params))
        else:
            web_session.start(current_user._get_current_object(), token)
            flash(
                _("Cambió su contraseña. Cerramos sus sesiones en otros dispositivos."), "success"
            )
            return redirect(url_for("accounts.sessions_page"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/olvide", methods=["GET", "POST"])
@limiter.limit(ADDRESS_MAILS, methods=["POST"], deduct_when=_sent)
@limiter.limit(TARGET_MAILS, key_func=_target_key, methods=["POST"], deduct_when=_sent)
def forgot_password():
    form = PasswordForgotForm()
    if form.validate_on_submit():
        services.request_password_reset(email=form.email.data, ip=request.remote_addr)
        return redirect(url_for("accounts.check_email", aviso="contrasena"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/restablecer/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if services.user_for_reset(token) is None:
        return render_template("accounts/link_invalid.html"), 400
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(
                token=token, new_password=form.password.data, ip=request.remote_addr
            )
        except InvalidInput as error:
            getattr(form, error.field).errors.append(message_for(error.code, **error.params))
        else:
            web_session.finish()
            flash(_("Guardamos su contraseña nueva. Entre con ella."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)
