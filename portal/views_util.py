"""Small helpers shared by views: safe redirects, query integers, staff-only, reason messages."""

from __future__ import annotations

import re
from functools import wraps
from urllib.parse import urlsplit

from flask import Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from forms.messages import message_for


def safe_next(target: str | None) -> str | None:
    """Return a same-site path to go back to, or None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# A signed integer of at most 19 digits: never more than a 64-bit column can hold.
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
PG_INT_MAX = 2**31 - 1
PG_BIGINT_MAX = 2**63 - 1


class InvalidQueryArgument(BadRequest):
    """A query-string value is not a whole number within its bounds (HTTP 400)."""

    code_name = "invalid_parameter"

    def __init__(self, name: str, minimum: int, maximum: int) -> None:
        self.parameter = name
        super().__init__(
            _(
                "El parámetro «%(name)s» debe ser un número entero entre %(min)s y %(max)s.",
                name=name,
                min=minimum,
                max=maximum,
            )
        )


def int_arg(name: str, default: int, *, minimum: int = 0, maximum: int = PG_INT_MAX) -> int:
    """Read the query-string integer `name` (every view parses query integers here).

    Returns `default` when the parameter is absent or empty.

    Raises:
        InvalidQueryArgument: (HTTP 400) the value is not a plain base-10 integer, or lies
            outside [minimum, maximum] (the bounds of the column or page it selects).
    """
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not _INTEGER.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        raise InvalidQueryArgument(name, minimum, maximum)
    return int(raw)


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.has_role("admin"):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def reason_messages(reasons) -> list[str]:
    return [message_for(r.code, **dict(r.params)) for r in reasons]


def svg_response(svg: str) -> Response:
    """An SVG document (a drawing the portal made) for an <img>: never inlined in a page."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-cache"
    return response


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: only what an id column can hold, so a huge id is a 404.

    PostgreSQL's `integer` holds 1..2**31-1; a larger number in a path used to reach the
    database and fail there (HTTP 500). Installed as the app's `int` converter.
    """

    def __init__(self, url_map, fixed_digits=0, min=None, max=None, signed=False) -> None:
        super().__init__(url_map, fixed_digits, min, PG_INT_MAX if max is None else max, signed)
