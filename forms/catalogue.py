"""The catalogue's GET forms: the search and filters, and a procedure's fee estimator."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from forms.builder import wtf_field
from forms.messages import message_for
from workflows import Definition
from workflows.text import searchable


class _GetForm(FlaskForm):
    """A form read from the query string: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False


def _among_choices(form, field) -> None:
    if field.data and field.data not in {value for value, _label in field.choices}:
        raise ValidationError(message_for("invalid_choice"))


def _says_something(form, field) -> None:
    if field.data and not searchable(field.data):
        raise ValidationError(_l("Escriba al menos dos letras."))


def _filter(label) -> SelectField:
    return SelectField(
        label, widget=GovSelect(), validators=[Optional(), _among_choices], validate_choice=False
    )


class CatalogueSearchForm(_GetForm):
    """What a person looks for: words, a district, an office, a life event (all optional).

    The caller sets each select's `choices` (from the authorities table and
    `workflows.life_events`); a value not among them is an error at the field, and so are words
    without two letters together (`workflows.text.searchable`: "ñ", "%", "7" would list all).
    """

    q = StringField(
        _l("Buscar un trámite"),
        description=_l("Por ejemplo: rótulo, construcción, establecimiento."),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=100, message=_l("Escriba como máximo 100 caracteres.")),
            _says_something,
        ],
    )
    distrito = _filter(_l("Distrito"))
    oficina = _filter(_l("Oficina"))
    evento = _filter(_l("Qué quiere hacer"))
    buscar = SubmitField(_l("Buscar"), widget=GovSubmitInput())


def build_estimate_form(
    definition: Definition,
    names: Sequence[str],
    *,
    locale: str,
    districts: Sequence[tuple[str, str]],
) -> type[FlaskForm]:
    """Return a GET form with the application form's own field for each of `names`.

    The fields are `wtf_field`s, so figures are read and checked as when filing (the engine's
    `validate_value`); `collected_data` gives what the case would store.
    """

    class EstimateForm(_GetForm):
        calcular = SubmitField(_l("Calcular"), widget=GovSubmitInput())

    for name in names:
        setattr(EstimateForm, f"f_{name}", wtf_field(definition.field(name), locale, districts))
    EstimateForm.field_names = tuple(names)
    return EstimateForm
