"""GET /api/simdet/v1/events: the ordered, resumable event feed (bearer token)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from portal.extensions import csrf
from portal.simdet import services
from portal.views_util import PG_BIGINT_MAX, int_arg

bp = Blueprint("simdet", __name__, url_prefix="/api/simdet/v1")
csrf.exempt(bp)


def _error(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="simdet"'
    return response


@bp.get("/events")
def events():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or services.authenticate_client(token.strip()) is None:
        return _error(401, "unauthorized", "Falta un token válido (Authorization: Bearer ...).")
    after = int_arg("after", 0, maximum=PG_BIGINT_MAX)
    limit = int_arg("limit", 100, minimum=1)  # more than MAX_LIMIT is served as MAX_LIMIT
    return jsonify(services.feed_page(after, limit))
