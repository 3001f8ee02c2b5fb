"""The procedure sheet: its parts, its fee estimator, and that the estimate is what is charged."""

from __future__ import annotations

import copy
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.portal.helpers import make_applicant, reload_application
from tests.portal.test_catalogue_search import page_text

INSCRIPCION = "/tramites/0511/inscripcion-establecimiento"
PERMISO = "/tramites/OPAMSS/permiso-construccion"
DEFINITIONS = Path(__file__).resolve().parents[2] / "workflows" / "definitions"


def estimate_of(client, path: str, answers: dict[str, str]) -> tuple[str | None, list[str]]:
    """The estimator's total and lines ("Label: $1.00") as the page shows them."""
    query = {"calcular": "1"} | {f"f_{name}": value for name, value in answers.items()}
    response = client.get(path, query_string=query)
    assert response.status_code == 200
    box = re.search(r'<div class="govuk-inset-text app-estimate".*?</div>', response.text, re.S)
    if box is None:
        return None, []
    text = page_text_of(box.group(0))
    total = re.search(r"Total estimado: (\$[\d,]+\.\d\d)", text)
    lines = re.findall(r"<li>(.*?)</li>", box.group(0), re.S)
    return (total.group(1) if total else None), [page_text_of(line) for line in lines]


def page_text_of(fragment: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_the_sheet_has_the_eregulations_parts(client):
    text = page_text(client.get(INSCRIPCION))
    assert "Distrito de Santa Tecla Inscripción de establecimiento" in text  # office first
    for heading in (
        "Quién puede solicitarlo",
        "Plazo máximo 15 días hábiles",
        "Qué pasa después",
        "Documentos que necesita",
        "Tasas",
        "Base legal",
        "Dónde y cuándo",
    ):
        assert heading in text
    assert "Teléfono 2500-1300" in text and "Horario Lunes a viernes" in text
    # The seeded contact details are not confirmed by the offices: the sheet says so.
    assert "por confirmar con la institución: llame o escriba antes de ir" in text
    # Requirements say how to present them and, when conditional, on what.
    assert "Balance inicial Obligatorio. Se adjunta en línea: PDF, hasta 10 MB." in text
    assert (
        "Contrato de arrendamiento Obligatorio solo si «¿El local es arrendado?» es «Sí»." in text
    )
    # Every fee with its rule, the conditional ones saying on what.
    assert "Inspección del establecimiento $15.00." in text
    assert (
        "Constancia de no inscripción $5.00. Solo si «¿Ya es contribuyente del distrito de "
        "Santa Tecla?» es «No»." in text
    )


def test_what_happens_next_is_a_short_ordered_list_in_plain_words(client):
    body = client.get(INSCRIPCION).text
    steps = re.search(r"Qué pasa después</h2>\s*<ol[^>]*>(.*?)</ol>", body, re.S).group(1)
    items = [page_text_of(item) for item in re.findall(r"<li>(.*?)</li>", steps, re.S)]
    assert 5 <= len(items) <= 8
    assert items[0].startswith("Usted llena el formulario")
    assert items[1].startswith("Presenta la solicitud")
    assert any("prevención" in item for item in items)
    payment = next(i for i, item in enumerate(items) if "mandamiento de pago" in item)
    decision = next(i for i, item in enumerate(items) if item.startswith("La oficina resuelve"))
    assert payment < decision
    assert items[-1] == (
        "Si se aprueba, descarga aquí su Constancia de inscripción en el Registro Tributario "
        "Municipal."
    )
    # The state diagram stays, one click away, and can be opened full size.
    assert "Ver el diagrama del trámite" in body and "diagrama.es.svg" in body


def test_positive_silence_is_a_step_where_the_definition_has_it(client):
    text = page_text(client.get("/tramites/APLAN/licencia-funcionamiento"))
    assert "se entiende aprobada (silencio positivo)" in text
    assert "silencio positivo" not in page_text(client.get(INSCRIPCION))


def test_prerequisites_link_to_their_sheets(client):
    body = client.get("/tramites/OPAMSS/recepcion-obra").text
    assert 'href="/tramites/OPAMSS/permiso-construccion">Permiso de Construcción</a>' in body


def test_fee_rules_are_told_in_spanish_sentences(client):
    permiso = page_text(client.get(PERMISO))
    assert (
        "Depende del distrito: en los distritos con las tasas de 2004 a 2010: $87.00, más $1.07 "
        "por cada m² de «Área total de construcción (m²)» por encima de 75" in permiso
    )
    lluvias = page_text(client.get("/tramites/OPAMSS/factibilidad-aguas-lluvias"))
    assert "Si «Tipo de proyecto» es «Vivienda unifamiliar» o «Vivienda dúplex»" in lluvias
    licencia = page_text(client.get("/tramites/APLAN/licencia-funcionamiento"))
    assert "$165.31 adicionales. Solo si «¿Solicita el trámite exprés?» es «Sí»." in licencia
    assert "Casino: $14,680.00" in licencia


def test_the_estimator_asks_only_what_the_fees_read(client):
    body = client.get(PERMISO).text
    form = re.search(r'<form method="get"[^>]*app-estimator.*?</form>', body, re.S).group(0)
    assert sorted(set(re.findall(r'name="(f_[a-z0-9_]+)"', form))) == [
        "f_area_construida_m2",
        "f_distrito",
    ]
    # Fees that need no figure are simply totalled.
    assert "Calcule cuánto pagaría" not in client.get("/tramites/OPAMSS/linea-construccion").text
    text = page_text(client.get("/tramites/OPAMSS/linea-construccion"))
    assert "Total estimado: $40.00" in text


def test_the_issue_s_15_dollars_sheet_now_says_20_as_the_payment_order(client):
    assert estimate_of(client, INSCRIPCION, {"contribuyente_inscrito": "no"}) == (
        "$20.00",
        ["Inspección del establecimiento: $15.00", "Constancia de no inscripción: $5.00"],
    )
    assert estimate_of(client, INSCRIPCION, {"contribuyente_inscrito": "si"})[0] == "$17.40"


def test_the_estimate_depends_on_the_district_s_tariff_regime(client):
    assert estimate_of(client, PERMISO, {"distrito": "0614", "area_construida_m2": "100"})[0] == (
        "$113.75"  # 87 + 25 × 1.07 (tasas 2004-2010)
    )
    assert (
        estimate_of(client, PERMISO, {"distrito": "0511", "area_construida_m2": "1,000"})[0]
        == "$1,345.25"
    )  # 115 + 925 × 1.33 (Decreto 27)
    text = page_text(
        client.get(PERMISO, query_string={"calcular": "1", "f_area_construida_m2": "100"})
    )
    assert "Elija el distrito: la tasa depende de él." in text


def test_a_bad_figure_gets_a_spanish_message_at_the_field_and_stays(client):
    response = client.get(
        "/tramites/0511/permiso-rotulo",
        query_string={"calcular": "1", "f_area_publicitaria_m2": "doce"},
    )
    body = response.text
    assert "Hay un problema" in body
    assert re.search(
        r'id="f_area_publicitaria_m2-error".*?Escriba un número con cifras', body, re.S
    )
    assert 'value="doce"' in body
    assert "Total estimado" not in body


ASK = "Responda esta pregunta para calcular la tasa."
DISTRICT = "Elija el distrito: la tasa depende de él."


def field_errors(body: str) -> dict[str, str]:
    """The message at each estimator field, by the field's name without its "f_" prefix."""
    found = re.findall(r'<p id="f_(\w+)-error" class="govuk-error-message">(.*?)</p>', body, re.S)
    return {name: page_text_of(text).removeprefix("Error: ") for name, text in found}


@pytest.mark.parametrize(
    ("path", "answers", "expected"),
    [
        # The newcomer's inputs.
        (INSCRIPCION, {}, {"contribuyente_inscrito": ASK}),
        (
            "/tramites/0511/permiso-rotulo",
            {"area_publicitaria_m2": ""},
            {"area_publicitaria_m2": ASK},
        ),
        (PERMISO, {"distrito": "0511"}, {"area_construida_m2": ASK}),
        (
            "/tramites/OPAMSS/factibilidad-aguas-lluvias",
            {},
            {"area_terreno_m2": ASK, "tipo_proyecto": ASK},
        ),
        ("/tramites/APLAN/licencia-funcionamiento", {}, {"categoria": ASK, "expres": ASK}),
        # Others of the same kind: one answer given, another still blank.
        ("/tramites/APLAN/licencia-funcionamiento", {"expres": "no"}, {"categoria": ASK}),
        ("/tramites/APLAN/licencia-funcionamiento", {"categoria": "casino"}, {"expres": ASK}),
        (
            "/tramites/OPAMSS/factibilidad-aguas-lluvias",
            {"area_terreno_m2": "300"},
            {"tipo_proyecto": ASK},  # it decides the rate per m²
        ),
        ("/tramites/0614/inscripcion-establecimiento", {}, {"contribuyente_inscrito": ASK}),
        ("/tramites/0617/permiso-rotulo", {}, {"area_publicitaria_m2": ASK}),
        # The district decides the tariff: the message is at the district field.
        (PERMISO, {"area_construida_m2": "100"}, {"distrito": DISTRICT}),
        (PERMISO, {}, {"distrito": DISTRICT, "area_construida_m2": ASK}),
    ],
)
def test_no_total_is_shown_until_every_answer_the_fees_read_is_given(
    client, path, answers, expected
):
    query = {"calcular": "1"} | {f"f_{name}": value for name, value in answers.items()}
    response = client.get(path, query_string=query)
    body = response.text
    assert response.status_code == 200
    assert field_errors(body) == expected
    assert "Hay un problema" in body
    assert "Total estimado" not in body and "app-estimate" not in body
    for name, value in answers.items():
        if value.strip():  # what was typed or chosen stays
            assert re.search(rf'name="f_{name}"[^>]*value="{re.escape(value)}"', body) or re.search(
                rf'value="{re.escape(value)}" selected', body
            ), name


def test_every_answer_given_shows_the_total_and_no_message(client):
    assert estimate_of(
        client, "/tramites/APLAN/licencia-funcionamiento", {"categoria": "otra", "expres": "no"}
    ) == ("$165.31", ["Trámite de licencia de funcionamiento: $165.31"])
    stormwater = {"area_terreno_m2": "150", "tipo_proyecto": "comercial"}
    assert estimate_of(client, "/tramites/OPAMSS/factibilidad-aguas-lluvias", stormwater)[0] == (
        "$273.00"
    )
    response = client.get(
        INSCRIPCION, query_string={"calcular": "1", "f_contribuyente_inscrito": "si"}
    )
    assert field_errors(response.text) == {}
    assert "Hay un problema" not in response.text


def test_the_sheet_answers_in_english_too(client):
    client.get("/idioma/en")
    assert client.get(INSCRIPCION).status_code == 200


# --- The estimate equals the payment order, for every seeded procedure with fees -------------


def _seeded_with_fees() -> list[tuple[str, str]]:
    from workflows import load_file

    found = []
    for path in sorted(DEFINITIONS.glob("*/*.yaml")):
        definition = load_file(path)
        if definition.fees:
            found.append((definition.authority, definition.slug))
    return found


def _answer(spec, districts: list[str]):
    """A strategy of answers to one estimator question, typed as a person types them."""
    if spec.type == "yes_no":
        return st.sampled_from(["si", "no"])
    if spec.type == "district":
        return st.sampled_from(districts)
    if spec.type in ("choice",):
        return st.sampled_from([c.value for c in spec.choices])
    low = spec.min if spec.min is not None else Decimal("0")
    number = st.decimals(min_value=low, max_value=Decimal("20000"), places=2)
    return number.flatmap(lambda n: st.sampled_from([str(n), f"{n:,}"]))


def _payment_order(procedure, answers: dict[str, str]):
    """The payment order `request_payment` issues for a case of `procedure` with `answers`.

    The case is opened and its answers saved by the portal's own services (which locate it in
    its district and keep only applicable answers), numbered as filing numbers it, and the
    payment effect runs on it. (Filing each procedure for real needs every document and
    answer of each definition; the Santa Tecla registration is driven all the way through the
    office's review to its payment order in `test_the_real_payment_order_of_the_issue`.)
    """
    from portal.applications import effects
    from portal.applications.services import save_application, start_application
    from portal.extensions import db
    from portal.payments.models import PaymentOrder
    from portal.procedures.services import definition_of

    applicant = make_applicant(email=f"{uuid.uuid4().hex[:12]}@example.sv")
    application = start_application(actor=applicant, procedure=procedure, token=uuid.uuid4().hex)
    result = save_application(
        actor=applicant, application=application, data=answers, uploads={}, submit=False
    )
    assert not result.field_errors, result.field_errors
    application = reload_application(application.id)
    definition = definition_of(application.procedure_version)
    effects.assign_tracking_number(application)  # as filing does, before the office acts
    effects.HANDLERS["request_payment"](application, definition, None, {})
    db.session.flush()
    return db.session.scalar(
        sa.select(PaymentOrder).where(PaymentOrder.application_id == application.id)
    )


@pytest.mark.parametrize(("authority", "slug"), _seeded_with_fees())
def test_the_estimate_equals_the_payment_order(client, app_ctx, authority, slug):
    from portal.applications.presenters import district_choices
    from portal.catalogue.services import estimate_inputs
    from portal.procedures.services import definition_of, get_procedure, latest_version

    procedure = get_procedure(authority, slug)
    definition = definition_of(latest_version(procedure))
    names = estimate_inputs(definition)
    districts = [code for code, _name in district_choices(definition)]
    answers = st.fixed_dictionaries(
        {name: _answer(definition.field(name), districts) for name in names}
    )

    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(answers)
    def check(given_answers):
        total, lines = estimate_of(client, f"/tramites/{authority}/{slug}", given_answers)
        order = _payment_order(procedure, {k: v for k, v in given_answers.items() if v})
        assert total == f"${order.amount:,.2f}"
        charged = [
            f"{line['label']['es']}: ${Decimal(line['amount']):,.2f}" for line in order.lines
        ]
        shown = [re.sub(r" \(valor de referencia por confirmar\)$", "", line) for line in lines]
        assert shown == charged

    check()


def test_the_real_payment_order_of_the_issue_is_what_the_sheet_estimated(client, app_ctx):
    """Santa Tecla's registration, filed and reviewed by the office until it issues its order."""
    from portal.applications.facts import facts_for
    from portal.applications.services import act_on_application
    from portal.payments.services import list_payment_orders
    from portal.procedures.services import definition_of
    from portal.review import services as review
    from tests.portal.helpers import make_staff
    from tests.portal.test_back_office import REGISTRATION, _filed
    from workflows.guards import review_items

    application = _filed(make_applicant())
    clerk = make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    act_on_application(actor=clerk, application=application, action="tomar")
    application = reload_application(application.id)
    definition = definition_of(application.procedure_version)
    items = review_items(definition, facts_for(application, "clerk"))
    review.record_verdicts(
        actor=clerk, application=application, verdicts=dict.fromkeys(items, (True, "")), items=items
    )
    [order] = list_payment_orders(application.id)
    answer = {"contribuyente_inscrito": REGISTRATION["contribuyente_inscrito"]}
    total, lines = estimate_of(client, INSCRIPCION, answer)
    assert total == f"${order.amount:,.2f}" == "$20.00"
    assert lines == [
        f"{line['label']['es']}: ${Decimal(line['amount']):,.2f}" for line in order.lines
    ]


# --- Every kind of fee rule and condition, in words ----------------------------------------


def test_every_rule_and_condition_kind_reads_as_a_spanish_sentence(app):
    from portal.catalogue import presenters
    from tests.workflows.conftest import DEMO
    from workflows import load

    data = copy.deepcopy(DEMO)
    data["fees"] = [
        {"code": "r", "kind": "by_regime", "label": {"es": "R", "en": "R"}, "amounts": {"x": 3}},
        {"code": "s", "kind": "surcharge", "label": {"es": "S", "en": "S"}, "percent": 10},
        {
            "code": "u",
            "kind": "per_unit_above",
            "label": {"es": "U", "en": "U"},
            "field": "empleados",
            "base": 5,
            "threshold": 2,
            "rate": 1,
            "when": {
                "any": [
                    {"not": {"field": "tipo", "op": "ne", "value": "a"}},
                    {
                        "all": [
                            {"field": "empleados", "op": "lt", "value": 9},
                            {"field": "empleados", "op": "le", "value": 8},
                            {"field": "empleados", "op": "gt", "value": 1},
                            {"field": "empleados", "op": "ge", "value": 2},
                            {"field": "tipo", "op": "not_in", "value": ["b"]},
                            {"field": "inicio", "op": "present"},
                            {"field": "correo", "op": "absent"},
                        ]
                    },
                ]
            },
        },
    ]
    definition = load(data)
    with app.test_request_context():
        rows = presenters.fee_rows(definition, "es")
        documents = presenters.requirement_rows(definition, "es")
    assert [row["rule"] for row in rows] == [
        "Depende del distrito: en los x: $3.00",
        "10 % de las tasas anteriores.",
        "$5.00, más $1.00 por cada unidad de «Empleados» por encima de 2.",
    ]
    assert rows[2]["when"] == (
        "no se cumple que «Tipo» no es «A» o «Empleados» es menor que 9 y «Empleados» es a lo "
        "sumo 8 y «Empleados» es mayor que 1 y «Empleados» es al menos 2 y «Tipo» no es «B» y "
        "responde «Inicio» y no responde «Correo»"
    )
    assert [row["needed"] for row in documents] == [
        "Obligatorio.",
        "Obligatorio solo si «Tipo» es «B».",
        "Obligatorio.",
    ]
    assert documents[2]["how"] == "Se presenta en persona en la ventanilla de la oficina."


CALIFICACION = "/tramites/OPAMSS/calificacion-lugar"


def test_a_fee_whose_label_says_it_is_unconfirmed_gets_no_second_notice(client, app_ctx):
    from portal.payments.services import _order_context
    from portal.procedures.services import get_procedure

    _total, lines = estimate_of(client, CALIFICACION, {})
    label = "Tasa por calificación de lugar (valor de demostración, pendiente de confirmar)"
    assert lines == [f"{label}: $50.00"]
    sheet = page_text(client.get(CALIFICACION))
    assert "valor de referencia por confirmar" not in sheet
    order = _payment_order(get_procedure("OPAMSS", "calificacion-lugar"), {})
    assert _order_context(order)["lines"] == [(label, "50.00", False)]


def test_a_placeholder_fee_whose_label_does_not_say_so_gets_the_notice_once(client, app_ctx):
    from workflows.fees import needs_unconfirmed_notice

    assert needs_unconfirmed_notice("Categoría panadería o cafetería", True)
    assert not needs_unconfirmed_notice("Categoría panadería o cafetería", False)
    assert not needs_unconfirmed_notice("Fee (demonstration value, To Be Confirmed)", True)
    # APLAN's range tariff says it in its own words ("…; pendiente de confirmar)"): once too.
    aplan = "/tramites/APLAN/licencia-funcionamiento"
    sheet = page_text(client.get(aplan))
    assert "mínimo del rango publicado; pendiente de confirmar)" in sheet
    assert "valor de referencia por confirmar" not in sheet
    # A label that does not say it gets the portal's notice, once, where lines are shown.
    template = app_ctx.jinja_env.from_string(
        "{% for label in labels %}{{ label }}{% if label is needing_unconfirmed_notice %}"
        " (valor de referencia por confirmar){% endif %}|{% endfor %}"
    )
    shown = template.render(labels=["Tasa de inspección", "Tasa (pendiente de confirmar)"])
    assert (
        shown
        == "Tasa de inspección (valor de referencia por confirmar)|Tasa (pendiente de confirmar)|"
    )
