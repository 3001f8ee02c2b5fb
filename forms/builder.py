"""Build a Flask-WTF form class from a procedure definition's fields and documents."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from babel.dates import get_month_names
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from forms.messages import accept_attribute, accepted_types, megabytes, message_for
from workflows import Definition
from workflows.conditions import DateError, comparisons, parse_date, read_date, thaw
from workflows.identifiers import date_bounds, numeric_bounds, validate_value
from workflows.model import NUMERIC_FIELD_TYPES

TEXT_LIKE = {
    "text",
    "address",
    "dui",
    "nit",
    "phone",
    "email",
    "activity_code",
    "resolution",
    "point",
    "number",
    "integer",
    "money",
    "area_m2",
}
#: The GOV.UK input parameters of each text-like field type: the keyboard a phone shows
#: (`inputmode`, `type`), autofill hints, and the unit around the box ($, m²).
INPUT_PARAMS = {
    "email": {"type": "email", "autocomplete": "email", "spellcheck": False},
    "phone": {"type": "tel", "autocomplete": "tel"},
    "number": {"inputmode": "decimal"},
    "money": {"inputmode": "decimal", "prefix": {"text": "$"}},
    "area_m2": {"inputmode": "decimal", "suffix": {"text": "m²"}},
    "integer": {"inputmode": "numeric"},
    "dui": {"inputmode": "numeric"},
    "activity_code": {"inputmode": "numeric", "classes": "govuk-input--width-5"},
    "resolution": {"classes": "govuk-input--width-20", "spellcheck": False},
}


class TypedTextInput(GovTextInput):
    """A GOV.UK text input that carries its field type's parameters (`INPUT_PARAMS`).

    Parameters given where the field is rendered (a template's `params=`) are merged over them.
    """

    def __init__(self, params: dict | None = None) -> None:
        self.params = params or {}

    def __call__(self, field, **kwargs):
        kwargs["params"] = self.merge_params(
            json.loads(json.dumps(self.params)), kwargs.get("params") or {}
        )
        return super().__call__(field, **kwargs)


#: The parts of a date as the GOV.UK date input asks them; each box is `<field>-<part>`.
DATE_PARTS = ("day", "month", "year")


class DayMonthYearField(StringField):
    """A date asked in three boxes (day, month, year), as GOV.UK's date input asks it.

    `data` is what was typed, joined as `D/M/YYYY` (blank when every box is blank), so the
    engine's one date reader (`workflows.conditions.read_date`, through `validate_value`)
    decides whether it is a date; `parts` keeps each box as typed to show it again. A post with
    the single `<field>` input (no boxes) is read as before.
    """

    parts: tuple[str, str, str] = ("", "", "")

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        names = [f"{self.name}-{part}" for part in DATE_PARTS]
        if formdata is not None and any(name in formdata for name in names):
            parts = tuple(str(formdata.get(name, "")) for name in names)
            self.parts = parts  # type: ignore[assignment]
            self.data = "/".join(p.strip() for p in parts) if any(p.strip() for p in parts) else ""
            return
        value = read_date(self.data) if self.data else None
        if value is not None:
            self.parts = (str(value.day), str(value.month), str(value.year))
        elif self.data:
            self.parts = (str(self.data), "", "")


class DayMonthYearInput(GovDateInput):
    """The GOV.UK date input with Spanish (or English) labels and one name per box.

    Distinct names (`<field>-day`...) let the browser keep and send each box on its own
    (static/js/keep.js, autosave); the day box carries the field's id, so the error summary
    links to it.
    """

    def map_gov_params(self, field, **kwargs):
        # The base class's mapping (not GovDateInput's, which reads one name thrice).
        params = GovFormBase.map_gov_params(self, field, **kwargs)
        labels = (_l("Día"), _l("Mes"), _l("Año"))
        widths = ("govuk-input--width-2", "govuk-input--width-2", "govuk-input--width-4")
        error = " govuk-input--error" if field.errors else ""
        params["items"] = [
            {
                "label": str(label),
                "id": field.id if part == "day" else f"{field.id}-{part}",
                "name": f"{field.name}-{part}",
                "classes": width + error,
                "value": value,
                "inputmode": "numeric",
            }
            for part, label, width, value in zip(
                DATE_PARTS, labels, widths, field.parts, strict=True
            )
        ]
        params["namePrefix"] = ""
        params["id"] = f"{field.id}-fecha"  # the group's; the day box has the field's id
        params["fieldset"] = {
            "legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}
        }
        params["hint"] = {"text": field.description or str(_l("Por ejemplo, 27 3 2026"))}
        return params


def _engine_check(
    field_spec, district_codes: frozenset[str], today: date | None = None
) -> Callable:
    """A WTForms validator that asks the engine's value rules (one source of truth).

    The typed value stays in `field.data`, so a form shown again with an error shows every
    answer as it was given (a yes/no radio stays checked, `1,250.50` stays as typed); the
    engine's value goes to `field.clean`, which `collected_data` reads. A district must be one
    of the districts given by the caller (from the authorities table). `today` (the caller's
    local day) checks a date field's `min`/`max`; None leaves them unchecked.
    """

    def check(form, field) -> None:
        raw = field.data
        field.clean = None if field_spec.type != "multi_choice" else []
        if raw in (None, "", []):
            return
        value, error = validate_value(field_spec, raw, today)
        if error is None and field_spec.type == "district" and value not in district_codes:
            error = "invalid_district_choice"
        if error:
            raise ValidationError(message_for(error, **_params(field_spec, raw, today)))
        field.clean = value

    return check


def _params(spec, raw: object = None, today: date | None = None) -> dict[str, object]:
    """Parameters of a field's messages: its bounds as El Salvador writes them (1,000,000).

    For a date: its limits on `today` as the locale writes dates, and the month (its name)
    and year of a day that is not in its month (`DateError.params`).
    """
    params: dict[str, object] = {"max_length": spec.max_length}
    if spec.type in NUMERIC_FIELD_TYPES:
        low, high = numeric_bounds(spec)
        params |= {"min": f"{low:,}", "max": f"{high:,}"}
    if spec.type == "date":
        if today is not None:
            low, high = date_bounds(spec, today)
            params |= {
                key: format_date(day, "long") for key, day in (("min", low), ("max", high)) if day
            }
        try:
            parse_date(raw)
        except DateError as refused:
            if "month" in refused.params:
                names = get_month_names("wide", locale=get_locale())
                params |= {"month": names[refused.params["month"]], "year": refused.params["year"]}
    return params


def wtf_field(spec, locale: str, districts: Sequence[tuple[str, str]], today: date | None = None):
    label = spec.label.get(locale)
    description = spec.help.get(locale) if spec.help else ""
    validators = [_engine_check(spec, frozenset(code for code, _ in districts), today)]
    choices = [(c.value, c.label.get(locale)) for c in spec.choices]
    if spec.type == "long_text":
        return TextAreaField(
            label, description=description, widget=GovTextArea(), validators=validators
        )
    if spec.type == "district":
        return SelectField(
            label,
            description=description,
            widget=GovSelect(),
            choices=[("", _l("Elija un distrito")), *districts],
            validators=validators,
            validate_choice=False,
        )
    if spec.type == "yes_no":
        return RadioField(
            label,
            description=description,
            widget=GovRadioInput(),
            choices=[("si", _l("Sí")), ("no", _l("No"))],
            validators=validators,
            validate_choice=False,
        )
    if spec.type == "choice":
        widget = GovRadioInput() if len(choices) <= 6 else GovSelect()
        return (RadioField if len(choices) <= 6 else SelectField)(
            label,
            description=description,
            widget=widget,
            choices=choices,
            validators=validators,
            validate_choice=False,
        )
    if spec.type == "multi_choice":
        return SelectMultipleField(
            label,
            description=description,
            widget=GovCheckboxesInput(),
            choices=choices,
            validators=validators,
            validate_choice=False,
        )
    if spec.type == "date":
        return DayMonthYearField(
            label, description=description, widget=DayMonthYearInput(), validators=validators
        )
    widget = TypedTextInput(INPUT_PARAMS.get(spec.type))
    return StringField(label, description=description, widget=widget, validators=validators)


def build_application_form(
    definition: Definition,
    *,
    locale: str,
    districts: Sequence[tuple[str, str]],
    today: date | None = None,
) -> type[FlaskForm]:
    """Return a form class with one field per definition field and one file input per document.

    `districts` are (code, name) pairs given by the caller, so this layer needs no database;
    `today` is the caller's local day, for the limits of date fields (None: not checked).
    """

    class ApplicationForm(FlaskForm):
        lock_version = IntegerField(widget=HiddenField.widget)
        save = SubmitField(_l("Guardar borrador"), widget=GovSubmitInput())
        submit = SubmitField(_l("Presentar solicitud"), widget=GovSubmitInput())

        def error_summary(self, title: str) -> dict:
            """The GOV.UK error summary's parameters: one line per field in error, named.

            The message at the field stays as it is ("Ese día no existe en febrero de
            2026."); its line at the top names the question, so several date errors read
            apart ("Fecha de inicio: Ese día no existe..."). Form-level errors follow.
            """
            items = [
                {"text": _named(field), "href": f"#{field.id}"} for field in self if field.errors
            ]
            items += [{"text": message} for message in self.form_errors]
            return {"titleText": title, "errorList": items}

    for spec in definition.fields:
        setattr(ApplicationForm, f"f_{spec.name}", wtf_field(spec, locale, districts, today))
    for requirement in definition.documents:
        if requirement.presentation != "upload":
            continue
        help_text = requirement.help.get(locale) if requirement.help else ""
        setattr(
            ApplicationForm,
            f"d_{requirement.code}",
            FileField(
                requirement.title.get(locale),
                description=help_text,
                widget=GovFileInput(),
                render_kw={"accept": accept_attribute(requirement.accept)},
            ),
        )
    ApplicationForm.field_names = tuple(f.name for f in definition.fields)
    ApplicationForm.document_codes = tuple(
        d.code for d in definition.documents if d.presentation == "upload"
    )
    # The hint names the same types as the `accept` attribute and the error message: all three
    # come from the requirement's `accept`.
    ApplicationForm.document_hints = {
        d.code: str(
            _l(
                "Formato: %(types)s. Tamaño máximo: %(max_mb)s MB.",
                types=accepted_types(d.accept),
                max_mb=megabytes(d.max_bytes),
            )
        )
        for d in definition.documents
        if d.presentation == "upload"
    }
    return ApplicationForm


def _named(field) -> str:
    """A field's first error, named by its question or document (`f_`/`d_` fields)."""
    message = field.errors[0]
    if not field.name.startswith(("f_", "d_")):
        return str(message)
    return str(_l("%(label)s: %(message)s", label=field.label.text, message=message))


def initial_values(data: dict, definition: Definition | None = None) -> dict:
    """Map stored data to the form's field names for a GET (values as the inputs show them)."""
    spec_types = {f.name: f.type for f in definition.fields} if definition else {}
    shown = {}
    for name, value in data.items():
        if isinstance(value, bool):
            value = "si" if value else "no"
        elif spec_types.get(name) == "point" and isinstance(value, list | tuple):
            value = ", ".join(str(part) for part in value)
        elif isinstance(value, Decimal | float | int):
            value = f"{value}"
        elif isinstance(value, date):
            value = value.isoformat()
        shown[f"f_{name}"] = value
    return shown


def collected_data(form: FlaskForm) -> dict[str, object]:
    """Return the cleaned values keyed by definition field name, as JSON-safe primitives."""
    return {name: json_safe(getattr(form, f"f_{name}").clean) for name in form.field_names}


def json_safe(value: object) -> object:
    """Decimals as exact strings, dates as ISO strings, tuples (points, choices) as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [json_safe(item) for item in value]
    return value


def visibility_rules(definition: Definition) -> dict[str, str]:
    """JSON conditions, keyed by form input name, for the browser to show or hide inputs.

    Fields with `visible_if`, and optional documents with `required_if`, are shown only when
    their condition holds; the server decides the same way (the engine's form_complete), so
    without JavaScript everything is shown and nothing breaks. Each rule is
    `{"when": condition, "types": {field: type}}`: the browser reads an answer by its field's
    type as `workflows.conditions.evaluate` does (static/js/conditions.js).
    """
    rules = {
        f"f_{f.name}": _rule(definition, f.visible_if)
        for f in definition.fields
        if f.visible_if is not None
    }
    rules |= {
        f"d_{d.code}": _rule(definition, d.required_if)
        for d in definition.documents
        if d.required_if is not None and not d.required
    }
    return rules


def _rule(definition: Definition, condition) -> str:
    names = {leaf["field"] for _, leaf in comparisons(condition, "")}
    types = {
        name: definition.field_types[name]
        for name in sorted(names)
        if name in definition.field_types
    }
    return json.dumps({"when": thaw(condition), "types": types})
