"""The filters of the supervisors' reports: a period, a procedure and a district."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import ValidationError

from forms.builder import DayMonthYearField, DayMonthYearInput
from forms.messages import date_message, message_for
from workflows.conditions import DateError, parse_date

#: The period shown when none is asked for: the last 90 days, today included.
DEFAULT_PERIOD_DAYS = 90


def _read_date(field) -> date | None:
    """The date typed in the three boxes, None when all are blank; the reason as a message."""
    if not field.data:
        return None
    try:
        return parse_date(field.data)
    except DateError as refused:
        raise ValidationError(date_message(refused)) from refused


class ReportFilterForm(FlaskForm):
    """Read from the query string (GET, no CSRF): `desde-day`..., `tramite`, `distrito`.

    `start` and `end` hold the period after `validate()` (the default when left blank);
    `procedure_id` and `district_id` the ids chosen, or None for all. The caller passes the
    choices it may show (`set_choices`), so a procedure or district out of the person's scope
    is refused at its field.
    """

    class Meta:
        csrf = False

    desde = DayMonthYearField(_l("Desde"), widget=DayMonthYearInput())
    hasta = DayMonthYearField(_l("Hasta"), widget=DayMonthYearInput())
    tramite = SelectField(_l("Trámite"), widget=GovSelect(), validate_choice=False)
    distrito = SelectField(_l("Distrito"), widget=GovSelect(), validate_choice=False)
    submit = SubmitField(_l("Ver informes"), widget=GovSubmitInput(), name="")

    start: date
    end: date
    procedure_id: int | None = None
    district_id: int | None = None

    def set_choices(
        self,
        procedures: Sequence[tuple[int, str]],
        districts: Sequence[tuple[int, str]],
        today: date,
    ) -> None:
        """Offer these (id, name) pairs, and fill blank dates with the default period."""
        everything = [("", str(_l("Todos")))]
        self.tramite.choices = everything + [(str(i), name) for i, name in procedures]
        self.distrito.choices = everything + [(str(i), name) for i, name in districts]
        self._today = today
        for field, day in (
            (self.desde, today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)),
            (self.hasta, today),
        ):
            if not any(part.strip() for part in field.parts):
                field.parts = (str(day.day), str(day.month), str(day.year))
                field.data = ""

    def validate_desde(self, field) -> None:
        day = _read_date(field)
        self.start = day or self._today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)

    def validate_hasta(self, field) -> None:
        day = _read_date(field)
        self.end = day or self._today
        start = getattr(self, "start", None)
        if start is not None and not self.desde.errors and self.end < start:
            raise ValidationError(message_for("dates_reversed"))

    def validate_tramite(self, field) -> None:
        self.procedure_id = _chosen(field, _l("Elija un trámite de la lista."))

    def validate_distrito(self, field) -> None:
        self.district_id = _chosen(field, _l("Elija un distrito de la lista."))


def _chosen(field, message) -> int | None:
    if not field.data:
        return None
    if field.data not in {value for value, _label in field.choices}:
        raise ValidationError(message)
    return int(field.data)
