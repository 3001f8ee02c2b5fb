"""The steps of a long form: grouped by dictionary subject, local fields with their group."""

from __future__ import annotations

from typing import Any

from workflows import Definition, InvalidDefinition, load
from workflows.dictionary import element
from workflows.steps import SHORT_FORM, Step, step_of, steps

DEMO_FIELDS = ("area", "tipo", "express", "correo", "empleados", "inicio")


def _with_fields(demo_data: dict[str, Any], specs: list[tuple[str, str | None]]) -> Definition:
    """The demo's own (local) fields, then these, each bound one of its element's type."""
    demo_data["fields"] += [
        {
            "name": name,
            "type": element(bind).types[0] if bind else "text",
            "label": {"es": name, "en": name},
        }
        | ({"bind": bind} if bind else {})
        for name, bind in specs
    ]
    return load(demo_data)


def test_a_short_form_is_one_step_with_its_documents(demo: Definition) -> None:
    assert len(demo.fields) <= SHORT_FORM
    assert steps(demo) == (Step(None, tuple(f.name for f in demo.fields), ("plano", "poder")),)


def test_a_long_form_goes_subject_by_subject_documents_last(demo_data: dict[str, Any]) -> None:
    definition = _with_fields(
        demo_data,
        [
            ("motivo", None),  # before any bound field, with the demo's: a step of their own
            ("nit", "legal_unit.nit"),
            ("nota_titular", None),  # follows the legal unit
            ("nombre_comercial", "establishment.trade_name"),
            ("razon", "legal_unit.name"),  # the legal unit again: back in its step
            ("horario", None),  # follows the legal unit
            ("clave", "property.cadastral_key"),
        ],
    )
    found = steps(definition)
    assert found == (
        Step(None, (*DEMO_FIELDS, "motivo")),
        Step("legal_unit", ("nit", "nota_titular", "razon", "horario")),
        Step("establishment", ("nombre_comercial",)),
        Step("property", ("clave",)),
        Step(None, (), ("plano", "poder")),
    )
    assert step_of(found, "horario") == 2
    assert step_of(found, "plano") == 5
    assert step_of(found, "poder") == 5
    assert step_of(found, "unknown") == 1


def test_without_documents_to_upload_there_is_no_documents_step(
    demo_data: dict[str, Any],
) -> None:
    demo_data["documents"] = [d for d in demo_data["documents"] if d["code"] == "original"]
    demo_data["fields"] = []
    for transition in demo_data["workflow"]["transitions"]:  # their conditions ask x0
        for guard in transition.get("guards", ()):
            if isinstance(guard, dict):
                guard["params"]["field"] = "x0"
    definition = _with_fields(
        demo_data, [("nit", "legal_unit.nit"), *[(f"x{i}", None) for i in range(6)]]
    )
    assert steps(definition) == (Step("legal_unit", ("nit", "x0", "x1", "x2", "x3", "x4", "x5")),)
    assert steps(definition, short=10) == (
        Step(None, ("nit", "x0", "x1", "x2", "x3", "x4", "x5"), ()),
    )


def test_draft_retention_is_the_procedures_or_thirty_days(
    demo: Definition, demo_data: dict[str, Any]
) -> None:
    assert demo.draft_retention_days is None
    assert demo.retention_days == 30
    assert "draft_retention_days" not in demo.to_dict()
    demo_data["draft_retention_days"] = 90
    kept = load(demo_data)
    assert kept.retention_days == 90
    assert load(kept.to_dict()) == kept


def test_a_draft_retention_must_be_a_positive_number_of_days(demo_data: dict[str, Any]) -> None:
    for wrong in (0, -5, "30", 1.5):
        demo_data["draft_retention_days"] = wrong
        try:
            load(demo_data)
        except InvalidDefinition as invalid:
            assert any("draft_retention_days" in p.path for p in invalid.problems), wrong
        else:
            raise AssertionError(f"{wrong!r} was accepted")
