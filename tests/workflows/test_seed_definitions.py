"""What a user sees across all seed definitions: authorities, fees, deadlines and certificates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from workflows import Definition, load_file
from workflows.dictionary import element, field_for
from workflows.fees import FeeRegimeError, PerUnitAboveFee, RegimeFee, compute_fees, fee_total
from workflows.guards import RECORD_VERDICTS
from workflows.model import APPROVED_KINDS, Transition
from workflows.prerequisites import Held, missing_prerequisites
from workflows.routing import issuing_authority
from workflows.tasks import allowed_tasks
from workflows.validator import publication_problems

ROOT = Path(__file__).parents[2]
FILES = sorted((ROOT / "workflows" / "definitions").rglob("*.yaml"))
DEFINITIONS = {path: load_file(path) for path in FILES}
BY_KEY = {(d.authority, d.slug): d for d in DEFINITIONS.values()}
AUTHORITIES = yaml.safe_load(
    (ROOT / "portal" / "authorities" / "data" / "authorities.yaml").read_text("utf-8")
)
REGIMES = {row["tariff_regime"] for row in AUTHORITIES if row.get("tariff_regime")}


def definition(authority: str, slug: str) -> Definition:
    return BY_KEY[(authority, slug)]


def total(found: Definition, data: Mapping[str, object], regime: str | None = None) -> Decimal:
    return fee_total(compute_fees(found, data, regime))


def reachable(found: Definition) -> set[str]:
    exits: dict[str, set[str]] = {state.code: set() for state in found.states}
    for transition in found.transitions:
        for source in transition.sources:
            exits[source].add(transition.target)
    for state in found.states:
        exits[state.code] |= {action.target for action in state.breach if action.target}
        if not state.is_final:
            exits[state.code] |= {action.target for action in found.breach if action.target}
    seen: set[str] = set()
    frontier = [found.initial_state]
    while frontier:
        code = frontier.pop()
        if code not in seen:
            seen.add(code)
            frontier.extend(exits[code])
    return seen


def has_inspection(found: Definition) -> bool:
    return any(
        guard.name == "inspection_recorded" for t in found.transitions for guard in t.guards
    ) or any(state.roles == ("inspector",) for state in found.states)


def test_there_are_ten_definitions_across_five_authorities() -> None:
    assert len(DEFINITIONS) >= 10
    assert len(BY_KEY) == len(DEFINITIONS), "two files define the same authority and slug"
    assert len({d.authority for d in DEFINITIONS.values()}) >= 5


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_files_are_filed_under_their_authority_and_slug(path: Path) -> None:
    found = DEFINITIONS[path]
    assert path.parent.name == found.authority.lower()
    assert path.stem == found.slug
    assert found.version == 5  # version 5: signed documents (issue 10)
    assert found.authority in {row["code"] for row in AUTHORITIES}


def test_the_two_establishment_registrations_differ_by_office() -> None:
    santa_tecla = definition("0511", "inscripcion-establecimiento")
    san_salvador = definition("0614", "inscripcion-establecimiento")
    assert santa_tecla.title == san_salvador.title
    assert has_inspection(santa_tecla)
    assert "inspeccion" in {state.code for state in santa_tecla.states}
    assert not has_inspection(san_salvador)
    assert "inspeccion" not in {state.code for state in san_salvador.states}
    data = {"contribuyente_inscrito": True}
    assert total(santa_tecla, data) == Decimal("17.40")  # 15.00 inspection + 2.40 solvencia
    assert total(santa_tecla, {"contribuyente_inscrito": False}) == Decimal("20.00")
    assert total(san_salvador, data) != total(santa_tecla, data)
    assert {rule.code for rule in santa_tecla.fees} != {rule.code for rule in san_salvador.fees}
    assert all(rule.placeholder for rule in san_salvador.fees)
    assert not any(rule.placeholder for rule in santa_tecla.fees)
    assert santa_tecla.catalogue.legal_max_business_days == 15
    assert san_salvador.catalogue.legal_max_business_days == 10


def test_establishment_registrations_feed_simdet_and_the_register() -> None:
    for authority in ("0511", "0614"):
        found = definition(authority, "inscripcion-establecimiento")
        assert found.simdet is None  # the dictionary's bindings say what SIMDET receives
        for path, kind in (
            ("establishment.trade_name", "text"),
            ("establishment.activity_code", "activity_code"),
            ("establishment.employees", "integer"),
            ("establishment.annual_sales", "money"),
            ("establishment.address", "address"),
        ):
            assert element(path).feed
            bound_field = field_for(found, path)
            assert bound_field is not None and bound_field.type == kind
        approving = [t for t in found.transitions if found.state(t.target).kind in APPROVED_KINDS]
        names = {ref.name for t in approving for ref in t.effects}
        events = {ref.params.get("type") for t in approving for ref in t.effects}
        assert "register_establishment" in names
        assert "establishment.registered" in events


@pytest.mark.parametrize(
    ("project", "expected"),
    [("otro", "423.00"), ("comercial", "423.00"), ("unifamiliar", "348.00"), ("duplex", "348.00")],
)
def test_stormwater_fee_for_a_350_m2_lot(project: str, expected: str) -> None:
    found = definition("OPAMSS", "factibilidad-aguas-lluvias")
    assert total(found, {"area_terreno_m2": "350", "tipo_proyecto": project}) == Decimal(expected)


def test_stormwater_fee_is_the_base_up_to_200_m2_and_valid_four_years() -> None:
    found = definition("OPAMSS", "factibilidad-aguas-lluvias")
    assert total(found, {"area_terreno_m2": "200", "tipo_proyecto": "otro"}) == Decimal("273.00")
    assert found.validity is not None and found.validity.months == 48


def test_aplan_licence_is_deemed_granted_after_90_business_days() -> None:
    found = definition("APLAN", "licencia-funcionamiento")
    assert found.catalogue.legal_max_business_days == 90
    assert not found.catalogue.is_placeholder("legal_max_business_days")
    silence = [action for action in found.breach if action.kind == "deem_approved"]
    assert len(silence) == 1
    assert silence[0].after_business_days in (None, 90)
    assert found.state(silence[0].target).kind == "approved"
    assert found.validity is not None and found.validity.ends_with_fiscal_year


def test_aplan_express_costs_330_62_and_categories_are_priced() -> None:
    found = definition("APLAN", "licencia-funcionamiento")
    assert total(found, {"categoria": "otra", "expres": False}) == Decimal("165.31")
    assert total(found, {"categoria": "otra", "expres": True}) == Decimal("330.62")
    assert total(found, {"categoria": "casino", "expres": False}) == Decimal("14845.31")
    ranged = compute_fees(found, {"categoria": "comida_rapida", "expres": False})
    assert [line.placeholder for line in ranged] == [False, True]


@pytest.mark.parametrize(
    ("regime", "small", "large"),
    [("tasas_2004_2010", "87.00", "220.75"), ("decreto_27_2023", "115.00", "281.25")],
)
def test_construction_permit_fee_by_tariff_regime(regime: str, small: str, large: str) -> None:
    found = definition("OPAMSS", "permiso-construccion")
    assert total(found, {"area_construida_m2": "60"}, regime) == Decimal(small)
    assert total(found, {"area_construida_m2": "200"}, regime) == Decimal(large)


def test_construction_permit_fee_differs_between_regimes_and_needs_one() -> None:
    found = definition("OPAMSS", "permiso-construccion")
    data = {"area_construida_m2": "200"}
    assert total(found, data, "tasas_2004_2010") != total(found, data, "decreto_27_2023")
    with pytest.raises(FeeRegimeError):
        compute_fees(found, data)


@pytest.mark.parametrize("found", DEFINITIONS.values(), ids=lambda d: f"{d.authority}/{d.slug}")
def test_regime_amounts_use_the_regimes_districts_have(found: Definition) -> None:
    for rule in found.fees:
        amounts = []
        if isinstance(rule, PerUnitAboveFee):
            amounts = [rule.base, rule.rate, *(item.rate for item in rule.rates)]
        elif isinstance(rule, RegimeFee):
            amounts = [rule.amounts]
        for amount in amounts:
            if isinstance(amount, Mapping):
                assert set(amount) == REGIMES, rule.code


@pytest.mark.parametrize("found", DEFINITIONS.values(), ids=lambda d: f"{d.authority}/{d.slug}")
def test_approvals_come_with_a_certificate(found: Definition) -> None:
    if any(found.state(code).kind in APPROVED_KINDS for code in reachable(found)):
        assert found.certificate is not None
        assert found.certificate.title.es and found.certificate.title.en
    for transition in found.transitions:
        if found.state(transition.target).kind in APPROVED_KINDS:
            assert "issue_certificate" in {ref.name for ref in transition.effects}


@pytest.mark.parametrize("found", DEFINITIONS.values(), ids=lambda d: f"{d.authority}/{d.slug}")
def test_denials_come_with_a_signed_resolution(found: Definition) -> None:
    denials = [t for t in found.transitions if found.state(t.target).kind == "denied"]
    assert denials
    for transition in denials:
        assert "issue_resolution" in {ref.name for ref in transition.effects}


@pytest.mark.parametrize("found", DEFINITIONS.values(), ids=lambda d: f"{d.authority}/{d.slug}")
def test_every_review_item_has_its_own_name_so_each_gets_its_own_verdict(found: Definition) -> None:
    assert publication_problems(found) == []
    names = [f.name for f in found.fields] + [d.code for d in found.documents]
    assert len(names) == len(set(names))


def test_aplan_licence_names_the_copies_of_its_permits_apart_from_their_numbers() -> None:
    found = definition("APLAN", "licencia-funcionamiento")
    fields = {f.name for f in found.fields}
    documents = {d.code for d in found.documents}
    assert {"resolucion_uso_suelo", "permiso_proteccion_civil"} <= fields
    assert {"copia_resolucion_uso_suelo", "copia_permiso_proteccion_civil"} <= documents
    assert found.version == 5


@pytest.mark.parametrize("found", DEFINITIONS.values(), ids=lambda d: f"{d.authority}/{d.slug}")
def test_placeholders_say_so(found: Definition) -> None:
    for rule in found.fees:
        if rule.placeholder:
            assert "pendiente de confirmar" in rule.label.es, rule.code
            assert "to be confirmed" in rule.label.en, rule.code
    if found.fees and all(rule.placeholder for rule in found.fees):
        assert found.catalogue.is_placeholder("cost_summary")
    for name in found.catalogue.placeholders:
        assert getattr(found.catalogue, name) is not None, name


def test_large_construction_permits_go_to_the_dot() -> None:
    found = definition("OPAMSS", "permiso-construccion")
    assert issuing_authority(found, {"area_construida_m2": "249.99"}) == "OPAMSS"
    assert issuing_authority(found, {"area_construida_m2": "250"}) == "DOT"
    assert issuing_authority(found, {"area_construida_m2": "1,250.00"}) == "DOT"
    assert issuing_authority(found, {}) == "OPAMSS"


def test_construction_permit_prerequisites() -> None:
    found = definition("OPAMSS", "permiso-construccion")
    three = (
        "OPAMSS/calificacion-lugar",
        "OPAMSS/linea-construccion",
        "OPAMSS/factibilidad-aguas-lluvias",
    )
    today = date(2026, 4, 6)
    assert missing_prerequisites(found, {"es_parcelacion": False}, {}, today) == three
    subdivision = missing_prerequisites(found, {"es_parcelacion": "si"}, {}, today)
    assert subdivision == (*three, "OPAMSS/revision-vial-zonificacion")
    # Cases about the same property (record 7): any qualifies while its field is blank; once a
    # field names one, only that one counts.
    land = {"property": 7}
    held = {
        key: Held(
            "approved", date(2025, 6, 1), date(2029, 6, 1), f"OPAMSS-2025-00000{n}", key, land
        )
        for n, key in enumerate(three)
    }
    assert missing_prerequisites(found, {"es_parcelacion": False}, held, today, land) == ()
    assert missing_prerequisites(found, {}, held, today, {"property": 8}) == three
    held["OPAMSS/factibilidad-aguas-lluvias"] = Held(
        "approved", date(2021, 6, 1), date(2025, 6, 1), "OPAMSS-2021-000009", three[2], land
    )
    assert missing_prerequisites(found, {}, held, today, land) == (three[2],)
    named = {"resolucion_calificacion_lugar": "opamss-2025-000001"}  # the línea's number
    assert missing_prerequisites(found, named, held, today, land) == (three[0], three[2])
    reception = definition("OPAMSS", "recepcion-obra")
    assert [item.procedure for item in reception.prerequisites] == ["OPAMSS/permiso-construccion"]


@pytest.mark.parametrize("found", DEFINITIONS.values(), ids=lambda d: f"{d.authority}/{d.slug}")
def test_prerequisites_and_routes_name_what_exists(found: Definition) -> None:
    codes = {row["code"] for row in AUTHORITIES}
    for item in found.prerequisites:
        assert (item.authority, item.slug) in BY_KEY, item.procedure
    if found.routing is not None:
        for rule in found.routing.rules:
            assert rule.authority in codes
        assert found.routing.default_authority in (None, *codes)


def test_every_seeded_procedure_names_its_holder_and_its_subject_through_the_dictionary() -> None:
    """Each of the twelve says who holds the outcome and what it is about, by element."""
    establishments = {"cierre-establecimiento", "inscripcion-establecimiento", "permiso-rotulo"}
    for found in DEFINITIONS.values():
        assert field_for(found, "legal_unit.name") is not None, found.slug
        assert field_for(found, "legal_unit.nit") is not None, found.slug
        if found.authority == "OPAMSS":
            assert field_for(found, "property.cadastral_key") is not None, found.slug
        if found.slug in establishments or found.authority == "APLAN":
            assert field_for(found, "establishment.trade_name") is not None, found.slug


def test_identity_and_contact_fields_are_bound_so_the_dictionary_knows_they_are_personal() -> None:
    for found in DEFINITIONS.values():
        for item in found.fields:
            if item.type in ("dui", "nit", "email", "phone"):
                assert item.bind is not None, f"{found.slug}: {item.name}"
                assert element(item.bind).personal or element(item.bind).personal_if_natural


def test_a_prerequisite_with_a_resolution_field_is_asked_exactly_when_it_applies() -> None:
    """The field's visibility and the prerequisite's `when` agree, so no applicant is asked for
    a case that is not required, nor required to hold one they were not asked for."""
    tied = 0
    for found in DEFINITIONS.values():
        for prerequisite in found.prerequisites:
            if prerequisite.field is None:
                continue
            tied += 1
            field = found.field(prerequisite.field)
            assert field.type == "resolution" and field.required
            assert field.visible_if == prerequisite.when, (found.slug, field.name)
    assert tied == 7  # 4 of the building permit, 1 of the acceptance, 2 registrations


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_every_declared_fee_is_charged_and_paid_before_approval(path: Path) -> None:
    """A procedure with fees issues a payment order, and no approval is taken unpaid."""
    found = DEFINITIONS[path]
    assert found.fees
    effects = {ref.name for t in found.transitions for ref in t.effects}
    assert "request_payment" in effects
    for t in found.transitions:
        if found.state(t.target).kind in APPROVED_KINDS:
            assert "fee_paid" in {guard.name for guard in t.guards}, (t.action, t.target)


def corrections(found: Definition) -> list[Transition]:
    """The transitions that ask the applicant to correct the application itself.

    Of kind `ask_applicant`, into a state the applicant leaves by answering with the form
    checked again (`form_complete`): a prevención, or a request for opinions entered as
    fields; not an inspector's observations on the works, answered by asking a new visit.
    """
    return [
        t
        for t in found.transitions
        if found.kind_of(t) == "ask_applicant"
        and any(
            "form_complete" in {guard.name for guard in answer.guards}
            for answer in found.transitions_from(t.target)
            if found.kind_of(answer) == "correct"
        )
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_a_correction_can_name_each_item(path: Path) -> None:
    """Whoever asks for a correction of the application may first mark each item.

    For every correction, in some state it is asked from, each role that may ask may record
    a verdict (OK, or not OK with a reason) on each field and document, so the prevención
    shows the applicant exactly what to fix (`portal.review.corrections`).
    """
    found = DEFINITIONS[path]
    asked = corrections(found)
    assert asked
    for t in asked:
        assert any(
            all(RECORD_VERDICTS in allowed_tasks(found, source, role) for role in t.roles)
            for source in t.sources
        ), t.action
