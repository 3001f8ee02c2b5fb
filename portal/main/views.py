"""Home page, language switch, health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user

from portal.accounts.services import set_locale
from portal.main import services
from portal.views_util import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    from workflows.life_events import LIFE_EVENTS

    locale = str(get_locale())
    return render_template(
        "main/index.html",
        life_events=[(code, text.get(locale)) for code, text in LIFE_EVENTS.items()],
    )


@bp.post("/idioma/<code>")
def set_language(code: str):
    """Switch the language (a POST with the CSRF token: it changes a stored preference)."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:  # e-mails follow the language the person chose
            set_locale(actor=current_user, locale=code)
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.get("/healthz")
def healthz():
    report = services.health()
    return jsonify(report), 200 if report["status"] == "ok" else 503


@bp.get("/accesibilidad")
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/privacidad")
def privacy():
    return render_template("main/privacy.html")
