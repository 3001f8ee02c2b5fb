"""Reasoned texts and reasons of decisions: what the clerk's decision starts from.

A transition with a `reasoned_text` in its definition gets its comment prefilled with that
template, filled with the case's values (`workflows.reasons.fill`, plain substitution from a
fixed list). Texts are in Spanish, the language of the record. `{reasons}` lists the items
found not OK in the review, each with its reasons, then the reasons the clerk ticks are added
when the decision is sent (`compose`).
"""

from __future__ import annotations

from collections.abc import Mapping

import workflows
from portal.applications.effects import LOCAL_TZ, local_now
from portal.applications.models import Application
from portal.review.models import ReviewVerdict
from portal.walkin.contact import applicant_name
from workflows.reasons import fill

#: The language of the record: resolutions and correction requests are written in Spanish.
RECORD_LOCALE = "es"


def verdict_explanation(
    verdict: ReviewVerdict, definition: workflows.Definition, locale: str = RECORD_LOCALE
) -> str:
    """A verdict's reasons as people read them: the chosen reasons' labels, then the text."""
    labels = {r.code: r.label.get(locale) for r in definition.reasons}
    parts = [labels[code] for code in verdict.reasons or () if code in labels]
    if verdict.reason:
        parts.append(verdict.reason)
    return "; ".join(parts)


def refused_lines(
    definition: workflows.Definition,
    verdicts: Mapping[str, ReviewVerdict],
    labels: Mapping[str, str],
) -> str:
    """One line per item found not OK: `- label: reasons`, in the order given."""
    return "\n".join(
        f"- {labels.get(item, item)}: {verdict_explanation(verdict, definition)}"
        for item, verdict in verdicts.items()
        if not verdict.ok
    )


def values(
    application: Application, definition: workflows.Definition, reasons: str
) -> dict[str, str]:
    """The placeholders' values for this case (`workflows.reasons.PLACEHOLDERS`)."""
    filed = application.filed_at.astimezone(LOCAL_TZ).date() if application.filed_at else None
    return {
        "applicant": applicant_name(application),
        "tracking_number": application.tracking_number or "",
        "procedure": definition.title.get(RECORD_LOCALE),
        "reasons": reasons,
        "today": local_now().date().strftime("%d/%m/%Y"),
        "filed_on": filed.strftime("%d/%m/%Y") if filed else "",
        "due_on": application.due_on.strftime("%d/%m/%Y") if application.due_on else "",
    }


def prefilled(
    transition: workflows.Transition,
    application: Application,
    definition: workflows.Definition,
    reasons: str,
) -> str | None:
    """The transition's reasoned text filled for this case; None when it has none."""
    if transition.reasoned_text is None:
        return None
    template = transition.reasoned_text.get(RECORD_LOCALE)
    return fill(template, values(application, definition, reasons)).strip()


def compose(text: str, comment: str, chosen: list[str], offered) -> str:
    """The decision's comment: its text, the clerk's words, and any chosen reason not in it.

    `offered` are the definition's reasons (`workflows.Reason`) for the transition; a chosen
    reason's label is added as a line when the text does not already say it.
    """
    body = "\n\n".join(part.strip() for part in (text, comment) if part and part.strip())
    missing = [
        r.label.get(RECORD_LOCALE)
        for r in offered
        if r.code in chosen and r.label.get(RECORD_LOCALE) not in body
    ]
    if missing:
        body = "\n".join([body, *(f"- {label}" for label in missing)]).strip()
    return body


def unfilled(
    transition: workflows.Transition, application: Application, definition: workflows.Definition
) -> str | None:
    """The text as it stands with no reason at all (to tell a text that gives none)."""
    return prefilled(transition, application, definition, "")
