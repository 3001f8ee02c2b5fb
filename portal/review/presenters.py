"""What the case page of the back office shows: items to review beside their data, and forms.

The page reads the case once per request (`load_context`): facts for the engine, the
submissions and verdicts (`portal.review.rounds`), so its number of SQL statements does not
grow with the history, the documents or the verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_wtf import FlaskForm
from markupsafe import Markup, escape

import workflows
from forms.review import (
    CaseDecisionForm,
    CaseInspectionForm,
    CaseNoteForm,
    CasePaymentForm,
    build_decision_form,
    build_verdict_form,
    with_reasons,
)
from forms.verification import DocumentLifecycleForm
from portal.applications.facts import facts_for
from portal.applications.models import Application, Document
from portal.certificates.services import display_value
from portal.review import reasoned
from portal.review.models import ReviewVerdict
from portal.review.rounds import Change, ReviewState, Seen, review_state
from workflows.guards import review_items, reviewed_answers
from workflows.steps import Step, steps

#: Content types a document may be shown with in the page (inline), and how.
INLINE_KINDS = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image"}


@dataclass
class CaseContext:
    """One case as the back office sees it in one request; the engine's facts read once."""

    application: Application
    definition: workflows.Definition
    locale: str
    facts: workflows.Facts
    items: list[tuple[str, str]]
    statuses: tuple = ()
    review: ReviewState | None = None


def load_context(
    application: Application, definition: workflows.Definition, role: str, locale: str
) -> CaseContext:
    """Read the facts once, and label each field and document the reviewer judges."""
    from portal.subjects.services import statuses

    found = statuses(application, definition)  # for the guard and the page, read once
    review = review_state(application)
    case_facts = facts_for(application, role, statuses=found, verdicts=review.current())
    labels = {f.name: f.label.get(locale) for f in definition.fields}
    labels |= {
        d.code: d.title.get(locale) for d in definition.documents if d.code in case_facts.documents
    }
    # Once each: in a stored version whose field and document share a name (`review_item_clash`
    # refuses it from then on) the name is one item, one verdict, shown with both.
    items = [(key, labels[key]) for key in dict.fromkeys(review_items(definition, case_facts))]
    return CaseContext(application, definition, locale, case_facts, items, found, review)


def _offered(case: CaseContext) -> list[workflows.Transition]:
    """The transitions from the current state this role may take (the engine decides later)."""
    return [
        t
        for t in case.definition.transitions_from(case.application.state)
        if case.facts.role in t.roles
    ]


def _reason_pairs(case: CaseContext, use: str | None) -> list[tuple[str, str]]:
    return [(r.code, r.label.get(case.locale)) for r in case.definition.reasons_for(use)]


def refused_lines(case: CaseContext) -> str:
    """The items found not OK, one line each with their reasons (the `{reasons}` value)."""
    labels = {f.name: f.label.get(reasoned.RECORD_LOCALE) for f in case.definition.fields}
    labels |= {d.code: d.title.get(reasoned.RECORD_LOCALE) for d in case.definition.documents}
    return reasoned.refused_lines(case.definition, case.review.current(), labels)


def decision_form(case: CaseContext, lock_version: int) -> CaseDecisionForm:
    """The decision form: per offered action its outputs, reasons and prefilled reasoned text."""
    offered = _offered(case)
    outputs = [(t.action, spec) for t in offered for spec in t.outputs]
    reasons, texts = {}, {}
    lines = refused_lines(case)
    for transition in offered:
        use = case.definition.reason_use(transition)
        reasons.setdefault(transition.action, _reason_pairs(case, use))
        text = reasoned.prefilled(transition, case.application, case.definition, lines)
        if text is not None:
            texts.setdefault(transition.action, text)
    form_class = with_reasons(build_decision_form(outputs, case.locale), reasons, texts)
    return form_class(lock_version=lock_version)


@dataclass(frozen=True)
class DecisionText:
    """What a decision says: its comment, the reason codes chosen, or an error for a field.

    `error_code` is the message's code (`forms.messages`) for `error_field`.
    """

    comment: str
    reasons: list[str]
    error_field: str | None = None
    error_code: str = "decision_reason_required"


def decision_text(form: CaseDecisionForm, case: CaseContext) -> DecisionText:
    """Compose the chosen action's comment from its text, the clerk's words and its reasons.

    A decision whose transition has a reasoned text, sent with that text emptied, is refused
    at the text (`reasoned_text_required`): its fundamentals are the resolution (LPA Art. 22
    f). A correction or denial whose text gives no reason (nothing ticked, the text as proposed
    with no item found not OK, no words of the clerk) is refused at its reasons.
    """
    action = form.action.data or ""
    transition = next((t for t in _offered(case) if t.action == action), None)
    chosen_field = getattr(form, f"x_{action}", None)
    text_field = getattr(form, f"t_{action}", None)
    chosen = list(chosen_field.data or []) if chosen_field is not None else []
    # A browser always sends the text box; a post without it gives only the comment.
    text = (text_field.data or "") if text_field is not None and text_field.raw_data else ""
    general = form.comment.data or ""
    if transition is None:
        return DecisionText(general, [])
    if text_field is not None and text_field.raw_data and not text.strip():
        return DecisionText("", [], f"t_{action}", "reasoned_text_required")
    use = case.definition.reason_use(transition)
    offered = case.definition.reasons_for(use)
    chosen = [r.code for r in offered if r.code in chosen]
    comment = reasoned.compose(text, general, chosen, offered)
    if use and transition.comment_required and offered and not chosen and not general.strip():
        bare = reasoned.unfilled(transition, case.application, case.definition)
        if bare is not None and text.split() == bare.split():
            return DecisionText(comment, chosen, error_field=f"x_{action}")
    return DecisionText(comment, chosen)


@dataclass
class CaseForms:
    """The forms of the case page; a POST handler passes the one it validated."""

    decision: CaseDecisionForm
    verdicts: FlaskForm
    inspection: CaseInspectionForm = field(
        default_factory=lambda: CaseInspectionForm(formdata=None)
    )
    payment: CasePaymentForm = field(default_factory=lambda: CasePaymentForm(formdata=None))
    note: CaseNoteForm = field(default_factory=lambda: CaseNoteForm(formdata=None))
    lifecycle: DocumentLifecycleForm = field(
        default_factory=lambda: DocumentLifecycleForm(formdata=None)
    )


def verdict_form(case: CaseContext, formdata: bool) -> FlaskForm:
    """The verdict form, filled with the verdicts that count now on a GET.

    Each item offers the correction reasons that fit it (`Definition.item_reasons`: a plan's
    reasons on the plan, not on an answer). On a GET the form carries what the page shows of
    the review (`seen`); a posted form keeps what was posted.
    """
    reasons = {
        key: [(r.code, r.label.get(case.locale)) for r in case.definition.item_reasons(key)]
        for key, _label in case.items
    }
    form_class = build_verdict_form(case.items, reasons)
    if formdata:
        return form_class()
    data = {"seen": case.review.seen().encode()}
    for key, verdict in case.review.current().items():
        data[f"v_{key}"] = "ok" if verdict.ok else "no"
        data[f"r_{key}"] = verdict.reason
        data[f"x_{key}"] = list(verdict.reasons or [])
    return form_class(formdata=None, data=data)


def verdicts_from(form: FlaskForm) -> dict[str, tuple[bool, str, list[str]]]:
    """The verdicts a reviewer gave (items left unanswered are left out), with reason codes."""
    given = {}
    for key, _label in form.items:
        choice = getattr(form, f"v_{key}").data
        if choice in ("ok", "no"):
            codes = getattr(form, f"x_{key}", None)
            given[key] = (
                choice == "ok",
                getattr(form, f"r_{key}").data or "",
                list(codes.data or []) if codes is not None else [],
            )
    return given


def seen_from(form: FlaskForm) -> Seen | None:
    """What the posted page showed of the review; None when the post did not say (no check)."""
    if not form.seen.raw_data:
        return None
    return Seen.decode(form.seen.data or "")


def correction_draft(case: CaseContext) -> str:
    """A starting text for a correction request: its reasoned text, or the items not OK.

    The text of the first correction transition offered that has one (`reasoned_text`, with
    `{reasons}` the items found not OK); without one, just those items, one per line.
    """
    lines = refused_lines(case)
    for transition in _offered(case):
        if case.definition.reason_use(transition) == "correction":
            text = reasoned.prefilled(transition, case.application, case.definition, lines)
            if text is not None:
                return text
    return lines


def lines_kept(text: str | None) -> Markup:
    """A textarea's text, escaped, with its line breaks as `&#10;`.

    GOV.UK's macros indent what they nest (a conditional under a radio, a fieldset): literal
    line breaks in a textarea's text would gain spaces each time the page is shown.
    """
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Markup("&#10;").join(escape(line) for line in lines)


# ---------------------------------------------------------------- the items beside their data


@dataclass
class ReviewItem:
    """One field or document under review, with what the page shows beside its verdict.

    Attributes:
        key: Field name or requirement code.
        label: Question or document title in the page's language.
        value: The answer as people read it ('' for a document).
        document: The current document (None for a field).
        viewer: How the document shows in the page: `pdf`, `image`, or None (download only).
        change: What changed since the previous submission (None when unchanged or first).
        before: The earlier answer as people read it, or the earlier file name.
        verdict: The verdict that counts now, if any.
        carried: That verdict judged an earlier submission (the item did not change since).
        history: Every verdict on the item, newest first, each with its explanation.
        answer: For a document whose code is also a field's name (older versions only), that
            field's answer, shown with it (key, label, value, change, before); one verdict
            covers both.
    """

    key: str
    label: str
    value: str = ""
    document: Document | None = None
    viewer: str | None = None
    change: Change | None = None
    before: str = ""
    verdict: ReviewVerdict | None = None
    carried: bool = False
    history: list[tuple[ReviewVerdict, str]] = field(default_factory=list)
    answer: ReviewItem | None = None

    @property
    def changed(self) -> bool:
        """Whether the item, or the answer shown with it, changed since the last submission."""
        return self.change is not None or (
            self.answer is not None and self.answer.change is not None
        )


@dataclass
class ReviewGroup:
    title: str
    items: list[ReviewItem]


def review_groups(case: CaseContext) -> list[ReviewGroup]:
    """The items under review grouped as the form's steps ask them, each with its data."""
    from portal.drafts.presenters import step_title

    definition, locale, review = case.definition, case.locale, case.review
    data = case.application.data
    documents = {d.requirement_code: d for d in case.application.current_documents}
    current, carried = review.current(), review.carried()
    answer_changes, document_changes = review.answer_changes(), review.document_changes()
    history = review.history()
    labels = dict(case.items)
    fields = {f.name: f for f in definition.fields}
    answered = frozenset(reviewed_answers(definition, case.facts))

    def shown(spec, value) -> str:
        district = case.application.district
        if spec.type == "district" and district is not None and district.code == value:
            return district.short_name  # loaded with the case: no look-up by code
        return display_value(spec, value, locale)

    def answer(key: str, label: str) -> ReviewItem:
        spec, change = fields[key], answer_changes.get(key)
        before = ""
        if change is not None and change.old not in (None, "", []):
            before = shown(spec, change.old)
        return ReviewItem(key, label, shown(spec, data[key]), change=change, before=before)

    def item(key: str) -> ReviewItem:
        document = documents.get(key)
        if document is None:
            found = answer(key, labels[key])
        else:
            change = document_changes.get(key)
            before = (change.old or {}).get("filename", "") if change else ""
            found = ReviewItem(key, labels[key], document=document, change=change, before=before)
            found.viewer = INLINE_KINDS.get(document.content_type)
            if key in answered:  # a name a field and a document share (older versions)
                found.answer = answer(key, fields[key].label.get(locale))
        found.verdict = current.get(key)
        found.carried = key in carried
        found.history = [
            (v, reasoned.verdict_explanation(v, definition, locale)) for v in history.get(key, [])
        ]
        return found

    placed: set[str] = set()
    groups = []
    for step in steps(definition):
        keys = [k for k in dict.fromkeys((*step.fields, *step.documents)) if k in labels]
        keys = [k for k in keys if k not in placed]  # a shared name: with its first step
        if keys:
            groups.append(ReviewGroup(step_title(step), [item(k) for k in keys]))
            placed.update(keys)
    rest = [key for key, _label in case.items if key not in placed]
    if rest:  # documents given at the counter, outside the form's steps
        groups.append(ReviewGroup(step_title(Step(None, (), tuple(rest))), [item(k) for k in rest]))
    return groups


def may_revoke(definition: workflows.Definition, role: str) -> bool:
    """Whether the role may revoke or replace the case's certificate (the definition says)."""
    return definition.certificate is not None and role in definition.certificate.revoke_roles
