"""The one validator of procedure definitions: the engine's checks and what only the portal knows.

`flask procedures validate`, seeding, `flask procedures import` and publishing all call it, so a
definition that one of them accepts, all accept. Every problem comes at once, each with a path
in the definition's own terms (`workflow.transitions[3].effects[1].params.message.es`), never
an exception: the engine reads the file bounded in size, depth and aliases
(`workflows.source`), then checks the schema and the semantics (`workflows.validator.CHECKS`)
and what refuses publication but not loading a stored version
(`workflows.validator.PUBLICATION_CHECKS`); the portal adds `PORTAL_CHECKS`: effects it can
perform, notice texts its sandbox accepts, certificate layouts it has or a version's own layout its
sandbox accepts (`portal.certificates.layout_checks.layout_problems`), and authorities it knows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa
import yaml

import workflows
from workflows.loader import inspect_source
from workflows.model import Ref
from workflows.validator import check_set, publication_problems

log = logging.getLogger(__name__)

#: A portal check takes a sound definition and returns its problems.
PortalCheck = Callable[[workflows.Definition], list[workflows.Problem]]


def _effects_of(definition: workflows.Definition) -> Iterator[tuple[str, Ref]]:
    """Every effect of a definition with its path: transitions' and breach actions'."""
    for index, transition in enumerate(definition.transitions):
        for number, ref in enumerate(transition.effects):
            yield f"workflow.transitions[{index}].effects[{number}]", ref
    for index, state in enumerate(definition.states):
        for number, action in enumerate(state.breach):
            for position, ref in enumerate(action.effects):
                yield f"workflow.states[{index}].breach[{number}].effects[{position}]", ref
    for number, action in enumerate(definition.breach):
        for position, ref in enumerate(action.effects):
            yield f"workflow.breach[{number}].effects[{position}]", ref


def _effect_problems(definition: workflows.Definition) -> list[workflows.Problem]:
    from portal.applications.effects import HANDLERS

    return [
        workflows.Problem(path, "unsupported_effect", f"this portal cannot perform {ref.name!r}")
        for path, ref in _effects_of(definition)
        if ref.name not in HANDLERS
    ]


def _notice_problems(definition: workflows.Definition) -> list[workflows.Problem]:
    from portal.notifications.texts import notice_problem

    problems = []
    for path, ref in _effects_of(definition):
        for language, text in (ref.params.get("message") or {}).items():
            problem = notice_problem(text)
            if problem:
                problems.append(
                    workflows.Problem(
                        f"{path}.params.message.{language}", "invalid_notice", problem
                    )
                )
    return problems


def _certificate_problems(definition: workflows.Definition) -> list[workflows.Problem]:
    """A named layout the portal has; a version's own layout that `layout_problems` accepts."""
    from portal.certificates.layout_checks import layout_problems
    from portal.certificates.layouts import CERTIFICATE_TEMPLATES

    spec = definition.certificate
    if spec is None:
        return []
    if spec.layout is not None:
        # One problem per kind: several unsafe parts are one thing to fix at one place, said
        # once, each part named in the detail (listed once, however often it appears).
        details: dict[str, list[str]] = {}
        for code, message in layout_problems(spec.layout, spec.paper_size):
            if message not in details.setdefault(code, []):
                details[code].append(message)
        return [
            workflows.Problem("certificate.layout", code, "; ".join(messages))
            for code, messages in details.items()
        ]
    if spec.template in CERTIFICATE_TEMPLATES:
        return []
    return [
        workflows.Problem(
            "certificate.template",
            "unknown_certificate_template",
            f"no layout {spec.template!r}; known: {', '.join(sorted(CERTIFICATE_TEMPLATES))}",
        )
    ]


def known_authorities() -> set[str]:
    """Codes of the authorities the portal knows: its seed file's and its database's."""
    from portal.authorities.models import Authority
    from portal.authorities.services import DATA_FILE
    from portal.extensions import db

    codes = {row["code"] for row in yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))}
    try:
        codes |= set(db.session.scalars(sa.select(Authority.code)))
    except sa.exc.SQLAlchemyError:  # no database yet: validating files before `flask seed`
        db.session.rollback()
    return codes


def _authority_problems(definition: workflows.Definition) -> list[workflows.Problem]:
    known = known_authorities()
    problems = []
    if definition.authority not in known:
        problems.append(
            workflows.Problem(
                "authority", "unknown_authority", f"no authority {definition.authority!r}"
            )
        )
    routing = definition.routing
    if routing is not None:
        for index, rule in enumerate(routing.rules):
            if rule.authority not in known:
                problems.append(
                    workflows.Problem(
                        f"routing.rules[{index}].authority",
                        "unknown_authority",
                        f"no authority {rule.authority!r}",
                    )
                )
        if routing.default_authority is not None and routing.default_authority not in known:
            problems.append(
                workflows.Problem(
                    "routing.default_authority",
                    "unknown_authority",
                    f"no authority {routing.default_authority!r}",
                )
            )
    return problems


#: The portal's checks, run after the engine's on a sound definition. Add new ones here.
PORTAL_CHECKS: list[PortalCheck] = [
    _effect_problems,
    _notice_problems,
    _certificate_problems,
    _authority_problems,
]


def inspect(
    source: str | bytes, *, path: str = ""
) -> tuple[workflows.Definition | None, list[workflows.Problem]]:
    """Validate a definition file's content; return the definition only when it has no problem.

    Args:
        source: The file's bytes (UTF-8) or text; anything, including hostile content.
        path: Where it came from, for the log.

    Returns:
        `(definition, [])`, or `(None, problems)`: the engine's problems, or when the engine
        finds none, those that refuse publication only (`workflows.validator.
        publication_problems`: `review_item_clash`) and the portal's (`unsupported_effect`,
        `invalid_notice`, `unknown_certificate_template`, `unsafe_certificate_layout`,
        `invalid_certificate_layout`, `unknown_authority`).
    """
    definition, problems = inspect_source(source)
    if definition is not None:
        problems = publication_problems(definition)
        problems += [problem for one in PORTAL_CHECKS for problem in one(definition)]
    if problems:
        log.info("definition %s: %d problem(s)", path or "<source>", len(problems))
        return None, problems
    return definition, []


def validate_source(source: str | bytes, *, path: str = "") -> list[workflows.Problem]:
    """Return every problem of a definition file's content (empty when it can be published)."""
    return inspect(source, path=path)[1]


def inspect_files(
    paths: Iterable[str | Path],
) -> tuple[list[tuple[Path, workflows.Definition]], dict[Path, list[workflows.Problem]]]:
    """Validate definition files one by one and as a set (prerequisites across them).

    Returns:
        The sound definitions with their files, and the problems of each file that has any
        (`not_readable` when the file cannot be read; `prerequisite_cycle` from
        `workflows.validator.check_set`).
    """
    sound: list[tuple[Path, workflows.Definition]] = []
    failed: dict[Path, list[workflows.Problem]] = {}
    for name in paths:
        file = Path(name)
        try:
            source = file.read_bytes()
        except OSError as error:
            failed[file] = [workflows.Problem("", "not_readable", error.strerror or str(error))]
            continue
        definition, problems = inspect(source, path=str(file))
        if definition is None:
            failed[file] = problems
        else:
            sound.append((file, definition))
    for index, problem in check_set([definition for _file, definition in sound]):
        failed.setdefault(sound[index][0], []).append(problem)
    return [(file, d) for file, d in sound if file not in failed], failed


def problems_error(failed: dict[Path, list[workflows.Problem]]) -> workflows.InvalidDefinition:
    """One error naming every problem of every file, as `file: path: code: message` lines."""
    return workflows.InvalidDefinition(
        workflows.Problem(f"{file}: {problem.path}", problem.code, problem.message)
        for file, problems in failed.items()
        for problem in problems
    )


def catalogue_problems(definition: workflows.Definition) -> list[workflows.Problem]:
    """Return the set-level problems of publishing `definition` into the catalogue as it is.

    The procedures already published (their newest published version, other than
    `definition`'s own procedure) and `definition` are checked together with
    `workflows.validator.check_set`: a prerequisite cycle through published procedures.
    Besides, `unknown_prerequisite`: a prerequisite names a procedure the catalogue does not
    publish (no case of this procedure could ever be filed); `version_not_newer`: a version
    of the same procedure with a higher number is already published (new cases would never
    take this one).
    """
    from portal.extensions import db
    from portal.procedures.models import Procedure, ProcedureVersion
    from portal.procedures.services import definition_of

    rows = db.session.scalars(
        sa.select(ProcedureVersion)
        .join(Procedure)
        .where(ProcedureVersion.status == "published")
        .order_by(ProcedureVersion.procedure_id, ProcedureVersion.version.desc())
    )
    newest: dict[int, workflows.Definition] = {}
    for row in rows:
        if row.procedure_id not in newest:
            newest[row.procedure_id] = definition_of(row)
    own = (definition.authority, definition.slug)
    others = [d for d in newest.values() if (d.authority, d.slug) != own]
    problems = [
        problem for index, problem in check_set([*others, definition]) if index == len(others)
    ]
    known = {f"{d.authority}/{d.slug}" for d in newest.values()} | {"/".join(own)}
    problems += [
        workflows.Problem(
            f"prerequisites[{index}].procedure",
            "unknown_prerequisite",
            f"no published procedure {item.procedure}",
        )
        for index, item in enumerate(definition.prerequisites)
        if item.procedure not in known
    ]
    higher = [
        d.version for d in newest.values() if (d.authority, d.slug) == own
    ]  # newest published version of this procedure, if any
    if higher and higher[0] > definition.version:
        problems.append(
            workflows.Problem(
                "version",
                "version_not_newer",
                f"version {higher[0]} is already published; number this one higher",
            )
        )
    return problems
