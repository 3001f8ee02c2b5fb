"""Every refusal, as a page in the portal's layout and language, or as JSON under /api/.

One handler for every HTTP error (Werkzeug's `HTTPException`, which includes Flask's 500 for
an unexpected exception, Flask-WTF's `CSRFError` and Flask-Limiter's 429). People get a page
that says what happened and what to do; API clients get `{"error": {"code", "message"}}`.
A form posted with an expired or missing CSRF token comes back with what was typed (see
`templates/errors/session_expired.html`); an upload too large for any form is explained.

Two requests that change the same thing at the same moment (a double click, two tabs) meet in
the database: the second gets a unique-key violation or finds a row changed under it
(SQLAlchemy's `StaleDataError`). Wherever a service did not foresee that, the transaction is
rolled back and the person is sent back to the page they posted from, which now shows what
the first request did, with a notice; never a 500. Before any error page is rendered the
session is rolled back, so the page itself can always read what the layout needs.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError

from portal.extensions import db

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Never written back into a page: passwords and the stale CSRF token.
SECRET_FIELD = re.compile(r"pass|clave|csrf", re.IGNORECASE)
# Pages of their own; every other status uses errors/generic.html with the texts below.
OWN_PAGES = frozenset({403, 404, 429, 500})
# (title, what to do) for the statuses people can meet on the generic page.
GENERIC_TEXTS = {
    400: (
        _l("No pudimos entender lo que se envió"),
        _l(
            "Vuelva a la página anterior, revise lo que escribió y envíelo de nuevo. Si llegó "
            "aquí desde un enlace, escriba la dirección otra vez o empiece desde el inicio."
        ),
    ),
    409: (
        _l("Alguien cambió esto al mismo tiempo"),
        _l(
            "Otra solicitud (quizá un segundo clic, u otra pestaña) cambió lo mismo en el "
            "mismo momento. Vuelva a la página anterior y recárguela para ver cómo quedó."
        ),
    ),
    405: (
        _l("Esta acción no se puede hacer desde esta dirección"),
        _l(
            "Use los botones y formularios del portal en lugar de escribir la dirección. "
            "Vuelva a la página anterior y siga desde allí."
        ),
    ),
    410: (
        _l("Este trámite ya no recibe solicitudes"),
        _l(
            "La institución lo retiró del catálogo. Los expedientes ya presentados siguen su "
            "curso y puede consultarlos en «Mis solicitudes». Vea en el catálogo los trámites "
            "disponibles."
        ),
    ),
    413: (
        _l("Lo que envió es demasiado grande"),
        _l(
            "Cada archivo tiene un tamaño máximo, indicado junto a él. Reduzca el tamaño del "
            "archivo (por ejemplo, escanee a 150 ppp o en blanco y negro) y vuelva a "
            "adjuntarlo."
        ),
    ),
    415: (
        _l("No podemos leer ese tipo de contenido"),
        _l("Vuelva a la página anterior y envíe el formulario desde el portal."),
    ),
}
DEFAULT_TEXT = (
    _l("No pudimos completar lo que pidió"),
    _l(
        "Vuelva a la página anterior e inténtelo de nuevo. Si el problema continúa, "
        "comuníquese con la oficina que atiende su trámite."
    ),
)


def register(app: Flask) -> None:
    """Install the handlers; call once from the app factory."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StaleDataError, _concurrent_change)
    app.register_error_handler(IntegrityError, _concurrent_change)


#: Notice on the page a person is sent back to after a concurrent change (`_concurrent_change`).
CONCURRENT_NOTICE = _l(
    "Esto ya se había registrado, o alguien lo cambió al mismo tiempo (quizá un segundo clic "
    "u otra pestaña). La página muestra cómo quedó: revísela antes de seguir."
)


def _unique_violation(error: IntegrityError) -> bool:
    """A duplicate key (PostgreSQL SQLSTATE 23505, SQLite "UNIQUE constraint failed")."""
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return state == "23505" or "UNIQUE constraint failed" in str(error.orig)


def _concurrent_change(error: Exception):
    """A row changed or a key taken by a request that committed first: back to the page."""
    db.session.rollback()
    if isinstance(error, IntegrityError) and not _unique_violation(error):
        return _http_error(InternalServerError(original_exception=error))
    log.warning(
        "Concurrent change on %s %s: %s", request.method, request.path, type(error).__name__
    )
    back = _same_site_referrer()
    if request.method != "POST" or wants_json() or back is None:
        return _http_error(Conflict())
    flash(str(CONCURRENT_NOTICE), "warning")
    return redirect(back, 303)


def wants_json() -> bool:
    """True for the API, whose clients read JSON errors, never HTML."""
    return request.path.startswith(API_PREFIX)


def json_error(error: HTTPException):
    code_name = getattr(error, "code_name", None) or _slug(error)
    body = {"error": {"code": code_name, "message": str(error.description or error.name)}}
    response = jsonify(body)
    response.status_code = error.code or 500
    _copy_headers(error, response)
    return response


def _slug(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_").replace("'", "")


def _copy_headers(error: HTTPException, response) -> None:
    # Allow (405), Retry-After (429) and friends; the body's own Content-Type stays.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value


def _http_error(error: HTTPException):
    code = error.code or 500
    if code >= 500:
        log.error("HTTP %s on %s %s", code, request.method, request.path, exc_info=error)
        db.session.rollback()  # a failed transaction must not keep the page from rendering
    if wants_json():
        return json_error(error)
    if code in OWN_PAGES:
        # The 429 page says what to do on the page that was limited (its blueprint).
        body = render_template(f"errors/{code}.html", limited=request.blueprint)
    else:
        title, advice = GENERIC_TEXTS.get(code, DEFAULT_TEXT)
        body = render_template(
            "errors/generic.html",
            title=title,
            advice=advice,
            detail=_detail(error),
            max_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
            code=code,
        )
    response = current_app.make_response((body, code))
    _copy_headers(error, response)
    return response


def _detail(error: HTTPException) -> str | None:
    """A message written for people (ours are translated); Werkzeug's English ones are not."""
    from portal.views_util import InvalidQueryArgument

    if isinstance(error, InvalidQueryArgument):
        return str(error.description)
    return None


def _csrf_error(error: CSRFError):
    """A form sent after its session expired: show it again, with a new token, as typed."""
    if wants_json() or request.method != "POST":
        return _http_error(error)
    typed = [
        (name, value)
        for name, values in request.form.lists()
        if not SECRET_FIELD.search(name)
        for value in values
    ]
    body = render_template(
        "errors/session_expired.html",
        typed=typed,
        files=[f.filename for f in request.files.values() if f and f.filename],
        action=request.full_path.rstrip("?"),
        back=_page_of_the_form(),
        signed_in=current_user.is_authenticated,
    )
    return current_app.make_response((body, 400))


def _same_site_referrer() -> str | None:
    """The same-site page the request came from (its Referer), or None."""
    from portal.views_util import safe_next

    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def _page_of_the_form() -> str:
    """The same-site page the form was on (the Referer), else the address it posted to."""
    from portal.views_util import safe_next

    return _same_site_referrer() or safe_next(request.path) or "/"
