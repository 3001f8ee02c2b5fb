"""Named effects a transition may ask the portal to perform, with their parameter schemas."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from workflows.model import ROLES

FEED_EVENT_TYPES = (
    "case.filed",
    "case.correction_requested",
    "case.resubmitted",
    "case.resolved",
    "case.withdrawn",
    "permit.issued",
    "permit.revoked",
    "permit.replaced",
    "establishment.registered",
    "establishment.closed",
)
_NO_PARAMS: Mapping[str, Any] = MappingProxyType({"type": "object", "maxProperties": 0})
#: The effect that issues a payment order (mandamiento de pago).
REQUEST_PAYMENT = "request_payment"
#: Business days the payment order gives to pay when `request_payment` names none: our
#: proposal, documented in docs/procedure-definitions.md (no rule in reference/ fixes it).
DEFAULT_PAYMENT_DUE_BUSINESS_DAYS = 10
#: The effect whose `message` is the notice's own text (the portal reads it when it writes).
NOTIFY = "notify"

#: Effect name -> JSON Schema of its parameters. The engine only returns effects;
#: the portal performs them (through the outbox) after the transition is committed.
EFFECTS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "issue_receipt": _NO_PARAMS,
        NOTIFY: {
            "type": "object",
            "properties": {
                "template": {"type": "string", "pattern": "^[a-z0-9_][a-z0-9_/-]*$"},
                # The text of the notice, in both languages; the portal renders it in Jinja's
                # sandbox with primitive data only ({{ tracking_number }}, {{ state }}, ...).
                "message": {
                    "type": "object",
                    "properties": {
                        "es": {"type": "string", "minLength": 1, "maxLength": 4000},
                        "en": {"type": "string", "minLength": 1, "maxLength": 4000},
                    },
                    "required": ["es", "en"],
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        },
        # `due_business_days`: days to pay, counted on the issuing office's calendar from the
        # day the order is issued (DEFAULT_PAYMENT_DUE_BUSINESS_DAYS when absent).
        REQUEST_PAYMENT: {
            "type": "object",
            "properties": {"due_business_days": {"type": "integer", "minimum": 1, "maximum": 90}},
            "additionalProperties": False,
        },
        "issue_certificate": _NO_PARAMS,
        # The signed resolution of a decision that is not an approval (a denial): the decision,
        # its reasons and reasoned text, legal basis and the right to appeal.
        "issue_resolution": _NO_PARAMS,
        "register_establishment": _NO_PARAMS,
        # The establishment the case is about ends (a closure): its record's life span.
        "close_establishment": _NO_PARAMS,
        "emit_feed_event": {
            "type": "object",
            "properties": {"type": {"enum": list(FEED_EVENT_TYPES)}},
            "required": ["type"],
            "additionalProperties": False,
        },
        "suspend_clock": _NO_PARAMS,
        # A motivated extension of the legal period (LPA Art. 82: resolutions state deadlines).
        "extend_clock": {
            "type": "object",
            "properties": {"business_days": {"type": "integer", "minimum": 1, "maximum": 365}},
            "required": ["business_days"],
            "additionalProperties": False,
        },
        "resume_clock": _NO_PARAMS,
        "assign_to_role": {
            "type": "object",
            "properties": {"role": {"enum": list(ROLES)}},
            "required": ["role"],
            "additionalProperties": False,
        },
    }
)
