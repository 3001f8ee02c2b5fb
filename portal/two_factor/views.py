"""The second step of staff sign-in, enrolment, recovery codes, and the account page's section."""

from __future__ import annotations

import time

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.messages import message_for
from forms.two_factor import RecoveryCodeForm, SecondFactorCodeForm
from portal.accounts import web_session
from portal.errors import InvalidInput, NotAllowed
from portal.extensions import limiter
from portal.pdf import qr_svg_data_uri
from portal.two_factor import services
from portal.views_util import safe_next

bp = Blueprint("two_factor", __name__, url_prefix="/cuenta/segundo-factor")

# Wrong codes, per person, shared by every form that takes one: 5 guesses of 1,000,000 (three
# codes valid at a time) per quarter hour; the window passes, the account is never locked.
CODE_FAILURES = "5 per 15 minutes"


def _person_key() -> str:
    return f"second-factor:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _failed(_response) -> bool:
    return bool(g.get("second_factor_failed"))


def _audit_throttled(_limit) -> None:
    services.record_throttled(actor=current_user, ip=request.remote_addr)


_limit = limiter.shared_limit(
    CODE_FAILURES,
    scope="second-factor",
    key_func=_person_key,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_audit_throttled,
)


def _next_url() -> str:
    return safe_next(request.args.get("next")) or url_for("review.queue")


def _code_error(form, error: InvalidInput) -> None:
    g.second_factor_failed = error.code != "second_factor_required"
    form.code.errors.append(message_for(error.code, **error.params))


@bp.errorhandler(429)
def too_many_attempts(_error):
    """The same page, with the refusal at the code field (nothing checked, nothing counted)."""
    current = limiter.current_limit
    minutes = max(1, round((current.reset_at - time.time()) / 60)) if current else 15
    text = _(
        "Demasiados intentos con códigos incorrectos. Por su seguridad, espere %(minutes)s "
        "minutos y vuelva a intentarlo.",
        minutes=minutes,
    )
    if request.endpoint == "two_factor.regenerate":
        form = SecondFactorCodeForm(prefix="regenerar")
        form.code.errors = [text]
        return _manage_page(regenerate=form), 429
    if request.endpoint == "two_factor.disable":
        form = SecondFactorCodeForm(prefix="desactivar")
        form.code.errors = [text]
        return _manage_page(disable=form), 429
    form = (
        RecoveryCodeForm if request.endpoint == "two_factor.recover" else SecondFactorCodeForm
    )()
    form.code.errors = [text]
    if request.endpoint == "two_factor.enrol":
        return _enrol_page(form), 429
    template = "recover" if request.endpoint == "two_factor.recover" else "verify"
    return render_template(f"two_factor/{template}.html", form=form), 429


def _enrol_page(form):
    factor = services.begin_enrolment(actor=current_user._get_current_object())
    uri = services.provisioning_uri(factor, current_user)
    secret = " ".join(factor.secret[i : i + 4] for i in range(0, len(factor.secret), 4))
    return render_template(
        "two_factor/enrol.html",
        form=form,
        qr=qr_svg_data_uri(uri),
        secret=secret,
        required=services.required_for(current_user),
    )


@bp.route("/activar", methods=["GET", "POST"])
@_limit
def enrol():
    if services.is_enrolled(current_user):
        return redirect(url_for("two_factor.manage"))
    form = SecondFactorCodeForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_enrolment(
                actor=current_user._get_current_object(),
                code=form.code.data,
                session_token=web_session.current_token(),
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            _code_error(form, error)
        else:
            if codes is None:
                return redirect(url_for("two_factor.manage"))
            return render_template("two_factor/codes.html", codes=codes, next=_next_url())
    return _enrol_page(form)


@bp.route("/verificar", methods=["GET", "POST"])
@_limit
def verify():
    step = services.pending_step(user=current_user, session_token=web_session.current_token())
    if step is None:
        return redirect(_next_url())
    if step == services.ENROL:
        return redirect(url_for("two_factor.enrol", next=request.args.get("next")))
    form = SecondFactorCodeForm()
    if form.validate_on_submit():
        try:
            services.verify_sign_in(
                actor=current_user._get_current_object(),
                code=form.code.data,
                session_token=web_session.current_token(),
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            _code_error(form, error)
        else:
            return redirect(_next_url())
    return render_template("two_factor/verify.html", form=form)


@bp.route("/recuperacion", methods=["GET", "POST"])
@_limit
def recover():
    step = services.pending_step(user=current_user, session_token=web_session.current_token())
    if step != services.VERIFY:  # nothing owed (no code spent for nothing), or enrolment
        return redirect(url_for("two_factor.verify", next=request.args.get("next")))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        try:
            remaining = services.use_recovery_code(
                actor=current_user._get_current_object(),
                code=form.code.data,
                session_token=web_session.current_token(),
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            _code_error(form, error)
        else:
            flash(_recovery_notice(remaining), "warning" if remaining < 3 else "success")
            return redirect(_next_url())
    return render_template("two_factor/recover.html", form=form)


def _recovery_notice(remaining: int) -> str:
    return _(
        "Entró con un código de recuperación. Le quedan %(count)s; puede crear otros nuevos en "
        "Mi cuenta, en Verificación en dos pasos.",
        count=remaining,
    )


def _manage_page(regenerate=None, disable=None):
    enrolled = services.is_enrolled(current_user)
    return render_template(
        "two_factor/manage.html",
        enrolled=enrolled,
        required=services.required_for(current_user),
        remaining=services.remaining_recovery_codes(current_user) if enrolled else 0,
        regenerate=regenerate or SecondFactorCodeForm(prefix="regenerar"),
        disable=disable or SecondFactorCodeForm(prefix="desactivar"),
    )


@bp.get("")
def manage():
    """The account page's section: status, new recovery codes, disable (where allowed)."""
    return _manage_page()


@bp.post("/codigos")
@_limit
def regenerate():
    form = SecondFactorCodeForm(prefix="regenerar")
    if form.validate_on_submit():
        try:
            codes = services.regenerate_recovery_codes(
                actor=current_user._get_current_object(),
                code=form.code.data,
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            _code_error(form, error)
        except NotAllowed:
            return redirect(url_for("two_factor.manage"))
        else:
            return render_template(
                "two_factor/codes.html", codes=codes, next=url_for("two_factor.manage")
            )
    return _manage_page(regenerate=form)


@bp.post("/desactivar")
@_limit
def disable():
    form = SecondFactorCodeForm(prefix="desactivar")
    if form.validate_on_submit():
        try:
            services.disable(
                actor=current_user._get_current_object(),
                code=form.code.data,
                session_token=web_session.current_token(),
                ip=request.remote_addr,
            )
        except InvalidInput as error:
            _code_error(form, error)
        except NotAllowed:
            return redirect(url_for("two_factor.manage"))
        else:
            flash(_("Desactivó la verificación en dos pasos."), "success")
            return redirect(url_for("two_factor.manage"))
    return _manage_page(disable=form)
