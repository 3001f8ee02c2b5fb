"""Differences between two versions of a definition, keyed by identifier, and their sentences."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from workflows import Definition, Text, load
from workflows.diff import Change, diff, summary

Edit = Callable[[dict[str, Any]], None]


def t(es: str, en: str | None = None) -> dict[str, str]:
    return {"es": es, "en": en if en is not None else f"{es} (en)"}


def changes(data: dict[str, Any], edit: Edit) -> tuple[Change, ...]:
    """Return the diff between `data` and a copy changed by `edit`, both loaded."""
    new = copy.deepcopy(data)
    edit(new)
    return diff(load(data), load(new))


def paths(found: tuple[Change, ...]) -> list[tuple[str, str]]:
    return [(change.kind, change.path) for change in found]


def by_code(items: list[dict[str, Any]], code: str, key: str = "code") -> dict[str, Any]:
    return next(item for item in items if item.get(key, item.get("action")) == code)


# -- identical and reordered definitions -------------------------------------------------------


def test_identical_definitions_have_no_changes(calificacion: Definition, demo: Definition) -> None:
    assert diff(calificacion, calificacion) == ()
    assert diff(calificacion, load(calificacion.to_dict())) == ()
    assert diff(demo, demo) == ()
    assert summary(()) == []


def test_version_number_alone_is_no_change(demo_data: dict[str, Any]) -> None:
    assert changes(demo_data, lambda d: d.update(version=3)) == ()


def test_reordering_is_no_change(demo_data: dict[str, Any]) -> None:
    def reorder(d: dict[str, Any]) -> None:
        for items in (d["fields"], d["documents"], d["workflow"]["states"]):
            items.reverse()
        d["workflow"]["transitions"].reverse()
        by_code(d["fields"], "tipo", "name")["choices"].reverse()
        d["documents"][0]["accept"] = ["image/png", "application/pdf"]
        d["workflow"]["transitions"][-1]["roles"] = ["supervisor", "clerk", "applicant"]
        d["catalogue"]["placeholders"] = ["legal_max_business_days", "purpose"]

    demo_data["documents"][-1]["accept"] = ["application/pdf", "image/png"]
    demo_data["workflow"]["transitions"][0]["roles"] = ["applicant", "clerk", "supervisor"]
    demo_data["catalogue"]["placeholders"] = ["purpose", "legal_max_business_days"]
    assert changes(demo_data, reorder) == ()


# -- fields, documents, fees ---------------------------------------------------------------------


def test_field_added_removed_and_changed(demo_data: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["fields"] = [f for f in d["fields"] if f["name"] != "inicio"]
        d["fields"].insert(0, {"name": "nombre_comercial", "type": "text", "label": t("Nombre")})
        by_code(d["fields"], "area", "name")["max"] = 500
        by_code(d["fields"], "empleados", "name")["label"]["es"] = "Personal"

    found = changes(demo_data, edit)
    assert paths(found) == [
        ("added", "fields[area].max"),
        ("changed", "fields[empleados].label.es"),
        ("removed", "fields[inicio]"),
        ("added", "fields[nombre_comercial]"),
    ]
    assert found[0] == Change("added", "fields[area].max", None, 500, Text("Área", "Área (en)"))
    assert found[1].old == "Empleados" and found[1].new == "Personal"
    assert found[1].subject == Text("Personal", "Empleados (en)")
    assert found[2].old["name"] == "inicio" and found[2].new is None  # type: ignore[index]
    assert found[3].new == {"name": "nombre_comercial", "type": "text", "label": t("Nombre"),
                            "required": False}  # fmt: skip


def test_choices_are_keyed_by_value(demo_data: dict[str, Any]) -> None:
    by_code(demo_data["fields"], "tipo", "name")["choices"].append({"value": "c", "label": t("C")})

    def edit(d: dict[str, Any]) -> None:
        tipo = by_code(d["fields"], "tipo", "name")
        tipo["choices"] = [{"value": "d", "label": t("D")}, {"value": "b", "label": t("Be")},
                           {"value": "a", "label": t("A")}]  # fmt: skip

    found = changes(demo_data, edit)
    assert paths(found) == [
        ("changed", "fields[tipo].choices[b].label.es"),
        ("changed", "fields[tipo].choices[b].label.en"),
        ("removed", "fields[tipo].choices[c]"),
        ("added", "fields[tipo].choices[d]"),
    ]
    assert found[0].subject == Text("Tipo", "Tipo (en)")
    assert summary(found)[2:] == [
        "Se eliminó la opción «C» del campo «Tipo»",
        "Se agregó la opción «D» del campo «Tipo»",
    ]


def test_document_added_removed_and_changed(demo_data: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["documents"] = [doc for doc in d["documents"] if doc["code"] != "original"]
        d["documents"].append({"code": "memoria", "title": t("Memoria"), "required": True})
        by_code(d["documents"], "plano")["max_bytes"] = 20 * 1024 * 1024
        by_code(d["documents"], "poder").pop("required_if")

    found = changes(demo_data, edit)
    assert paths(found) == [
        ("changed", "documents[plano].max_bytes"),
        ("removed", "documents[poder].required_if"),
        ("removed", "documents[original]"),
        ("added", "documents[memoria]"),
    ]
    assert (found[0].old, found[0].new) == (10 * 1024 * 1024, 20 * 1024 * 1024)
    assert found[1].old == {"field": "tipo", "op": "eq", "value": "b"}


def test_fee_amounts(demo_data: dict[str, Any]) -> None:
    demo_data["fees"].append(
        {"code": "reg", "kind": "by_regime", "label": t("Régimen"),
         "amounts": {"tasas_2004": 87, "decreto_27_2023": 115}}
    )  # fmt: skip

    def edit(d: dict[str, Any]) -> None:
        d["fees"][0]["amount"] = 12.5
        d["fees"][1]["amounts"]["tasas_2004"] = 90

    found = changes(demo_data, edit)
    assert found == (
        Change("changed", "fees[fija].amount", 10, 12.5, Text("Fija", "Fija (en)")),
        Change("changed", "fees[reg].amounts.tasas_2004", 87, 90, Text("Régimen", "Régimen (en)")),
    )
    assert summary(found) == [
        "La tasa «Fija» cambió de $10.00 a $12.50",
        "La tasa «Régimen» (tasas_2004) cambió de $87.00 a $90.00",
    ]


def test_fee_turned_into_another_kind(demo_data: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["fees"][0] = {"code": "fija", "kind": "by_regime", "label": t("Fija"),
                        "amounts": {"tasas_2004": 10, "decreto_27_2023": 12}}  # fmt: skip

    found = changes(demo_data, edit)
    assert paths(found) == [
        ("changed", "fees[fija].kind"),
        ("removed", "fees[fija].amount"),
        ("added", "fees[fija].amounts"),
    ]
    assert (
        summary(found)[2]
        == "Se agregó la tasa «Fija» (tasas_2004: $10.00, decreto_27_2023: $12.00)"
    )


def test_a_section_missing_on_one_side_is_compared_item_by_item(
    demo_data: dict[str, Any],
) -> None:
    fees = demo_data.pop("fees")
    payment = demo_data["workflow"]["transitions"][2]
    effects = payment.pop("effects")  # no fees, no payment order (`payment_without_fees`)

    def charge(d: dict[str, Any]) -> None:
        d.update(fees=fees)
        d["workflow"]["transitions"][2]["effects"] = effects

    found = changes(demo_data, charge)
    assert ("added", "fees[fija]") in paths(found)
    assert "Added the fee “Fija (en)”" in summary(found, "en")


# -- workflow ------------------------------------------------------------------------------------


def test_state_deadline_changed_added_and_removed(demo_data: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        states = d["workflow"]["states"]
        by_code(states, "revision")["business_days"] = 7
        by_code(states, "pago")["business_days"] = 3
        by_code(states, "inspeccion")["roles"] = ["inspector"]

    found = changes(demo_data, edit)
    assert paths(found) == [
        ("changed", "workflow.states[revision].business_days"),
        ("added", "workflow.states[inspeccion].roles"),
        ("added", "workflow.states[pago].business_days"),
    ]
    assert summary(found) == [
        "El plazo del estado «Revisión» cambió de 5 a 7 días hábiles",
        "Se agregaron los roles del estado «Inspección» (inspector)",
        "Se agregó el plazo del estado «Pago» (3 días hábiles)",
    ]
    assert summary(found, "en")[0] == (
        "The deadline of the state “Revisión (en)” changed from 5 to 7 business days"
    )


def test_state_added_and_removed(demo_data: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["workflow"]["states"].append({"code": "archivo", "kind": "withdrawn", "label": t("Ar")})
        d["workflow"]["transitions"].append(
            {"action": "archivar", "from": "revision", "to": "archivo", "roles": ["clerk"],
             "label": t("Archivar")}
        )  # fmt: skip

    assert paths(changes(demo_data, edit)) == [
        ("added", "workflow.states[archivo]"),
        ("added", "workflow.transitions[archivar]"),
    ]


def test_transition_roles_keyed_by_action(demo_data: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        by_code(d["workflow"]["transitions"], "presentar")["roles"] = ["applicant", "clerk"]
        by_code(d["workflow"]["transitions"], "admitir")["from"] = ["revision", "inspeccion"]

    found = changes(demo_data, edit)
    assert found[0] == Change(
        "changed", "workflow.transitions[presentar].roles", ["applicant"], ["applicant", "clerk"],
        Text("Presentar", "Presentar (en)"),
    )  # fmt: skip
    assert found[1].path == "workflow.transitions[admitir].from"
    assert summary(found) == [
        "Los roles de la acción «Presentar» cambiaron de persona solicitante a "
        "persona solicitante, técnico",
        "Los estados de origen de la acción «Admitir» cambiaron de revision a revision, inspeccion",
    ]
    assert summary(found, "en")[0] == (
        "The roles of the action “Presentar (en)” changed from applicant to applicant, clerk"
    )


def test_shared_actions_are_keyed_by_sources_then_target(demo_data: dict[str, Any]) -> None:
    resolver = demo_data["workflow"]["transitions"][3]
    demo_data["workflow"]["transitions"].append(resolver | {"roles": ["admin"], "guards": []})

    def edit(d: dict[str, Any]) -> None:
        d["workflow"]["transitions"][3]["roles"] = ["supervisor", "clerk"]
        d["workflow"]["transitions"][5]["comment_required"] = True

    assert paths(changes(demo_data, edit)) == [
        ("changed", "workflow.transitions[resolver:pago>aprobado].roles"),
        ("changed", "workflow.transitions[resolver:pago>aprobado#2].comment_required"),
    ]


def test_splitting_an_action_by_source(calificacion: Definition) -> None:
    data = calificacion.to_dict()
    desistir = by_code(data["workflow"]["transitions"], "desistir")
    desistir["from"] = ["borrador", "presentado"]
    data["workflow"]["transitions"].append(desistir | {"from": ["prevenido"]})
    found = diff(calificacion, load(data))
    assert paths(found) == [
        ("removed", "workflow.transitions[desistir:borrador,presentado,prevenido]"),
        ("added", "workflow.transitions[desistir:borrador,presentado]"),
        ("added", "workflow.transitions[desistir:prevenido]"),
    ]
    assert summary(found)[0] == "Se eliminó la acción «Desistir de la solicitud»"


def test_guards_and_breach_actions_are_compared_whole(demo_data: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        by_code(d["workflow"]["transitions"], "presentar")["guards"] = ["form_complete"]
        by_code(d["workflow"]["states"], "revision")["breach"] = []
        d["workflow"]["breach"] = [{"kind": "notify", "role": "supervisor"}]

    found = changes(demo_data, edit)
    assert paths(found) == [
        ("removed", "workflow.states[revision].breach"),
        ("changed", "workflow.transitions[presentar].guards"),
        ("added", "workflow.breach"),
    ]
    assert summary(found) == [
        "Se eliminaron las acciones al vencer el plazo del estado «Revisión» "
        '({"kind": "escalate", "role": "supervisor"})',
        "Las verificaciones de la acción «Presentar» cambiaron de form_complete, "
        "documents_complete a form_complete",
        'Se agregaron las acciones al vencer el plazo ({"kind": "notify", "role": "supervisor"})',
    ]


# -- top level -----------------------------------------------------------------------------------


def test_texts_catalogue_and_optional_sections(demo_data: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["title"]["es"] = "Demostración nueva"
        d["catalogue"]["legal_max_business_days"] = 20
        d["catalogue"]["office"] = t("Ventanilla")
        d["validity"] = {"months": 12}
        d["certificate"] = {"template": "certificate", "title": t("Constancia")}

    found = changes(demo_data, edit)
    assert paths(found) == [
        ("changed", "title.es"),
        ("changed", "catalogue.legal_max_business_days"),
        ("added", "catalogue.office"),
        ("added", "validity"),
        ("added", "certificate"),
    ]
    assert summary(found) == [
        "El título (en español) cambió de «Demostración» a «Demostración nueva»",
        "El plazo legal máximo cambió de 30 a 20 días hábiles",
        "Se agregó la oficina («Ventanilla»)",
        "Se agregó la vigencia",
        "Se agregó el certificado",
    ]
    assert summary(found, "en") == [
        "The title (in Spanish) changed from “Demostración” to “Demostración nueva”",
        "The legal maximum period changed from 30 to 20 business days",
        "Added the office (“Ventanilla (en)”)",
        "Added the validity",
        "Added the certificate",
    ]


# -- sentences -----------------------------------------------------------------------------------

SENTENCES = [
    (
        Change("added", "fields[nombre_comercial]", None, {}, Text("Nombre comercial", "Name")),
        "Se agregó el campo «Nombre comercial»",
        "Added the field “Name”",
    ),
    (
        Change(
            "changed",
            "workflow.states[presentado].business_days",
            25,
            20,
            Text("Presentado", "Filed"),
        ),
        "El plazo del estado «Presentado» cambió de 25 a 20 días hábiles",
        "The deadline of the state “Filed” changed from 25 to 20 business days",
    ),
    (
        Change("changed", "fees[tasa_inspeccion].amount", 15, 18, Text("Inspección", "Survey")),
        "La tasa «Inspección» cambió de $15.00 a $18.00",
        "The fee “Survey” changed from $15.00 to $18.00",
    ),
    (
        Change("removed", "documents[plano]", {}, None),
        "Se eliminó el documento «plano»",
        "Removed the document “plano”",
    ),
    (
        Change("changed", "fields[area].required", False, True, Text("Área", "Area")),
        "El campo «Área» ahora es obligatorio",
        "The field “Area” is now required",
    ),
    (
        Change("changed", "documents[plano].required", True, False, Text("Plano", "Plan")),
        "El documento «Plano» ya no es obligatorio",
        "The document “Plan” is no longer required",
    ),
    (
        Change("changed", "documents[plano].max_bytes", 10485760, 5242880, Text("Plano", "Plan")),
        "El tamaño máximo del documento «Plano» cambió de 10 MB a 5 MB",
        "The maximum size of the document “Plan” changed from 10 MB to 5 MB",
    ),
    (
        Change(
            "added",
            "fields[tipo].choices[c]",
            None,
            {"value": "c", "label": t("Ce", "See")},
            Text("Tipo", "Type"),
        ),
        "Se agregó la opción «Ce» del campo «Tipo»",
        "Added the option “See” of the field “Type”",
    ),
    (
        Change(
            "removed",
            "fields[tipo].choices[c]",
            {"value": "c", "label": t("Ce", "See")},
            None,
            Text("Tipo", "Type"),
        ),
        "Se eliminó la opción «Ce» del campo «Tipo»",
        "Removed the option “See” of the field “Type”",
    ),
    (
        Change("changed", "fields[tipo].choices[c].label.en", "C", "See", Text("Tipo", "Type")),
        "El nombre de la opción «c» del campo «Tipo» (en inglés) cambió de «C» a «See»",
        "The label of the option “c” of the field “Type” (in English) changed from “C” to “See”",
    ),
    (
        Change("changed", "workflow.transitions[resolver].comment_required", False, True),
        "El comentario obligatorio de la acción «resolver» cambió de no a sí",
        "The required comment of the action “resolver” changed from no to yes",
    ),
    (
        Change("changed", "fees[permiso].base", 87, {"tasas_2004": 87, "decreto_27_2023": 115}),
        "La base de la tasa «permiso» cambió de $87.00 a tasas_2004: $87.00, "
        "decreto_27_2023: $115.00",
        "The base amount of the fee “permiso” changed from $87.00 to tasas_2004: $87.00, "
        "decreto_27_2023: $115.00",
    ),
    (
        Change("removed", "fields[area].help", t("Ayuda", "Help"), None, Text("Área", "Area")),
        "Se eliminó la ayuda del campo «Área» («Ayuda»)",
        "Removed the help text of the field “Area” (“Help”)",
    ),
    (
        Change("added", "fields[correo].visible_if", None, {"field": "x", "op": "present"}),
        "Se agregó la condición de visibilidad del campo «correo» "
        '({"field": "x", "op": "present"})',
        'Added the visibility condition of the field “correo” ({"field": "x", "op": "present"})',
    ),
    (
        Change("changed", "workflow.states[revision].roles", [], ["clerk", "inspector"]),
        "Los roles del estado «revision» cambiaron de — a técnico, inspector",
        "The roles of the state “revision” changed from — to clerk, inspector",
    ),
    (
        Change("changed", "workflow.initial", "borrador", "inicio"),
        "El estado inicial cambió de borrador a inicio",
        "The initial state changed from borrador to inicio",
    ),
    (
        Change("added", "fees[x].placeholder", None, True),
        "Se agregó el valor de demostración de la tasa «x» (sí)",
        "Added the placeholder flag of the fee “x” (yes)",
    ),
    (
        Change("changed", "future_key", 1, None),
        "Future_key cambió de 1 a —",
        "Future_key changed from 1 to —",
    ),
]


@pytest.mark.parametrize(("change", "spanish", "english"), SENTENCES)
def test_sentences(change: Change, spanish: str, english: str) -> None:
    assert summary([change]) == [spanish]
    assert summary([change], locale="es-SV") == [spanish]
    assert summary([change], locale="en_US") == [english]


# -- the real definition -------------------------------------------------------------------------


def test_calificacion_lugar_against_a_modified_copy(calificacion: Definition) -> None:
    data = calificacion.to_dict()
    data["version"] = 2
    data["fields"].reverse()
    data["fields"].append(
        {"name": "nombre_comercial", "type": "text", "label": t("Nombre comercial", "Trade name")}
    )
    by_code(data["fields"], "direccion", "name")["max_length"] = 400
    data["documents"] = [d for d in data["documents"] if d["code"] != "comprobante_pago"]
    data["fees"][0]["amount"] = 60
    states = data["workflow"]["states"]
    by_code(states, "presentado")["business_days"] = 20
    transitions = data["workflow"]["transitions"]
    by_code(transitions, "aprobar")["roles"] = ["supervisor"]
    data["catalogue"]["legal_max_business_days"] = 20
    by_code(data["fields"], "direccion", "name").pop("bind")
    new = load(data)

    found = diff(calificacion, new)
    assert paths(found) == [
        ("changed", "catalogue.legal_max_business_days"),
        ("changed", "fields[direccion].max_length"),
        ("removed", "fields[direccion].bind"),
        ("added", "fields[nombre_comercial]"),
        ("removed", "documents[comprobante_pago]"),
        ("changed", "fees[tasa_calificacion].amount"),
        ("changed", "workflow.states[presentado].business_days"),
        ("changed", "workflow.transitions[aprobar].roles"),
    ]
    assert summary(found) == [
        "El plazo legal máximo cambió de 25 a 20 días hábiles",
        "La longitud máxima del campo «Dirección del inmueble» cambió de 300 a 400",
        "Se eliminó el dato del diccionario del campo «Dirección del inmueble» (property.address)",
        "Se agregó el campo «Nombre comercial»",
        "Se eliminó el documento «Comprobante de pago»",
        "La tasa «Tasa por calificación de lugar (valor de demostración, pendiente de "
        "confirmar)» cambió de $50.00 a $60.00",
        "El plazo del estado «Presentado (en revisión)» cambió de 25 a 20 días hábiles",
        "Los roles de la acción «Resolver favorable» cambiaron de técnico, supervisor a supervisor",
    ]
    assert summary(found, "en")[3:5] == [
        "Added the field “Trade name”",
        "Removed the document “Proof of payment”",
    ]
    back = diff(new, calificacion)
    assert back[3] == Change("removed", "fields[nombre_comercial]", found[3].new, None,
                             Text("Nombre comercial", "Trade name"))  # fmt: skip
