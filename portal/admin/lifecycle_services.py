"""The version lifecycle in the admin console: preview, compare, publish, retire, delete.

A draft is published for new cases from a day (cases filed stay on their version), a
published version is retired (its cases go on), a draft is deleted with its test cases.
Shown by `portal/admin/versions.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

import workflows
from portal.accounts.models import User
from portal.admin.draft_services import StaleDraft, draft_problems
from portal.admin.services import (
    current_published,
    draft_data,
    loaded_definition,
    require_procedure,
    require_version,
)
from portal.errors import InvalidInput
from portal.extensions import db
from portal.procedures.models import Procedure, ProcedureVersion
from portal.procedures.services import definition_of
from workflows.diff import diff, summary


@dataclass(frozen=True)
class PublishPreview:
    """What the publish page shows before the button.

    Attributes:
        current: The newest published version (None: this would be the first).
        changes: Sentences from `current` to the draft; None when there is no `current` or
            the draft does not load yet.
        problems: Every problem that refuses publishing it.
        data: The draft's raw mapping (to name the places of its problems).
        unchanged: The draft has no differences from `current` (`unchanged_from`).
    """

    current: ProcedureVersion | None
    changes: list[str] | None
    problems: list[workflows.Problem]
    data: dict
    unchanged: bool = False


def publish_preview(row: ProcedureVersion, locale: str) -> PublishPreview:
    """The diff against the version in force and the validator's problems of a draft."""
    current = current_published(row.procedure)
    problems = draft_problems(row) if row.status == "draft" else []
    changes = None
    new = loaded_definition(row) if not problems else None
    if current is not None and current.id != row.id and new is not None:
        changes = summary(diff(definition_of(current), new), locale=locale)
    unchanged = not problems and unchanged_from(row) is not None
    return PublishPreview(current, changes, problems, draft_data(row), unchanged)


def unchanged_from(row: ProcedureVersion) -> ProcedureVersion | None:
    """The version in force when the draft `row` has no differences from it but its number
    (as the engine loads both: comments and layout do not count); else None."""
    current = current_published(row.procedure)
    if current is None or current.id == row.id or row.status != "draft":
        return None
    new = loaded_definition(row)
    if new is None or _content(definition_of(current)) != _content(new):
        return None
    return current


def _content(definition: workflows.Definition) -> dict:
    return {key: value for key, value in definition.to_dict().items() if key != "version"}


def compare_versions(actor: User, procedure_id: int, old: int, new: int, locale: str) -> list[str]:
    """What changed from version `old` to version `new`, in plain sentences.

    Raises:
        NotFound: either version is not in the actor's scope.
        InvalidInput: `draft_not_loadable` (field `old` or `new`): a draft with problems.
    """
    rows = {
        "old": require_version(actor, procedure_id, old),
        "new": require_version(actor, procedure_id, new),
    }
    loaded = {key: loaded_definition(row) for key, row in rows.items()}
    for key, definition in loaded.items():
        if definition is None:
            raise InvalidInput("draft_not_loadable", field=key, version=rows[key].version)
    return summary(diff(loaded["old"], loaded["new"]), locale=locale)


def publish_version(
    actor: User,
    procedure_id: int,
    version: int,
    *,
    valid_from: date,
    today: date,
    expected_revision: int,
    unchanged: bool = False,
) -> ProcedureVersion:
    """Publish a draft for new cases from `valid_from` (committed); cases filed stay put.

    Publishing the same version again with the same day answers the published version (a
    second click). The draft must be the one the admin reviewed (`expected_revision`). A
    draft with no differences from the version in force is published only when `unchanged`
    says the admin means it (a new day for the same text); a procedure with no version in
    force (all retired) is reopened by publishing a copy, which needs no such word.

    Raises:
        NotFound: not in the actor's scope.
        InvalidInput: `date_in_past` (field `valid_from`), `not_a_draft`, `draft_unchanged`
            (field `unchanged`; param `version`, the version in force).
        StaleDraft: the draft was saved since the admin loaded the publish page.
        InvalidDefinition: the validator's problems; the draft stays a draft.
    """
    from portal.audit.services import record_admin_change
    from portal.procedures.services import publish_draft

    row = require_version(actor, procedure_id, version)
    db.session.execute(
        sa.select(ProcedureVersion.id).where(ProcedureVersion.id == row.id).with_for_update()
    )
    db.session.refresh(row)
    if row.status == "published" and row.valid_from == valid_from:
        db.session.rollback()
        return row
    if row.status != "draft":
        db.session.rollback()
        raise InvalidInput("not_a_draft", field="version", version=row.version)
    if valid_from < today:
        db.session.rollback()
        raise InvalidInput("date_in_past", field="valid_from")
    if row.revision != expected_revision:
        db.session.rollback()
        raise _stale(row, actor)
    same_as = unchanged_from(row)
    if same_as is not None and not unchanged:
        db.session.rollback()
        raise InvalidInput("draft_unchanged", field="unchanged", version=same_as.version)
    record_admin_change(
        actor,
        "procedure.published",
        f"{row.procedure.authority.code}/{row.procedure.slug} v{row.version}",
        before={"status": "draft", "revision": row.revision},
        after={"status": "published", "valid_from": valid_from.isoformat()},
        authority_id=row.procedure.authority_id,
    )
    return publish_draft(row, valid_from=valid_from)


def _stale(row: ProcedureVersion, actor: User) -> StaleDraft:
    by = db.session.get(User, row.updated_by_id) if row.updated_by_id else None
    return StaleDraft(
        revision=row.revision,
        by=by.full_name if by else None,
        at=row.updated_at,
        mine=row.updated_by_id == actor.id,
    )


def retire_version(actor: User, procedure_id: int, version: int) -> ProcedureVersion:
    """Stop new filings on a published version; its cases go on (committed; twice is once).

    Raises:
        NotFound: not in the actor's scope.
        InvalidInput: `not_published` (a draft is deleted, not retired).
    """
    from portal.audit.services import record_admin_change
    from portal.procedures.services import retire

    row = require_version(actor, procedure_id, version)
    if row.status == "retired":
        return row
    if row.status != "published":
        raise InvalidInput("not_published", field="version", version=row.version)
    record_admin_change(
        actor,
        "procedure.retired",
        f"{row.procedure.authority.code}/{row.procedure.slug} v{row.version}",
        before={"status": "published"},
        after={"status": "retired"},
        authority_id=row.procedure.authority_id,
    )
    retire(row.procedure, version=row.version)
    return row


def delete_draft(actor: User, procedure_id: int, version: int) -> Procedure | None:
    """Delete a draft (committed); a procedure that had only this draft goes with it.

    Deleting a draft already deleted changes nothing (a second click).

    Returns:
        The procedure, or None when it was deleted with its only draft.

    Raises:
        NotFound: the procedure is not in the actor's scope.
        InvalidInput: `not_a_draft`; `draft_has_cases` (test cases still use it).
    """
    from portal.applications.models import Application, real_cases
    from portal.audit.services import record_admin_change
    from portal.testcases.services import delete_test_cases, remove_files

    procedure = require_procedure(actor, procedure_id)
    row = next((v for v in procedure.versions if v.version == version), None)
    if row is None:
        return procedure
    if row.status != "draft":
        raise InvalidInput("not_a_draft", field="version", version=version)
    cases = db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(
            Application.procedure_version_id == row.id, real_cases()
        )
    )
    if cases:  # only test cases run on a draft; a real one would be a fault: never lose it
        raise InvalidInput("draft_has_cases", field="version", count=cases)
    files = delete_test_cases(row)  # its test cases go with the draft, in this transaction
    record_admin_change(
        actor,
        "procedure.draft_deleted",
        f"{procedure.authority.code}/{procedure.slug} v{row.version}",
        before={"revision": row.revision, "digest": row.digest},
        after=None,
        authority_id=procedure.authority_id,
    )
    alone = len(procedure.versions) == 1
    db.session.delete(row)
    if alone:
        db.session.delete(procedure)
    db.session.commit()
    remove_files(files)
    return None if alone else procedure
