"""Use cases of walk-in filing: open a draft for a citizen at the counter, claim it online.

Who owns a counter case. `Application.applicant_id` names a `User`, and a `User` needs an
e-mail, which a citizen at the counter may not have. The case is owned by:

- the citizen's own account, when the DUI or NIT belongs to a registered person (a legal unit
  on file owned by an account that signs in, `registered_owner`): the case is in their
  "Mis solicitudes" from the start and nothing of their account is shown at the counter;
- otherwise a *counter account*: a `User` with the applicant role whose address is
  `ciudadano-<digits>@ventanilla.invalid` (one per identifier, so a second visit adds to the
  same owner), inactive, unconfirmed and without a usable password: it can never sign in,
  receive mail or collide with a real sign-up. The person's name, e-mail and phone are kept
  on the `WalkIn` row of each case; notices go to that e-mail when given (`mail_to`).

Every case of the portal thus keeps one owner account, so every page, query and effect
(Mis solicitudes, receipts, deadlines, records, notifications) works unchanged; claiming moves
`applicant_id` to the citizen's account (`claim_case`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal import permissions
from portal.accounts.models import AuditEvent, User, new_security_stamp
from portal.applications.models import Application
from portal.applications.services import lock_application, start_application
from portal.authorities.services import scope_ids
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.extensions import db, utcnow
from portal.idempotent import insert_if_absent
from portal.procedures.models import Procedure
from portal.procedures.services import version_for_new_cases
from portal.subjects.models import LegalUnit
from portal.tracking.services import new_tracking_code, normalize
from portal.walkin.contact import is_counter_account, mail_to
from portal.walkin.models import COUNTER_DOMAIN, WalkIn
from workflows import dictionary
from workflows.identifiers import check_dui_or_nit, identifier_digits
from workflows.prerequisites import tracking_key

__all__ = ["is_counter_account", "mail_to"]  # re-exported: the contact rule is its own module

#: Audit action of a claim (the case moved from the counter to the citizen's account).
CLAIMED = "case.claimed"
#: Password hash of counter accounts: no password ever verifies against it.
UNUSABLE_HASH = "!counter"


def procedures_for(actor: User) -> list[Procedure]:
    """The procedures of the actor's authority scope that take new cases today, by title."""
    if not actor.has_role(*permissions.COUNTER_ROLES) or actor.authority_id is None:
        return []
    rows = db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.authority_id.in_(scope_ids(actor.authority_id)))
        .options(joinedload(Procedure.authority))
    ).all()
    open_now = []
    for procedure in rows:
        try:
            version_for_new_cases(procedure)
        except NotFound:
            continue
        open_now.append(procedure)
    return sorted(open_now, key=lambda p: (p.authority.name, p.title.get("es", "")))


def registered_owner(identifier: str) -> User | None:
    """The account of the registered person this DUI or NIT belongs to, or None.

    A legal unit on file with this NIT (a DUI is a person's NIT since 2021), or whose
    natural person's DUI it is, owned by an active, confirmed applicant account.
    """
    owner_id = db.session.scalar(
        sa.select(LegalUnit.owner_id)
        .join(User, User.id == LegalUnit.owner_id)
        .where(
            sa.or_(
                LegalUnit.nit == identifier,
                LegalUnit.details["dui"].as_string() == identifier,
            ),
            User.role == "applicant",
            User.active.is_(True),
            User.email_confirmed_at.is_not(None),
            User.email.not_like(f"%@{COUNTER_DOMAIN}"),
        )
        .order_by(LegalUnit.id)
        .limit(1)
    )
    return db.session.get(User, owner_id) if owner_id is not None else None


def counter_account(identifier: str) -> User:
    """The counter account of this identifier, created on first use (flush only).

    Shared by every office's counter cases of one identifier, it carries no fact of any one
    case: its name only says what it is; each case's name, e-mail and phone as the citizen
    gave them stay on its `WalkIn` row (`portal.walkin.contact.applicant_name`, `mail_to`).
    """
    # By digits alone: a DUI and the same DUI given as a NIT (2021 homologation) are one person.
    email = f"ciudadano-{identifier_digits(identifier)}@{COUNTER_DOMAIN}"
    insert_if_absent(
        User,
        email=email,
        password_hash=UNUSABLE_HASH,
        full_name=f"Persona atendida en ventanilla ({identifier})",
        role="applicant",
        active=False,
        locale="es",
        created_at=utcnow(),
        security_stamp=new_security_stamp(),
    )
    return db.session.scalar(sa.select(User).where(User.email == email))


@dataclass(frozen=True)
class CounterDraft:
    """A draft opened at the counter; `registered` when it went to the person's own account."""

    application: Application
    walk_in: WalkIn
    registered: bool


def open_counter_draft(
    *,
    clerk: User,
    procedure: Procedure,
    token: str,
    id_kind: str,
    identifier: str,
    full_name: str,
    email: str | None = None,
    phone: str | None = None,
) -> CounterDraft:
    """Open a draft of `procedure` for a citizen at the counter, the clerk as their agent.

    Args:
        clerk: A clerk or supervisor (`permissions.COUNTER_ROLES`) of the procedure's
            authority or one above it.
        token: The form's start token: the same token returns the same draft (double click).
        id_kind: "dui" or "nit"; `identifier` as `workflows.identifiers` formats it.
        full_name, email, phone: As the citizen gave them (e-mail and phone optional).

    The draft is not prefilled from any record (a registered person's data stays theirs),
    only with what the citizen said at the counter where a question binds it. One transaction.

    Raises:
        NotFound: the procedure is not in the clerk's scope (404, audited by the view), or it
            takes no new case (`procedure_closed`).
    """
    if not clerk.has_role(*permissions.COUNTER_ROLES) or procedure.authority_id not in scope_ids(
        clerk.authority_id
    ):
        raise NotFound("not_your_procedure")
    registered = registered_owner(identifier)
    owner = registered or counter_account(identifier)

    def record(application: Application) -> None:
        insert_if_absent(
            WalkIn,
            application_id=application.id,
            clerk_id=clerk.id,
            id_kind=id_kind,
            identifier=identifier,
            full_name=full_name.strip(),
            email=email or None,
            phone=phone or None,
            claim_code=new_tracking_code(),
            registered_owner=registered is not None,
            created_at=utcnow(),
        )

    given = {
        "person.name": full_name.strip(),
        f"person.{id_kind}": identifier,
        "person.email": email,
        "person.phone": phone,
    }
    application = start_application(
        actor=owner,
        procedure=procedure,
        token=token,
        prefill=False,
        known=lambda definition: _answers_given(definition, given),
        then=record,
    )
    return CounterDraft(application, walk_in_of(application.id), registered is not None)


def _answers_given(definition, given: dict[str, str | None]) -> dict[str, str]:
    """The draft's answers to the questions bound to what the citizen said at the counter
    (`workflows.dictionary` elements `person.name`, `person.dui`, ...), by field name."""
    answers = {}
    for path, value in given.items():
        field = dictionary.field_for(definition, path)
        if field is not None and value:
            answers[field.name] = value
    return answers


def walk_in_of(application_id: int) -> WalkIn | None:
    """The counter record of a case, or None when it was not filed at the counter."""
    return db.session.scalar(sa.select(WalkIn).where(WalkIn.application_id == application_id))


def counter_cases(clerk: User, limit: int = 20) -> list[tuple[Application, WalkIn]]:
    """The clerk's latest counter cases, newest first: drafts to resume and filed receipts."""
    rows = db.session.execute(
        sa.select(Application, WalkIn)
        .join(WalkIn, WalkIn.application_id == Application.id)
        .where(WalkIn.clerk_id == clerk.id, Application.discarded_at.is_(None))
        .options(joinedload(Application.procedure_version))
        .order_by(WalkIn.id.desc())
        .limit(limit)
    ).all()
    return [(application, walk_in) for application, walk_in in rows]


def waiting_on_citizen(actor: User, limit: int = 50) -> list[tuple[Application, WalkIn]]:
    """Counter cases of the actor's scope that wait on the citizen and that the actor may
    answer for them at the counter (`permissions.counter_agent`: unclaimed, in a state where
    the applicant edits and acts), the nearest deadline first (then the oldest).

    The states are read from each definition the scope's unclaimed counter cases are pinned
    to, so a case is listed for what its own version says.
    """
    from portal.procedures.models import ProcedureVersion
    from portal.procedures.services import definition_of

    if not actor.has_role(*permissions.COUNTER_ROLES) or actor.authority_id is None:
        return []
    unclaimed = sa.and_(
        Application.authority_id.in_(sorted(scope_ids(actor.authority_id))),
        Application.filed_at.is_not(None),
        Application.discarded_at.is_(None),
        WalkIn.claimed_at.is_(None),
        WalkIn.registered_owner.is_(False),
    )
    version_ids = db.session.scalars(
        sa.select(Application.procedure_version_id)
        .join(WalkIn, WalkIn.application_id == Application.id)
        .where(unclaimed)
        .distinct()
    ).all()
    pairs = []
    for version in db.session.scalars(
        sa.select(ProcedureVersion).where(ProcedureVersion.id.in_(version_ids))
    ):
        definition = definition_of(version)
        pairs += [
            sa.and_(Application.procedure_version_id == version.id, Application.state == s.code)
            for s in definition.states
            if permissions.applicant_acts_in(definition, s.code)
        ]
    if not pairs:
        return []
    rows = db.session.execute(
        sa.select(Application, WalkIn)
        .join(WalkIn, WalkIn.application_id == Application.id)
        .join(User, User.id == Application.applicant_id)
        .where(unclaimed, sa.or_(*pairs), User.email.like(f"%@{COUNTER_DOMAIN}"))
        .options(joinedload(Application.procedure_version))
        .order_by(Application.state_due_on.asc().nulls_last(), Application.id)
        .limit(limit)
    ).all()
    return [(application, walk_in) for application, walk_in in rows]


def identifiers_on_file(account: User) -> set[str]:
    """The DUIs and NITs of the legal units the account owns (its "Mis datos")."""
    rows = db.session.execute(
        sa.select(LegalUnit.nit, LegalUnit.details["dui"].as_string()).where(
            LegalUnit.owner_id == account.id
        )
    ).all()
    return {value for row in rows for value in row if value}


def claim_case(
    *, actor: User, number: str, code: str, identifier: str, ip: str | None = None
) -> Application:
    """Move a case filed at the counter to the signed-in citizen's account, once; audited.

    Args:
        number: The tracking number as typed (any case, spaces or dashes as `tracking_key`).
        code: The claim code of the counter receipt as typed (`portal.tracking.normalize`).
        identifier: The citizen's DUI or NIT as typed; it must be the one given at the counter,
            and the account's own DUIs and NITs on file (if any) must include it.

    Returns:
        The case, now the actor's (it shows in their "Mis solicitudes").

    Raises:
        InvalidInput: a malformed DUI or NIT, named by what was typed
            (`workflows.identifiers.check_dui_or_nit`: `invalid_dui`, `dui_check_digit`,
            `invalid_nit`, `nit_check_digit`; field `identifier`); `claim_identifier_mismatch`
            (field `identifier`) when it is not the one of the case or of the account.
        NotFound: `claim_not_found` when the number or the code is wrong (one answer for both,
            compared in constant time).
        Conflict: `claim_already_claimed` when the case was claimed before (or was filed for
            a registered person), `yours` True when it is already the actor's.
    """
    application = db.session.scalar(
        sa.select(Application).where(Application.tracking_number == tracking_key(number))
    )
    walk_in = walk_in_of(application.id) if application is not None else None
    stored = walk_in.claim_code if walk_in is not None else "-"
    if not hmac.compare_digest(stored.encode(), normalize(code).encode()) or walk_in is None:
        raise NotFound("claim_not_found")
    application = lock_application(application)
    walk_in = db.session.scalar(sa.select(WalkIn).where(WalkIn.id == walk_in.id).with_for_update())
    if walk_in.claimed_at is not None or walk_in.registered_owner:
        db.session.rollback()
        raise Conflict("claim_already_claimed", yours=application.applicant_id == actor.id)
    typed, error = check_dui_or_nit(identifier)
    if error is not None:
        db.session.rollback()
        raise InvalidInput(error, field="identifier")
    on_file = identifiers_on_file(actor)
    if typed != walk_in.identifier or (on_file and walk_in.identifier not in on_file):
        db.session.rollback()
        raise InvalidInput("claim_identifier_mismatch", field="identifier")
    counter = application.applicant_id
    application.applicant_id = actor.id
    walk_in.claimed_at, walk_in.claimed_by_id = utcnow(), actor.id
    # The records the counter account came to own with this identifier are the person's.
    db.session.execute(
        sa.update(LegalUnit)
        .where(LegalUnit.owner_id == counter, LegalUnit.nit == walk_in.identifier)
        .values(owner_id=actor.id)
    )
    db.session.add(
        AuditEvent(
            action=CLAIMED,
            actor_id=actor.id,
            application_id=application.id,
            subject=application.tracking_number,
            ip=ip,
            detail={"from_account": counter, "walk_in": walk_in.id},
        )
    )
    db.session.commit()
    return application


def refuse_counter(actor: User) -> None:
    """Only counter staff file at the counter (`permissions.COUNTER_ROLES`).

    Raises:
        NotAllowed: `role_not_allowed` for anyone else (403).
    """
    if not actor.has_role(*permissions.COUNTER_ROLES):
        raise NotAllowed("role_not_allowed", role=actor.role, task="counter")
