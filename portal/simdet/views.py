"""GET /api/simdet/v1/events: the ordered, resumable event feed (bearer token)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from portal.extensions import csrf
from portal.simdet import services

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
    try:
        after = int(request.args.get("after", "0"))
        limit = int(request.args.get("limit", "100"))
    except ValueError:
        return _error(400, "invalid_parameter", "after y limit deben ser números enteros.")
    if after < 0 or limit < 1:
        return _error(400, "invalid_parameter", "after debe ser ≥ 0 y limit ≥ 1.")
    return jsonify(services.feed_page(after, limit))
