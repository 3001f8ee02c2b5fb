"""A procedure's reasons for corrections and denials, and the reasoned texts of decisions."""

from __future__ import annotations

from typing import Any

import pytest

from workflows import Definition, InvalidDefinition, load
from workflows.reasons import PLACEHOLDERS, fill, template_problems


def t(es: str, en: str | None = None) -> dict[str, str]:
    return {"es": es, "en": en if en is not None else f"{es} (en)"}


def with_reasons(data: dict[str, Any]) -> dict[str, Any]:
    data["reasons"] = [
        {"code": "plano_sin_firma", "label": t("Plano sin firma"), "for": ["denial"]},
        {"code": "uso_incompatible", "label": t("Uso no compatible"), "for": ["denial"]},
    ]
    deny = data["workflow"]["transitions"][4]
    deny["reasoned_text"] = t("Expediente {tracking_number} de {applicant}:\n{reasons}")
    return data


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as invalid:
        load(data)
    return [(problem.path, problem.code) for problem in invalid.value.problems]


def test_reasons_load_and_are_offered_by_what_a_transition_means(
    demo_data: dict[str, Any], calificacion: Definition
) -> None:
    definition = load(with_reasons(demo_data))
    approve, deny = definition.transitions[3], definition.transitions[4]
    assert definition.reason_use(deny) == "denial"
    assert definition.reason_use(approve) is None
    assert [r.code for r in definition.reasons_for("denial")] == [
        "plano_sin_firma",
        "uso_incompatible",
    ]
    assert definition.reasons_for("correction") == ()
    assert deny.reasoned_text.es.startswith("Expediente {tracking_number}")
    assert load(definition.to_dict()) == definition  # the block round-trips
    asking = next(x for x in calificacion.transitions if x.action == "prevenir")
    assert calificacion.reason_use(asking) == "correction"
    assert {"plano_sin_firma", "uso_suelo_incompatible"} <= {r.code for r in calificacion.reasons}
    assert all(r.label.es.strip() for r in calificacion.reasons)


def test_bad_reasons_are_named_at_their_place(demo_data: dict[str, Any]) -> None:
    data = with_reasons(demo_data)
    data["reasons"] += [
        {"code": "plano_sin_firma", "label": t("Otra vez"), "for": ["denial"]},
        {"code": "sin_espanol", "label": t("", "English only"), "for": ["denial"]},
        {"code": "para_corregir", "label": t("Corregir"), "for": ["correction"]},
    ]
    assert problems(data) == [
        ("reasons[3].label.es", "missing_translation"),
        ("reasons[2].code", "duplicate_code"),
        ("reasons[4].for", "reason_never_offered"),
    ]


def test_an_unknown_use_is_refused_by_the_schema(demo_data: dict[str, Any]) -> None:
    data = with_reasons(demo_data)
    data["reasons"][0]["for"] = ["archivo"]
    assert problems(data) == [("reasons[0].for[0]", "not_allowed")]


def test_reasoned_texts_name_only_known_placeholders(demo_data: dict[str, Any]) -> None:
    data = with_reasons(demo_data)
    data["workflow"]["transitions"][4]["reasoned_text"] = {
        "es": "Hola {applicant.__class__} {reasons!r} {today:>20} {dui}",
        "en": "Unbalanced {applicant",
    }
    assert problems(data) == [
        ("workflow.transitions[4].reasoned_text.es", "unknown_placeholder"),
        ("workflow.transitions[4].reasoned_text.es", "unknown_placeholder"),
        ("workflow.transitions[4].reasoned_text.es", "unknown_placeholder"),
        ("workflow.transitions[4].reasoned_text.es", "unknown_placeholder"),
        ("workflow.transitions[4].reasoned_text.en", "bad_template"),
    ]


def test_fill_substitutes_text_and_never_evaluates() -> None:
    values = {name: f"<{name}>" for name in PLACEHOLDERS}
    assert fill("Caso {tracking_number}: {reasons}.", values) == (
        "Caso <tracking_number>: <reasons>."
    )
    assert fill("Sin {today}", {}) == "Sin "  # a value not given is empty
    assert fill("{{literal}} {procedure}", values) == "{literal} <procedure>"
    hostile = "{applicant.__class__.__mro__}"
    assert template_problems(hostile) and fill(hostile, values) == hostile


def with_correction(data: dict[str, Any]) -> dict[str, Any]:
    """The demo procedure with a prevención from its review (so correction reasons are used)."""
    data["workflow"]["states"].append(
        {"code": "prevenido", "kind": "waiting_applicant", "label": t("Prevenido")}
    )
    data["workflow"]["transitions"].append(
        {
            "action": "prevenir",
            "from": "revision",
            "to": "prevenido",
            "roles": ["clerk"],
            "label": t("Prevenir"),
            "comment_required": True,
        }
    )
    data["workflow"]["transitions"].append(
        {
            "action": "corregir",
            "from": "prevenido",
            "to": "revision",
            "roles": ["applicant"],
            "label": t("Corregir"),
        }
    )
    data["reasons"] = [
        {"code": "ilegible", "label": t("Ilegible"), "for": ["correction"], "items": ["documents"]},
        {"code": "no_coincide", "label": t("No coincide"), "for": ["correction"]},
        {
            "code": "mal_escrito",
            "label": t("Mal escrito"),
            "for": ["correction"],
            "items": ["fields"],
        },
        {"code": "incompatible", "label": t("Incompatible"), "for": ["denial"]},
    ]
    return data


def test_a_verdict_offers_the_correction_reasons_that_fit_its_item(
    demo_data: dict[str, Any], calificacion: Definition
) -> None:
    definition = load(with_correction(demo_data))
    codes = {item: [r.code for r in definition.item_reasons(item)] for item in ("area", "plano")}
    assert codes == {"area": ["no_coincide", "mal_escrito"], "plano": ["ilegible", "no_coincide"]}
    assert definition.item_reasons("no_existe") == ()  # a forged item gets none
    assert [r.items for r in definition.reasons] == [("documents",), None, ("fields",), None]
    assert load(definition.to_dict()) == definition  # `items` round-trips, absent stays absent
    assert "items" not in definition.reasons[1].to_dict()
    # The seed: a plan's reasons are offered on the plan, not on an answer such as the address.
    on_address = {r.code for r in calificacion.item_reasons("direccion")}
    on_plan = {r.code for r in calificacion.item_reasons(calificacion.documents[0].code)}
    assert "plano_sin_firma" not in on_address and "documento_ilegible" not in on_address
    assert "datos_no_coinciden" in on_address & on_plan
    assert {"plano_sin_firma", "documento_ilegible"} <= on_plan


def test_items_are_named_at_their_place_when_they_cannot_be_used(
    demo_data: dict[str, Any],
) -> None:
    data = with_correction(demo_data)
    data["reasons"][3]["items"] = ["fields"]  # a denial reason: never given on a verdict
    data["documents"] = []
    data["workflow"]["transitions"][0]["guards"] = ["form_complete"]
    assert problems(data) == [
        ("reasons[0].items[0]", "reason_items_never_offered"),
        ("reasons[3].items", "reason_items_unused"),
    ]


def test_an_unknown_item_kind_is_refused_by_the_schema(demo_data: dict[str, Any]) -> None:
    data = with_correction(demo_data)
    data["reasons"][0]["items"] = ["fields", "fotos"]
    data["reasons"][1]["items"] = []
    assert problems(data) == [
        ("reasons[0].items[1]", "not_allowed"),
        ("reasons[1].items", "empty"),
    ]
