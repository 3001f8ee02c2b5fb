"""The secret tracking code of a case, and the public look-up that shows only state and dates.

A case filed gets a random code (`new_tracking_code`) printed on its receipt next to the
tracking number; with both, anyone may see the procedure, the office, the state and the dates
(filed, due, decided): no names, no data (DESIGN.md "Personal data stays in"). A wrong code
finds nothing, exactly as an unknown number does.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.applications.clocks import local_date
from portal.applications.models import Application
from portal.extensions import db
from portal.procedures.services import definition_of
from workflows.prerequisites import tracking_key

#: Letters and digits people do not confuse when copying from paper (no 0/O, 1/I/L, U/V).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 8  # 29**8 ≈ 5e11 codes; the look-up is rate-limited
# Whatever is not a letter or digit of a code: spaces, dashes, dots, slashes people type.
_NOT_CODE = re.compile(r"[^A-Z0-9]+")


def new_tracking_code() -> str:
    """Return a fresh random code, stored without separators (`K7QM2PXA`)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str | None) -> str:
    """The code as printed, in two groups of four (`K7QM-2PXA`); '' when there is none."""
    return f"{code[:4]}-{code[4:]}" if code else ""


def normalize(text: str) -> str:
    """Return a typed code as stored (`K7QM2PXA`): upper case, without separators.

    Read as tracking numbers are (`workflows.prerequisites.tracking_key`: spaces of any kind,
    non-breaking ones and hyphens, en and em dashes as pasted from a PDF), then anything not
    a letter or digit (dots, slashes, underscores) is dropped: `"8p4y–2577"` is `8P4Y2577`.
    """
    return _NOT_CODE.sub("", tracking_key(text or ""))[:60]


@dataclass(frozen=True)
class PublicStatus:
    """What the public tracking page may show of a case: no names, no data."""

    procedure_title: str
    state_label: str
    state_kind: str
    authority_name: str
    tracking_number: str
    filed_on: date | None
    due_on: date | None
    decided_on: date | None


def find_case(number: str, code: str, locale: str = "es") -> PublicStatus | None:
    """Find the case with this tracking number and code; None when either does not match.

    The code is compared in constant time, and an unknown number is compared against a dummy
    code, so that the answer (and its timing) does not say which of the two was wrong.
    """
    application = db.session.scalar(
        sa.select(Application)
        .where(Application.tracking_number == tracking_key(number))
        .options(joinedload(Application.authority), joinedload(Application.procedure_version))
    )
    stored = application.tracking_code if application and application.tracking_code else "-"
    matches = hmac.compare_digest(stored.encode(), normalize(code).encode())
    if application is None or not matches:
        return None
    definition = definition_of(application.procedure_version)
    state = definition.state(application.state)
    return PublicStatus(
        procedure_title=definition.title.get(locale),
        state_label=state.label.get(locale),
        state_kind=state.kind,
        authority_name=application.authority.name,
        tracking_number=application.tracking_number,
        filed_on=local_date(application.filed_at) if application.filed_at else None,
        due_on=application.due_on,
        decided_on=local_date(application.decided_at) if application.decided_at else None,
    )
