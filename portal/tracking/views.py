"""/seguimiento: anyone with a tracking number and its code sees the state and dates."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale

from forms.tracking import CaseTrackingForm
from portal.extensions import limiter
from portal.tracking import services

bp = Blueprint("tracking", __name__, url_prefix="/seguimiento")

#: Guessing codes must be slow: per address, a few look-ups a minute, not many an hour.
LOOKUPS = "10 per minute;60 per hour"


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(LOOKUPS, methods=["POST"])
def lookup():
    form = CaseTrackingForm()
    found = None
    not_found = False
    if form.validate_on_submit():
        found = services.find_case(form.number.data, form.code.data, str(get_locale()))
        not_found = found is None
    return render_template("tracking/lookup.html", form=form, found=found, not_found=not_found), (
        404 if not_found else 200
    )
