"""Seed and query authorities and the scope of a staff member."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import sqlalchemy as sa
import yaml

from portal.authorities.models import Authority, AuthorityDayOff
from portal.extensions import db
from workflows.calendar import BusinessCalendar

DATA_FILE = Path(__file__).with_name("data") / "authorities.yaml"


def seed_authorities(path: Path = DATA_FILE) -> int:
    """Insert or update every authority of the seed file; return how many were created."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    existing = {a.code: a for a in db.session.scalars(sa.select(Authority))}
    created = 0
    for row in rows:
        authority = existing.get(row["code"])
        if authority is None:
            authority = Authority(code=row["code"])
            db.session.add(authority)
            existing[row["code"]] = authority
            created += 1
        authority.kind = row["kind"]
        authority.name = row["name"]
        authority.short_name = row["short_name"]
        authority.tracking_prefix = row["prefix"]
        authority.tariff_regime = row.get("tariff_regime")
        authority.served_by = list(row.get("served_by", []))
        authority.seat = row.get("seat")
        authority.parent = existing[row["parent"]] if row.get("parent") else None
    db.session.flush()
    for row in rows:
        _seed_days_off(existing[row["code"]], row.get("days_off", []))
    return created


def _seed_days_off(authority: Authority, days: list[dict]) -> None:
    known = {
        (d.year, d.month, d.day)
        for d in db.session.scalars(
            sa.select(AuthorityDayOff).where(AuthorityDayOff.authority_id == authority.id)
        )
    }
    for day in days:
        key = (day.get("year"), day["month"], day["day"])
        if key not in known:
            db.session.add(
                AuthorityDayOff(
                    authority_id=authority.id,
                    year=key[0],
                    month=key[1],
                    day=key[2],
                    name=day["name"],
                )
            )


def calendar_for(authority: Authority, around: int | None = None) -> BusinessCalendar:
    """The business calendar of an authority: national holidays plus its and its parents' days off.

    Recurring days off are expanded for the years around `around` (default: this year), which
    covers every legal period the portal counts.
    """
    chain, current = [], authority
    while current is not None:
        chain.append(current.id)
        current = current.parent
    rows = db.session.scalars(
        sa.select(AuthorityDayOff).where(AuthorityDayOff.authority_id.in_(chain))
    ).all()
    year = around or date.today().year
    days = set()
    for row in rows:
        for y in [row.year] if row.year else range(year - 1, year + 3):
            try:
                days.add(date(y, row.month, row.day))
            except ValueError:  # 29 February in a common year
                continue
    return BusinessCalendar(extra_days_off=days)


def get_authority(code: str) -> Authority | None:
    return db.session.scalar(sa.select(Authority).where(Authority.code == code))


def list_districts(served_by: str | None = None) -> list[Authority]:
    """Return the districts, optionally only those an office serves, by name."""
    districts = db.session.scalars(
        sa.select(Authority).where(Authority.kind == "distrito").order_by(Authority.short_name)
    ).all()
    if served_by is None:
        return list(districts)
    return [d for d in districts if served_by in (d.served_by or [])]


def scope_ids(authority_id: int, all_authorities: Iterable[Authority] | None = None) -> set[int]:
    """Return the id of an authority and of all its descendants."""
    rows = (
        all_authorities if all_authorities is not None else db.session.scalars(sa.select(Authority))
    )
    children: dict[int | None, list[int]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row.id)
    found, stack = set(), [authority_id]
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(children.get(current, []))
    return found
