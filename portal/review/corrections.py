"""A correction round: what the office marked "not OK", and so what the applicant may change.

The round is read from the definition, never from names: the case is in a state of kind
`waiting_applicant` that it entered by a transition of kind `ask_applicant` (a prevención).
The items marked are the verdicts that count (`review.services.current_verdicts`: the latest
on each item, kept from earlier rounds for items that did not change) that said "not OK", each
with its reasons (the chosen reasons' labels, then the clerk's words). When the office
asked with items marked, only those may change; a general prevención (only a comment, no item
marked) leaves everything editable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import workflows
from portal.applications.models import Application


@dataclass(frozen=True)
class CorrectionRound:
    """What the office asked: the comment and each marked item's reason, by field or document.

    Attributes:
        comment: The clerk's text with the prevención ('' when none).
        fields: Marked field name -> reason, in the definition's order.
        documents: Marked requirement code -> reason, in the definition's order.
        locked: Field names and requirement codes the applicant may not change in this round
            (empty for a general prevención).
    """

    comment: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()

    @property
    def marked(self) -> bool:
        return bool(self.fields or self.documents)


def _asking_entry(application: Application, definition: workflows.Definition):
    """The history entry of the `ask_applicant` transition that put the case where it is."""
    entry = next((h for h in reversed(application.history) if h.from_state != h.to_state), None)
    if entry is None or entry.to_state != application.state:
        return None
    kinds = {definition.kind_of(t) for t in definition.transitions if t.action == entry.action}
    return entry if "ask_applicant" in kinds else None


def correction_round(
    application: Application, definition: workflows.Definition
) -> CorrectionRound | None:
    """The correction the applicant is answering now, or None when the case is not in one."""
    from portal.review.reasoned import verdict_explanation
    from portal.review.services import current_verdicts

    if definition.state(application.state).kind != "waiting_applicant":
        return None
    entry = _asking_entry(application, definition)
    if entry is None:
        return None
    refused = {
        item: verdict_explanation(v, definition)
        for item, v in current_verdicts(application).items()
        if not v.ok
    }
    fields = {f.name: refused[f.name] for f in definition.fields if f.name in refused}
    documents = {d.code: refused[d.code] for d in definition.documents if d.code in refused}
    locked: frozenset[str] = frozenset()
    if fields or documents:
        every = {f.name for f in definition.fields} | {d.code for d in definition.documents}
        locked = frozenset(every - set(fields) - set(documents))
    return CorrectionRound(entry.comment, fields, documents, locked)
