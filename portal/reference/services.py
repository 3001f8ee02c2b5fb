"""The CLAEES activity codes: seed the dated table from its data file, find codes by words.

Source and version of the table: the header of `data/claees_cat019.csv`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.reference.models import ActivityCode
from workflows.text import fold

DATA_FILE = Path(__file__).with_name("data") / "claees_cat019.csv"
#: The table in force; a new catalogue is a new version beside the old one.
TABLE_VERSION = "CAT-019/2024"
VALID_FROM = date(2024, 1, 1)
_WORD = re.compile(r"[a-z0-9]+")
#: Short words that begin many others ("con" begins "construccion"): never a stem.
_STOP = frozenset(
    {"con", "del", "las", "los", "por", "para", "sus", "sin", "una", "otro", "otros", "otras"}
)


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


def search_activities(words: str, limit: int = 20) -> list[Activity]:
    """Find activities by words typed any way: "panaderia" finds "Fabricación de pan...".

    Words are folded (`workflows.text.fold`: no accents, no case). A typed word matches a word
    of a description that begins with its first five letters ("mecanico" finds "mecánica"),
    or that it begins with, when that word has three letters or more ("panaderia" finds
    "pan", "tortilleria" finds "tortillas"); digits match the start of the code. Words of
    fewer than three letters ("de", "y") are ignored. The activities matching the most words
    come first, then by code. The table has some 800 rows: they are compared in Python, the
    same on PostgreSQL and SQLite.

    Args:
        words: What the person typed ("panadería", "taller mecanico", "10712").
        limit: Most activities returned.

    Returns:
        The best matches; empty when nothing usable was typed or nothing matches.
    """
    terms = [term for term in _WORD.findall(fold(words)) if len(term) >= 3 or term.isdigit()]
    if not terms:
        return []
    rows = db.session.execute(
        sa.select(ActivityCode.code, ActivityCode.description, ActivityCode.folded).where(
            ActivityCode.table_version == TABLE_VERSION
        )
    )
    scored = []
    for code, description, folded in rows:
        vocabulary = _WORD.findall(folded)
        score = sum(1 for term in terms if _matches(term, code, vocabulary))
        if score:
            scored.append((-score, code, description))
    scored.sort()
    return [Activity(code, description) for _, code, description in scored[:limit]]


def _matches(term: str, code: str, vocabulary: list[str]) -> bool:
    if term.isdigit():
        return code.startswith(term)
    stem = term[:5]
    return any(
        word.startswith(stem) or (len(word) >= 3 and word not in _STOP and term.startswith(word))
        for word in vocabulary
    )
