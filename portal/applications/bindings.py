"""What a case's answers say about its subjects, read through the data dictionary's bindings.

Portal code never names a definition's fields: it asks for elements (`legal_unit.name`,
`establishment.trade_name`) and the definition says which of its fields they are
(`workflows.dictionary`).
"""

from __future__ import annotations

import workflows
from portal.applications.models import Application
from portal.walkin.contact import applicant_name

#: Longest holder name a document stores (`IssuedDocument.holder_name`).
HOLDER_MAX = 200


def applicable_answers(application: Application, definition: workflows.Definition) -> dict:
    """Return the answers to the questions that apply, normalised and JSON-safe.

    The answers are `typed_data`'s (an answer to a question the other answers hide is left out,
    also in cases saved before hidden answers were dropped at save time), as JSON: an integer
    as a number, an amount as an exact string with its cents ("30000.00"), a date as ISO, a
    point as a list; whatever the path the case was filed through.
    """
    from forms.builder import json_safe
    from portal.applications.facts import typed_data

    return {
        name: json_safe(value) for name, value in typed_data(definition, application.data).items()
    }


def certificate_holder(application: Application, definition: workflows.Definition) -> str:
    """Return the certificate's holder ("Titular"): the declared legal unit, not the account.

    `legal_unit.name`, with `establishment.trade_name` in parentheses when the definition binds
    it and it differs ("Inversiones La Ceiba, S.A. de C.V. (Pupusería La Ceiba)"); the account
    holder's name when the case gives no legal unit name (the applicant is then the holder). At
    most `HOLDER_MAX` characters.
    """
    from workflows.dictionary import bound

    values = bound(definition, applicable_answers(application, definition))
    name = values.get("legal_unit", {}).get("name")
    if not name:
        return applicant_name(application)
    trade_name = values.get("establishment", {}).get("trade_name")
    holder = f"{name} ({trade_name})" if trade_name and trade_name != name else str(name)
    return holder[:HOLDER_MAX]


def feed_establishment(application: Application, definition: workflows.Definition) -> dict:
    """Return what SIMDET receives about the case's establishment (empty when nothing).

    The answers bound to the dictionary's feed elements (`workflows.dictionary.feed_values`:
    trade name, activity, employees, annual sales, address, district, point, start and closing
    dates), normalised as `applicable_answers`; never a local field nor a personal element.
    """
    from workflows.dictionary import feed_values

    answers = applicable_answers(application, definition)
    return feed_values(definition, answers).get("establishment", {})


def public_holder(application: Application, definition: workflows.Definition) -> str | None:
    """Return the holder as the public verification page may name it; None for a natural person.

    The legal unit's name when the case says it is a legal person (`workflows.dictionary`:
    a natural person's name and identifiers are personal data), else the establishment's trade
    name; None when neither may be shown (the page then says the data are reserved). Never the
    account holder's name, a DUI or a NIT.
    """
    from workflows.dictionary import shareable

    values = shareable(definition, applicable_answers(application, definition))
    name = values.get("legal_unit", {}).get("name")
    trade_name = values.get("establishment", {}).get("trade_name")
    if name and trade_name and trade_name != name:
        return f"{name} ({trade_name})"[:HOLDER_MAX]
    shown = name or trade_name
    return str(shown)[:HOLDER_MAX] if shown else None
