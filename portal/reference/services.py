"""The CLAEES activity codes: seed the dated table from its data file, find codes by words.

Source and version of the table: the header of `data/claees_cat019.csv`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.reference.models import ActivityCode
from workflows.text import fold, terms

DATA_FILE = Path(__file__).with_name("data") / "claees_cat019.csv"
#: The table in force; a new catalogue is a new version beside the old one.
TABLE_VERSION = "CAT-019/2024"
VALID_FROM = date(2024, 1, 1)
#: Everyday words and the words CAT-019 uses for them (ours; source in its header).
SYNONYMS_FILE = DATA_FILE.with_name("activity_synonyms.csv")
#: Longest text read, in characters (a search box, not a document).
MAX_QUERY = 200


@dataclass(frozen=True)
class Activity:
    """An activity as pages show it: code and Spanish description."""

    code: str
    description: str


def read_codes(path: Path = DATA_FILE) -> list[tuple[str, str]]:
    """Return (code, description) pairs of the data file, in file order (comments skipped)."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [(row["code"], row["description"]) for row in csv.DictReader(lines)]


def seed_activity_codes() -> int:
    """Write the table's codes not yet stored (flush only); return how many were added.

    Idempotent: a second run adds nothing; a corrected description is written anew.
    """
    stored = {
        row.code: row
        for row in db.session.scalars(
            sa.select(ActivityCode).where(ActivityCode.table_version == TABLE_VERSION)
        )
    }
    added = 0
    for code, description in read_codes():
        row = stored.get(code)
        if row is None:
            db.session.add(
                ActivityCode(
                    table_version=TABLE_VERSION,
                    valid_from=VALID_FROM,
                    code=code,
                    description=description,
                    folded=fold(description),
                )
            )
            added += 1
        elif row.description != description:
            row.description, row.folded = description, fold(description)
    db.session.flush()
    return added


def get_activity(code: str) -> Activity | None:
    """Return the activity with this code in the table in force, or None."""
    row = db.session.scalar(
        sa.select(ActivityCode).where(
            ActivityCode.table_version == TABLE_VERSION, ActivityCode.code == code.strip()
        )
    )
    return None if row is None else Activity(row.code, row.description)


def search_activities(words: str, limit: int = 8) -> list[Activity]:
    """Find activities by everyday words: "taller de motos" finds "Mantenimiento y reparación
    de motocicletas".

    Words are read as `workflows.text.terms` reads them (no accents, no case, no stop words,
    Spanish stems): a typed word matches a description's word with the same stem, never a
    longer word that begins alike ("bar" finds "bares", not "barquillos"); digits match the
    start of the code. A typed word also matches the words that `data/activity_synonyms.csv`
    gives for it ("taller" → "reparación", "mantenimiento"). A word that matches nothing does
    not hide the matches of the others. Ranked by: most typed words matched (an activity
    matching them all first), rarer words matched (a word in few descriptions says more than
    "venta"), more of the description's words matched, words matched as typed rather than
    through a synonym, the first match nearer the start, shorter descriptions, then code. The
    table has some 800 rows: they are compared in Python, the same on PostgreSQL and SQLite.

    Args:
        words: What the person typed ("panadería", "taller mecanico", "10712").
        limit: Most activities returned.

    Returns:
        The best matches; empty when nothing usable was typed or nothing matches.
    """
    rows = db.session.execute(
        sa.select(ActivityCode.code, ActivityCode.description).where(
            ActivityCode.table_version == TABLE_VERSION
        )
    ).all()
    return [Activity(code, description) for code, description in rank(words, rows)[:limit]]


def rank(words: str, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the (code, description) rows that match `words`, best first (`search_activities`)."""
    wanted = _wanted(words[:MAX_QUERY])
    found = [(code, text, _matches(wanted, code, text)) for code, text in rows]
    found = [item for item in found if any(item[2])]
    frequency = [sum(1 for *_, hits in found if hits[i]) for i in range(len(wanted))]
    weight = [math.log((len(rows) + 1) / (count or 1)) for count in frequency]
    found.sort(
        key=lambda item: _rank(wanted, weight, item[0], _description_terms(item[1]), item[2])
    )
    return [(code, text) for code, text, _ in found]


@dataclass(frozen=True)
class _Wanted:
    """A typed term and the stems it matches: itself, and those its synonyms give."""

    typed: str
    stems: frozenset[str]


def _wanted(words: str) -> list[_Wanted]:
    typed = list(dict.fromkeys(terms(words)))
    extra: dict[str, set[str]] = {term: set() for term in typed}
    for key, means in synonyms():
        if key <= extra.keys():
            for term in key:
                extra[term] |= means
    return [_Wanted(term, frozenset({term, *extra[term]})) for term in typed]


def _matches(wanted: list[_Wanted], code: str, description: str) -> tuple[frozenset[str], ...]:
    """Per typed term, the description's stems it matches ({code} for digits of the code)."""
    stems = frozenset(_description_terms(description))
    return tuple(
        (frozenset({term.typed}) if code.startswith(term.typed) else frozenset())
        if term.typed.isdigit()
        else term.stems & stems
        for term in wanted
    )


def _rank(wanted, weight, code: str, stems: tuple[str, ...], hits) -> tuple:
    matched = [i for i, hit in enumerate(hits) if hit]
    words = frozenset().union(*hits) & frozenset(stems)
    first = min((stems.index(stem) for stem in words), default=0)
    return (
        -len(matched),
        -round(sum(weight[i] for i in matched), 6),
        -len(words),
        -sum(1 for i in matched if wanted[i].typed in hits[i]),
        first,
        len(stems) if words else 0,
        code,
    )


@lru_cache(maxsize=2048)
def _description_terms(description: str) -> tuple[str, ...]:
    return terms(description)


@lru_cache(maxsize=1)
def synonyms(path: Path = SYNONYMS_FILE) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Return the everyday words of `data/activity_synonyms.csv` as (typed stems, meant stems).

    A line applies when all its typed stems were typed; each of them then also matches the
    meant stems. Read once per process.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return tuple(
        (frozenset(terms(row["typed"])), frozenset(terms(row["means"])))
        for row in csv.DictReader(lines)
    )
