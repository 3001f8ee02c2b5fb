"""Every refusal, as a page in the portal's layout and language, or as JSON under /api/.

One handler for every HTTP error (Werkzeug's `HTTPException`, which includes Flask's 500 for
an unexpected exception, Flask-WTF's `CSRFError` and Flask-Limiter's 429). People get a page
that says what happened and what to do; API clients get `{"error": {"code", "message"}}`.
A form posted with an expired or missing CSRF token comes back with what was typed (see
`templates/errors/session_expired.html`); an upload too large for any form is explained.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def _page_of_the_form() -> str:
    """The same-site page the form was on (the Referer), else the address it posted to."""
    from portal.views_util import safe_next

    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        page = safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
        if page:
            return page
    return safe_next(request.path) or "/"
