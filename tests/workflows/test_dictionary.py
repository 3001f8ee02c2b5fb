"""The data dictionary: elements, bindings, resolution fields and same-subject prerequisites."""

from __future__ import annotations

from typing import Any

import pytest

from workflows import InvalidDefinition, load
from workflows.dictionary import (
    ELEMENTS,
    IDENTIFYING,
    SAME_SUBJECTS,
    SUBJECTS,
    binds_subject,
    bound,
    element,
    elements,
    field_for,
    is_personal,
    shareable,
)
from workflows.identifiers import validate_value
from workflows.model import FIELD_TYPES, Field
from workflows.schemas import schema
from workflows.text import Text


def t(es: str) -> dict[str, str]:
    return {"es": es, "en": f"{es} (en)"}


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as invalid:
        load(data)
    return [(problem.path, problem.code) for problem in invalid.value.problems]


def with_fields(data: dict[str, Any], *extra: dict[str, Any]) -> dict[str, Any]:
    data["fields"] = [*data["fields"], *extra]
    return data


ESTABLISHMENT, PROPERTY, ACCOUNT = (
    "establishment.trade_name",
    "property.cadastral_key",
    "establishment.tax_account",
)
KIND = {
    "name": "tipo_persona",
    "type": "choice",
    "label": t("Tipo de persona"),
    "bind": "legal_unit.kind",
    "choices": [
        {"value": "natural", "label": t("Natural")},
        {"value": "juridica", "label": t("Jurídica")},
    ],
}
HOLDER = [
    KIND,
    {"name": "titular", "type": "text", "label": t("Titular"), "bind": "legal_unit.name"},
    {"name": "nit", "type": "nit", "label": t("NIT"), "bind": "legal_unit.nit"},
    {"name": "dui", "type": "dui", "label": t("DUI"), "bind": "legal_unit.dui"},
    {"name": "comercial", "type": "text", "label": t("Nombre"), "bind": ESTABLISHMENT},
    {"name": "matricula", "type": "text", "label": t("Matrícula"), "bind": PROPERTY},
    {"name": "nota", "type": "text", "label": t("Nota")},
]


def test_every_element_is_about_a_subject_and_takes_known_field_types() -> None:
    for path, item in ELEMENTS.items():
        assert item.path == path == f"{item.subject}.{item.name}"
        assert item.subject in SUBJECTS
        assert item.types and set(item.types) <= set(FIELD_TYPES) - {"resolution"}
        assert item.label.es and item.label.en
    assert element("establishment.trade_name").types == ("text",)
    with pytest.raises(KeyError):
        element("establishment.nombre_comercial")
    assert {item.subject for item in elements("works")} == {"works"}
    assert elements("vehicle") == ()


def test_same_subjects_have_an_identifying_element_or_are_matched_by_record() -> None:
    assert set(SAME_SUBJECTS) == set(IDENTIFYING) <= set(SUBJECTS)
    for subject, key in IDENTIFYING.items():
        assert key is None or element(key).subject == subject
    enum = schema()["$defs"]["prerequisite"]["properties"]["same_subject"]["enum"]
    assert enum == list(SAME_SUBJECTS)


def test_the_schema_and_the_model_list_the_same_field_types() -> None:
    assert schema()["$defs"]["field"]["properties"]["type"]["enum"] == list(FIELD_TYPES)


def test_a_person_s_identity_and_contact_are_personal_and_a_business_is_not() -> None:
    for name in ("name", "dui", "nit", "email", "phone"):
        assert element(f"person.{name}").personal
    assert not element("person.acts_as").personal
    for item in elements("establishment") + elements("property") + elements("works"):
        assert not item.personal and not item.personal_if_natural
    fed = {path for path, item in ELEMENTS.items() if item.feed}
    assert {element(path).subject for path in fed} == {"establishment"}  # never a person


def test_a_legal_unit_s_name_is_personal_unless_it_is_a_legal_person() -> None:
    natural = {"legal_unit": {"kind": "natural"}}
    legal = {"legal_unit": {"kind": "juridica"}}
    assert is_personal("legal_unit.name", natural)
    assert is_personal("legal_unit.name", {})  # unknown kind: treated as a natural person
    assert not is_personal("legal_unit.name", legal)
    assert is_personal("legal_unit.dui", legal)
    assert not is_personal("legal_unit.kind", natural)
    assert not is_personal("establishment.trade_name", natural)
    with pytest.raises(KeyError):
        is_personal("legal_unit.alias", natural)


def test_bound_groups_answers_by_subject_and_leaves_out_local_and_blank_ones(
    demo_data: dict[str, Any],
) -> None:
    definition = load(with_fields(demo_data, *HOLDER))
    data = {
        "tipo_persona": "natural",
        "titular": "Ana María López",
        "nit": "0614-050707-104-8",
        "dui": "",
        "comercial": "Pupusería La Ceiba",
        "nota": "local",
        "area": 80,
    }
    assert bound(definition, data) == {
        "legal_unit": {"kind": "natural", "name": "Ana María López", "nit": "0614-050707-104-8"},
        "establishment": {"trade_name": "Pupusería La Ceiba"},
    }
    assert shareable(definition, data) == {
        "legal_unit": {"kind": "natural"},
        "establishment": {"trade_name": "Pupusería La Ceiba"},
    }
    company = {**data, "tipo_persona": "juridica", "titular": "Inversiones La Ceiba, S.A. de C.V."}
    assert shareable(definition, company)["legal_unit"] == {
        "kind": "juridica",
        "name": "Inversiones La Ceiba, S.A. de C.V.",
        "nit": "0614-050707-104-8",
    }
    assert shareable(definition, {"dui": "01234567-8"}) == {}
    assert field_for(definition, "legal_unit.nit") == definition.field("nit")
    assert field_for(definition, "works.floors") is None


def test_bindings_and_new_prerequisite_keys_round_trip(demo_data: dict[str, Any]) -> None:
    with_fields(
        demo_data,
        *HOLDER,
        {"name": "resolucion", "type": "resolution", "label": t("Resolución")},
    )
    demo_data["prerequisites"] = [
        {
            "procedure": "OPAMSS/calificacion-lugar",
            "title": t("Calificación de lugar"),
            "field": "resolucion",
            "same_subject": "property",
        }
    ]
    definition = load(demo_data)
    assert definition.field("comercial").bind == "establishment.trade_name"
    assert definition.field("nota").bind is None
    assert definition.prerequisites[0].field == "resolucion"
    assert definition.prerequisites[0].same_subject == "property"
    again = load(definition.to_dict())
    assert again == definition and again.digest == definition.digest
    assert "bind" not in definition.to_dict()["fields"][0]  # local fields stay as they were


def test_a_binding_must_name_an_element_of_a_fitting_type_once(demo_data: dict[str, Any]) -> None:
    with_fields(
        demo_data,
        {"name": "a", "type": "text", "label": t("A"), "bind": "establishment.nombre"},
        {"name": "b", "type": "integer", "label": t("B"), "bind": "establishment.trade_name"},
        {"name": "c", "type": "text", "label": t("C"), "bind": "establishment.trade_name"},
        {"name": "d", "type": "text", "label": t("D"), "bind": "establishment.trade_name"},
        {
            "name": "e",
            "type": "choice",
            "label": t("E"),
            "bind": "legal_unit.kind",
            "choices": [{"value": "natural", "label": t("N")}, {"value": "sa", "label": t("S")}],
        },
    )
    assert problems(demo_data) == [
        ("fields[6].bind", "unknown_element"),
        ("fields[7].bind", "type_mismatch"),
        ("fields[8].bind", "duplicate_binding"),
        ("fields[9].bind", "duplicate_binding"),
        ("fields[10].choices", "unknown_choice"),
    ]


def test_a_binding_path_is_checked_by_the_schema(demo_data: dict[str, Any]) -> None:
    with_fields(demo_data, {"name": "a", "type": "text", "label": t("A"), "bind": "Trade Name"})
    assert problems(demo_data) == [("fields[6].bind", "bad_format")]


def test_transition_outputs_are_not_bound(demo_data: dict[str, Any]) -> None:
    demo_data["workflow"]["transitions"][1]["outputs"] = [
        {"name": "cuenta", "type": "text", "label": t("Cuenta"), "bind": ACCOUNT}
    ]
    assert problems(demo_data) == [("workflow.transitions[1].outputs[0].bind", "not_applicable")]


def prerequisite(**extra: Any) -> dict[str, Any]:
    return {"procedure": "OPAMSS/calificacion-lugar", "title": t("Calificación"), **extra}


def test_a_prerequisite_s_field_is_a_resolution_field_of_its_own(
    demo_data: dict[str, Any],
) -> None:
    with_fields(
        demo_data,
        {"name": "resolucion", "type": "resolution", "label": t("Resolución")},
        {"name": "suelta", "type": "resolution", "label": t("Suelta")},
    )
    demo_data["prerequisites"] = [
        prerequisite(field="resolucion"),
        prerequisite(procedure="OPAMSS/linea-construccion", field="resolucion"),
        prerequisite(procedure="OPAMSS/recepcion-obra", field="nada"),
        prerequisite(procedure="OPAMSS/permiso-construccion", field="area"),
    ]
    assert problems(demo_data) == [
        ("prerequisites[1].field", "duplicate_field"),
        ("prerequisites[2].field", "unknown_field"),
        ("prerequisites[3].field", "type_mismatch"),
        ("fields[7]", "resolution_without_prerequisite"),
    ]


def test_a_resolution_field_is_asked_exactly_when_its_prerequisite_applies(
    demo_data: dict[str, Any],
) -> None:
    express = {"field": "express", "op": "eq", "value": True}
    with_fields(
        demo_data,
        {"name": "siempre", "type": "resolution", "label": t("Siempre")},
        {"name": "a_veces", "type": "resolution", "label": t("A veces"), "visible_if": express},
        {"name": "igual", "type": "resolution", "label": t("Igual"), "visible_if": express},
    )
    demo_data["prerequisites"] = [
        prerequisite(field="siempre", when=express),
        prerequisite(procedure="OPAMSS/linea-construccion", field="a_veces"),
        prerequisite(procedure="OPAMSS/recepcion-obra", field="igual", when=dict(express)),
    ]
    assert problems(demo_data) == [
        ("prerequisites[0].field", "visibility_mismatch"),
        ("prerequisites[1].field", "visibility_mismatch"),
    ]


def test_same_subject_needs_the_subject_s_identifying_element_bound(
    demo_data: dict[str, Any],
) -> None:
    demo_data["prerequisites"] = [
        prerequisite(same_subject="property"),
        prerequisite(procedure="OPAMSS/linea-construccion", same_subject="legal_unit"),
        prerequisite(procedure="OPAMSS/recepcion-obra", same_subject="establishment"),
    ]
    assert problems(demo_data) == [
        ("prerequisites[0].same_subject", "subject_not_bound"),
        ("prerequisites[1].same_subject", "subject_not_bound"),
        ("prerequisites[2].same_subject", "subject_not_bound"),
    ]
    with_fields(demo_data, *HOLDER)
    definition = load(demo_data)
    assert all(binds_subject(definition, subject) for subject in SAME_SUBJECTS)
    assert not binds_subject(definition, "works")


def test_an_establishment_is_matched_by_any_of_its_elements(demo_data: dict[str, Any]) -> None:
    with_fields(
        demo_data,
        {"name": "cuenta", "type": "text", "label": t("Cuenta"), "bind": ACCOUNT},
    )
    demo_data["prerequisites"] = [prerequisite(same_subject="establishment")]
    assert binds_subject(load(demo_data), "establishment")


def test_an_unknown_same_subject_is_refused_by_the_schema(demo_data: dict[str, Any]) -> None:
    demo_data["prerequisites"] = [prerequisite(same_subject="works")]
    assert problems(demo_data) == [("prerequisites[0].same_subject", "not_allowed")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("OPAMSS-2026-000001", ("OPAMSS-2026-000001", None)),
        ("  opamss-2026-000001 ", ("OPAMSS-2026-000001", None)),
        ("ss-2027-000123", ("SS-2027-000123", None)),
        ("NO-EXISTE-999", (None, "invalid_resolution")),
        ("OPAMSS-26-1", (None, "invalid_resolution")),
        # Spaces for dashes (read aloud) and en dashes (copied from a PDF) are the number.
        ("OPAMSS 2026 000001", ("OPAMSS-2026-000001", None)),
        ("OPAMSS\u20132026\u2013000001", ("OPAMSS-2026-000001", None)),
    ],
)
def test_a_resolution_answer_is_a_tracking_number(raw: str, expected: tuple) -> None:
    field = Field(name="resolucion", type="resolution", label=Text(es="R", en="R"))
    assert validate_value(field, raw) == expected


def test_the_documentation_lists_every_element_with_its_subject_and_privacy() -> None:
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs/procedure-definitions.md").read_text("utf-8")
    for path, item in ELEMENTS.items():
        personal = (
            "yes" if item.personal else "if natural person" if item.personal_if_natural else "no"
        )
        assert f"| `{path}` |" in docs
        row = next(line for line in docs.splitlines() if line.startswith(f"| `{path}` |"))
        assert f"| {item.subject} | {personal} |" in row
