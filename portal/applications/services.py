"""Use cases of an application: start, save, submit, act on it; queries scoped to the actor."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

import workflows
from forms.builder import json_safe
from portal import permissions
from portal.accounts.models import User
from portal.applications import effects
from portal.applications.facts import facts_for
from portal.applications.models import Application, Document, HistoryEntry
from portal.applications.pdfscan import scan_pdf
from portal.authorities.models import Authority
from portal.downloads import clip_name
from portal.errors import Conflict, NotAllowed, NotFound
from portal.extensions import db, utcnow
from portal.idempotent import insert_if_absent
from portal.permissions import role_on
from portal.procedures.models import Procedure
from portal.procedures.services import definition_of, version_for_new_cases
from portal.review import rounds
from portal.storage import storage
from portal.subjects import services as subjects
from portal.uploads import sniff
from workflows.guards import applicable_data, applicable_documents, pending_answers
from workflows.prerequisites import tracking_key

__all__ = ["role_on"]  # re-exported: the one scope rule lives in portal.permissions


@dataclass(frozen=True)
class Upload:
    """A file as the view read it: the browser's file name and the bytes."""

    filename: str
    data: bytes


@dataclass
class SaveResult:
    """What a save or submit did: errors per document and per field, and engine reasons.

    `errors` maps a requirement code to `(code, params)` pairs; `field_errors` a field name
    to error codes; `field_reasons` a resolution field to why the case it names does not
    qualify (`workflows.prerequisites.refusal`). `not_kept` lists the requirement codes of
    uploads not stored because their requirement does not apply to the saved answers (e.g.
    the answer that makes it apply came back with an error, so it was not saved either).
    `locked_changes` lists the fields and requirement codes whose changes were refused because
    the office did not mark them in the correction round (`portal.review.corrections`).
    """

    errors: dict[str, list[tuple[str, dict]]] = field(default_factory=dict)
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    field_reasons: dict[str, workflows.Reason] = field(default_factory=dict)
    reasons: tuple[workflows.Reason, ...] = ()
    fired: str | None = None
    not_kept: list[str] = field(default_factory=list)
    locked_changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.errors
            and not self.field_errors
            and not self.field_reasons
            and not self.reasons
        )


# ---------------------------------------------------------------- queries and authorization


def get_application_for(application_id: int, actor: User) -> Application | None:
    """Load a case the actor may see, with what its pages show; None when not theirs (-> 404)."""
    application = permissions.load_application(application_id)
    if application is None or role_on(application, actor) is None:
        return None
    return application


QUEUE_MAX_PAGE = 100_000  # a bound for the `pagina` query argument of paged lists


# ---------------------------------------------------------------- commands


def start_application(
    *,
    actor: User,
    procedure: Procedure,
    token: str,
    known: Callable[[workflows.Definition], Mapping[str, object]] | None = None,
    renewing: Application | None = None,
    prefill: bool = True,
    then: Callable[[Application], None] | None = None,
) -> Application:
    """Open a draft on the latest version; the same token returns the same draft (double click).

    When `renewing` (a decided case of the same procedure), the draft starts with its answers
    to the fields that still exist (`portal.renewals.services.copy_answers`), then the records.

    Two requests with one token at the same instant both miss the first look-up; the unique
    (applicant, start_token) constraint lets one insert win and the other insert nothing, and
    both then read the one draft (same outcome on PostgreSQL and SQLite). The new draft is
    prefilled from the applicant's records (unless `prefill` is False: a draft opened at the
    counter, `portal.walkin`), then with what `known` says for its definition (a plan's
    answers, by field name), which wins. `then(draft)` runs in the same transaction before it
    commits (the counter's record of the draft).
    """
    existing = _started_with(actor, token)
    if existing is not None:
        return existing
    version = version_for_new_cases(procedure)  # NotFound when it takes no new case
    definition = definition_of(version)
    # A district office's own procedures happen in that district, with or without a field.
    authority = procedure.authority
    insert_if_absent(
        Application,
        district_id=authority.id if authority.is_district else None,
        procedure_id=procedure.id,
        procedure_version_id=version.id,
        applicant_id=actor.id,
        authority_id=procedure.authority_id,
        start_token=token,
        state=definition.initial_state,
        data={},
    )
    application = lock_application(_started_with(actor, token))
    if not application.data and not application.history:
        if renewing is not None:
            from portal.renewals.services import copy_answers

            copy_answers(application, definition, renewing)
        if prefill:
            subjects.prefill(application, definition, actor)
        if known is not None:
            application.data = {**application.data, **known(definition)}
    if then is not None:
        then(application)
    db.session.commit()
    return application


def _started_with(actor: User, token: str) -> Application | None:
    return db.session.scalar(
        sa.select(Application).where(
            Application.applicant_id == actor.id, Application.start_token == token
        )
    )


def authorize_edit(actor: User, application: Application) -> None:
    """Let the actor change the case's data, or refuse with `not_editable` (404 stays 404)."""
    try:
        permissions.authorize(actor, application, permissions.EDIT)
    except NotFound:
        raise
    except NotAllowed as refused:
        raise NotAllowed("not_editable") from refused


def lock_application(application: Application, expected_version: int | None = None) -> Application:
    """Lock the case row for this transaction and reload it as it now is.

    Raises:
        Conflict: `stale_application` when `expected_version` no longer matches (someone
            acted since the form was made).
    """
    locked = db.session.scalar(
        sa.select(Application)
        .where(Application.id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if expected_version is not None and locked.lock_version != expected_version:
        raise Conflict("stale_application")
    return locked


def _attach(
    application: Application,
    actor: User,
    definition: workflows.Definition,
    code: str,
    upload: Upload,
) -> tuple[str, dict] | None:
    """Store one upload for a requirement; return an error `(code, params)`, or None."""
    requirement = definition.document(code)
    problem, kind = sniff(upload.data, requirement.accept, requirement.max_bytes)
    if problem == "file_type_not_accepted":
        return problem, {"accept": requirement.accept}
    if problem:
        return problem, {}
    findings = None
    if kind.mime == "application/pdf":
        scan = scan_pdf(upload.data)
        if not scan.readable:
            return "pdf_unreadable", {}
        if scan.findings and not requirement.flags_active_content:
            return "pdf_active_content", {"findings": scan.findings}
        findings = ", ".join(scan.findings) or None
    key = storage().put(
        upload.data, prefix=f"applications/{application.id}", suffix=f".{kind.extension}"
    )
    for old in application.current_documents:
        if old.requirement_code == code:
            old.replaced_at = utcnow()
    db.session.add(
        Document(
            application=application,
            requirement_code=code,
            filename=clip_name(upload.filename),
            content_type=kind.mime,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            storage_key=key,
            uploaded_by_id=actor.id,
            active_content=findings,
        )
    )
    return None


def save_application(
    *,
    actor: User,
    application: Application,
    data: dict[str, object],
    uploads: dict[str, Upload],
    submit: bool,
    expected_version: int | None = None,
) -> SaveResult:
    """Save the applicant's data and files; when `submit`, also file or resubmit the case.

    The data comes already validated by the form built from the definition; only the fields the
    definition declares are kept, so a tampered post cannot set anything else.
    """
    application = lock_application(application, expected_version)
    definition = definition_of(application.procedure_version)
    authorize_edit(actor, application)
    with _stale_as_conflict():
        result = _save(application, definition, actor, data, uploads, submit)
        if data:  # the whole form, validated: what was typed on its steps is now saved or stale
            application.draft_answers = None
        db.session.commit()
    return result


def _save(
    application: Application,
    definition: workflows.Definition,
    actor: User,
    data: dict[str, object],
    uploads: dict[str, Upload],
    submit: bool,
) -> SaveResult:
    """Merge declared fields, store uploads and, when asked, fire the applicant's action.

    Only applicable data is kept: answers to questions hidden by other answers are dropped
    (a draft keeps those not decided yet, `workflows.guards.pending_answers`),
    and files under requirements that no longer apply leave the application (marked replaced,
    so the clerk, the review and the engine never see them), so everything downstream (pages,
    PDFs, fees, SIMDET) sees what was really asked.
    """
    result = SaveResult()
    data, uploads = _only_what_was_marked(application, definition, data, uploads, result)
    merged = dict(application.data)
    merged.update(data)
    # A draft keeps the answers whose question is not decided yet (`pending_answers`: say, a
    # case number prefilled from the records, asked once a later step's yes/no says so).
    pending = {} if submit else pending_answers(definition, merged)
    merged = applicable_data(definition, merged)
    district_name = effects.district_field(definition)
    district_code = merged.get(district_name)
    if district_code:
        district = db.session.scalar(sa.select(Authority).where(Authority.code == district_code))
        if district is None or not district.is_district:
            result.field_errors[district_name] = ["invalid_district_choice"]
            merged.pop(district_name)
        else:
            application.district = district
    _check_resolutions(application, definition, merged, result)
    application.data = merged | pending
    applicable = set(applicable_documents(definition, merged))
    for old in application.current_documents:
        if old.requirement_code not in applicable:
            old.replaced_at = utcnow()
    for code, upload in uploads.items():
        if code not in applicable:
            result.not_kept.append(code)
            continue
        error = _attach(application, actor, definition, code, upload)
        if error:
            result.errors.setdefault(code, []).append(error)
    db.session.flush()
    if submit and not result.errors and not result.field_errors and not result.field_reasons:
        # Sending the form files it from a draft, or answers what the office asked.
        action = workflows.action_of_kind(
            definition, application.state, "applicant", "submit", "correct"
        )
        if action is not None:
            try:
                _fire(application, definition, action, actor, "applicant", "")
                result.fired = action
            except workflows.TransitionNotAllowed as refused:
                result.reasons = refused.reasons
    return result


def _only_what_was_marked(
    application: Application,
    definition: workflows.Definition,
    data: dict[str, object],
    uploads: dict[str, Upload],
    result: SaveResult,
) -> tuple[dict[str, object], dict[str, Upload]]:
    """In a correction round with items marked, keep only the changes to those items.

    A locked field left blank (the form shows it disabled, so the browser sends nothing) or
    sent unchanged is simply kept as stored; any other change to it, and any file under a
    locked requirement, is dropped and named in `result.locked_changes`.
    """
    if application.tracking_number is None:
        return data, uploads
    from portal.review.corrections import correction_round

    current = correction_round(application, definition)
    if current is None or not current.locked:
        return data, uploads
    kept = {}
    for name, value in data.items():
        if name not in current.locked:
            kept[name] = value
        elif value not in (None, "", []) and value != application.data.get(name):
            result.locked_changes.append(name)
    result.locked_changes += [code for code in uploads if code in current.locked]
    return kept, {c: u for c, u in uploads.items() if c not in current.locked}


def _check_resolutions(
    application: Application,
    definition: workflows.Definition,
    merged: dict[str, object],
    result: SaveResult,
) -> None:
    """Refuse at its field a resolution that does not qualify; keep the number as stored.

    The number is the one the applicant typed, without spaces and in upper case; a refused one
    is not saved (the form shows it again with the reason).
    """
    named = {
        item.field for item in definition.prerequisites if item.field and merged.get(item.field)
    }
    if not named:
        return
    for item in named:
        merged[item] = tracking_key(merged[item])
    for status in subjects.statuses(application, definition, merged):
        name = status.prerequisite.field
        if name in named and status.reason is not None:
            result.field_reasons[name] = status.reason
            merged.pop(name)


def choose_subject(*, actor: User, application: Application, subject: str, record_id: int) -> bool:
    """Make a draft about one of the applicant's records, filling its bound fields from it.

    Returns False (nothing changes) when the record is not one of the actor's or the subject
    is not one the definition binds.

    Raises:
        NotAllowed: `not_editable` when the applicant may no longer change the case.
    """
    application = lock_application(application)
    authorize_edit(actor, application)
    definition = definition_of(application.procedure_version)
    if subject not in subjects.bound_subjects(definition):
        return False
    with _stale_as_conflict():
        chosen = subjects.choose(application, definition, subject, record_id)
        db.session.commit()
    return chosen


def act_on_application(
    *,
    actor: User,
    application: Application,
    action: str,
    comment: str = "",
    expected_version: int | None = None,
    outputs: dict[str, object] | None = None,
    reasons: list[str] | tuple[str, ...] = (),
) -> HistoryEntry:
    """Take a workflow action on a case (decide, request a correction, withdraw).

    `outputs` are what the actor gives with the action when its transition declares some (a
    taxpayer account number, a tax category), by output name; the engine checks them and
    refuses with `invalid_output` reasons, and they are stored on the history entry.
    `reasons` are codes of the definition's reasons for what the transition means
    (`Definition.reason_use`); codes it does not offer are dropped. A correction request or a
    denial records on its history entry every reason picked: these and those of the verdicts
    "not OK" that count now (`portal.review.rounds`), in the definition's order, so the
    reports count them all.
    """
    application = lock_application(application, expected_version)
    try:
        role = permissions.authorize(actor, application, permissions.ACT)
    except NotFound:
        raise
    except NotAllowed as refused:  # said as the engine says it, with its reason
        reason = workflows.Reason("role_not_allowed", {"role": refused.params["role"]})
        raise NotAllowed("transition_not_allowed", reasons=(reason,)) from refused
    role = permissions.role_for_action(actor, application, action, role)
    definition = definition_of(application.procedure_version)
    with _stale_as_conflict():
        try:
            entry = _fire(
                application,
                definition,
                action,
                actor,
                role,
                comment.strip(),
                outputs or {},
                reasons,
            )
        except workflows.TransitionNotAllowed as refused:
            db.session.rollback()
            raise NotAllowed("transition_not_allowed", reasons=refused.reasons) from refused
        db.session.commit()
    return entry


def withdraw_application(*, actor: User, application: Application) -> HistoryEntry | None:
    """Withdraw the applicant's case (LPA Art. 111): fire the definition's `withdraw`-kind action.

    Idempotent: when the case is already in a `withdrawn` state (a double submission, or back
    and send again), nothing happens and None is returned; the check is made under the case's
    lock, so two submissions at the same instant withdraw once.

    Raises:
        NotFound: not the actor's case.
        NotAllowed: `transition_not_allowed` when the case cannot be withdrawn in its state.
    """
    application = lock_application(application)
    definition = definition_of(application.procedure_version)
    if definition.state(application.state).kind == "withdrawn":
        permissions.authorize(actor, application, permissions.OWN)
        db.session.rollback()
        return None
    action = workflows.action_of_kind(definition, application.state, "applicant", "withdraw")
    return act_on_application(actor=actor, application=application, action=action or "")


@contextmanager
def _stale_as_conflict():
    """Turn 'someone else changed this case first' into a Conflict, undoing everything.

    PostgreSQL's row lock makes the second person wait and then see the new version; SQLite
    has no row locks, so there the version column catches it at the UPDATE.
    """
    try:
        yield
    except StaleDataError as stale:
        db.session.rollback()
        raise Conflict("stale_application") from stale


def _fire(
    application: Application,
    definition: workflows.Definition,
    action: str,
    actor: User | None,
    role: str,
    comment: str,
    outputs: dict[str, object] | None = None,
    reasons: list[str] | tuple[str, ...] = (),
) -> HistoryEntry:
    """Ask the engine, then change state, write history, and perform the effects (flush only).

    `actor` is None for the system's own acts (`fire_as`). A submission (filing or a
    correction) keeps what was sent (`portal.review.rounds.snapshot`).
    """
    outcome = workflows.fire(
        definition, application.state, action, facts_for(application, role, comment, outputs)
    )
    source = definition.state(outcome.source)
    if (
        source.kind == "draft"
        and application.procedure_version.status == "retired"
        and not definition.state(outcome.target).is_final
    ):
        # A retired version takes no new filing; a draft on it can still be withdrawn.
        raise workflows.TransitionNotAllowed([workflows.Reason("procedure_retired")])
    application.state = outcome.target
    application.state_entered_at = utcnow()
    if source.kind == "draft" and application.tracking_number is None:
        effects.route(application, definition)
        effects.assign_tracking_number(application)
    if role == "applicant" and not application.is_test:  # a test case is nobody's record
        subjects.record_case(application, definition)
    entry = HistoryEntry(
        application=application,
        actor_id=actor.id if actor is not None else None,
        actor_role=role,
        action=action,
        from_state=outcome.source,
        to_state=outcome.target,
        comment=comment,
        outputs={k: json_safe(v) for k, v in outcome.outputs.items()} or None,
        reasons=_chosen_reasons(application, definition, outcome, reasons),
    )
    db.session.add(entry)
    db.session.flush()
    rounds.snapshot(application, definition, entry)
    effects.apply(application, definition, outcome, entry)
    return entry


def _chosen_reasons(
    application: Application,
    definition: workflows.Definition,
    outcome,
    chosen: list[str] | tuple[str, ...],
) -> list[str] | None:
    """Every reason the fired transition gives, in the definition's order (None: none).

    Only a transition that takes reasons (`Definition.reason_use`: a correction request or a
    denial) has them: the `chosen` codes it offers, and the codes of the case's verdicts "not
    OK" that count now (its items' reasons, `portal.review.rounds.ReviewState.current`).
    """
    transition = next(
        t
        for t in definition.transitions_for(outcome.source, outcome.action)
        if t.target == outcome.target
    )
    use = definition.reason_use(transition)
    if use is None:
        return None
    picked = {r.code for r in definition.reasons_for(use)} & set(chosen)
    for verdict in rounds.review_state(application).current().values():
        if not verdict.ok:
            picked.update(verdict.reasons or ())
    return [r.code for r in definition.reasons if r.code in picked] or None


def fire_as(
    application: Application, definition: workflows.Definition, action: str, role: str
) -> HistoryEntry:
    """Fire `action` on the locked case as `role` with no person acting (flush only).

    For the system's own acts (a closure the definition ends once its fees are paid,
    `portal.payments.services`). The caller holds the case's lock and commits.

    Raises:
        workflows.TransitionNotAllowed: the engine refused (a guard did not pass).
    """
    return _fire(application, definition, action, None, role, "")


def today_local() -> date:
    return effects.local_now().date()
