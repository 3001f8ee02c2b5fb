"""The public calendar: an authority's non-working days of a year, each with its legal source."""

from __future__ import annotations

import re

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale

from portal.applications.effects import local_now
from portal.authorities import services
from portal.views_util import int_arg

bp = Blueprint("authorities", __name__, url_prefix="/calendario")

FIRST_YEAR, LAST_YEAR = 1990, 2100
_CODE = re.compile(r"[A-Za-z0-9-]{1,20}")  # what an authority code looks like (no NUL, no /)


@bp.get("/")
def calendar_index():
    """The chooser; a submitted choice goes to the authority's page for that year."""
    code = request.args.get("institucion", "").strip().upper()
    year = int_arg("anio", local_now().year, minimum=FIRST_YEAR, maximum=LAST_YEAR)
    if code:
        # Only a code can go into the path: "../../admin" would lead out of the calendar.
        if not _CODE.fullmatch(code):
            abort(404)
        return redirect(url_for(".calendar", authority=code, year=year))
    return render_template(
        "authorities/calendar_index.html", authorities=services.list_authorities(), year=year
    )


@bp.get("/<authority>")
def calendar_this_year(authority: str):
    """An authority's calendar without a year: this year's page (El Salvador's date)."""
    if not _CODE.fullmatch(authority):
        abort(404)
    return redirect(url_for(".calendar", authority=authority, year=local_now().year))


@bp.get(f"/<authority>/<int(min={FIRST_YEAR}, max={LAST_YEAR}):year>")
def calendar(authority: str, year: int):
    found = services.get_authority(authority.upper()) if _CODE.fullmatch(authority) else None
    if found is None:
        abort(404)
    if found.code != authority:  # "opamss", typed or linked: the page has one address
        return redirect(url_for(".calendar", authority=found.code, year=year), 301)
    return render_template(
        "authorities/calendar.html",
        authority=found,
        year=year,
        summary=services.calendar_year(found, year),
        authorities=services.list_authorities(),
        locale=str(get_locale()),
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
    )
