"""POST /api/pagos/notificacion: a payment provider tells the portal what happened to a payment.

Public (a provider's server calls it, with no session) and exempt from CSRF: the HMAC-SHA256
signature of the body (`X-Signature`, `portal.payments.providers`) is the check; a bad one is
refused with 403, a missing one with 400, both audited. Rate-limited per client address.
Answers JSON:
`{"outcome": ..., "new": bool}` with 200 (`paid`, `duplicate`, `cancelled`; `new` false for a
repeated transaction id) or 422 (`amount_mismatch`, `unknown_reference`: recorded, nothing
paid); `{"error": {"code": ...}}` with 403 (`bad_signature`), 400 (`missing_signature`,
`malformed`) or 503
(`online_payment_off`).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from portal.extensions import csrf, limiter
from portal.payments import providers, services

bp = Blueprint("payments_api", __name__, url_prefix="/api/pagos")
csrf.exempt(bp)
#: Per client address; a provider's retries stay far below it.
CALLBACK_LIMIT = "120 per minute"
REFUSED = ("amount_mismatch", "unknown_reference")


@bp.post("/notificacion")
@limiter.limit(CALLBACK_LIMIT)
def notification():
    try:
        received = services.receive_notification(
            request.get_data(), request.headers, request.remote_addr
        )
    except providers.InvalidNotification as refused:
        status = 403 if refused.code == "bad_signature" else 400
        return jsonify({"error": {"code": refused.code}}), status
    except services.PaymentsOff:
        return jsonify({"error": {"code": "online_payment_off"}}), 503
    status = 422 if received.outcome in REFUSED else 200
    return jsonify({"outcome": received.outcome, "new": received.new}), status
