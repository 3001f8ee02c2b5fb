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
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.applications.clocks import local_date
from portal.applications.models import Application, real_cases
from portal.extensions import db
from portal.procedures.services import definition_of
from workflows.prerequisites import tracking_key

#: Letters and digits people do not confuse when copying from paper (no 0/O, 1/I/L, U/V).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 8  # 29**8 ≈ 5e11 codes; the look-up is rate-limited
# Whatever is not a letter or digit of a code: spaces, dashes, dots, slashes people type.
_NOT_CODE = re.compile(r"[^A-Z0-9]+")


#: An issued document's verification code: 29**16 ≈ 2.5e23 (77 bits), printed in four groups.
VERIFICATION_CODE_LENGTH = 16
# Codes issued before the alphabet above: 16 hexadecimal digits (`secrets.token_hex(8)`).
_LEGACY_HEX = re.compile(r"[0-9A-F]{16}")
# In those old codes a typed O is a zero and an I or L a one (the new alphabet has none of them).
_LEGACY_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_tracking_code(length: int = CODE_LENGTH) -> str:
    """Return a fresh random code, stored without separators (`K7QM2PXA`)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_verification_code() -> str:
    """Return a fresh code for an issued document (`K7QM2PXAH4TW9ZRC`), stored unseparated."""
    return new_tracking_code(VERIFICATION_CODE_LENGTH)


def display_code(code: str | None) -> str:
    """The code as printed, in groups of four (`K7QM-2PXA`); '' when there is none."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4)) if code else ""


# A verification code inside a longer text (a pasted URL, "Código: K7QM-2PXA-…"): four groups
# of four of the alphabet, separated or not by a dash, space or dot, standing on its own.
_CODE_GROUP = f"[{CODE_ALPHABET}]{{4}}"
_CODE_SHAPE = re.compile(
    rf"(?<![A-Z0-9])({_CODE_GROUP}(?:[-.\s]?{_CODE_GROUP}){{{VERIFICATION_CODE_LENGTH // 4 - 1}}}"
    rf"|[0-9A-F]{{{VERIFICATION_CODE_LENGTH}}})(?![A-Z0-9])"
)
#: A document's printed serial (`portal.certificates.serials`): OPAMSS-CERT-2026-000123.
SERIAL_SHAPE = re.compile(r"(?<![A-Z0-9])([A-Z][A-Z0-9]*-[A-Z]{2,6}-\d{4}-\d{4,8})(?![A-Z0-9])")


# Cyrillic and Greek capitals drawn as Latin ones: a code retyped on a phone whose keyboard
# was in another script, or pasted from a message that went through one, looks right and is not.
_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТУХЅІЈΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "ABEKMHOPCTYXSIJABEZHIKMNOPTYX",
)
# Percent-escapes of a pasted address (`%20`, `%2D`): decoded before anything else is read.
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def fold_typed(text: str) -> str:
    """The text as compared: NFKC (full-width Ｂ７ is B7), an address's %-escapes decoded and
    its "+" read as a space, invisible characters (zero-width spaces, direction marks a chat
    app adds) dropped, dashes of any kind as "-", upper case, Cyrillic and Greek look-alikes
    as the Latin letters they show."""
    text = unicodedata.normalize("NFKC", text or "")
    if _ESCAPE.search(text):
        text = unquote(text)
    text = re.sub(r"[\u2010-\u2015\u2212\u00ad]", "-", text.replace("+", " "))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.upper().translate(_LOOKALIKES)


def typed_serial(text: str) -> str | None:
    """The serial a typed or pasted text names (its last one), or None. Its parts may be
    separated by dashes, spaces or underscores (`STE CONST 2026 000001`)."""
    folded = re.sub(r"\s*-\s*", "-", fold_typed(text))
    found = SERIAL_SHAPE.findall(folded) or SERIAL_SHAPE.findall(re.sub(r"[\s_]+", "-", folded))
    return found[-1] if found else None


# What, just before or after a code-shaped run, shows it is part of something longer: a letter
# or digit joined to it by a dash, a dot or an underscore ("…-DQ4X-ABCD"; one joined directly,
# "DQ4XABCD", already keeps _CODE_SHAPE from matching); and, when the code's own groups were
# typed apart with spaces, a short group after it standing alone as a fifth one would
# ("K7QM 2PXA H4TW 9ZRC 7"). Otherwise spaces part words: "Código K7QM-2PXA-H4TW-9ZRC de la
# constancia".
_GLUED_AFTER = re.compile(r"[-._][A-Z0-9]")
_GROUP_AFTER = re.compile(r"\s+[A-Z0-9]{1,4}(?![A-Z0-9])")
_GLUED_BEFORE = re.compile(r"[A-Z0-9][-._]$")


def names_a_serial(text: str) -> bool:
    """Whether a typed text names a printed serial (`OPAMSS-CERT-2026-000123`) and no code:
    the verification page then asks for the code (`portal.certificates.verification`)."""
    return typed_serial(text) is not None and not _CODE_SHAPE.search(fold_typed(text))


def typed_code(text: str) -> str:
    """The one rule of what a person typed in the code box, as stored (`K7QM2PXAH4TW9ZRC`).

    NFKC first (full-width letters and digits), then the last run shaped as a code when the
    text holds one standing on its own (a pasted URL of the QR, "Código: K7QM-2PXA-H4TW-9ZRC");
    else the whole text read as `normalize` reads it, which then matches no code when anything
    was added to one. A run joined to more characters by a dash, a dot, an underscore or
    nothing (`…-DQ4X-ABCD`, `…DQ4XABCD`), or typed in spaced groups with one more group after
    it (`… DQ4X 7`), is not taken: a code with extra characters is a wrong code, never the
    code inside it.
    "" when nothing of a code is left.
    """
    folded = fold_typed(text)
    for shaped in reversed(list(_CODE_SHAPE.finditer(folded))):
        spaced = any(ch.isspace() for ch in shaped.group(1))
        glued = (
            _GLUED_AFTER.match(folded, shaped.end())
            or (spaced and _GROUP_AFTER.match(folded, shaped.end()))
            or _GLUED_BEFORE.search(folded[: shaped.start()])
        )
        if not glued:
            return normalize(shaped.group(1))
    return normalize(folded)


def verification_keys(text: str) -> tuple[str, ...]:
    """Return the stored forms a typed verification code may stand for (empty when none).

    The one rule of a typed code (`typed_code`: a code inside a URL or a label, full-width,
    case, spaces and dashes of any kind), and for the older hexadecimal codes still in
    circulation, O read as 0 and I or L as 1.
    """
    typed = typed_code(text)
    legacy = typed.translate(_LEGACY_LOOKALIKES)
    keys = [typed] if typed else []
    if legacy != typed and _LEGACY_HEX.fullmatch(legacy):
        keys.append(legacy)
    return tuple(keys)


def normalize(text: str) -> str:
    """Return a typed code as stored (`K7QM2PXA`): upper case, without separators.

    Read as tracking numbers are (`workflows.prerequisites.tracking_key`: spaces of any kind,
    non-breaking ones and hyphens, en and em dashes as pasted from a PDF), then anything not
    a letter or digit (dots, slashes, underscores) is dropped: `"8p4y–2577"` is `8P4Y2577`.
    """
    text = unicodedata.normalize("NFKC", text or "")
    return _NOT_CODE.sub("", tracking_key(text))[:60]


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
        .where(Application.tracking_number == tracking_key(number), real_cases())
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
