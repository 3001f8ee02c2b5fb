"""What a text typed in the verification box names, read from the text alone.

A verification code (16 characters) is looked up; anything else the portal prints gets told
what it is and where it works: a document's serial, a payment order's number or reference, a
case's tracking number or tracking code, a test case's serial or number (test mode), or an
address with no code in it. A code mistyped gets told how: characters codes never use, or a
length other than 16. Nothing here touches the database, so the answer is the same whether
such a case or document exists or not: the page cannot be used to list cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.tracking.services import (
    CODE_ALPHABET,
    CODE_LENGTH,
    VERIFICATION_CODE_LENGTH,
    fold_typed,
    names_a_serial,
    normalize,
    typed_code,
    verification_keys,
)
from workflows.prerequisites import tracking_key

#: What a typed text is (`read_typed`).
CODE = "code"  # a well-formed verification code: look it up
BLANK = "blank"
SERIAL = "serial"
TEST_SERIAL = "test_serial"
TEST_NUMBER = "test_number"
ORDER = "payment_order"
TRACKING_NUMBER = "tracking_number"
TRACKING_CODE = "tracking_code"
ADDRESS = "address"
FOREIGN = "foreign_characters"
LENGTH = "wrong_length"
NO_CODE = "no_code"

#: Kinds whose message points to the public tracking page (/seguimiento).
TRACKED = frozenset({TRACKING_NUMBER, TRACKING_CODE})
#: Longer than this, a text is words, not a code with a few characters too many.
_MAX_MISTYPED = 24

_ALPHABET = frozenset(CODE_ALPHABET)
_LEGACY_HEX = re.compile(r"[0-9A-F]{16}")
_ALONE_BEFORE = r"(?<![A-Z0-9])(?<![A-Z0-9]-)"
_ALONE_AFTER = r"(?![A-Z0-9])(?!-[A-Z0-9])"
_NUMBER = r"[A-Z][A-Z0-9]{0,11}-\d{4}-\d{6}"  # OPAMSS-2026-000123 (`assign_tracking_number`)
# A serial's type code (`portal.certificates.serials.TYPE_CODES`) is no office's prefix:
# "STE CONST 2026 000001" is a serial typed with spaces, not a number after a word.
_NOT_A_TYPE = r"(?!(?:CONST|CERT|RES|MAND)-)"
#: A test case's serial (`portal.certificates.serials.next_serial`): PRUEBA-CERT-<16 hex>.
_TEST_SERIAL = re.compile(rf"{_ALONE_BEFORE}PRUEBA-[A-Z]{{2,6}}-[0-9A-F]{{16}}{_ALONE_AFTER}")
#: A test case's number (`portal.applications.effects.assign_tracking_number`): PRUEBA-12.
_TEST_NUMBER = re.compile(rf"{_ALONE_BEFORE}PRUEBA-\d+{_ALONE_AFTER}")
#: A payment order's number (MP-OPAMSS-2026-000002-1) or reference (OPAMSS-2026-000002-1-44).
_ORDER = re.compile(rf"{_ALONE_BEFORE}(?:MP-{_NUMBER}-\d+|{_NUMBER}-\d+-\d{{2}}){_ALONE_AFTER}")
_LOOSE_NUMBER = re.compile(r"\W*[A-Z][A-Z0-9]*\s*\d{4}\s*\d{6}\W*")
_TRACKING_NUMBER = re.compile(rf"{_ALONE_BEFORE}{_NOT_A_TYPE}{_NUMBER}{_ALONE_AFTER}")
_GROUP = f"[{CODE_ALPHABET}]{{4}}"
#: A tracking code after its label, as a receipt or a message words it.
_LABELLED_TRACKING_CODE = re.compile(
    rf"SEGUIMIENTO\b.{{0,20}}?{_ALONE_BEFORE}{_GROUP}[-.\s]?{_GROUP}{_ALONE_AFTER}"
)
#: A pasted address: its part after /verificar/, or its `codigo=` parameter.
_ADDRESS = re.compile(r"://|\bWWW\.|/VERIFICAR\b|/SEGUIMIENTO\b")
_ADDRESS_CODE = re.compile(r"/VERIFICAR/+([^/?#]+)|[?&]CODIGO=([^&#]+)")


@dataclass(frozen=True)
class Reading:
    """What a typed text is: `kind`, the code to look up (CODE), and the message's values."""

    kind: str
    code: str = ""
    params: dict = field(default_factory=dict)


def well_formed(text: str) -> str:
    """The verification code a text names when it is shaped as one (16 characters of the
    alphabet, or of an older hexadecimal code), as stored; '' when it is not."""
    for key in verification_keys(text):
        if len(key) == VERIFICATION_CODE_LENGTH and (
            set(key) <= _ALPHABET or _LEGACY_HEX.fullmatch(key)
        ):
            return typed_code(text)
    return ""


def read_typed(text: str) -> Reading:
    """Say what a text typed in the verification box is (see the module's docstring)."""
    code = typed_code(text)
    if not code:
        return Reading(BLANK)
    # A test serial typed with spaces holds a run shaped as an old hexadecimal code.
    if _TEST_SERIAL.search(re.sub(r"[\s_-]+", "-", fold_typed(text))):
        return Reading(TEST_SERIAL)
    if found := well_formed(text):
        return Reading(CODE, found)
    folded = fold_typed(text)
    if _ADDRESS.search(folded):
        parts = [p for m in _ADDRESS_CODE.finditer(folded) for p in m.groups() if p]
        if parts and normalize(parts[-1]):
            return _read_words(parts[-1], in_address=True)
        return Reading(ADDRESS)
    return _read_words(text)


def _read_words(text: str, *, in_address: bool = False) -> Reading:
    if well_formed(text):  # the part of an address
        return Reading(CODE, typed_code(text))
    folded = re.sub(r"\s*-\s*", "-", fold_typed(text))
    # Read as a tracking number is (spaces dropped, "OPAMSS2026000123" split) only when that
    # is all the text is: else a serial's groups would join into one (OPAMSSCERT-2026-…).
    loose = folded
    if _LOOSE_NUMBER.fullmatch(folded):
        loose = tracking_key(re.sub(r"^\W+|\W+$", "", folded))
    joined = (folded, loose, re.sub(r"[\s_]+", "-", folded))
    if any(_TEST_SERIAL.search(form) for form in joined):
        return Reading(TEST_SERIAL)
    if any(_TEST_NUMBER.search(form) for form in joined):
        return Reading(TEST_NUMBER)
    if any(_ORDER.search(form) for form in joined):
        return Reading(ORDER)
    # Before serials: a label before a number ("Expediente OPAMSS-2026-000123") joined to it
    # by the dash that stands for a space would read as a serial. Spaces count as dashes here
    # only between groups of digits ("OPAMSS 2026 000123").
    numbered = (folded, loose, re.sub(r"(?<=[A-Z0-9])[\s_]+(?=\d)", "-", folded))
    if any(_TRACKING_NUMBER.search(form) for form in numbered):
        return Reading(TRACKING_NUMBER)
    if names_a_serial(text):
        return Reading(SERIAL)
    code = typed_code(text)
    alphabet_only = set(code) <= _ALPHABET
    # Eight characters after /verificar/ are a code cut short, not a tracking code.
    tracking_shaped = len(code) == CODE_LENGTH and alphabet_only and not in_address
    if tracking_shaped or _LABELLED_TRACKING_CODE.search(folded):
        return Reading(TRACKING_CODE)
    if len(code) == VERIFICATION_CODE_LENGTH:
        foreign = sorted(set(code) - _ALPHABET, key=code.index)
        return Reading(FOREIGN, params={"chars": ", ".join(f"«{ch}»" for ch in foreign)})
    if len(code) <= _MAX_MISTYPED:
        return Reading(LENGTH, params={"count": len(code)})
    return Reading(NO_CODE)
