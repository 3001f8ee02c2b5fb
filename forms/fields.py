"""Fields that GOV.UK widgets need a little help with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField
from wtforms.utils import unset_value
from wtforms.validators import Length

from forms.messages import date_message
from workflows.conditions import DateError, parse_date

#: The longest comment, reason or record a person may type (characters), as the services keep it.
LONG_TEXT_MAX = 5000


def long_text() -> Length:
    """The one limit of a comment, reason, minutes or note, with its Spanish message at the
    field (the text typed stays in the box)."""
    return Length(max=LONG_TEXT_MAX, message=_l("Escriba como máximo 5000 caracteres."))


class DayMonthYearField(DateField):
    """A date typed in GOV.UK's three boxes (day, month, year), all posted under one name.

    The widget needs exactly three raw values to redraw what was typed; a post with fewer
    (a crafted one, or none at all) must give a Spanish message, not an error page. The boxes
    are read by the project's one date rule (`workflows.conditions.parse_date`, joined as
    `D/M/YYYY`), so each impossible part gets its own message (`20 12 26`: the year needs
    four digits), as the applicant's forms and the reports say it.
    """

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if self.raw_data is not None and len(self.raw_data) != 3:
            self.raw_data = [*list(self.raw_data)[:3], "", "", ""][:3]
            self.data = None

    def process_formdata(self, valuelist):
        if not valuelist or not any(v.strip() for v in valuelist):
            self.data = None
            return
        try:
            parts = [str(v).strip() for v in valuelist][:3]
            self.data = parse_date("/".join([*parts, "", ""][:3]))
        except DateError as refused:
            self.data = None
            raise ValueError(date_message(refused)) from refused


class SpanishDateInput(GovDateInput):
    """GOV.UK's date input with its box labels translated (the package hard-codes English)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        labels = (_l("Día"), _l("Mes"), _l("Año"))
        for item, label in zip(params["items"], labels, strict=True):
            item["label"] = str(label)
        return params
