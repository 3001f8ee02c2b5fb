"""Drafts in the admin console: save with a revision check, clone a version into a draft.

A draft is saved from its YAML text (`save_draft_source`, the source editor) or from forms
(`save_draft_definition`, changing only what the form changed: `yaml_merge`); `draft_problems`
tells early what would refuse publishing it. Shown by `portal/admin/versions.py` and the form
editors (`editor_services.py`, `editor_views.py`).
"""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
import yaml

import workflows
from portal.accounts.models import User
from portal.admin.editor_rows import Money
from portal.admin.services import _scope, get_version_for
from portal.errors import Conflict, InvalidInput, NotFound
from portal.extensions import db, utcnow
from portal.idempotent import first_wins
from portal.procedures.models import ProcedureVersion


class StaleDraft(Conflict):
    """The draft was saved by someone else since the editor loaded it.

    Attributes (in `params`): `revision` (the draft's revision now), `by` (who saved it, a
    display name or None), `at` (when, an aware datetime or None) and `mine` (the one who
    saved it is the actor: the same person in another tab or window).
    """

    code = "stale_draft"


def _draft_in_scope(actor: User, version_id: int) -> ProcedureVersion:
    row = db.session.get(ProcedureVersion, version_id)
    scope = _scope(actor)
    if row is None or (scope is not None and row.procedure.authority_id not in scope):
        raise NotFound("version_not_found", version_id=version_id)
    if row.status != "draft":
        raise InvalidInput("not_a_draft", field="version", version=row.version)
    return row


def _identity_problems(row: ProcedureVersion, data: object) -> list[workflows.Problem]:
    """A draft keeps its authority, slug and number: they say which version it is."""
    if not isinstance(data, dict):
        return []
    expected = {
        "authority": row.procedure.authority.code,
        "slug": row.procedure.slug,
        "version": row.version,
    }
    return [
        workflows.Problem(key, "identity_changed", f"{key} must stay {value!r}")
        for key, value in expected.items()
        if data.get(key) != value
    ]


def save_draft_source(
    actor: User, version_id: int, source: str, *, expected_revision: int
) -> tuple[ProcedureVersion | None, list[workflows.Problem]]:
    """Store a draft's new text when no one saved it since `expected_revision` (committed).

    A draft may be saved with problems (the admin fixes them before publishing), but not when
    its text is not a readable mapping, or changes its authority, slug or version number:
    then nothing is stored and the problems say why (the editor keeps the text typed).

    Args:
        actor: The admin saving; the draft's authority must be in their scope.
        version_id: The draft's `ProcedureVersion.id`.
        source: The definition's YAML (or JSON) text.
        expected_revision: The draft's `revision` when the editor loaded it.

    Returns:
        `(draft, problems)`: the saved draft (None when nothing was stored) and every problem
        the validator finds in the text.

    Raises:
        NotFound: no such version in the actor's scope.
        InvalidInput: `not_a_draft` (the version is published or retired).
        StaleDraft: someone saved the draft since `expected_revision`; nothing is stored.
    """
    from portal.audit.services import record_admin_change
    from portal.procedures.validation import catalogue_problems, inspect
    from workflows.source import read_source

    row = _draft_in_scope(actor, version_id)
    data, unreadable = read_source(source)
    if unreadable:
        db.session.rollback()
        return None, unreadable
    definition, problems = inspect(source, path=f"draft {row.id}")
    if definition is not None:
        problems = catalogue_problems(definition)
    identity = _identity_problems(row, data)
    if identity:
        db.session.rollback()
        return None, [*identity, *problems]
    before = {"revision": row.revision, "digest": row.digest}
    claimed = db.session.execute(
        sa.update(ProcedureVersion)
        .where(
            ProcedureVersion.id == row.id,
            ProcedureVersion.status == "draft",
            ProcedureVersion.revision == expected_revision,
        )
        .values(revision=ProcedureVersion.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        db.session.refresh(row)
        by = db.session.get(User, row.updated_by_id) if row.updated_by_id else None
        raise StaleDraft(
            revision=row.revision,
            by=by.full_name if by else None,
            at=row.updated_at,
            mine=row.updated_by_id == actor.id,
        )
    db.session.refresh(row, ["revision"])
    row.source = source
    row.definition = definition.to_dict() if definition is not None else data
    row.digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    record_admin_change(
        actor,
        "procedure.draft_saved",
        f"{row.procedure.authority.code}/{row.procedure.slug} v{row.version}",
        before=before,
        after={"revision": row.revision, "digest": row.digest, "problems": len(problems)},
    )
    db.session.commit()
    return row, problems


#: A text any YAML reader could take for a number (`0511`, `0811`, `1_000`, `1e3`, `12:30`).
_NUMBER_LIKE = re.compile(r"[-+]?(\.?[0-9][0-9_.:eExXoObB+-]*|\.inf|\.nan)", re.IGNORECASE)


class _DefinitionDumper(yaml.SafeDumper):
    """Safe YAML that quotes texts looking like numbers, so every reader keeps them texts."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _NUMBER_LIKE.fullmatch(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


def _money(dumper: yaml.SafeDumper, value: Money) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:float", value.text)


_DefinitionDumper.add_representer(str, _text)
_DefinitionDumper.add_representer(Money, _money)


def dump_definition(data: dict) -> str:
    """Write a definition mapping as YAML text in its own key order (forms save through it)."""
    return yaml.dump(
        data,
        Dumper=_DefinitionDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def save_draft_definition(
    actor: User, version_id: int, data: dict, *, expected_revision: int
) -> tuple[ProcedureVersion | None, list[workflows.Problem]]:
    """Store a draft edited in forms: `data` is the whole definition mapping.

    The same as `save_draft_source` with the draft's text changed only where `data` differs
    from the stored mapping (`merged_source`: comments, order and layout stay); a draft without
    a text, or one that cannot be written back faithfully, is written anew (`dump_definition`).
    """
    from portal.admin.yaml_merge import merged_source

    row = _draft_in_scope(actor, version_id)
    text = merged_source(row.source, row.definition, data) if row.source else None
    return save_draft_source(
        actor, version_id, text or dump_definition(data), expected_revision=expected_revision
    )


_VERSION_LINE = re.compile(r"^version:[ \t]*\d+[ \t]*(#.*)?$", re.MULTILINE)


@first_wins
def clone_to_draft(actor: User, procedure_id: int, version: int) -> ProcedureVersion:
    """Start the next version of a procedure as a draft copied from `version` (committed).

    The copy keeps the source text (comments and order) with its `version:` line renumbered.
    A procedure has one draft at a time: when it has one already, that draft is returned, also
    to a second request that was making the same draft at the same moment (a double click).

    Raises:
        NotFound: no such version in the actor's scope.
    """
    from portal.audit.services import record_admin_change

    origin = get_version_for(actor, procedure_id, version)
    if origin is None:
        raise NotFound("version_not_found", version=version)
    procedure = origin.procedure
    existing = next((v for v in procedure.versions if v.status == "draft"), None)
    if existing is not None:
        return existing
    number = max(v.version for v in procedure.versions) + 1
    text = origin.source or dump_definition(origin.definition)
    text, replaced = _VERSION_LINE.subn(f"version: {number}", text, count=1)
    if not replaced:
        data = dict(origin.definition)
        data["version"] = number
        text = dump_definition(data)
    definition = dict(origin.definition)
    definition["version"] = number
    draft = new_draft_row(procedure, number, text, definition, actor)
    record_admin_change(
        actor,
        "procedure.draft_created",
        f"{procedure.authority.code}/{procedure.slug} v{number}",
        before=None,
        after={"from_version": origin.version, "version": number},
    )
    db.session.commit()
    return draft


def new_draft_row(procedure, number: int, text: str, definition: dict, actor: User):
    """A draft row (`ProcedureVersion`) of a procedure: its `text` as typed, the `definition`
    mapping read from it, its digest; saved by `actor` now (flush only)."""
    now = utcnow()
    draft = ProcedureVersion(
        procedure=procedure,
        version=number,
        status="draft",
        source=text,
        definition=definition,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        published_at=now,
        updated_at=now,
        updated_by_id=actor.id,
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def draft_problems(row: ProcedureVersion) -> list[workflows.Problem]:
    """Every problem that refuses publishing a draft now (the publish check, told early)."""
    from portal.procedures.validation import catalogue_problems, inspect

    definition, problems = inspect(row.source or dump_definition(row.definition))
    if definition is not None:
        problems = catalogue_problems(definition)
    return problems
