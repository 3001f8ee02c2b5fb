"""The steps of a long application form, derived from its definition (a guided sequence).

A form of more than `SHORT_FORM` questions is asked a subject at a time, as GOV.UK's "one
thing per page" and eRegistrations' tabbed forms do: the fields bound to one data-dictionary
subject (`workflows.dictionary.SUBJECTS`: the person, the legal unit, the establishment, the
property, the works) make one step, in the order the subjects first appear among the fields;
a field local to the procedure (no `bind`) goes with the step of the field it follows (those
before any bound field make a step of their own), and the documents to upload are the last
step. A short form is one step with everything. Nothing here names a definition's field.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.model import Definition

#: Forms with at most this many questions stay one page.
SHORT_FORM = 6


@dataclass(frozen=True, slots=True)
class Step:
    """One page of the form.

    Attributes:
        subject: The dictionary subject of the step's bound fields; None for the procedure's
            own questions (local fields before any bound one, or the whole of a short form).
        fields: Names of the fields asked on the step, in definition order.
        documents: Codes of the upload requirements asked on the step.
    """

    subject: str | None
    fields: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()


def steps(definition: Definition, short: int = SHORT_FORM) -> tuple[Step, ...]:
    """Return the steps of the definition's form, at least one.

    Args:
        definition: The procedure definition.
        short: A form with at most this many fields is one step.

    Returns:
        The steps in the order they are asked; the documents to upload, if any, last.
    """
    uploads = tuple(d.code for d in definition.documents if d.presentation == "upload")
    names = tuple(f.name for f in definition.fields)
    if len(names) <= short:
        return (Step(None, names, uploads),)
    groups: dict[str | None, list[str]] = {}
    current: str | None = None
    for item in definition.fields:
        if item.bind:
            current = item.bind.partition(".")[0]
        groups.setdefault(current, []).append(item.name)
    found = tuple(Step(subject, tuple(fields)) for subject, fields in groups.items())
    return found + ((Step(None, (), uploads),) if uploads else ())


def step_of(found: tuple[Step, ...], name: str) -> int:
    """Return the 1-based number of the step that asks a field or document (1 if none does)."""
    for number, step in enumerate(found, start=1):
        if name in step.fields or name in step.documents:
            return number
    return 1
