"""Use cases of a draft: keep what is typed, save a step, file it, delete it, expire it.

What the applicant types is kept as typed in `Application.draft_answers` (input name -> text,
never validated, never the case's data); a step's "Continuar" validates its answers and only
then writes them to `Application.data` (through the one save of `portal.applications`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale, format_date, gettext
from sqlalchemy.orm import joinedload, selectinload

import workflows
from forms.builder import DATE_PARTS
from portal.accounts.models import User
from portal.applications.models import Application, real_cases
from portal.applications.services import (
    SaveResult,
    Upload,
    _save,
    authorize_edit,
    lock_application,
)
from portal.drafts import retention
from portal.errors import NotAllowed, NotFound
from portal.extensions import db, utcnow
from portal.jobs.services import enqueue
from portal.links import public_url
from portal.notifications.services import locale_of, send_once
from portal.procedures.services import definition_of
from portal.walkin.contact import mail_to
from workflows.conditions import is_blank
from workflows.guards import applicable_data, visible_fields

log = logging.getLogger(__name__)

#: Characters kept of one typed answer, and answers kept of one multiple choice.
MAX_TYPED = 20_000
MAX_CHOICES = 200


def draft_inputs(definition: workflows.Definition) -> frozenset[str]:
    """Return the names of the form inputs a draft keeps as typed (`f_<field>`, date boxes)."""
    names = {f"f_{item.name}" for item in definition.fields}
    names |= {
        f"f_{item.name}-{part}"
        for item in definition.fields
        if item.type == "date"
        for part in DATE_PARTS
    }
    return frozenset(names)


def _typed(definition: workflows.Definition, answers: Mapping[str, object]) -> dict[str, object]:
    """Only the definition's inputs, only text (or lists of text), clipped: a tampered post
    can neither grow the row without bound nor store anything but what a form sends."""
    allowed = draft_inputs(definition)
    kept: dict[str, object] = {}
    for name, value in answers.items():
        if name not in allowed:
            continue
        if isinstance(value, str):
            kept[name] = value[:MAX_TYPED]
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            kept[name] = [item[:MAX_TYPED] for item in value[:MAX_CHOICES]]
    return kept


def _authorize_draft(actor: User, application: Application) -> None:
    """Let the applicant change their own draft, or refuse (`not_editable`; 404 stays 404)."""
    if application.discarded_at is not None or retention.is_expired(application, utcnow()):
        raise NotFound("not_found")
    authorize_edit(actor, application)
    if not retention.is_draft(application):
        raise NotAllowed("not_editable")


def _keep_typed(application: Application, definition, answers: Mapping[str, object]) -> None:
    application.draft_answers = {**(application.draft_answers or {}), **_typed(definition, answers)}
    application.draft_saved_at = utcnow()


def save_answers(
    *, actor: User, application: Application, answers: Mapping[str, object]
) -> datetime:
    """Keep what the applicant typed into their draft, as typed; return when it was kept.

    Args:
        actor: The applicant.
        application: Their draft.
        answers: Input name -> typed text (a list of texts for multiple choices); names that
            are not the definition's inputs are ignored.

    Raises:
        NotFound: not their draft, deleted or expired.
        NotAllowed: `not_editable` once filed.
    """
    application = lock_application(application)
    _authorize_draft(actor, application)
    _keep_typed(application, definition_of(application.procedure_version), answers)
    saved = application.draft_saved_at
    db.session.commit()
    return saved


def save_step(
    *,
    actor: User,
    application: Application,
    names: Sequence[str],
    data: Mapping[str, object] | None,
    uploads: Mapping[str, Upload],
    typed: Mapping[str, object],
) -> SaveResult:
    """Save one step of a draft: its answers once valid, else keep them as typed.

    Args:
        names: The fields the step asks.
        data: Their validated values (`forms.builder.collected_data`), or None when the form
            found errors (then only `typed` is kept).
        uploads: Files sent with the step.
        typed: The step's inputs as typed, kept until the answers are saved.

    Returns:
        The errors: `form_incomplete` naming the step's required questions left blank (those
        asked given every answer so far), upload and district problems, as `_save` says them.
    """
    application = lock_application(application)
    _authorize_draft(actor, application)
    definition = definition_of(application.procedure_version)
    if data is None:
        _keep_typed(application, definition, typed)
        db.session.commit()
        return SaveResult()
    merged = applicable_data(definition, {**application.data, **data})
    asked = visible_fields(definition, merged)
    missing = tuple(
        name
        for name in names
        if name in asked and definition.field(name).required and is_blank(merged.get(name))
    )
    if missing:
        _keep_typed(application, definition, typed)
        db.session.commit()
        return SaveResult(reasons=(workflows.Reason("form_incomplete", {"fields": missing}),))
    result = _save(application, definition, actor, dict(data), dict(uploads), submit=False)
    if result.ok:
        asked_here = {f"f_{name}" for name in names}
        answered = {
            key
            for key in draft_inputs(definition)
            if key in asked_here or key.rpartition("-")[0] in asked_here
        }
        application.draft_answers = {
            k: v for k, v in (application.draft_answers or {}).items() if k not in answered
        }
        application.draft_saved_at = utcnow()
    else:
        _keep_typed(application, definition, typed)
    db.session.commit()
    return result


def file_draft(*, actor: User, application: Application) -> SaveResult:
    """File the draft with its saved answers and documents (the "Presentar solicitud" of the
    check page); the engine's guards say what is missing. Typed, unsaved text is dropped."""
    application = lock_application(application)
    _authorize_draft(actor, application)
    definition = definition_of(application.procedure_version)
    result = _save(application, definition, actor, {}, {}, submit=True)
    if result.fired:
        application.draft_answers = None
    db.session.commit()
    return result


def _discard(application: Application, now: datetime) -> None:
    """Delete a draft: its answers and files leave the case, and every route answers 404."""
    application.discarded_at = now
    application.data = {}
    application.draft_answers = None
    for document in application.current_documents:
        document.replaced_at = now


def discard_draft(*, actor: User, application: Application) -> None:
    """Delete the applicant's draft (after they confirmed it).

    Raises:
        NotFound: not their draft, or already deleted or expired.
        NotAllowed: `not_editable` once filed.
    """
    application = lock_application(application)
    _authorize_draft(actor, application)
    _discard(application, utcnow())
    db.session.commit()


def list_drafts_for(
    actor: User, limit: int | None = None
) -> list[tuple[Application, datetime, bool]]:
    """The actor's drafts, newest first, each with when it expires and whether it is soon.

    Args:
        limit: Look at this many of the newest unfiled cases at most (None: all).
    """
    now = utcnow()
    rows = db.session.scalars(
        sa.select(Application)
        .where(
            Application.applicant_id == actor.id,
            Application.tracking_number.is_(None),
            Application.discarded_at.is_(None),
            real_cases(),
        )
        .options(selectinload(Application.procedure_version), joinedload(Application.authority))
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(limit)
    )
    return [
        (row, retention.expires_at(row), now >= retention.warn_from(row))
        for row in rows
        if retention.is_draft(row) and not retention.is_expired(row, now)
    ]


def sweep_drafts(now: datetime | None = None) -> dict[str, int]:
    """Warn the applicants of drafts about to expire (once per quiet period) and delete expired
    drafts. A periodic job (`portal.jobs.cron`); safe to run twice.

    Returns:
        How many drafts were warned and how many deleted.
    """
    now = now or utcnow()
    counts = {"warned": 0, "deleted": 0}
    drafts = db.session.scalars(
        sa.select(Application)
        .where(
            Application.tracking_number.is_(None),
            Application.discarded_at.is_(None),
            real_cases(),  # a test case is its draft version's, deleted on publishing
        )
        .with_for_update(skip_locked=True)
    ).all()
    for application in drafts:
        if not retention.is_draft(application):
            continue
        if retention.is_expired(application, now):
            _discard(application, now)
            counts["deleted"] += 1
        elif now >= retention.warn_from(application) and (
            application.draft_warned_at is None
            or application.draft_warned_at < retention.last_saved(application)
        ):
            application.draft_warned_at = now
            expires = retention.expires_at(application)
            enqueue("warn_draft_expiry", application_id=application.id, expires=expires.isoformat())
            counts["warned"] += 1
    db.session.commit()
    return counts


def send_expiry_warning(application_id: int, expires: str) -> bool:
    """E-mail the applicant that their draft will be deleted on `expires` unless they go on.

    Sent once per warning (keyed by the draft and the expiry); not sent when the draft was
    filed, deleted or saved again since. Runs in the caller's transaction.
    """
    application = db.session.get(Application, application_id)
    if application is None or not retention.is_draft(application):
        return False
    if retention.expires_at(application).isoformat() != expires:
        return False  # saved again since: a new period, a new warning when due
    definition = definition_of(application.procedure_version)
    locale = locale_of(application.applicant)
    with force_locale(locale):
        day = format_date(retention.expires_at(application), "long")
    title = definition.title.get(locale)
    return send_once(
        f"draft-expiry-{application.id}-{expires[:10]}",
        to=mail_to(application),
        locale=locale,
        subject=lambda: gettext(
            "Su borrador de %(title)s se eliminará el %(day)s", title=title, day=day
        ),
        template="email/draft_expiring.txt",
        context={
            "title": title,
            "day": day,
            "url": public_url(f"/borradores/{application.id}/paso/1"),
        },
        user_id=application.applicant_id,
        application_id=application.id,
    )
