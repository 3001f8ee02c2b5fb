"""The form built from a definition: one input per field and document, engine-checked values."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel
from jinja2 import PackageLoader, PrefixLoader
from werkzeug.datastructures import MultiDict

from forms.builder import TypedTextInput, build_application_form, collected_data, initial_values
from workflows import load_file

ROOT = Path(__file__).resolve().parents[2]
DEFINITION = load_file(ROOT / "workflows/definitions/opamss/calificacion-lugar.yaml")
DISTRICTS = [("0614", "San Salvador"), ("0511", "Santa Tecla")]


@pytest.fixture
def app():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False, BABEL_DEFAULT_LOCALE="es")
    Babel(app)
    # The GOV.UK macros the widgets render (as portal.create_app loads them).
    app.jinja_loader = PrefixLoader(
        {
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }
    )
    return app


def _form(app, data):
    with app.test_request_context(method="POST", data=data):
        form_class = build_application_form(DEFINITION, locale="es", districts=DISTRICTS)
        form = form_class(formdata=MultiDict(data))
        return form, form.validate()


def test_the_form_has_an_input_per_field_and_an_upload_per_document(app):
    with app.test_request_context():
        form = build_application_form(DEFINITION, locale="es", districts=DISTRICTS)()
    names = {field.name for field in form}
    assert {f"f_{f.name}" for f in DEFINITION.fields} <= names
    assert {"d_escritura", "d_plano_topografico", "d_declaracion_jurada"} <= names
    assert form.f_distrito.label.text == "Distrito donde se ubica el inmueble"
    assert [c[0] for c in form.f_distrito.choices] == ["", "0614", "0511"]


def test_values_are_checked_by_the_engine_rules_with_spanish_messages(app):
    form, valid = _form(
        app,
        {
            "f_nit_propietario": "0614-05070-104-9",
            "f_area_terreno_m2": "-3",
            "f_actividad_claees": "5610",
        },
    )
    assert not valid
    assert form.f_nit_propietario.errors[0].startswith("El NIT no es válido")
    assert "mayor o igual que 1" in form.f_area_terreno_m2.errors[0]
    assert "5 dígitos" in form.f_actividad_claees.errors[0]


def test_blank_optional_and_required_fields_pass_format_checks(app):
    # Required-ness is the engine's form_complete guard at submission, not a format error.
    form, valid = _form(app, {"f_direccion": ""})
    assert valid, form.errors
    assert collected_data(form)["direccion"] is None


def test_clean_values_are_stored_as_json_primitives_and_shown_back(app):
    form, valid = _form(
        app,
        {
            "f_area_terreno_m2": "350.5",
            "f_nit_propietario": "01234567-8",
            "f_tipo_persona": "natural",
            "f_distrito": "0614",
        },
    )
    assert valid, form.errors
    data = collected_data(form)
    assert data["area_terreno_m2"] == "350.5" and data["distrito"] == "0614"
    shown = initial_values({"area_terreno_m2": 350.5, "acepta": True, "otro": False})
    assert shown == {"f_area_terreno_m2": "350.5", "f_acepta": "si", "f_otro": "no"}


def test_a_map_point_is_stored_as_a_json_list_of_exact_numbers(app):
    from dataclasses import replace

    point = replace(DEFINITION.fields[0], name="ubicacion", type="point", required=False)
    definition = replace(DEFINITION, fields=(point,))
    with app.test_request_context(method="POST", data={"f_ubicacion": "13.6929, -89.2182"}):
        form = build_application_form(definition, locale="es", districts=DISTRICTS)()
        assert form.validate(), form.errors
        assert collected_data(form) == {"ubicacion": ["13.6929", "-89.2182"]}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2,5", "Use el punto para los decimales y la coma solo para los miles"),
        ("1.250,50", "Use el punto para los decimales y la coma solo para los miles"),
        ("12,50", "Use el punto para los decimales y la coma solo para los miles"),
        ("1,25,0", "Separe los miles en grupos de tres cifras, como 1,250,000.50"),
        ("1e30", "Escriba un número con cifras"),
        ("9" * 40, "demasiadas cifras"),
        ("20,000,000", "menor o igual que 10,000,000"),
    ],
)
def test_an_ambiguous_or_senseless_area_is_refused_at_the_field_with_how_to_write_it(
    app, typed, message
):
    form, valid = _form(app, {"f_area_terreno_m2": typed})
    assert not valid
    assert message in form.f_area_terreno_m2.errors[0]
    assert form.f_area_terreno_m2.data == typed  # what was typed is shown back as typed


@pytest.mark.parametrize(
    ("typed", "stored"), [("1,250.50", "1250.50"), ("1 250.50", "1250.50"), ("350", "350")]
)
def test_an_area_written_as_in_el_salvador_is_stored_exactly(app, typed, stored):
    form, valid = _form(app, {"f_area_terreno_m2": typed})
    assert valid, form.errors
    assert collected_data(form)["area_terreno_m2"] == stored


@pytest.mark.parametrize(("typed", "code"), [("0614-050707-104-9", "NIT"), ("01234567-1", "NIT")])
def test_a_wrong_check_digit_says_so(app, typed, code):
    form, valid = _form(app, {"f_nit_propietario": typed})
    assert not valid
    assert form.f_nit_propietario.errors[0].startswith("El dígito verificador no coincide")


@pytest.mark.parametrize("district", ["9999", "0000", "0617"])
def test_a_district_not_among_the_served_ones_is_refused(app, district):
    form, valid = _form(app, {"f_distrito": district})
    assert not valid
    assert form.f_distrito.errors == ["Elija uno de los distritos de la lista."]


def test_a_form_with_an_error_shows_every_answer_as_given(app):
    data = {
        "f_tipo_persona": "natural",
        "f_distrito": "0511",
        "f_area_terreno_m2": "1,250.50",
        "f_nit_propietario": "0614 050707 104 8",
        "f_actividad_claees": "5610",  # the error
    }
    with app.test_request_context(method="POST", data=data):
        form = build_application_form(DEFINITION, locale="es", districts=DISTRICTS)()
        assert not form.validate()
        # The widgets check the choice equal to `data` and show `data` in text inputs.
        assert form.f_tipo_persona.data == "natural"
        assert form.f_distrito.data == "0511"
        assert form.f_area_terreno_m2._value() == "1,250.50"
        assert form.f_nit_propietario._value() == "0614 050707 104 8"
        assert form.f_nit_propietario.clean == "0614-050707-104-8"


def test_a_stored_point_and_yes_no_are_shown_back_in_their_inputs():
    from dataclasses import replace

    point = replace(DEFINITION.fields[0], name="ubicacion", type="point")
    definition = replace(DEFINITION, fields=(point,))
    shown = initial_values({"ubicacion": ["13.6929", "-89.2182"], "acepta": True}, definition)
    assert shown == {"f_ubicacion": "13.6929, -89.2182", "f_acepta": "si"}


def test_a_file_input_accepts_what_its_requirement_accepts(app):
    with app.test_request_context():
        form = build_application_form(DEFINITION, locale="es", districts=DISTRICTS)()
        assert DEFINITION.document("escritura").accept == ("application/pdf",)
        assert form.d_escritura.render_kw == {"accept": "application/pdf,.pdf"}
        assert form.document_hints["escritura"] == "Formato: PDF. Tamaño máximo: 10 MB."
        photos = DEFINITION.document("declaracion_jurada")
        assert photos.accept == ("application/pdf", "image/jpeg", "image/png")
        assert form.d_declaracion_jurada.render_kw == {
            "accept": "application/pdf,.pdf,image/jpeg,.jpg,.jpeg,image/png,.png"
        }
        assert form.document_hints["declaracion_jurada"].startswith("Formato: PDF, JPG o PNG.")


PERMISO = load_file(ROOT / "workflows/definitions/opamss/permiso-construccion.yaml")


def test_a_resolution_field_is_a_text_input_that_takes_a_tracking_number_in_any_case(app):
    resolution = next(f for f in PERMISO.fields if f.type == "resolution")
    name = f"f_{resolution.name}"
    for typed, error in (
        ("  opamss-2026-000001 ", None),
        ("NO-EXISTE-999", "número de expediente"),
    ):
        with app.test_request_context(method="POST", data={name: typed}):
            form_class = build_application_form(PERMISO, locale="es", districts=DISTRICTS)
            form = form_class(formdata=MultiDict({name: typed}))
            form.validate()
            field = form[name]
            assert isinstance(field.widget, TypedTextInput) and field.type == "StringField"
            if error is None:
                assert not field.errors and collected_data(form)[resolution.name] == (
                    "OPAMSS-2026-000001"
                )
            else:
                assert error in field.errors[0]


def _date_form(app, data, today=None, **limits):
    from dataclasses import replace

    when = replace(
        DEFINITION.fields[0], name="inicio", type="date", required=False, min=None, max=None
    )
    definition = replace(DEFINITION, fields=(replace(when, **limits),))
    with app.test_request_context(method="POST", data=data):
        form = build_application_form(definition, locale="es", districts=DISTRICTS, today=today)()
        valid = form.validate()
        return form, valid, (collected_data(form) if valid else None), str(form.f_inicio())


def test_a_date_is_asked_as_day_month_and_year_with_spanish_labels(app):
    _, valid, data, html = _date_form(
        app, {"f_inicio-day": "7", "f_inicio-month": "3", "f_inicio-year": "2026"}
    )
    assert valid and data == {"inicio": "2026-03-07"}
    for label in ("Día", "Mes", "Año"):
        assert f">\n      {label}\n" in html or f">{label}<" in html or label in html
    assert 'name="f_inicio-day"' in html and 'name="f_inicio-year"' in html
    assert 'id="f_inicio"' in html  # the error summary links to the day box


@pytest.mark.parametrize("month", ["marzo", "Mar", "MARZO", "mar.", "March"])
def test_the_month_box_takes_the_month_by_name(app, month):
    form, valid, data, _ = _date_form(
        app, {"f_inicio-day": "7", "f_inicio-month": month, "f_inicio-year": "2026"}
    )
    assert valid and data == {"inicio": "2026-03-07"}
    assert form.f_inicio.parts == ("7", month, "2026")  # shown again as typed


DAY_NOT_IN_MONTH = "Ese día no existe en febrero de 2026."
DAY_DIGITS = "Escriba el día con cifras, de 1 a 31."
MONTH_RANGE = "El mes va de 1 a 12."
FOUR_DIGITS = "Escriba el año con cuatro cifras, por ejemplo 2026."
ONLY_THE_DAY = "Escriba solo el día en esta casilla."
INCOMPLETE = "Escriba el día, el mes y el año."


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("30", "2", "2026"), DAY_NOT_IN_MONTH),
        (("31", "febrero", "2026"), DAY_NOT_IN_MONTH),
        (("29", "2", "2027"), "Ese día no existe en febrero de 2027."),
        (("31", "4", "2026"), "Ese día no existe en abril de 2026."),
        (("0", "13", "2026"), DAY_DIGITS),
        (("00", "5", "2026"), DAY_DIGITS),
        (("1º", "5", "2026"), DAY_DIGITS),
        (("marzo", "5", "2026"), DAY_DIGITS),
        (("7", "13", "2026"), MONTH_RANGE),
        (("7", "0", "2026"), MONTH_RANGE),
        (("7", "3", "26"), FOUR_DIGITS),
        (("7", "3", "20266"), FOUR_DIGITS),
        (("15/03/2026", "", ""), ONLY_THE_DAY),
        (("15/03/2026", "3", "2026"), ONLY_THE_DAY),
        (("", "3", "2026"), INCOMPLETE),
        (("30", "4", ""), INCOMPLETE),
    ],
)
def test_a_wrong_date_says_which_part_is_wrong_and_is_shown_as_typed(app, parts, message):
    day, month, year = parts
    form, valid, _, html = _date_form(
        app, {"f_inicio-day": day, "f_inicio-month": month, "f_inicio-year": year}
    )
    assert not valid
    assert form.f_inicio.errors == [message]
    assert form.f_inicio.parts == parts
    assert "govuk-input--error" in html


def test_spaces_around_the_day_are_no_mistake(app):
    _, valid, data, _ = _date_form(
        app, {"f_inicio-day": " 5 ", "f_inicio-month": "3", "f_inicio-year": "2026"}
    )
    assert valid and data == {"inicio": "2026-03-05"}


def test_a_date_outside_its_limits_names_the_limit_on_the_day_given(app):
    from datetime import date

    today = date(2026, 11, 30)
    post = {"f_inicio-day": "1", "f_inicio-month": "1", "f_inicio-year": "2027"}
    form, valid, _, _ = _date_form(app, post, today, max="today")
    assert not valid
    assert form.f_inicio.errors == ["La fecha debe ser el 30 de noviembre de 2026 o anterior."]
    post = {"f_inicio-day": "7", "f_inicio-month": "3", "f_inicio-year": "1800"}
    form, valid, _, _ = _date_form(app, post, today, min="-100y", max="+1y")
    assert form.f_inicio.errors == ["La fecha debe ser el 30 de noviembre de 1926 o posterior."]
    post = {"f_inicio-day": "30", "f_inicio-month": "11", "f_inicio-year": "2026"}
    _, valid, data, _ = _date_form(app, post, today, max="today")
    assert valid and data == {"inicio": "2026-11-30"}


def test_the_error_summary_names_each_field_and_the_field_does_not(app):
    from dataclasses import replace

    start = replace(
        DEFINITION.fields[0], name="inicio", type="date", required=False, min=None, max=None
    )
    start = replace(start, label=replace(start.label, es="Fecha de inicio"))
    end = replace(start, name="fin", label=replace(start.label, es="Fecha de fin"))
    definition = replace(DEFINITION, fields=(start, end))
    data = {"f_inicio-day": "31", "f_inicio-month": "2", "f_inicio-year": "2026"}
    data |= {"f_fin-day": "31", "f_fin-month": "2", "f_fin-year": "2026"}
    with app.test_request_context(method="POST", data=data):
        form = build_application_form(definition, locale="es", districts=DISTRICTS)()
        assert not form.validate()
        assert form.f_inicio.errors == [DAY_NOT_IN_MONTH]
        summary = form.error_summary("Hay un problema")
    assert summary == {
        "titleText": "Hay un problema",
        "errorList": [
            {"text": f"Fecha de inicio: {DAY_NOT_IN_MONTH}", "href": "#f_inicio"},
            {"text": f"Fecha de fin: {DAY_NOT_IN_MONTH}", "href": "#f_fin"},
        ],
    }


def test_a_blank_date_is_no_answer_and_a_stored_one_fills_the_boxes(app):
    _, valid, data, _ = _date_form(
        app, {"f_inicio-day": " ", "f_inicio-month": "", "f_inicio-year": ""}
    )
    assert valid and data == {"inicio": None}
    with app.test_request_context():
        from dataclasses import replace

        when = replace(DEFINITION.fields[0], name="inicio", type="date", required=False)
        definition = replace(DEFINITION, fields=(when,))
        form_class = build_application_form(definition, locale="es", districts=DISTRICTS)
        form = form_class(formdata=None, data=initial_values({"inicio": "2026-03-07"}))
        assert form.f_inicio.parts == ("7", "3", "2026")
        old = form_class(formdata=MultiDict({"f_inicio": "07/03/2026"}))
        assert old.validate() and collected_data(old) == {"inicio": "2026-03-07"}
