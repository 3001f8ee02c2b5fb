"""Payment references a bank or gateway quotes: case number, order sequence, check digits.

A reference reads `OPAMSS-2026-000002-1-44`: the tracking number of the case the order is for
(`OPAMSS-2026-000002`), the order's sequence on that case (1 for its first order, as in the
order's number `MP-OPAMSS-2026-000002-1`), and two ISO 7064 MOD 97-10 check digits (the
scheme of IBAN and ISO 11649 creditor references, via python-stdnum) computed over the other
characters without dashes. A tracking number names one case and a sequence one of its orders,
so a reference is unique (the column is unique too) and names its case at a glance. A
mistyped character or two swapped ones fail the check, so a cashier or a gateway can refuse a
wrong reference before looking it up.

A clerk types it back as read: any case, spaces or dashes of any kind (en and em dashes as
pasted from a PDF, non-breaking spaces) between the groups; `normalize` gives the stored form.
"""

from __future__ import annotations

import re

from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_97_10

# Spaces of any kind, hyphens, en and em dashes, minus signs and their full-width forms.
_SEPARATORS = re.compile(r"[\s\u002d\u2010-\u2015\u2212\ufe58\ufe63\uff0d]+")


def make_reference(tracking_number: str, sequence: int) -> str:
    """Return the reference of the `sequence`-th payment order of the case `tracking_number`.

    Args:
        tracking_number: The case's number as stored (`OPAMSS-2026-000002`).
        sequence: The order's position among the case's orders, from 1.

    Returns:
        `OPAMSS-2026-000002-1-44` (upper case, dashes, two check digits).
    """
    body = f"{tracking_number.upper()}-{sequence:d}"
    check = mod_97_10.calc_check_digits(body.replace("-", ""))
    return f"{body}-{check}"


def normalize(reference: str) -> str:
    """Return `reference` in its stored form: upper case, groups joined by one hyphen.

    `" opamss 2026–000002 - 1 44 "` is `OPAMSS-2026-000002-1-44`.
    """
    return "-".join(part for part in _SEPARATORS.split(reference.upper()) if part)


def is_valid(reference: str) -> bool:
    """Tell whether `reference` is well formed (four groups or more, none empty) and its check
    digits match."""
    parts = normalize(reference).split("-")
    if len(parts) < 4 or not all(part.isalnum() for part in parts):
        return False
    try:
        mod_97_10.validate("".join(parts))
    except ValidationError:
        return False
    return True
