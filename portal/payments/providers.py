"""Payment providers: start an online payment of an order, verify what the provider notifies.

A provider is anything with the `PaymentProvider` shape; `PAYMENT_PROVIDER` in the
configuration names the one in use (`provider()`). The portal ships one: `SimulatedGateway`, a
demonstration gateway that is part of this app (`/pagos/simulador/<token>`, labelled "Pasarela
de demostración"), so the demo and the tests pay end to end without a bank.

How the simulated gateway is wired, and why:

1. `start(order)` signs the order's reference and amount into a token (itsdangerous, with
   `PAYMENT_CALLBACK_SECRET`, valid `TOKEN_MAX_AGE` seconds) and returns the simulator page's
   address; the applicant is redirected there. The gateway keeps no state, as a real one keeps
   its own on its side.
2. On that page the person confirms or cancels. The simulator then builds the notification a
   real gateway would POST to `/api/pagos/notificacion` (JSON, signed with HMAC-SHA256 in the
   `X-Signature` header, `sign()`), and hands it to the same service the endpoint calls
   (`portal.payments.services.receive_notification`), in-process: the body, the signature check
   and the idempotency are exactly those of the server-to-server callback, without the app
   making an HTTP request to itself (which would deadlock a single-threaded demo server).
3. The person is then redirected back to the case's status page, which shows the order paid.

A real provider adds a class with the same two methods (its redirect, its signature scheme)
and a name in `PROVIDERS`; nothing else in the portal changes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: Header that carries the hex HMAC-SHA256 of the raw body.
SIGNATURE_HEADER = "X-Signature"
#: Statuses a notification may carry.
PAID, CANCELLED = "paid", "cancelled"
#: How long a simulator page stays valid after "Pagar en línea", in seconds.
TOKEN_MAX_AGE = 3600
#: Amounts are dollars with cents below this (the column is NUMERIC(12, 2)).
MAX_AMOUNT = Decimal("1e10")


class InvalidNotification(Exception):
    """The notification's signature is missing or does not match, or its body is not one we
    understand.

    Attributes:
        code: `missing_signature`, `bad_signature` or `malformed`.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Notification:
    """What a provider says happened to a payment.

    Attributes:
        reference: The order's payment reference (`portal.payments.references`).
        transaction_id: The provider's id of the transaction (unique per provider).
        amount: Dollars with cents, as charged.
        status: `paid` or `cancelled`.
    """

    reference: str
    transaction_id: str
    amount: Decimal
    status: str


class PaymentProvider(Protocol):
    """An online payment provider."""

    name: str

    def start(self, reference: str, amount: Decimal) -> str:
        """Start paying `amount` dollars for the order `reference`; return where to send the
        person (an absolute or app-relative URL)."""

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Check the notification's signature and read it.

        Raises:
            InvalidNotification: `missing_signature`, `bad_signature` or `malformed`.
        """


def sign(body: bytes, secret: str) -> str:
    """Return the hex HMAC-SHA256 of `body` with `secret` (the `X-Signature` value)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def notification_body(notification: Notification) -> bytes:
    """The JSON body a provider POSTs: reference, transaction_id, amount ("20.00"), status."""
    return json.dumps(
        {
            "reference": notification.reference,
            "transaction_id": notification.transaction_id,
            "amount": f"{notification.amount:.2f}",
            "status": notification.status,
        },
        sort_keys=True,
    ).encode()


class SimulatedGateway:
    """The demonstration gateway (see the module's docstring)."""

    name = "simulated"

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self._tokens = URLSafeTimedSerializer(secret, salt="simulated-gateway")

    def start(self, reference: str, amount: Decimal) -> str:
        token = self._tokens.dumps({"reference": reference, "amount": f"{amount:.2f}"})
        return url_for("payments.simulator", token=token)

    def read_token(self, token: str) -> tuple[str, Decimal] | None:
        """Return (reference, amount) of a simulator token, or None if forged or expired."""
        try:
            data = self._tokens.loads(token, max_age=TOKEN_MAX_AGE)
        except BadSignature:
            return None
        return data["reference"], Decimal(data["amount"])

    def signed(self, notification: Notification) -> tuple[bytes, dict[str, str]]:
        """The body and headers of the notification, as the gateway would POST them."""
        body = notification_body(notification)
        return body, {SIGNATURE_HEADER: sign(body, self._secret)}

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        given = headers.get(SIGNATURE_HEADER, "")
        if not given:
            raise InvalidNotification("missing_signature")
        if not hmac.compare_digest(given.encode(), sign(body, self._secret).encode()):
            raise InvalidNotification("bad_signature")
        try:
            data = json.loads(body)
            notification = Notification(
                reference=str(data["reference"])[:40],
                transaction_id=str(data["transaction_id"])[:80],
                amount=Decimal(str(data["amount"])),
                status=str(data["status"]),
            )
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise InvalidNotification("malformed") from exc
        amount = notification.amount
        if (
            notification.status not in (PAID, CANCELLED)
            or not notification.transaction_id
            or not amount.is_finite()
            or not Decimal(0) <= amount < MAX_AMOUNT
            or amount != amount.quantize(Decimal("0.01"))
        ):
            raise InvalidNotification("malformed")
        return notification


PROVIDERS = {"simulated": SimulatedGateway}


def provider() -> PaymentProvider | None:
    """Return the configured provider, or None when online payment is off.

    Off when `PAYMENT_PROVIDER` is empty or unknown, or `PAYMENT_CALLBACK_SECRET` is unset (in
    production there is no demo secret): nothing could be verified then.
    """
    config = current_app.config
    factory = PROVIDERS.get(config.get("PAYMENT_PROVIDER") or "")
    secret = config.get("PAYMENT_CALLBACK_SECRET")
    if factory is None or not secret:
        return None
    return factory(secret)
