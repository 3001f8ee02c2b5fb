"""The public catalogue: entries rebuilt on publication, searched and filtered in one query.

Search is accent- and case-insensitive (issue 8, item 1): on PostgreSQL, full-text search in the
`spanish` configuration over `catalogue_unaccent` (migration 0014) with prefix matching, so
`constru` finds "Construcción"; on SQLite, the folded text (`workflows.text.fold`) matched with
LIKE by the stems of the words typed (`workflows.text.terms`). `search` alone decides which.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

import workflows
from portal.applications.presenters import served_districts
from portal.authorities.models import Authority
from portal.authorities.services import list_districts
from portal.catalogue.models import CatalogueEntry
from portal.extensions import db
from portal.payments.assessment import Assessment, assess
from portal.procedures.models import Procedure, ProcedureVersion
from workflows.fees import fee_inputs
from workflows.life_events import LIFE_EVENTS
from workflows.text import fold, search_words
from workflows.text import terms as search_terms

#: The text-search configuration: Spanish stemming and stop words.
SPANISH = sa.literal_column("'spanish'::regconfig")
#: Longest query read, in characters (a search box, not a document).
MAX_QUERY = 100


def refresh_entries(procedure: Procedure) -> None:
    """Rebuild the catalogue entries of a procedure: one per published version (flush only).

    Called whenever a version is published (also by seeding) or retired.
    """
    from portal.procedures.services import definition_of

    db.session.execute(sa.delete(CatalogueEntry).where(CatalogueEntry.procedure_id == procedure.id))
    versions = db.session.scalars(
        sa.select(ProcedureVersion).where(
            ProcedureVersion.procedure_id == procedure.id, ProcedureVersion.status == "published"
        )
    )
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for version in versions:
        definition = definition_of(version)
        entry = _entry(procedure, version, definition)
        if postgres:
            entry.search_vector = _vector(definition, procedure.authority)
        db.session.add(entry)
    db.session.flush()


def _entry(procedure: Procedure, version: ProcedureVersion, definition) -> CatalogueEntry:
    authority = procedure.authority
    return CatalogueEntry(
        procedure_id=procedure.id,
        version_id=version.id,
        number=version.version,
        authority_id=authority.id,
        valid_from=version.valid_from,
        title=definition.title.to_dict(),
        summary=definition.summary.to_dict(),
        districts=_spaced(served_districts(definition, authority)),
        life_events=_spaced(definition.catalogue.life_events),
        search_text=fold(" ".join(_texts(definition, authority))),
    )


def _texts(definition: workflows.Definition, authority: Authority) -> list[str]:
    """What a search reads, in both languages: title, summary, purpose, office, the labels of
    its life events ("renovar", "open a business"), and the issuing authority's names."""
    catalogue = definition.catalogue
    texts = [definition.title, definition.summary, catalogue.purpose, catalogue.office]
    texts += [LIFE_EVENTS[code] for code in catalogue.life_events]
    words = [part for text in texts if text is not None for part in (text.es, text.en)]
    return [*words, authority.name, authority.short_name]


def _vector(definition: workflows.Definition, authority: Authority):
    """The tsvector of an entry: the title weighs most (A), then the rest (B)."""
    title = " ".join((definition.title.es, definition.title.en))
    rest = " ".join(_texts(definition, authority)[2:])

    def weighted(text: str, weight: str):
        vector = sa.func.to_tsvector(SPANISH, sa.func.catalogue_unaccent(text))
        return sa.func.setweight(vector, sa.literal_column(f"'{weight}'"))  # A or B

    return weighted(title, "A").op("||")(weighted(rest, "B"))


def _spaced(codes) -> str:
    return f" {' '.join(codes)} " if codes else ""


def filter_choices() -> tuple[list[Authority], list[Authority]]:
    """The filters' choices: every district, and every office with a procedure open now.

    Two statements whatever the number of procedures.
    """
    offices = sa.select(Authority).where(Authority.id.in_(sa.select(_in_force().c.authority_id)))
    return list_districts(), list(db.session.scalars(offices.order_by(Authority.short_name)))


def search(
    query: str = "", *, district: str = "", office: str = "", life_event: str = ""
) -> list[CatalogueEntry]:
    """Find the procedures open to new filings that match a search and filters.

    One statement whatever the number of procedures (entries with their procedure and
    authority joined).

    Args:
        query: Words as typed (`workflows.text.search_words`); every word must match (a prefix
            of a word suffices), in the title, summary, purpose, office, life events or issuing
            authority, in Spanish or English, whatever accents and case. The caller checks it
            is `searchable`; one without words lists everything.
        district: A district code: only procedures that can be filed there.
        office: An authority code: only the procedures it issues.
        life_event: A `workflows.life_events` code.

    Returns:
        The entries, best match first when searching, else in publication order.
    """
    found = _open()
    if district:
        found = found.where(CatalogueEntry.districts.contains(f" {district} ", autoescape=True))
    if office:
        found = found.where(CatalogueEntry.authority.has(Authority.code == office))
    if life_event:
        found = found.where(CatalogueEntry.life_events.contains(f" {life_event} ", autoescape=True))
    found = _matching(found, query).options(
        joinedload(CatalogueEntry.procedure), joinedload(CatalogueEntry.authority)
    )
    return list(db.session.scalars(found))


def open_entries() -> list[CatalogueEntry]:
    """Every procedure open to new filings: its entry in force, with its procedure, issuing
    authority and the version new cases take (two statements whatever their number)."""
    found = _open().options(
        joinedload(CatalogueEntry.procedure),
        joinedload(CatalogueEntry.authority),
        selectinload(CatalogueEntry.version),
    )
    return list(db.session.scalars(found.order_by(CatalogueEntry.procedure_id)))


def served(entry: CatalogueEntry) -> frozenset[str]:
    """The district codes where the entry's procedure is filed online, as its entry keeps
    them (`served_districts`, worked out when the version was published)."""
    return frozenset(entry.districts.split())


def _open():
    """The entries in force today (`_in_force`), one per procedure open to new filings."""
    return sa.select(CatalogueEntry).where(CatalogueEntry.id.in_(sa.select(_in_force().c.id)))


def estimate(procedure: Procedure, definition: workflows.Definition, data: dict) -> Assessment:
    """Assess the fees a case of `procedure` with these answers would be charged.

    Located as a case is (`create_draft`, `save_draft`): in the issuing district, or in the
    district its district field names; then typed and assessed as `request_payment` does.

    Args:
        procedure: The procedure (its issuing authority).
        definition: The definition new cases take.
        data: Answers as a draft stores them (`forms.builder.collected_data`).

    Returns:
        The `Assessment` (`missing_regime` when a district is needed and not given).
    """
    from portal.applications.effects import district_field
    from portal.applications.facts import typed_data

    district = procedure.authority if procedure.authority.is_district else None
    name = district_field(definition)
    if name and data.get(name):
        district = next((d for d in list_districts() if d.code == data[name]), None)
    return assess(definition, typed_data(definition, data), district)


def estimate_inputs(definition: workflows.Definition) -> tuple[str, ...]:
    """The fields the estimator asks: what the fee rules read, and the district if needed."""
    from portal.applications.effects import district_field

    names, needs_regime = fee_inputs(definition)
    district = district_field(definition)
    if needs_regime and district and district not in names:
        names = tuple(f.name for f in definition.fields if f.name in {*names, district})
    return names


def _in_force():
    """Per procedure, the newest published entry in force today: what `latest_version` takes."""
    from portal.applications.effects import local_now

    today = local_now().date()
    newer = aliased(CatalogueEntry)

    def in_force(entry):
        return sa.or_(entry.valid_from.is_(None), entry.valid_from <= today)

    return (
        sa.select(CatalogueEntry.id, CatalogueEntry.authority_id)
        .where(
            in_force(CatalogueEntry),
            ~sa.exists().where(
                newer.procedure_id == CatalogueEntry.procedure_id,
                newer.number > CatalogueEntry.number,
                in_force(newer),
            ),
        )
        .subquery()
    )


def _matching(found, query: str):
    words = search_words(query[:MAX_QUERY])[:10]
    if not words:
        return found.order_by(CatalogueEntry.procedure_id)
    if db.session.get_bind().dialect.name == "postgresql":
        terms = sa.func.to_tsquery(
            SPANISH, sa.func.catalogue_unaccent(" & ".join(f"{word}:*" for word in words))
        )
        return found.where(CatalogueEntry.search_vector.op("@@")(terms)).order_by(
            sa.func.ts_rank(CatalogueEntry.search_vector, terms).desc(),
            CatalogueEntry.procedure_id,
        )
    for term in dict.fromkeys(
        search_terms(" ".join(words))
    ):  # stems, as PostgreSQL's `spanish` cuts
        found = found.where(CatalogueEntry.search_text.like(f"%{term}%"))
    return found.order_by(CatalogueEntry.procedure_id)
