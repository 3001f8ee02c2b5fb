"""'Abrir mi negocio': the questionnaire, the plan across offices, saving it and its steps.

Over HTTP with the real pages and the seeded definitions, activity codes and districts.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from urllib.parse import urlencode

from tests.portal.helpers import PASSWORD, decided_case, login, make_applicant
from tests.portal.test_routing import LAND

RESTAURANT = {
    "distrito": "0614",
    "actividad": "56101",
    "local_arrendado": "si",
    "area_m2": "80",
    "obras": "ninguna",
    "rotulo": "si",
    "venta_alcohol": "si",
    "taller": "no",
}
WORKSHOP = {
    "distrito": "0511",
    "actividad": "45201",
    "local_arrendado": "no",
    "area_m2": "120",
    "obras": "remodelacion",
    "rotulo": "no",
    "venta_alcohol": "no",
    "taller": "si",
}


def _text(response) -> str:
    """The page as a person reads it: tags out, entities decoded, spaces collapsed."""
    body = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _html(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _ask(client, answers: dict, **extra):
    query = {f"f_{name}": value for name, value in answers.items()} | extra
    return client.get(f"/abrir-mi-negocio?{urlencode(query)}")


def _plan_page(client, answers: dict):
    asked = _ask(client, answers)
    assert asked.status_code == 302, _text(asked)[:500]
    assert "/abrir-mi-negocio/plan?" in asked.headers["Location"]
    return client.get(asked.headers["Location"])


def _save(client, answers: dict) -> int:
    page = _plan_page(client, answers).get_data(as_text=True)
    hidden = re.search(r'name="answers" type="hidden" value="([^"]+)"', page)
    assert hidden, page[:2000]
    saved = html.unescape(hidden.group(1))
    response = client.post("/abrir-mi-negocio/guardar", data={"answers": saved})
    assert response.status_code == 302, _text(response)[:500]
    return int(re.search(r"/mis-planes/(\d+)$", response.headers["Location"]).group(1))


def _position(page: str, text: str) -> int:
    assert text in page, text
    return page.index(text)


# ------------------------------------------------------------------ activity codes


def test_activity_codes_are_seeded_once_from_the_data_file(app_ctx):
    from portal.reference.services import get_activity, read_codes, seed_activity_codes

    codes = read_codes()
    assert len(codes) == 773
    assert ("10711", "Elaboración de tortillas") in codes
    assert seed_activity_codes() == 0  # the session's seed wrote them; a second run adds none
    assert get_activity("10712").description == "Fabricación de pan, galletas y barquillos"
    assert get_activity("99999") is None


def test_activities_are_found_by_words_with_or_without_accents(app_ctx):
    from portal.reference.services import search_activities

    def codes(words: str) -> list[str]:
        return [item.code for item in search_activities(words)]

    for typed in ("panaderia", "Panadería", "PANADERIA"):
        assert "10712" in codes(typed), typed  # Fabricación de pan, galletas y barquillos
        assert "47215" in codes(typed)  # ... productos de panadería, repostería y galletas
    assert codes("tortilleria")[0] == "10711"
    assert codes("reparacion mecanica vehiculos")[0] == "45201"
    assert codes("Pupuseria") == ["56106"]
    assert [item.code for item in search_activities("107", limit=20)] == [
        "10711", "10712", "10713", "10721", "10722", "10723", "10724", "10730", "10740", "10750",
        "10791", "10792", "10793", "10794", "10799"]  # fmt: skip
    assert codes("107") == ["10711", "10712", "10713", "10721", "10722", "10723", "10724",
                            "10730"]  # at most eight to choose from  # fmt: skip
    assert codes("de y la") == []
    assert codes("xylofonista") == []


def _codes(words: str) -> list[str]:
    from portal.reference.services import search_activities

    return [item.code for item in search_activities(words)]


def test_everyday_words_find_the_activity_people_mean(app_ctx):
    # (typed, the activity people mean, how many choices at most before it)
    for typed, code, rank in [
        ("mecanico", "45201", 0),  # Reparación mecánica de vehículos automotores
        ("mecánico", "45201", 0),
        ("taller mecanico", "45201", 0),
        ("taller de motos", "45403", 0),  # Mantenimiento y reparación de motocicletas
        ("taller", "45201", 7),
        ("TALLER", "45403", 7),
        ("pupusería", "56106", 0),
        ("panaderia", "47215", 3),  # Venta al por menor de productos de panadería...
        ("panaderia", "10712", 3),  # Fabricación de pan, galletas y barquillos
        ("ferreteria", "47522", 0),  # Venta al por menor de artículos de ferretería
        ("farmacia", "47721", 0),  # Venta al por menor de medicamentos farmacéuticos...
        ("bar", "56301", 0),  # Servicio de expendio de bebidas en salones y bares
        ("salon de belleza", "96020", 0),  # Peluquería y otros tratamientos de belleza
        ("salón de belleza", "96020", 0),
        ("cafeteria", "56101", 0),  # Restaurantes
        ("cafetería", "56101", 0),
        ("restaurante con venta de cerveza", "56101", 1),  # after cerveza y licores
        ("tienda", "47112", 2),  # Venta en tiendas de artículos de primera necesidad
        ("licorería", "47224", 0),  # Venta de bebidas alcohólicas, para su consumo fuera...
    ]:
        found = _codes(typed)
        assert code in found[: rank + 1], (typed, found)
        assert len(found) <= 8


def test_a_word_is_matched_whole_not_as_the_start_of_another(app_ctx):
    assert _codes("bar") == ["56301"]  # not barquillos (10712), barnices, barcos
    assert "56301" not in _codes("sal")  # "salones" is not "sal"
    assert _codes("salón de belleza")[0] == "96020"  # not "Extracción de sal"
    assert not {"01161", "10791"} & set(_codes("cafetería"))  # not coffee growing or roasting


def test_a_word_that_matches_nothing_keeps_the_matches_of_the_others(app_ctx):
    assert _codes("restaurante xylofonista")[:2] == ["56101", "56107"]
    assert _codes("quiero abrir una pupusería") == ["56106"]


def test_every_synonym_says_words_the_activity_table_uses(app_ctx):
    from portal.reference.services import read_codes, synonyms
    from workflows.text import terms

    used = {stem for _, description in read_codes() for stem in terms(description)}
    for typed, means in synonyms():
        assert typed and means, (typed, means)
        assert means <= used, (typed, means - used)


def test_the_words_the_page_suggests_find_activities(app_ctx):
    from forms.messages import message_for
    from portal.plans.services import journey

    question = next(q for q in journey().questions if q.field.type == "activity_code")
    texts = [str(message_for("activity_not_found")), question.field.help.es]
    suggested = [word for text in texts for word in re.findall(r"«([^»]+)»", text)]
    assert len(suggested) == 6
    for words in suggested:
        assert _codes(words), words


# ------------------------------------------------------------------ the questionnaire


def test_the_questionnaire_asks_its_questions_without_signing_in(client):
    response = client.get("/abrir-mi-negocio")
    assert response.status_code == 200
    page = _text(response)
    for question in (
        "¿En qué distrito estará el negocio?",
        "¿A qué se dedicará el negocio?",
        "¿El local es arrendado?",
        "Área del local (m²)",
        "¿Hará obras en el local?",
        "¿Pondrá un rótulo?",
        "¿Venderá bebidas alcohólicas?",
    ):
        assert question in page


def test_bad_answers_get_a_spanish_message_at_the_field_and_keep_the_rest(client):
    answers = RESTAURANT | {"area_m2": "1.250,50", "distrito": "", "actividad": "pan"}
    response = _ask(client, answers)
    assert response.status_code == 200
    page = _text(response)
    assert "Hay un problema" in page
    assert "Complete «¿En qué distrito estará el negocio?»." in page  # names the question
    assert "Use el punto para los decimales" in page  # how to write the number
    assert 'value="1.250,50"' in _html(response)  # and the number as typed
    # Words that fit several activities: they are offered to choose from.
    assert "Varias actividades coinciden: elija una de la lista." in page
    assert "10712 · Fabricación de pan, galletas y barquillos" in page
    radios = _html(response)
    assert re.search(r'name="f_local_arrendado" type="radio" value="si" checked', radios)


def test_the_error_summary_names_each_question_left_blank(client):
    page = _text(_ask(client, {}, f_area_m2=""))
    summary = page[page.index("Hay un problema") : page.index("Abrir mi negocio Responda")]
    for label in (
        "¿En qué distrito estará el negocio?",
        "¿A qué se dedicará el negocio?",
        "¿El local es arrendado?",
        "Área del local (m²)",
        "¿Pondrá un rótulo?",
    ):
        assert f"Complete «{label}»." in summary
    assert "Este dato es obligatorio." not in page


def test_everyday_words_on_the_page_offer_the_activity_or_choose_it(client):
    page = _text(_ask(client, RESTAURANT | {"actividad": "salón de belleza"}))
    assert "Varias actividades coinciden: elija una de la lista." in page
    offered = re.findall(r"(\d{5}) · ", page)
    assert offered[0] == "96020" and len(offered) <= 8
    response = _ask(client, RESTAURANT | {"actividad": "bar"})  # one activity: chosen
    assert response.status_code == 302
    assert "actividad=56301" in response.headers["Location"]


def test_in_english_the_page_says_activities_are_searched_in_spanish(client):
    client.post("/idioma/en", data={"next": "/"})
    page = _text(client.get("/abrir-mi-negocio"))
    assert "Activity names are searched in Spanish" in page
    page = _text(_ask(client, RESTAURANT | {"actividad": "bakery"}))
    assert "Activity names are searched in Spanish" in page


def test_an_activity_chosen_from_the_offered_ones_gives_the_plan(client):
    response = _ask(client, RESTAURANT | {"actividad": "pan"}, activity_choice="10712")
    assert response.status_code == 302
    assert "actividad=10712" in response.headers["Location"]


def test_an_activity_that_matches_nothing_says_how_to_write_it(client):
    page = _text(_ask(client, RESTAURANT | {"actividad": "xylofonista"}))
    assert "No encontramos esa actividad." in page
    assert 'value="xylofonista"' in _html(_ask(client, RESTAURANT | {"actividad": "xylofonista"}))


# ------------------------------------------------------------------ the plan


def test_a_restaurant_in_san_salvador_selling_alcohol_with_a_sign(client):
    response = _plan_page(client, RESTAURANT)
    assert response.status_code == 200
    page = _text(response)
    assert "56101 · Restaurantes" in page
    first = _position(page, "Paso 1: Calificación de Lugar")
    second = _position(page, "Paso 2: Inscripción de establecimiento")
    assert first < second
    assert "Después de Calificación de Lugar de la OPAMSS" in page
    assert "$50.00" in page  # the calificación's fee, assessed as its payment order would be
    # The registration's depend on "¿Ya es contribuyente?", which the questions do not ask:
    # the range the sheet's estimator gives for each answer, and the total a range too.
    assert "Entre $10.00 y $13.00, según sus respuestas" in page
    assert "Tasas estimadas en total Entre $60.00 y $63.00" in page
    assert "Según sus respuestas en: Inscripción de establecimiento" in page
    assert "Se calcula al revisar" not in page
    assert "35 días hábiles" in page  # 25 (calificación) then 10 (registration)
    assert "más las tasas que se calculan al revisar" not in page
    # No sign permit online in San Salvador yet: said plainly, once.
    assert "Trámites que aún no están en línea en San Salvador" in page
    assert page.count("Permiso de rótulo") + page.count("Permiso de Rótulo") >= 1


def test_a_fee_range_is_what_the_sheet_estimates_for_each_unasked_answer(app_ctx, client):
    from portal.authorities.services import get_authority
    from portal.payments.assessment import assess
    from portal.plans import services
    from portal.procedures.services import definition_of, get_procedure, latest_version
    from tests.portal.test_sheet import estimate_of

    registration = definition_of(
        latest_version(get_procedure("0614", "inscripcion-establecimiento"))
    )
    unasked = assess(registration, {}, get_authority("0614")).unanswered
    assert len(unasked) == 1  # "¿Ya es contribuyente?"
    sheet = sorted(
        Decimal(
            estimate_of(client, "/tramites/0614/inscripcion-establecimiento", {unasked[0]: answer})[
                0
            ].lstrip("$")
        )
        for answer in ("si", "no")
    )
    view = services.build_plan_view(services.check_answers(RESTAURANT).answers)
    step = next(item for item in view.steps if item.procedure.slug == "inscripcion-establecimiento")
    assert (
        (step.fee_low, step.fee_high)
        == (sheet[0], sheet[1])
        == (Decimal("10.00"), Decimal("13.00"))
    )
    assert step.fee_varies and step.fee is None
    assert view.ranged_steps == (step,)
    fixed = sum(item.fee for item in view.steps if item is not step)
    assert (view.total_fees, view.total_fees_high) == (fixed + sheet[0], fixed + sheet[1])
    assert not view.fees_incomplete


def test_fees_over_too_many_unasked_answers_are_assessed_at_review(app_ctx, monkeypatch):
    from portal.authorities.services import get_authority
    from portal.plans import services
    from portal.procedures.services import definition_of, get_procedure, latest_version

    registration = definition_of(
        latest_version(get_procedure("0614", "inscripcion-establecimiento"))
    )
    district = get_authority("0614")
    assert services.estimate_fees(registration, {}, district) == (
        Decimal("10.00"),
        Decimal("13.00"),
    )
    monkeypatch.setattr(services, "MAX_FEE_COMBINATIONS", 1)  # yes and no are two
    assert services.estimate_fees(registration, {}, district) == (None, None)
    # A figure the fees read (the stormwater study's area) is never guessed.
    stormwater = definition_of(
        latest_version(get_procedure("OPAMSS", "factibilidad-aguas-lluvias"))
    )
    assert services.estimate_fees(stormwater, {}, get_authority("0511")) == (None, None)


def test_a_workshop_in_santa_tecla_with_works_orders_the_offices_by_prerequisites(app_ctx, client):
    from portal.authorities.services import get_authority
    from portal.payments.assessment import assess
    from portal.plans import services
    from portal.procedures.services import definition_of, get_procedure, latest_version

    page = _text(_plan_page(client, WORKSHOP))
    titles = [
        "Calificación de Lugar",
        "Inscripción de establecimiento",
        "Línea de Construcción",
        "Factibilidad de Drenaje de Aguas Lluvias",
        "Permiso de Construcción",
        "Recepción de Obra",
    ]
    where = [_position(page, f"Paso {n}: {title}") for n, title in enumerate(titles, 1)]
    assert where == sorted(where)
    assert "130 días hábiles" in page  # 25 + 75 + 30 along calificación → permiso → recepción
    assert "Lo exige otro trámite de su plan." in page
    view = services.build_plan_view(services.check_answers(WORKSHOP).answers)
    fees = {item.step.key: item.fee for item in view.steps}
    ranges = {item.step.key: (item.fee_low, item.fee_high) for item in view.steps}
    assert fees["OPAMSS/calificacion-lugar"] == Decimal("50.00")
    assert fees["OPAMSS/linea-construccion"] == Decimal("40.00")
    assert fees["OPAMSS/factibilidad-aguas-lluvias"] is None
    # The permit's estimate is the payment order's assessment of the same figures.
    permit = definition_of(latest_version(get_procedure("OPAMSS", "permiso-construccion")))
    expected = assess(permit, {"area_construida_m2": Decimal("120")}, get_authority("0511"))
    assert fees["OPAMSS/permiso-construccion"] == expected.total
    assert ranges["0511/inscripcion-establecimiento"] == (Decimal("17.40"), Decimal("20.00"))
    known = [pair for pair in ranges.values() if pair[0] is not None]
    assert view.total_fees == sum(low for low, _ in known)
    assert view.total_fees_high == sum(high for _, high in known)
    assert f"Entre ${view.total_fees:,.2f} y ${view.total_fees_high:,.2f}" in page
    assert "más las tasas que se calculan al revisar" in page
    assert view.total_days == 130


def test_a_district_with_no_online_procedure_says_so_plainly(client):
    answers = RESTAURANT | {"distrito": "0608", "venta_alcohol": "no", "rotulo": "no"}
    page = _text(_plan_page(client, answers))
    assert "Por ahora ningún trámite de su plan se puede hacer en línea en el distrito de" in page
    assert "Trámites que aún no están en línea en" in page
    assert "Inscripción de establecimiento" in page
    assert "Paso 1" not in page


def test_a_tampered_plan_address_goes_back_to_the_questions(client):
    response = client.get("/abrir-mi-negocio/plan?" + urlencode(RESTAURANT | {"obras": "otra"}))
    assert response.status_code == 302
    assert "/abrir-mi-negocio?" in response.headers["Location"]


# ------------------------------------------------------------------ saving and steps


def test_saving_asks_to_sign_in_and_keeps_the_answers(client, app_ctx):
    make_applicant()
    page = _html(_plan_page(client, RESTAURANT))
    link = re.search(r'href="(/cuenta/entrar\?next=[^"]+)"', page)
    assert link and "Entrar para guardar mi plan" in page
    response = client.post(
        html.unescape(link.group(1)),
        data={"email": "ana@example.sv", "password": PASSWORD},
    )
    assert response.status_code == 302
    back = client.get(response.headers["Location"])
    assert back.status_code == 200
    assert "Guardar mi plan" in _text(back)
    assert "56101 · Restaurantes" in _text(back)


def test_a_saved_plan_lists_its_steps_and_starts_a_prefilled_draft(client, app_ctx):
    from portal.applications.models import Application
    from portal.extensions import db

    ana = make_applicant()
    decided_case(ana, "linea-construccion", LAND)  # her records: legal unit and property
    login(client, "ana@example.sv")
    plan_id = _save(client, WORKSHOP)
    assert _save(client, WORKSHOP) == plan_id  # saving the same answers again: the same plan

    dashboard = _text(client.get(f"/mis-planes/{plan_id}"))
    assert "No iniciado" in dashboard
    assert "Espera la resolución favorable de: Calificación de Lugar" in dashboard

    # A step that waits is not started, whatever is posted.
    refused = client.post(
        f"/mis-planes/{plan_id}/comenzar/0511/inscripcion-establecimiento",
        data={"token": "plan-inscripcion-0001"},
    )
    assert refused.status_code == 302
    assert "espera la resolución favorable" in _text(client.get(refused.headers["Location"]))

    started = client.post(
        f"/mis-planes/{plan_id}/comenzar/OPAMSS/calificacion-lugar",
        data={"token": "plan-calificacion-0001"},
    )
    assert started.status_code == 302
    draft_id = int(re.search(r"/borradores/(\d+)/", started.headers["Location"]).group(1))
    again = client.post(
        f"/mis-planes/{plan_id}/comenzar/OPAMSS/calificacion-lugar",
        data={"token": "plan-calificacion-0001"},
    )
    assert again.headers["Location"] == started.headers["Location"]  # a double click: one draft
    draft = db.session.get(Application, draft_id)
    assert draft.data["actividad_claees"] == "45201"  # from the plan
    assert draft.data["distrito"] == "0511"
    assert draft.data["area_construida_m2"] == "120"
    assert draft.data["nit_propietario"] == LAND["nit_propietario"]  # from her records
    assert "Borrador" in _text(client.get(f"/mis-planes/{plan_id}"))

    decided_case(ana, "calificacion-lugar", LAND)
    dashboard = client.get(f"/mis-planes/{plan_id}")
    assert "Resuelto" in _text(dashboard)
    assert 'aria-label="Comenzar: Inscripción de establecimiento' in _html(dashboard)


def test_another_persons_plan_is_not_found(client, app_ctx):
    make_applicant()
    make_applicant("beto@example.sv", "Beto Ramos")
    login(client, "ana@example.sv")
    plan_id = _save(client, RESTAURANT)
    client.post("/cuenta/salir")
    login(client, "beto@example.sv")
    assert client.get(f"/mis-planes/{plan_id}").status_code == 404
    response = client.post(
        f"/mis-planes/{plan_id}/comenzar/OPAMSS/calificacion-lugar",
        data={"token": "plan-de-otro-0000001"},
    )
    assert response.status_code == 404
    assert client.get("/mis-planes/999999").status_code == 404
    assert "Todavía no ha guardado ningún plan." in _text(client.get("/mis-planes/"))


def test_my_applications_link_to_my_plans(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    plan_id = _save(client, RESTAURANT)
    page = _text(client.get("/solicitudes/"))
    assert "Mis planes para abrir un negocio" in page
    plans = _text(client.get("/mis-planes/"))
    assert f"/mis-planes/{plan_id}" in client.get("/mis-planes/").get_data(as_text=True)
    assert "Negocio en San Salvador: Restaurantes" in plans
