"""Reasons for corrections and denials, and the reasoned texts a decision starts from.

A definition lists its reasons (`reasons:`, each with a code, a Spanish and English label and
what it is `for`: a correction request, a denial, or both; optionally which review `items` it
fits: the form's fields, the documents, or both when omitted), and a transition that needs a
comment may carry a `reasoned_text` template. Templates name placeholders from the fixed list
`PLACEHOLDERS` (`{applicant}`, `{reasons}`...) and are filled by plain substitution of those
names: no attribute, index, conversion or format specification is ever evaluated, so a
definition's text cannot reach into the portal's objects (LPA Art. 22 letter f: every
resolution that refuses or asks for a correction states its reasons).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

#: What a reason may be used for: asking the applicant to correct (a prevención), or denying.
REASON_USES = ("correction", "denial")
#: What kind of review item a reason may be given on (`items:`; a reason without it fits both):
#: answers to the form's fields, or the documents attached.
REASON_ITEMS = ("fields", "documents")
#: The placeholders a reasoned text may name, and what the portal puts there (all plain text):
#: the applicant's (or holder's) full name, the case's tracking number, the procedure's title,
#: the reasons chosen (their labels, one per line, then the clerk's free text), today's date,
#: the filing date and the overall legal due date (dd/mm/yyyy, '' when none).
PLACEHOLDERS = (
    "applicant",
    "tracking_number",
    "procedure",
    "reasons",
    "today",
    "filed_on",
    "due_on",
)

_FORMATTER = string.Formatter()


def template_problems(template: str) -> list[tuple[str, str]]:
    """Return `(code, detail)` for each fault of a reasoned-text template (empty when sound).

    Codes: `bad_template` (unbalanced braces), `unknown_placeholder` (a name not in
    `PLACEHOLDERS`, or one with attribute/index access, a conversion or a format spec, which
    are never evaluated).
    """
    try:
        parts = list(_FORMATTER.parse(template))
    except ValueError as error:
        return [("bad_template", str(error))]
    problems = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            problems.append(("unknown_placeholder", f"{{{name}}} is not a known placeholder"))
    return problems


def fill(template: str, values: Mapping[str, str]) -> str:
    """Fill a sound template's placeholders with `values` (a missing one becomes '').

    Only the names of `PLACEHOLDERS` are substituted, as text; a template with faults
    (`template_problems`) is returned unchanged, so nothing in it is ever evaluated.
    """
    if template_problems(template):
        return template
    out = []
    for literal, name, _spec, _conversion in _FORMATTER.parse(template):
        out.append(literal)
        if name is not None:
            out.append(str(values.get(name, "")))
    return "".join(out)
