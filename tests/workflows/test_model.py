"""Definition objects: texts, look-ups, and the to_dict / load round trip with every section."""

from __future__ import annotations

from typing import Any

import pytest

from workflows import Definition, Text, load


def t(es: str) -> dict[str, str]:
    return {"es": es, "en": f"{es} (en)"}


@pytest.fixture
def full(demo_data: dict[str, Any]) -> Definition:
    demo_data["validity"] = {"months": 48, "ends_with_fiscal_year": False, "note": t("Cuatro años")}
    demo_data["certificate"] = {"template": "pdf/licencia", "title": t("Licencia")}
    demo_data["simdet"] = {
        "activity_field": "actividad",
        "employees_field": "empleados",
        "annual_sales_field": "ventas",
        "location_field": "distrito",
    }
    demo_data["fields"] += [
        {"name": "actividad", "type": "activity_code", "label": t("Actividad")},
        {"name": "ventas", "type": "money", "label": t("Ventas"), "min": 0.5},
        {"name": "distrito", "type": "district", "label": t("Distrito")},
    ]
    demo_data["fees"] += [
        {"code": "cat", "kind": "table", "label": t("Categoría"), "field": "tipo",
         "amounts": {"a": 1.5, "b": 2}, "when": {"field": "inicio", "op": "absent"}},
        {"code": "reg", "kind": "by_regime", "label": t("Régimen"),
         "amounts": {"tasas_2004": 87, "decreto_27_2023": 115}},
        {"code": "exp", "kind": "surcharge", "label": t("Exprés"), "amount": 25,
         "when": {"any": [{"field": "express", "op": "eq", "value": True},
                          {"field": "empleados", "op": "gt", "value": 10}]}},
    ]  # fmt: skip
    demo_data["catalogue"].update(
        who_may_apply=t("Cualquiera"),
        legal_basis=[t("LPA Art. 82")],
        cost_summary=t("$10"),
        office=t("Ventanilla"),
        hours=t("8 a 16 h"),
        outputs=t("Licencia"),
        placeholders=["hours"],
    )
    demo_data["workflow"]["transitions"][3]["effects"] = [
        "issue_certificate",
        "register_establishment",
        {"name": "notify", "params": {"template": "resolucion"}},
    ]
    return load(demo_data)


def test_full_definition_round_trips(full: Definition) -> None:
    again = load(full.to_dict())
    assert again == full
    assert again.digest == full.digest
    assert full.to_dict()["fees"][2]["amounts"] == {"tasas_2004": 87, "decreto_27_2023": 115}


def test_digest_changes_with_the_content(full: Definition, demo: Definition) -> None:
    assert full.digest != demo.digest
    assert load(demo.to_dict()).digest == demo.digest


def test_equal_definitions_hash_alike(full: Definition, demo: Definition) -> None:
    assert hash(load(full.to_dict())) == hash(full)
    assert len({full, demo, load(demo.to_dict())}) == 2


def test_definition_looks_up_its_parts(full: Definition) -> None:
    assert full.field("ventas").min == 0.5
    assert full.document("poder").required_if is not None
    assert full.state("revision").business_days == 5
    assert [t.action for t in full.transitions_from("pago")] == ["resolver", "resolver"]
    assert len(full.transitions_for("pago", "resolver")) == 2
    assert full.transitions_for("pago", "volar") == ()
    assert full.transitions_from("aprobado") == ()
    assert full.validity is not None and full.validity.months == 48
    assert full.catalogue.is_placeholder("hours")
    with pytest.raises(KeyError):
        full.state("nada")


def test_defaults_fill_what_the_definition_omits(demo: Definition) -> None:
    plano = demo.document("plano")
    assert (plano.accept, plano.max_bytes, plano.presentation) == (
        ("application/pdf",),
        10 * 1024 * 1024,
        "upload",
    )
    assert demo.state("borrador").clock == "stopped"
    assert demo.state("revision").clock == "running"
    assert demo.state("aprobado").clock == "stopped"
    assert not demo.field("express").required


def test_definitions_are_frozen(demo: Definition) -> None:
    with pytest.raises(AttributeError):
        demo.version = 3  # type: ignore[misc]
    assert isinstance(demo.states, tuple)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("es", "Borrador"), ("en", "Draft"), ("en_US", "Draft"), ("fr", "Borrador")],
)
def test_text_falls_back_to_spanish(locale: str, expected: str) -> None:
    assert Text("Borrador", "Draft").get(locale) == expected


def test_blank_english_falls_back_to_spanish() -> None:
    assert Text("Borrador", " ").get("en") == "Borrador"


def test_certificate_paper_defaults_to_a4_and_a_version_may_carry_its_own_layout(
    demo_data: dict[str, Any],
) -> None:
    demo_data["certificate"] = {"template": "certificate", "title": t("Constancia")}
    named = load(demo_data).certificate
    demo_data["certificate"] = {
        "layout": "<h1>{{ holder_name }}</h1>",
        "paper": "Letter",
        "title": t("Constancia"),
    }
    own = load(demo_data)

    assert (named.template, named.layout, named.paper, named.paper_size) == (
        "certificate",
        None,
        None,
        "A4",
    )
    assert own.certificate.template is None
    assert (own.certificate.layout, own.certificate.paper_size) == (
        "<h1>{{ holder_name }}</h1>",
        "Letter",
    )
    assert load(own.to_dict()) == own


@pytest.mark.parametrize(
    "certificate",
    [
        {"title": {"es": "C", "en": "C"}},  # neither a layout nor a template
        {"template": "certificate", "layout": "<p></p>", "title": {"es": "C", "en": "C"}},
        {"template": "certificate", "paper": "Legal", "title": {"es": "C", "en": "C"}},
    ],
)
def test_certificate_names_one_layout_on_a_known_paper(
    demo_data: dict[str, Any], certificate: dict[str, Any]
) -> None:
    from workflows import InvalidDefinition

    demo_data["certificate"] = certificate
    with pytest.raises(InvalidDefinition) as error:
        load(demo_data)
    assert {p.path.split(".")[0] for p in error.value.problems} == {"certificate"}
