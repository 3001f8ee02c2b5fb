"""Dated reference data: the CLAEES tables (seed, new versions, search) and new value versions.

Source and version of the seeded CLAEES table: the header of `data/claees_cat019.csv`. A new
table or value is a new version from a date (`portal.reference.values`): nothing in force is
rewritten, so a past date reads what was in force then.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from portal.errors import InvalidInput
from portal.extensions import db
from portal.reference import values
from portal.reference.models import ActivityCode, ReferenceValue
from workflows.text import fold, terms

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.authorities.models import Authority

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


def table_version_on(on: date | None = None) -> str:
    """Return the CLAEES table version in force on `on` (None: today in El Salvador).

    The latest version from that day or before; the seeded table when none was (a date
    before it reads the first table there is).
    """
    if on is None:
        from portal.applications.effects import local_now

        on = local_now().date()
    found = db.session.scalar(
        sa.select(ActivityCode.table_version)
        .where(ActivityCode.valid_from <= on)
        .order_by(ActivityCode.valid_from.desc(), ActivityCode.id.desc())
        .limit(1)
    )
    return found or TABLE_VERSION


def get_activity(code: str, on: date | None = None) -> Activity | None:
    """Return the activity with this code in the table in force on `on` (today), or None."""
    row = db.session.scalar(
        sa.select(ActivityCode).where(
            ActivityCode.table_version == table_version_on(on), ActivityCode.code == code.strip()
        )
    )
    return None if row is None else Activity(row.code, row.description)


def search_activities(words: str, limit: int = 8, on: date | None = None) -> list[Activity]:
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
        on: The date whose table is searched (`table_version_on`; None: today).

    Returns:
        The best matches; empty when nothing usable was typed or nothing matches.
    """
    rows = db.session.execute(
        sa.select(ActivityCode.code, ActivityCode.description).where(
            ActivityCode.table_version == table_version_on(on)
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


# --- New versions from the admin console ------------------------------------------------------


@dataclass(frozen=True)
class TableVersion:
    """A CLAEES table version as the admin console lists it."""

    table_version: str
    valid_from: date
    codes: int


def list_table_versions() -> list[TableVersion]:
    """Every CLAEES table version, newest first, with how many codes it has."""
    rows = db.session.execute(
        sa.select(
            ActivityCode.table_version, ActivityCode.valid_from, sa.func.count(ActivityCode.id)
        )
        .group_by(ActivityCode.table_version, ActivityCode.valid_from)
        .order_by(ActivityCode.valid_from.desc())
    ).all()
    return [TableVersion(*row) for row in rows]


_CODE = re.compile(r"\d{4,5}")
MAX_DESCRIPTION = 300


class TableRowsInvalid(InvalidInput):
    """Rows of an uploaded table are wrong; `problems` lists `(line, code, params)` for each."""

    def __init__(self, problems: list[tuple[int, str, dict]]) -> None:
        super().__init__("table_rows_invalid", field="file", count=len(problems))
        self.problems = problems


def read_table(text: str) -> list[tuple[str, str]]:
    """Read an uploaded CLAEES table (`code,description`, `#` comments), checked row by row.

    Raises:
        InvalidInput: `table_header` (the first line is not `code,description`).
        TableRowsInvalid: each wrong row with its line: `code_format` (four or five digits),
            `code_repeated`, `description_required`, `description_too_long`; `table_empty`.
    """
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if not line.startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header != ["code", "description"]:
        raise InvalidInput("table_header", field="file")
    rows, problems, seen = [], [], set()
    for (line, _), cells in zip(lines[1:], reader, strict=False):
        if not any(cell.strip() for cell in cells):
            continue
        code = cells[0].strip()
        description = " ".join(",".join(cells[1:]).split())
        if not _CODE.fullmatch(code):
            problems.append((line, "code_format", {"value": code}))
        elif code in seen:
            problems.append((line, "code_repeated", {"value": code}))
        if not description:
            problems.append((line, "description_required", {}))
        elif len(description) > MAX_DESCRIPTION:
            problems.append((line, "description_too_long", {"max": MAX_DESCRIPTION}))
        seen.add(code)
        rows.append((code, description))
    if problems:
        raise TableRowsInvalid(problems)
    if not rows:
        raise InvalidInput("table_empty", field="file")
    return rows


def add_table_version(
    *, table_version: str, valid_from: date, text: str, today: date, actor: User
) -> int:
    """Store a new CLAEES table version in force from `valid_from`; commit; return its size.

    Raises:
        InvalidInput: `version_required`, `version_exists` (at `table_version`);
            `valid_from_past` (at `valid_from`: a table from a past date would change what
            cases already filed were classified with); or what `read_table` raises.
    """
    table_version = table_version.strip()
    if not table_version:
        raise InvalidInput("version_required", field="table_version")
    exists = sa.select(ActivityCode.id).where(ActivityCode.table_version == table_version)
    if db.session.scalar(exists.limit(1)) is not None:
        raise InvalidInput("version_exists", field="table_version", version=table_version)
    _not_past(valid_from, today)
    rows = read_table(text)
    db.session.add_all(
        ActivityCode(
            table_version=table_version,
            valid_from=valid_from,
            code=code,
            description=description,
            folded=fold(description),
        )
        for code, description in rows
    )
    _audit(
        actor, "reference.claees_added", table_version,
        before={"table_version": table_version_on(valid_from)},
        after={"table_version": table_version, "valid_from": valid_from.isoformat(),
               "codes": len(rows)},
    )  # fmt: skip
    db.session.commit()
    return len(rows)


def add_value_version(
    *,
    kind: str,
    key: str,
    value: dict,
    valid_from: date,
    source: str,
    today: date,
    actor: User,
    authority: Authority | None = None,
    confirmed: bool = False,
) -> ReferenceValue:
    """Add a version of a reference value in force from `valid_from`; commit.

    The value is checked for its kind (`_check`); the version before it stays in force up to
    the day before. A date in the past is refused: cases filed or decided since then were
    assessed with the value in force, and a new version must not change what they were told.

    Args:
        confirmed: The admin saw and confirmed a large change (`LargeChange`).

    Raises:
        InvalidInput: `valid_from_past`, `version_exists` (a version of that key from that very
            date: add one from another date, or correct that one while it is not in force),
            `source_required`, or the value's own codes.
        LargeChange: unless `confirmed`, a number moves by more than half from the version it
            follows.
    """
    _check(kind, key, value)
    if not source.strip():
        raise InvalidInput("source_required", field="source")
    _not_past(valid_from, today)
    authority_id = authority.id if authority is not None else None
    _no_other_on(kind, key, authority_id, valid_from)
    before = values.version_on(kind, key, valid_from, authority_id)
    _not_too_far(kind, before, value, confirmed)
    row = ReferenceValue(
        kind=kind,
        key=key,
        authority_id=authority_id,
        valid_from=valid_from,
        value=value,
        source=source.strip(),
    )
    db.session.add(row)
    subject = f"{kind}:{key}" + (f":{authority.code}" if authority is not None else "")
    _audit(
        actor, "reference.version_added", subject,
        before=None if before is None else {"valid_from": before.valid_from.isoformat(),
                                            "value": before.value},
        after={"valid_from": valid_from.isoformat(), "value": value, "source": row.source},
    )  # fmt: skip
    if kind == values.CALENDAR_SETTINGS:  # open cases take the dates of the new settings
        from portal.deadlines.services import calendar_changed

        calendar_changed(authority_id)
    db.session.commit()
    return row


class LargeChange(InvalidInput):
    """A number of a new version moves by more than half from the version in force before it.

    Attributes:
        changes: `(field, before, after)` of each such number, as Decimals.
        since: Since when the version it follows is in force.
    """

    def __init__(self, changes: list[tuple[str, Decimal, Decimal]], since: date) -> None:
        super().__init__("large_change", field=changes[0][0])
        self.changes, self.since = changes, since


def _not_too_far(kind: str, before: ReferenceValue | None, value: dict, confirmed: bool) -> None:
    if before is None or confirmed:
        return
    changes = []
    for name in values.NUMBERS.get(kind, ()):
        old, new = Decimal(str(before.value[name])), Decimal(str(value[name]))
        if old > 0 and abs(new - old) * 2 > old:
            changes.append((name, old, new))
    if changes:
        raise LargeChange(changes, before.valid_from)


def _no_other_on(kind: str, key: str, authority_id, valid_from: date, besides: int = 0) -> None:
    same_day = sa.select(ReferenceValue.id).where(
        ReferenceValue.kind == kind,
        ReferenceValue.key == key,
        ReferenceValue.authority_id.is_not_distinct_from(authority_id),
        ReferenceValue.valid_from == valid_from,
        ReferenceValue.id != besides,
    )
    if db.session.scalar(same_day) is not None:
        raise InvalidInput("version_exists", field="valid_from", version=valid_from)


def future_version(row_id: int, kind: str, today: date) -> ReferenceValue | None:
    """Return a version of `kind` not yet in force (from after `today`), or None."""
    row = version_of(row_id, kind)
    if row is None or row.valid_from <= today:
        return None
    return row


def version_of(row_id: int, kind: str) -> ReferenceValue | None:
    """Return the version `row_id` of `kind`, in force or not, or None."""
    row = db.session.get(ReferenceValue, row_id)
    return row if row is not None and row.kind == kind else None


def _picture(row: ReferenceValue) -> dict:
    return {"valid_from": row.valid_from.isoformat(), "value": row.value, "source": row.source}


def _subject(row: ReferenceValue) -> str:
    return f"{row.kind}:{row.key}" + (f":{row.authority_id}" if row.authority_id else "")


def correct_value_version(
    *,
    row: ReferenceValue,
    value: dict,
    valid_from: date,
    source: str,
    today: date,
    actor: User,
    confirmed: bool = False,
) -> ReferenceValue:
    """Correct a version not yet in force (value, date, source); audited; commit.

    A version in force is never rewritten: what was computed with it stays as it was.

    Raises:
        InvalidInput: `version_in_force` (it rules since today or before), what
            `add_value_version` raises for the corrected value and date.
        LargeChange: as `add_value_version`, against the version it then follows.
    """
    from portal.audit.services import record_admin_change

    if row.valid_from <= today:
        raise InvalidInput("version_in_force", field="valid_from", day=row.valid_from)
    _check(row.kind, row.key, value)
    if not source.strip():
        raise InvalidInput("source_required", field="source")
    _not_past(valid_from, today)
    _no_other_on(row.kind, row.key, row.authority_id, valid_from, besides=row.id)
    follows = values.version_on(row.kind, row.key, valid_from, row.authority_id, besides=row.id)
    _not_too_far(row.kind, follows, value, confirmed)
    before = _picture(row)
    row.value, row.valid_from, row.source = value, valid_from, source.strip()
    record_admin_change(
        actor, "reference.version_corrected", _subject(row), before=before,
        after=_picture(row), authority_id=row.authority_id,
    )  # fmt: skip
    db.session.commit()
    return row


def withdraw_value_version(*, row: ReferenceValue, today: date, actor: User) -> None:
    """Withdraw a version not yet in force (the one before it goes on); audited; commit.

    Raises:
        InvalidInput: `version_in_force` (it rules since today or before).
    """
    from portal.audit.services import record_admin_change

    if row.valid_from <= today:
        raise InvalidInput("version_in_force", field="submit", day=row.valid_from)
    record_admin_change(
        actor, "reference.version_withdrawn", _subject(row), before=_picture(row), after=None,
        authority_id=row.authority_id,
    )  # fmt: skip
    db.session.delete(row)
    db.session.commit()


def _check(kind: str, key: str, value: dict) -> None:
    """Refuse a value its kind cannot have, at the field that holds it."""
    if kind == values.MINIMUM_WAGE:
        if key not in values.WAGE_SECTORS:
            raise InvalidInput("invalid_choice", field="sector")
        if Decimal(value["monthly"]) <= 0:
            raise InvalidInput("amount_positive", field="monthly")
    elif kind == values.MYPE_RULE:
        for name in values.MYPE_FIELDS:
            if value[name] <= 0:
                raise InvalidInput("amount_positive", field=name)
        if value["micro_max_wages"] >= value["small_max_wages"]:
            raise InvalidInput("micro_below_small", field="small_max_wages")
        if value["micro_max_workers"] >= value["small_max_workers"]:
            raise InvalidInput("micro_below_small", field="small_max_workers")
    elif kind == values.CALENDAR_SETTINGS:
        from workflows.calendar import HOLY_WEEK_VARIANTS

        if value["holy_week"] not in (None, *HOLY_WEEK_VARIANTS):
            raise InvalidInput("invalid_choice", field="holy_week")
    elif value.get("regime") not in values.TARIFF_REGIMES:
        raise InvalidInput("invalid_choice", field="regime")


def _not_past(valid_from: date, today: date) -> None:
    if valid_from < today:
        raise InvalidInput("valid_from_past", field="valid_from", today=today)


def _audit(actor: User, action: str, subject: str, *, before, after) -> None:
    from portal.accounts.models import AuditEvent

    db.session.add(
        AuditEvent(
            actor_id=actor.id,
            action=action,
            subject=subject[:200],
            detail={"before": before, "after": after},
        )
    )
