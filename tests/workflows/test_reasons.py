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
