"""Payment references a bank or gateway quotes: authority prefix, year, sequence, check digits.

A reference reads `STE-2026-0000042-95`: the issuing office's tracking prefix, the year of
issue (El Salvador time), the order's sequence number in the portal (unique across offices, so
a reference is unique without a counter per office), and two ISO 7064 MOD 97-10 check digits
(the scheme of IBAN and ISO 11649 creditor references, via python-stdnum) computed over the
other characters without dashes. A mistyped character or two swapped ones fail the check, so a
cashier or a gateway can refuse a wrong reference before looking it up.
"""

from __future__ import annotations

from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_97_10

SEQUENCE_DIGITS = 7


def make_reference(prefix: str, year: int, sequence: int) -> str:
    """Return the reference of order `sequence` issued by the office of `prefix` in `year`.

    Args:
        prefix: The office's tracking prefix (`Authority.tracking_prefix`), letters and digits.
        year: The year of issue (four digits).
        sequence: A positive number unique among orders (the order's id).
    """
    body = f"{prefix.upper()}{year:04d}{sequence:0{SEQUENCE_DIGITS}d}"
    check = mod_97_10.calc_check_digits(body)
    return f"{prefix.upper()}-{year:04d}-{sequence:0{SEQUENCE_DIGITS}d}-{check}"


def normalize(reference: str) -> str:
    """Return `reference` as stored: upper case, spaces removed (dashes kept)."""
    return "".join(reference.split()).upper()


def is_valid(reference: str) -> bool:
    """Tell whether `reference` is well formed and its check digits match."""
    parts = normalize(reference).split("-")
    if len(parts) != 4 or not all(parts):
        return False
    try:
        mod_97_10.validate("".join(parts))
    except ValidationError:
        return False
    return True
