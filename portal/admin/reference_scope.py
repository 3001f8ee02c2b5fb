"""Reference data in the admin console: what an admin may see and change.

The calendars, tariff regimes and national values an admin manages, and the reasons of the
procedures of their scope. Shown by `portal/admin/reference_views.py`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.admin.services import _scope, list_procedures_for, loaded_definition
from portal.authorities.models import Authority
from portal.extensions import db
from portal.procedures.models import Procedure, ProcedureVersion


def calendar_authorities_for(actor: User) -> list[Authority]:
    """The authorities whose calendars the admin manages, as `list_authorities` orders them."""
    from portal.authorities.services import list_authorities

    scope = _scope(actor)
    return [a for a in list_authorities() if scope is None or a.id in scope]


def calendar_authority_for(actor: User, code: str) -> Authority | None:
    """The authority with this code if the admin manages it; None otherwise (404)."""
    authority = db.session.scalar(
        sa.select(Authority).where(Authority.code == code).options(joinedload(Authority.parent))
    )
    scope = _scope(actor)
    if authority is None or (scope is not None and authority.id not in scope):
        return None
    return authority


def manages_national_data(actor: User) -> bool:
    """Whether the admin may add versions of national values (wages, MYPE rules, CLAEES):
    the metropolitan office's admins only; a municipal admin reads them."""
    return _scope(actor) is None


def regime_districts_for(actor: User) -> list[Authority]:
    """The districts whose tariff regime the admin manages, by name."""
    from portal.authorities.services import list_districts

    scope = _scope(actor)
    return [d for d in list_districts() if scope is None or d.id in scope]


def reason_catalogues_for(
    actor: User,
) -> list[tuple[Procedure, list[tuple[ProcedureVersion, list]]]]:
    """Each procedure the admin manages with the reasons of each of its versions, newest first.

    A procedure's reasons for corrections and denials are part of its definition, so they are
    dated as its versions are: a case reads those of the version it was filed on, and a
    change is a new version published from a date (the version editor), never an edit.
    """
    out = []
    for procedure in list_procedures_for(actor):
        versions = sorted(procedure.versions, key=lambda v: v.version, reverse=True)
        loaded = [(v, loaded_definition(v)) for v in versions]
        # A draft that does not load yet has no reasons to show (its editor says why).
        out.append((procedure, [(v, list(d.reasons)) for v, d in loaded if d is not None]))
    return out
