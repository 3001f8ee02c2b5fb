"""Moving procedures in the admin console: copy to another authority, export, import.

A version is copied into another authority as its version 1 (`clone_to_authority`); a
procedure is exported as one YAML or JSON file (`export_procedure`, `EXPORT_FORMAT`) and such
a file imported as a new draft (`import_procedure_file`), each text kept exactly. Shown by
`portal/admin/versions.py`.
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.admin.draft_services import _VERSION_LINE, dump_definition, new_draft_row
from portal.admin.services import _scope, require_procedure
from portal.authorities.models import Authority
from portal.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.idempotent import first_wins
from portal.procedures.models import Procedure, ProcedureVersion

#: The format of an exported procedure file; an import refuses any other.
EXPORT_FORMAT = "ventanilla-procedure/1"


_TOP_LEVEL = "^{key}:[ \t]*[^\n#]*?[ \t]*(#.*)?$"


def _set_top_level(text: str, key: str, value: str) -> str | None:
    """Rewrite a top-level `key: value` line of YAML text; None when there is no such line."""
    line = re.compile(_TOP_LEVEL.format(key=re.escape(key)), re.MULTILINE)
    new, replaced = line.subn(lambda _m: f"{key}: {value}", text, count=1)
    return new if replaced else None


def _retarget(text: str, data: object, authority: str, number: int) -> str:
    """The text of a version for `authority` as version `number`, all else as it was."""
    plain = (
        re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", authority) and yaml.safe_load(authority) == authority
    )
    code = authority if plain else "'" + authority.replace("'", "''") + "'"
    new = _set_top_level(text, "authority", code)
    new = _set_top_level(new, "version", str(number)) if new is not None else None
    if new is not None:
        return new
    mapping = dict(data) if isinstance(data, dict) else {}
    mapping.update(authority=authority, version=number)
    return dump_definition(mapping)


def _new_draft(procedure: Procedure, number: int, text: str, actor: User) -> ProcedureVersion:
    """A draft row of `text` (flush only); its definition is the loaded one or the raw data."""
    from portal.procedures.validation import inspect
    from workflows.source import read_source

    definition, _problems = inspect(text)
    data, _unreadable = read_source(text)
    mapping = definition.to_dict() if definition is not None else (data or {})
    return new_draft_row(procedure, number, text, mapping, actor)


def _public_or_in_scope(actor: User, procedure_id: int, version: int) -> ProcedureVersion:
    """A version to copy: any in the actor's scope, or a published or retired one (public)."""
    row = db.session.scalar(
        sa.select(ProcedureVersion)
        .where(ProcedureVersion.procedure_id == procedure_id, ProcedureVersion.version == version)
        .options(joinedload(ProcedureVersion.procedure).joinedload(Procedure.authority))
    )
    scope = _scope(actor)
    if row is None or (
        scope is not None and row.procedure.authority_id not in scope and row.status == "draft"
    ):
        raise NotFound("version_not_found", procedure_id=procedure_id, version=version)
    return row


@first_wins
def clone_to_authority(
    actor: User, procedure_id: int, version: int, authority_id: int | None
) -> ProcedureVersion:
    """Copy a version into another authority as version 1, a draft (committed).

    The copy keeps the text with its `authority:` and `version:` lines rewritten. Copying the
    same version into the same authority again answers the draft the first copy made.

    Raises:
        NotFound: the version is a draft out of the actor's scope, or does not exist.
        InvalidInput: `authority_out_of_scope`, `same_authority`, `slug_taken` (the authority
            has a procedure with that slug already), all on the field `authority`.
    """
    from portal.audit.services import record_admin_change

    origin = _public_or_in_scope(actor, procedure_id, version)
    scope = _scope(actor)
    target = db.session.get(Authority, authority_id) if authority_id else None
    if target is None or (scope is not None and target.id not in scope):
        raise InvalidInput("authority_out_of_scope", field="authority")
    if target.id == origin.procedure.authority_id:
        raise InvalidInput("same_authority", field="authority")
    slug = origin.procedure.slug
    text = _retarget(
        origin.source or dump_definition(origin.definition), origin.definition, target.code, 1
    )
    taken = db.session.scalar(
        sa.select(Procedure).where(Procedure.authority_id == target.id, Procedure.slug == slug)
    )
    if taken is not None:
        again = [v for v in taken.versions if v.status == "draft" and v.source == text]
        if len(taken.versions) == 1 and again:
            return again[0]
        raise InvalidInput("slug_taken", field="authority", authority=target.name, slug=slug)
    procedure = Procedure(authority=target, slug=slug, title=dict(origin.procedure.title))
    db.session.add(procedure)
    draft = _new_draft(procedure, 1, text, actor)
    record_admin_change(
        actor,
        "procedure.cloned",
        f"{target.code}/{slug} v1",
        before=None,
        after={"from": f"{origin.procedure.authority.code}/{slug} v{origin.version}"},
        authority_id=target.id,
    )
    db.session.commit()
    return draft


#: Characters a YAML reader (which reads JSON too) would refuse or take as a line break when
#: raw: written as JSON escapes, they come back exactly.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


class _LiteralDumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks (readable); PyYAML quotes any it cannot keep exact."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Escaped when it holds a character a raw block would read back as a line break (NEL).
    if _YAML_UNSAFE.search(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _represent_text)


def export_procedure(
    actor: User, procedure_id: int, version: int | None = None, *, as_json: bool = False
) -> tuple[str, str]:
    """One file holding every version of a procedure (or one): `(file name, text)`.

    The file names its format (`EXPORT_FORMAT`), the authority and slug, and for each version
    its number, status, valid-from day and exact source text.

    Raises:
        NotFound: the procedure (or that version) is not in the actor's scope.
    """
    procedure = require_procedure(actor, procedure_id)
    rows = [v for v in procedure.versions if version is None or v.version == version]
    if not rows:
        raise NotFound("version_not_found", procedure_id=procedure_id, version=version)
    payload = {
        "format": EXPORT_FORMAT,
        "authority": procedure.authority.code,
        "slug": procedure.slug,
        "title": dict(procedure.title),
        "versions": [
            {
                "version": row.version,
                "status": row.status,
                "valid_from": row.valid_from.isoformat() if row.valid_from else None,
                "source": row.source or dump_definition(row.definition),
            }
            for row in rows
        ],
    }
    stem = f"{procedure.authority.code}-{procedure.slug}" + (f"-v{version}" if version else "")
    return f"{stem}.{'json' if as_json else 'yaml'}", dump_export(payload, as_json=as_json)


def dump_export(payload: dict, *, as_json: bool = False) -> str:
    """Write an export as YAML (texts as literal blocks) or JSON; any text reads back exactly
    through `workflows.source.read_source`."""
    if as_json:
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return yaml.dump(payload, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=100)


def _exported_versions(data: dict) -> list[dict] | None:
    """The file's versions when each is well formed, else None."""
    versions = data.get("versions")
    if not isinstance(versions, list) or not versions:
        return None
    for entry in versions:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("version"), int)
            and not isinstance(entry.get("version"), bool)
            and 0 < entry["version"] < 2**31
            and isinstance(entry.get("source"), str)
        ):
            return None
    return versions


@first_wins
def import_procedure_file(
    actor: User, content: bytes, *, version: int | None = None
) -> tuple[ProcedureVersion, bool]:
    """Store a version of an exported file as a new draft (committed).

    The newest version of the file is taken, or `version`. The draft keeps the version's
    exact text; when the procedure has that number or a higher one, it becomes the next
    number (its `version:` line rewritten). Importing the same text while it is the open
    draft answers it.

    Returns:
        `(draft, renumbered)`.

    Raises:
        InvalidInput on the field `file`: `import_empty` (nothing but spaces),
            `import_unreadable` (too large, not text, hostile:
            `workflows.source.read_source`; `problem` says which), `import_wrong_format`,
            `import_malformed`, `import_no_such_version`, `import_out_of_scope`,
            `import_draft_exists`.
    """
    from portal.audit.services import record_admin_change
    from portal.authorities.services import get_authority
    from portal.procedures.services import _SLUG
    from workflows.source import read_source

    data, unreadable = read_source(content)
    if unreadable and unreadable[0].code == "empty":
        raise InvalidInput("import_empty", field="file")
    if unreadable:
        raise InvalidInput("import_unreadable", field="file", problem=unreadable[0].code)
    if data.get("format") != EXPORT_FORMAT:
        found = data.get("format")
        raise InvalidInput(
            "import_wrong_format", field="file", found=str(found)[:60], expected=EXPORT_FORMAT
        )
    code, slug, versions = data.get("authority"), data.get("slug"), _exported_versions(data)
    if not isinstance(code, str) or not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise InvalidInput("import_malformed", field="file")
    if versions is None:
        raise InvalidInput("import_malformed", field="file")
    if version is None:
        entry = max(versions, key=lambda item: item["version"])
    else:
        entry = next((item for item in versions if item["version"] == version), None)
        if entry is None:
            raise InvalidInput("import_no_such_version", field="version", version=version)
    authority = get_authority(code)
    scope = _scope(actor)
    if authority is None or (scope is not None and authority.id not in scope):
        raise InvalidInput("import_out_of_scope", field="file", authority=code)
    text = entry["source"]
    own, _problems = read_source(text)
    if isinstance(own, dict) and (own.get("authority"), own.get("slug")) != (code, slug):
        raise InvalidInput("import_malformed", field="file")
    procedure = db.session.scalar(
        sa.select(Procedure).where(Procedure.authority_id == authority.id, Procedure.slug == slug)
    )
    number, renumbered = entry["version"], False
    if procedure is None:
        title = data.get("title") if isinstance(data.get("title"), dict) else {}
        procedure = Procedure(
            authority=authority,
            slug=slug,
            title={locale: str(title.get(locale, slug))[:200] for locale in ("es", "en")},
        )
        db.session.add(procedure)
    else:
        draft = next((v for v in procedure.versions if v.status == "draft"), None)
        if draft is not None:
            if draft.source == text:
                return draft, False
            raise InvalidInput("import_draft_exists", field="file", version=draft.version)
        newest = max((v.version for v in procedure.versions), default=0)
        if number <= newest:  # a draft is the procedure's next version, never an older one
            number = newest + 1
            # Only the `version:` line changes: the rest of the text stays exactly as exported.
            text, replaced = _VERSION_LINE.subn(f"version: {number}", text, count=1)
            if not replaced:
                text = _retarget(text, own, code, number)
            renumbered = True
    draft = _new_draft(procedure, number, text, actor)
    record_admin_change(
        actor,
        "procedure.imported",
        f"{code}/{slug} v{number}",
        before=None,
        after={"from_version": entry["version"], "digest": draft.digest},
        authority_id=authority.id,
    )
    db.session.commit()
    return draft, renumbered
