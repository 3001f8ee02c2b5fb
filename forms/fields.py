"""Fields that GOV.UK widgets need a little help with."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField
from wtforms.utils import unset_value


class DayMonthYearField(DateField):
    """A date typed in GOV.UK's three boxes (day, month, year), all posted under one name.

    The widget needs exactly three raw values to redraw what was typed; a post with fewer
    (a crafted one, or none at all) must give a Spanish message, not an error page.
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
            day, month, year = (int(v) for v in valuelist)
            self.data = datetime(year, month, day).date()
        except (TypeError, ValueError) as error:
            self.data = None
            raise ValueError(str(_l("Escriba una fecha real, como 27 3 2026."))) from error


class SpanishDateInput(GovDateInput):
    """GOV.UK's date input with its box labels translated (the package hard-codes English)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        labels = (_l("Día"), _l("Mes"), _l("Año"))
        for item, label in zip(params["items"], labels, strict=True):
            item["label"] = str(label)
        return params
