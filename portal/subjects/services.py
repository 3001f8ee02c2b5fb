"""Subjects as records: kept from filed cases, prefilled into drafts, matched for prerequisites.

What a case is about comes from its bound fields (`workflows.dictionary.bound`): the legal unit
by its NIT, the property by its cadastral key (else by district and address among the
applicant's), the establishment by the applicant's choice (else by trade name among theirs).
Filing creates or updates the legal unit and the property and links the case to them; an
approved registration creates the establishment (`register_establishment`), a closure ends it
(`close_establishment`). A case keeps its own data: records change, filed cases never do.

An account's records are those linked to its own cases (the account that filed is the one that
owns or represents the subject; `CaseSubject.acting_as` says which).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import workflows
from forms.builder import json_safe
from portal.accounts.models import AuditEvent, User
from portal.applications import effects
from portal.applications.models import Application
from portal.authorities.models import DISTRICT, Authority
from portal.errors import NotFound
from portal.establishments.models import Establishment
from portal.extensions import db
from portal.procedures.services import definition_of
from portal.representatives import services as representatives
from portal.subjects.models import RECORD_SUBJECTS, CaseSubject, LegalUnit, Property
from workflows import dictionary
from workflows.prerequisites import Held, Status, prerequisite_status, qualifying, tracking_key

_COLUMN = {
    "legal_unit": "legal_unit_id",
    "establishment": "establishment_id",
    "property": "property_id",
}
_MODEL = {"legal_unit": LegalUnit, "establishment": Establishment, "property": Property}


# ---------------------------------------------------------------- reading what a case binds


def bound_values(definition: workflows.Definition, data: Mapping) -> dict[str, dict[str, object]]:
    """The case's bound answers by subject and element name, as JSON primitives.

    `{"legal_unit": {"nit": "0614-050707-104-8", "name": "Café La Ceiba, S.A. de C.V."}, ...}`;
    answers hidden by other answers are left out.
    """
    from portal.applications.facts import typed_data

    values = dictionary.bound(definition, typed_data(definition, data))
    return {
        subject: {name: json_safe(value) for name, value in items.items() if value is not None}
        for subject, items in values.items()
    }


def bound_subjects(definition: workflows.Definition) -> tuple[str, ...]:
    """The record subjects the definition's fields bind, in `RECORD_SUBJECTS` order."""
    used = {spec.bind.partition(".")[0] for spec in definition.fields if spec.bind}
    return tuple(subject for subject in RECORD_SUBJECTS if subject in used)


def _district_id(code: object) -> int | None:
    if not code:
        return None
    return db.session.scalar(
        sa.select(Authority.id).where(Authority.code == str(code), Authority.kind == DISTRICT)
    )


def _same_text(a: object, b: object) -> bool:
    return (
        bool(a)
        and bool(b)
        and " ".join(str(a).split()).casefold() == " ".join(str(b).split()).casefold()
    )


# ---------------------------------------------------------------- an account's records


def links_of(application: Application) -> dict[str, CaseSubject]:
    """The case's links, by role."""
    return {
        link.role: link
        for link in db.session.scalars(
            sa.select(CaseSubject).where(CaseSubject.application_id == application.id)
        )
    }


def records_of(account_id: int, subject: str) -> list:
    """The records of one subject linked to the account's cases, most recent link first.

    Establishments that a closure ended are left out; legal units the account represents
    (`representatives`) come after its own.
    """
    model = _MODEL[subject]
    column = getattr(CaseSubject, _COLUMN[subject])
    last_link = sa.func.max(CaseSubject.id).label("last_link")
    linked = (
        sa.select(column.label("record_id"), last_link)
        .join(Application, Application.id == CaseSubject.application_id)
        .where(Application.applicant_id == account_id, column.is_not(None))
        .group_by(column)
        .subquery()
    )
    query = (
        sa.select(model)
        .join(linked, linked.c.record_id == model.id)
        .order_by(linked.c.last_link.desc())
    )
    if model is Establishment:
        query = query.where(Establishment.valid_to.is_(None))
    found = list(db.session.scalars(query))
    if model is LegalUnit:  # and the units the account was authorized to represent
        known = {item.id for item in found}
        found += [
            unit
            for unit in db.session.scalars(
                sa.select(LegalUnit)
                .where(LegalUnit.id.in_(representatives.standing(account_id)))
                .order_by(LegalUnit.id.desc())
            )
            if unit.id not in known
        ]
    return found


def _find(subject: str, values: Mapping[str, object], account_id: int):
    """The existing record the values identify, or None (nothing is created)."""
    if subject == "legal_unit":
        nit = values.get("nit")
        return db.session.scalar(sa.select(LegalUnit).where(LegalUnit.nit == nit)) if nit else None
    if subject == "property":
        key = values.get("cadastral_key")
        if key:
            found = db.session.scalar(sa.select(Property).where(Property.cadastral_key == key))
            if found is not None:
                return found
        # A property first named without its cadastral key: the same district and address
        # among the applicant's (filing with the key then records it).
        district_id = _district_id(values.get("district"))
        return next(
            (
                item
                for item in records_of(account_id, "property")
                if item.cadastral_key is None
                and item.district_id == district_id
                and _same_text(item.address, values.get("address"))
            ),
            None,
        )
    name = values.get("trade_name")
    return next(
        (
            item
            for item in records_of(account_id, "establishment")
            if _same_text(item.trade_name, name)
        ),
        None,
    )


def _identified(
    application: Application, definition: workflows.Definition, data: Mapping
) -> dict[str, tuple[object | None, dict[str, object]]]:
    """Each subject the definition binds: the existing record the case is about, and its values.

    The legal unit and the property are who and what the answers identify (NIT; cadastral
    key, else district and address among the applicant's keyless ones); the establishment is
    the one the applicant chose, else the one of theirs with the trade name given. Without
    answers that identify one, the record the draft was linked to (prefill, choice) stands.
    """
    values = bound_values(definition, data)
    links = links_of(application)
    found = {}
    for subject in bound_subjects(definition):
        given = values.get(subject, {})
        link = links.get(subject)
        chosen = link is not None and (subject == "establishment" or not given)
        record = link.record if chosen else _find(subject, given, application.applicant_id)
        found[subject] = (record, given)
    return found


def subjects_of(
    application: Application, definition: workflows.Definition, data: Mapping | None = None
) -> dict[str, int]:
    """What the case is about, by subject: record ids (`_identified`); unknown ones absent."""
    found = _identified(application, definition, application.data if data is None else data)
    return {subject: record.id for subject, (record, _) in found.items() if record is not None}


# ---------------------------------------------------------------- keeping records


def _link(application: Application, subject: str, record, acting_as: str = "owner") -> None:
    link = links_of(application).get(subject)
    if link is None:
        link = CaseSubject(application_id=application.id, role=subject)
        db.session.add(link)
    for name in _COLUMN.values():
        setattr(link, name, None)
    setattr(link, _COLUMN[subject], record.id)
    link.acting_as = acting_as


def _number(value: object, integer: bool = False):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(number) if integer else number


def _update(subject: str, record, values: Mapping[str, object]) -> None:
    """Copy a case's values into the record: its details, and the columns queries use."""
    record.details = {**(record.details or {}), **values}
    if subject == "legal_unit":
        record.kind = values.get("kind", record.kind)
        record.name = values.get("name", record.name)
    elif subject == "property":
        record.cadastral_key = record.cadastral_key or values.get("cadastral_key")
        record.address = values.get("address", record.address)
        record.district_id = _district_id(values.get("district")) or record.district_id
        if "lot_area_m2" in values:
            record.lot_area_m2 = _number(values["lot_area_m2"])
    else:
        record.trade_name = values.get("trade_name", record.trade_name)
        record.address = values.get("address", record.address)
        record.activity_code = values.get("activity_code", record.activity_code)
        if "employees" in values:
            record.employees = _number(values["employees"], integer=True)
        record.district_id = _district_id(values.get("district")) or record.district_id


def _personal(subject: str, name: str, kind: object) -> bool:
    """Whether an element's value is a natural person's data (`workflows.dictionary`)."""
    path = f"{subject}.{name}"
    if path not in dictionary.ELEMENTS:
        return False
    return dictionary.is_personal(path, {"legal_unit": {"kind": kind}})


def _may_change(subject: str, record, given: Mapping[str, object], account_id: int) -> dict:
    """What a case may write into a record: a legal unit's personal data only its agents'.

    Its owner and the representatives the owner authorized (`representatives`) write it;
    someone else who files with that NIT (unauthorized, or a mistake) neither overwrites nor,
    later, reads that person's name or DUI (`_details_for`).
    """
    if representatives.speaks_for(account_id, record):
        return dict(given)
    kind = record.kind or given.get("kind")
    return {name: value for name, value in given.items() if not _personal(subject, name, kind)}


def _acting_as(values: Mapping[str, Mapping[str, object]]) -> str:
    person = values.get("person", {})
    return "representative" if person.get("acts_as") == "representative" else "owner"


def record_case(application: Application, definition: workflows.Definition) -> None:
    """Keep the records a filed (or resubmitted) case is about, and link the case to them.

    The legal unit (by NIT) and the property (by cadastral key, else district and address)
    are created when new and updated with the case's values; the establishment, which only a
    registration creates, is linked when the case names one of the applicant's and updated.
    Within the caller's transaction (flush only).
    """
    acting_as = _acting_as(bound_values(definition, application.data))
    for subject, (record, given) in _identified(application, definition, application.data).items():
        if record is None and subject == "legal_unit" and given.get("nit"):
            record = LegalUnit(nit=given["nit"], details={}, owner_id=application.applicant_id)
        elif (
            record is None
            and subject == "property"
            and (given.get("cadastral_key") or given.get("address"))
        ):
            record = Property(cadastral_key=given.get("cadastral_key"), details={})
        if record is None:
            continue
        if record.id is None:
            db.session.add(record)
        _update(subject, record, _may_change(subject, record, given, application.applicant_id))
        db.session.flush()
        _link(application, subject, record, acting_as)
    _attach_holder(application)
    db.session.flush()


def _attach_holder(application: Application) -> None:
    """An establishment the case is about is run by the legal unit the case names."""
    links = links_of(application)
    holder, place = links.get("legal_unit"), links.get("establishment")
    if holder is not None and place is not None and place.establishment is not None:
        place.establishment.legal_unit_id = holder.legal_unit_id


def establishment_registered(
    application: Application, definition: workflows.Definition, establishment: Establishment
) -> None:
    """Complete a newly registered establishment from its registration and link the two.

    Its life starts on the declared start date (`establishment.start_date`), else on the day
    of the decision; its holder is the legal unit the registration names.
    """
    values = bound_values(definition, application.data).get("establishment", {})
    _update("establishment", establishment, values)
    start = values.get("start_date")
    establishment.valid_from = (
        date.fromisoformat(start) if isinstance(start, str) else effects.local_now().date()
    )
    db.session.flush()
    _link(
        application,
        "establishment",
        establishment,
        _acting_as(bound_values(definition, application.data)),
    )
    _attach_holder(application)


def close_establishment(application: Application, entry) -> None:
    """End the establishment the case is about (a closure's approval, `entry`).

    It ends on the closing date the case declares (`establishment.closing_date`), else on the
    day of the decision.
    """
    link = links_of(application).get("establishment")
    if link is None or link.establishment is None or link.establishment.valid_to is not None:
        return
    definition = definition_of(application.procedure_version)
    declared = bound_values(definition, application.data).get("establishment", {})
    closing = declared.get("closing_date")
    link.establishment.valid_to = (
        date.fromisoformat(closing)
        if isinstance(closing, str)
        else entry.occurred_at.astimezone(effects.LOCAL_TZ).date()
    )
    link.establishment.closed_at = entry.occurred_at


# ---------------------------------------------------------------- prefill


def _fill(application: Application, definition: workflows.Definition, subject: str, values) -> None:
    data = dict(application.data)
    for spec in definition.fields:
        owner, _, name = (spec.bind or "").partition(".")
        if owner == subject and values.get(name) not in (None, "", []):
            data[spec.name] = values[name]
    application.data = data


#: Elements a record keeps in a column of its own (for queries and the feed); the column is
#: what the record says, `details` holds the rest.
_COLUMNS = {
    "legal_unit": ("nit", "kind", "name"),
    "property": ("cadastral_key", "address", "lot_area_m2"),
    "establishment": ("trade_name", "address", "activity_code", "employees"),
}


def _details(subject: str, record) -> dict[str, object]:
    """A record's values by element name, as a draft stores answers (columns win)."""
    details = dict(record.details or {})
    for name in _COLUMNS[subject]:
        value = getattr(record, name)
        if value is None:
            details.pop(name, None)
        elif isinstance(value, Decimal):
            # 350.00 in the column is the 350 a case gave: keep the answer as it was written.
            if _number(details.get(name)) != value:
                details[name] = str(value)
        else:
            details[name] = value if isinstance(value, str | int) else str(value)
    if subject != "legal_unit":
        district = db.session.get(Authority, record.district_id) if record.district_id else None
        if district is not None:
            details["district"] = district.code
    return details


def _details_for(account_id: int, subject: str, record) -> dict[str, object]:
    """A record's values as one account may see them to prefill a draft.

    The owner of a legal unit and its representatives see all of it; anyone else sees what is
    not personal data and, for the rest, what their own latest case about it said.
    """
    details = _details(subject, record)
    if representatives.speaks_for(account_id, record):
        return details
    own = _own_values(account_id, subject, record.id)
    kind = details.get("kind")
    for name in list(details):
        if _personal(subject, name, kind):
            details.pop(name)
    return details | {name: value for name, value in own.items() if _personal(subject, name, kind)}


def _own_values(account_id: int, subject: str, record_id: int) -> dict[str, object]:
    """What the account's own latest filed case about a record said about it."""
    case = db.session.scalar(
        sa.select(Application)
        .join(CaseSubject, CaseSubject.application_id == Application.id)
        .where(
            Application.applicant_id == account_id,
            Application.tracking_number.is_not(None),
            getattr(CaseSubject, _COLUMN[subject]) == record_id,
        )
        .order_by(Application.id.desc())
        .limit(1)
    )
    if case is None:
        return {}
    return bound_values(definition_of(case.procedure_version), case.data).get(subject, {})


def choose(
    application: Application, definition: workflows.Definition, subject: str, record_id: int
) -> bool:
    """Make the draft about one of the applicant's records and fill its bound fields from it.

    Returns False when the record is not one of the applicant's (nothing changes). Choosing an
    establishment also chooses its holder when the definition binds the legal unit.
    """
    record = next(
        (item for item in records_of(application.applicant_id, subject) if item.id == record_id),
        None,
    )
    if record is None:
        return False
    _link(application, subject, record)
    _fill(application, definition, subject, _details_for(application.applicant_id, subject, record))
    if (
        subject == "establishment"
        and record.legal_unit_id is not None
        and "legal_unit" in bound_subjects(definition)
    ):
        holder = db.session.get(LegalUnit, record.legal_unit_id)
        _link(application, "legal_unit", holder)
        _fill(
            application,
            definition,
            "legal_unit",
            _details_for(application.applicant_id, "legal_unit", holder),
        )
    district = _district_id(
        next(
            (
                application.data.get(spec.name)
                for spec in definition.fields
                if spec.type == "district"
            ),
            None,
        )
    )
    if district is not None:
        application.district_id = district
    return True


def prefill(application: Application, definition: workflows.Definition, actor: User) -> None:
    """Fill a new draft from the applicant's records and account (flush only).

    Each subject the definition binds is filled from the applicant's record when they have
    exactly one (else they choose on the form); the person's e-mail and name come from the
    account; a resolution field gets the applicant's qualifying case when exactly one does.
    """
    for subject in bound_subjects(definition):
        if subject in links_of(application):
            continue
        records = records_of(actor.id, subject)
        if len(records) == 1:
            choose(application, definition, subject, records[0].id)
    _fill(application, definition, "person", {"email": actor.email, "name": actor.full_name})
    choices = resolution_choices(application, definition)
    data = dict(application.data)
    for name, options in choices.items():
        if len(options) == 1 and not data.get(name):
            data[name] = options[0].tracking_number
    application.data = data
    db.session.flush()


def subject_label(subject: str, record) -> str:
    """How a record is named to the person who owns it: trade name, key or address, NIT."""
    if subject == "legal_unit":
        return " · ".join(part for part in (record.name, record.nit) if part)
    if subject == "property":
        return " · ".join(part for part in (record.address, record.cadastral_key) if part)
    return " · ".join(part for part in (record.trade_name, record.address) if part)


# ---------------------------------------------------------------- the records page


def own_record(actor: User, subject: str, record_id: int):
    """One of the actor's records that they act for (owner, representative, or filer).

    Raises:
        NotFound: not among the actor's records, or a legal unit they neither own nor
            represent (someone else's NIT they once filed with).
    """
    record = next((r for r in records_of(actor.id, subject) if r.id == record_id), None)
    if record is None or not representatives.speaks_for(actor.id, record):
        raise NotFound("not_found")
    return record


def record_values(actor: User, subject: str, record) -> dict[str, object]:
    """A record's values as the actor may see them (`_details_for`)."""
    return _details_for(actor.id, subject, record)


def update_record(
    *, actor: User, subject: str, record_id: int, values: Mapping[str, object], ip=None
) -> list[str]:
    """Change one of the actor's records (one transaction); filed cases keep their own data.

    Args:
        values: Element name -> engine-checked value (`forms.records`); None clears it.

    Returns:
        The names of the elements that changed (audited by name, without their values).

    Raises:
        NotFound: see `own_record`.
    """
    record = own_record(actor, subject, record_id)
    before = _details(subject, record)
    given = {name: json_safe(value) for name, value in values.items()}
    changed = sorted(name for name, value in given.items() if before.get(name) != value)
    if changed:
        kept = {name: value for name, value in given.items() if value is not None}
        _update(subject, record, kept)
        record.details = {
            name: value
            for name, value in record.details.items()
            if not (name in given and given[name] is None)
        }
        for name in _COLUMNS[subject]:  # a column the person cleared
            if name in given and given[name] is None:
                setattr(record, name, None)
        db.session.add(
            AuditEvent(
                action="record.updated",
                actor_id=actor.id,
                subject=f"{subject}:{record.id}",
                ip=ip,
                detail={"changed": changed},
            )
        )
    db.session.commit()
    return changed


# ---------------------------------------------------------------- prerequisites


def _decided_on(case: Application) -> date:
    moment = case.decided_at or case.updated_at
    return moment.astimezone(effects.LOCAL_TZ).date()


def held_cases(applicant_id: int, exclude: int | None = None) -> list[Held]:
    """Every filed case the applicant holds as the prerequisite rule sees it, newest first.

    Its own cases, and those filed for a legal unit it acts for (owns or represents) by the
    unit's owner or representatives: a unit's resolutions are the unit's.
    """
    rows = db.session.scalars(
        sa.select(Application)
        .where(
            sa.or_(
                Application.applicant_id == applicant_id,
                Application.id.in_(_cases_of_units_acted_for(applicant_id)),
            ),
            Application.tracking_number.is_not(None),
            Application.id != (exclude or 0),
        )
        .options(selectinload(Application.procedure_version))
        .order_by(Application.filed_at.desc(), Application.id.desc())
    ).all()
    links: dict[int, dict[str, int]] = {}
    if rows:
        for link in db.session.scalars(
            sa.select(CaseSubject).where(CaseSubject.application_id.in_([r.id for r in rows]))
        ):
            links.setdefault(link.application_id, {})[link.role] = link.record_id
    held = []
    for case in rows:
        definition = definition_of(case.procedure_version)
        decided_on = _decided_on(case)
        held.append(
            Held(
                state_kind=definition.state(case.state).kind,
                decided_on=decided_on,
                expires_on=effects.expiry_of(definition, decided_on)
                if case.decided_at is not None
                else None,
                tracking_number=case.tracking_number,
                procedure=f"{definition.authority}/{definition.slug}",
                subjects=links.get(case.id, {}),
            )
        )
    return held


def _cases_of_units_acted_for(account_id: int) -> sa.Select:
    """Ids of cases filed for a legal unit the account acts for, by one of the unit's agents."""
    units = representatives.acting_units(account_id)
    if not units:
        return sa.select(Application.id).where(sa.false())
    agents = representatives.agents_of(units)
    return (
        sa.select(CaseSubject.application_id)
        .join(Application, Application.id == CaseSubject.application_id)
        .where(CaseSubject.legal_unit_id.in_(units), Application.applicant_id.in_(agents))
    )


def _by_procedure(
    definition: workflows.Definition, data: Mapping, held: Iterable[Held]
) -> dict[str, list[Held]]:
    """For each prerequisite, the cases that may count: of its procedure, or named in its field."""
    held = list(held)
    grouped: dict[str, list[Held]] = {}
    for item in definition.prerequisites:
        named = tracking_key(data.get(item.field)) if item.field else ""
        grouped[item.procedure] = [
            case
            for case in held
            if case.procedure == item.procedure or (named and case.tracking_number == named)
        ]
    return grouped


def statuses(
    application: Application,
    definition: workflows.Definition,
    data: Mapping | None = None,
    held: list[Held] | None = None,
) -> tuple[Status, ...]:
    """Where each prerequisite that applies to the case stands today (one rule for all).

    `held` is `held_cases` of the applicant when the caller has it already.
    """
    from portal.applications.facts import typed_data

    if not definition.prerequisites:
        return ()
    raw = application.data if data is None else data
    typed = typed_data(definition, raw) | {
        item.field: raw.get(item.field) for item in definition.prerequisites if item.field
    }
    if held is None:
        held = held_cases(application.applicant_id, application.id)
    return prerequisite_status(
        definition,
        typed,
        _by_procedure(definition, typed, held),
        effects.local_now().date(),
        subjects_of(application, definition, raw),
    )


def resolution_choices(
    application: Application, definition: workflows.Definition, held: list[Held] | None = None
) -> dict[str, list[Held]]:
    """For each resolution field, the applicant's cases that qualify, newest first."""
    fields = {item.procedure: item for item in definition.prerequisites if item.field}
    if not fields:
        return {}
    if held is None:
        held = held_cases(application.applicant_id, application.id)
    subjects = subjects_of(application, definition)
    today = effects.local_now().date()
    return {
        item.field: list(qualifying(item, [h for h in held if h.procedure == key], today, subjects))
        for key, item in fields.items()
    }


def procedure_of(key: str):
    """The catalogue procedure "AUTHORITY/slug" names, or None."""
    from portal.procedures.services import get_procedure

    authority, _, slug = key.partition("/")
    return get_procedure(authority, slug)


def case_by_number(number: str) -> Application | None:
    """The case with this tracking number (as stored), or None."""
    return db.session.scalar(sa.select(Application).where(Application.tracking_number == number))


def backfill() -> dict[str, int]:
    """Link the cases filed before records existed to their subjects (safe to run again).

    Each filed case without links is read, in filing order, as `record_case` reads a case
    being filed. A case pinned to a version from before the data dictionary is read with the
    bindings of its procedure's latest version, for the fields that kept their name and type.
    An establishment its registration created is linked to it.

    Returns:
        `{"cases": n, "links": m}`: cases read and links made.
    """
    from portal.procedures.services import latest_version

    linked = sa.select(CaseSubject.application_id)
    cases = db.session.scalars(
        sa.select(Application)
        .where(Application.tracking_number.is_not(None), Application.id.not_in(linked))
        .options(selectinload(Application.procedure_version), selectinload(Application.procedure))
        .order_by(Application.filed_at, Application.id)
    ).all()
    before = db.session.scalar(sa.select(sa.func.count(CaseSubject.id)))
    for case in cases:
        definition = definition_of(case.procedure_version)
        if not bound_subjects(definition):
            definition = _with_latest_bindings(
                definition, definition_of(latest_version(case.procedure))
            )
        record_case(case, definition)
        establishment = db.session.scalar(
            sa.select(Establishment).where(Establishment.application_id == case.id)
        )
        if establishment is not None:
            if establishment.valid_from is None:
                establishment.valid_from = establishment.registered_at.astimezone(
                    effects.LOCAL_TZ
                ).date()
            _link(case, "establishment", establishment)
            _attach_holder(case)
        db.session.flush()
    db.session.commit()
    after = db.session.scalar(sa.select(sa.func.count(CaseSubject.id)))
    return {"cases": len(cases), "links": after - before}


def _with_latest_bindings(
    old: workflows.Definition, latest: workflows.Definition
) -> workflows.Definition:
    """An old version read with the latest one's bindings, for fields of the same name and type."""
    from dataclasses import replace

    binds = {spec.name: spec for spec in latest.fields if spec.bind}
    fields = tuple(
        replace(spec, bind=binds[spec.name].bind)
        if spec.name in binds and binds[spec.name].type == spec.type
        else spec
        for spec in old.fields
    )
    return replace(old, fields=fields)
