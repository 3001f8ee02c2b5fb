"""The one password policy: sign-up, change, reset and `flask users create` all call it.

OWASP ASVS 4.0.3 §2.1: at least 12 characters (§2.1.1), up to 128 (§2.1.2), any character
including spaces and accents, no composition rules (§2.1.9), and refusal of common and
breached passwords (§2.1.7). The last is zxcvbn's estimate, offline: its dictionaries are the
30,000 most frequent passwords of public breach corpora plus common words, names and keyboard
patterns; we add the person's own e-mail and name and a few local words. A score below 3
("safely unguessable: moderate protection from offline slow-hash attacks") is refused.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3
# Words an attacker tries first here and zxcvbn's English lists do not know.
LOCAL_WORDS = (
    "ventanilla",
    "amss",
    "opamss",
    "contraseña",
    "contrasena",
    "clave",
    "salvador",
    "elsalvador",
    "sansalvador",
    "santatecla",
    "soyapango",
    "mejicanos",
    "cuscatlan",
    "alcaldia",
    "tramite",
)


def problem(password: str, *, personal: tuple[str, ...] = ()) -> tuple[str, dict] | None:
    """Return (code, params) of what is wrong with `password`, or None when it is acceptable.

    `personal` are the person's own e-mail and name; parts of them count as guessable.
    Codes: password_too_short (min), password_too_long (max), password_too_common.
    """
    if len(password) < MIN_LENGTH:
        return "password_too_short", {"min": MIN_LENGTH}
    if len(password) > MAX_LENGTH:
        return "password_too_long", {"max": MAX_LENGTH}
    inputs = [*LOCAL_WORDS]
    for value in personal:
        value = value.strip().lower()
        inputs.extend([value, value.split("@")[0], re.sub(r"[\s@._\-+]+", "", value)])
        inputs.extend(part for part in re.split(r"[\s@._\-+]+", value) if len(part) > 2)
    if zxcvbn(password, user_inputs=inputs)["score"] < MIN_SCORE:
        return "password_too_common", {}
    return None
