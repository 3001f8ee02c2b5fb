"""The OPAMSS Calificación de Lugar seed definition, driven through its whole life."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from workflows import Definition, Facts, Text, TransitionNotAllowed, available_actions, fire, load
from workflows.dictionary import feed_values, field_for
from workflows.fees import compute_fees, fee_total

COMPLETE = {
    "distrito": "0614",
    "direccion": "Calle Arce 123, San Salvador",
    "area_terreno_m2": "350",
    "uso_actual": "Vivienda",
    "uso_propuesto": "Tienda de artículos de primera necesidad",
    "tipo_persona": "natural",
    "nombre_propietario": "Ana Pérez",
    "nit_propietario": "0614-050707-104-8",
    "profesional_nombre": "Arq. Luis Gómez",
    "profesional_registro": "A-1234",
}
UPLOADED = frozenset({"escritura", "plano_topografico"})


def applicant(**changes: object) -> Facts:
    return Facts(role="applicant", data=COMPLETE | changes, documents=UPLOADED)


def effect_names(definition: Definition, state: str, action: str, facts: Facts) -> list[str]:
    outcome = fire(definition, state, action, facts)
    return [
        f"{ref.name}:{ref.params['type']}" if "type" in ref.params else ref.name
        for ref in outcome.effects
    ]


def test_catalogue_facts_come_from_the_reference(calificacion: Definition) -> None:
    assert calificacion.authority == "OPAMSS"
    assert calificacion.slug == "calificacion-lugar"
    assert calificacion.version == 5
    assert calificacion.title.get("es") == "Calificación de Lugar"
    assert "IV.25" in calificacion.catalogue.legal_basis[0].es
    assert calificacion.catalogue.legal_max_business_days == 25
    assert calificacion.catalogue.is_placeholder("legal_max_business_days")
    assert calificacion.catalogue.is_placeholder("cost_summary")
    assert not calificacion.catalogue.is_placeholder("purpose")
    assert calificacion.certificate is not None
    assert calificacion.certificate.template == "certificate"
    assert calificacion.certificate.title == Text(
        "Resolución de Calificación de Lugar", "Land-use qualification resolution"
    )


def test_states_carry_kinds_clocks_and_placeholder_deadlines(calificacion: Definition) -> None:
    assert calificacion.initial_state == "borrador"
    presentado = calificacion.state("presentado")
    assert (presentado.kind, presentado.clock, presentado.business_days) == (
        "active",
        "running",
        25,
    )
    assert presentado.business_days_placeholder
    prevenido = calificacion.state("prevenido")
    assert (prevenido.clock, prevenido.applicant_can_edit) == ("suspended", True)
    assert prevenido.breach[0].kind == "deem_abandoned"
    assert calificacion.state(prevenido.breach[0].target).kind == "abandoned"
    finals = {state.code for state in calificacion.states if state.is_final}
    assert finals == {
        "favorable",
        "favorable_condicionado",
        "desfavorable",
        "desistido",
        "abandonado",
    }


def test_definition_round_trips_through_to_dict(calificacion: Definition) -> None:
    again = load(calificacion.to_dict())
    assert again == calificacion
    assert again.digest == calificacion.digest
    assert len(calificacion.digest) == 64


def test_applicant_files_a_complete_application(calificacion: Definition) -> None:
    outcome = fire(calificacion, "borrador", "presentar", applicant())
    assert (outcome.source, outcome.target) == ("borrador", "presentado")
    assert effect_names(calificacion, "borrador", "presentar", applicant()) == [
        "issue_receipt",
        "request_payment",
        "emit_feed_event:case.filed",
        "notify",
    ]


def test_filing_explains_every_missing_field_and_document(calificacion: Definition) -> None:
    facts = Facts(role="applicant", data={"distrito": "0614", "direccion": "  "})
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(calificacion, "borrador", "presentar", facts)
    reasons = {reason.code: reason.params for reason in refused.value.reasons}
    assert reasons["form_incomplete"]["fields"][:2] == ("direccion", "area_terreno_m2")
    assert "distrito" not in reasons["form_incomplete"]["fields"]
    assert reasons["missing_documents"]["documents"] == ("escritura", "plano_topografico")


def test_sworn_statement_is_required_only_of_legal_persons(calificacion: Definition) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(calificacion, "borrador", "presentar", applicant(tipo_persona="juridica"))
    assert refused.value.reasons[0].params["documents"] == ("declaracion_jurada",)
    facts = Facts(
        role="applicant",
        data=COMPLETE | {"tipo_persona": "juridica"},
        documents=UPLOADED | {"declaracion_jurada"},
    )
    assert fire(calificacion, "borrador", "presentar", facts).target == "presentado"


def reviewed(role: str = "clerk", **changes: object) -> Facts:
    """A filed case whose fee is paid and whose every item the clerk found OK."""
    verdicts = dict.fromkeys((*COMPLETE, *UPLOADED), True)
    facts = {"data": COMPLETE, "documents": UPLOADED, "fee_paid": True, "verdicts": verdicts}
    return Facts(role=role, **(facts | changes))  # type: ignore[arg-type]


def test_staff_see_the_decisions_of_a_filed_case(calificacion: Definition) -> None:
    unpaid = available_actions(calificacion, "presentado", Facts(role="clerk"))
    assert [t.action for t in unpaid] == ["prevenir", "denegar"]
    actions = available_actions(calificacion, "presentado", reviewed())
    assert [t.action for t in actions] == [
        "prevenir",
        "aprobar",
        "aprobar_con_condiciones",
        "denegar",
    ]
    assert [t.action for t in available_actions(calificacion, "presentado", applicant())] == [
        "desistir"
    ]


def test_correction_request_needs_a_reason_and_suspends_the_clock(
    calificacion: Definition,
) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(calificacion, "presentado", "prevenir", Facts(role="clerk", comment=" "))
    assert [reason.code for reason in refused.value.reasons] == ["comment_required"]
    facts = Facts(role="supervisor", comment="Falta la descripción técnica")
    assert effect_names(calificacion, "presentado", "prevenir", facts) == [
        "suspend_clock",
        "emit_feed_event:case.correction_requested",
        "notify",
    ]


def test_corrected_application_returns_to_review(calificacion: Definition) -> None:
    assert effect_names(calificacion, "prevenido", "subsanar", applicant()) == [
        "resume_clock",
        "emit_feed_event:case.resubmitted",
        "notify",
    ]


@pytest.mark.parametrize(
    ("action", "target"),
    [("aprobar", "favorable"), ("aprobar_con_condiciones", "favorable_condicionado")],
)
def test_approval_issues_the_certificate(
    calificacion: Definition, action: str, target: str
) -> None:
    facts = reviewed(comment="Condiciones: retiro de 3 m")
    assert fire(calificacion, "presentado", action, facts).target == target
    assert effect_names(calificacion, "presentado", action, facts) == [
        "issue_certificate",
        "emit_feed_event:case.resolved",
        "emit_feed_event:permit.issued",
        "notify",
    ]


def test_no_resolution_favours_a_case_before_its_fee_is_paid(calificacion: Definition) -> None:
    for action in ("aprobar", "aprobar_con_condiciones"):
        with pytest.raises(TransitionNotAllowed) as refused:
            fire(calificacion, "presentado", action, reviewed(fee_paid=False, comment="c"))
        assert [reason.code for reason in refused.value.reasons] == ["fee_not_paid"]


def test_approval_needs_a_verdict_on_every_item(calificacion: Definition) -> None:
    verdicts = dict.fromkeys((*COMPLETE, *UPLOADED), True) | {"uso_actual": False}
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(calificacion, "presentado", "aprobar", reviewed(verdicts=verdicts))
    assert [reason.code for reason in refused.value.reasons] == ["items_not_verified"]
    assert refused.value.reasons[0].params["items"] == ("uso_actual",)


def test_denial_needs_a_reason(calificacion: Definition) -> None:
    with pytest.raises(TransitionNotAllowed):
        fire(calificacion, "presentado", "denegar", Facts(role="clerk"))
    outcome = fire(
        calificacion, "presentado", "denegar", Facts(role="clerk", comment="Uso no permitido")
    )
    assert outcome.target == "desfavorable"


@pytest.mark.parametrize("state", ["borrador", "presentado", "prevenido"])
def test_applicant_may_withdraw_until_resolution(calificacion: Definition, state: str) -> None:
    outcome = fire(calificacion, state, "desistir", Facts(role="applicant"))
    assert outcome.target == "desistido"
    assert outcome.effects[0].params["type"] == "case.withdrawn"


def test_applicant_cannot_decide_their_own_case(calificacion: Definition) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(calificacion, "presentado", "aprobar", applicant())
    assert refused.value.reasons[0].code == "role_not_allowed"
    assert refused.value.reasons[0].params == {"role": "applicant"}


def test_nothing_leaves_a_resolved_case(calificacion: Definition) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(calificacion, "favorable", "desistir", applicant())
    assert refused.value.reasons[0].code == "unknown_action"


def test_fee_is_a_labelled_placeholder(calificacion: Definition) -> None:
    lines = compute_fees(calificacion, COMPLETE, regime="decreto_27_2023")
    assert [(line.code, line.amount, line.placeholder) for line in lines] == [
        ("tasa_calificacion", Decimal("50.00"), True)
    ]
    assert fee_total(lines) == Decimal("50.00")


def test_simdet_reads_the_activity_and_never_the_owner_or_the_property(
    calificacion: Definition,
) -> None:
    data = {**COMPLETE, "actividad_claees": "47112"}
    assert feed_values(calificacion, data) == {"establishment": {"activity_code": "47112"}}
    assert field_for(calificacion, "property.district") == calificacion.field("distrito")


def test_documentation_shows_the_seed_file_verbatim() -> None:
    root = Path(__file__).parents[2]
    seed = (root / "workflows/definitions/opamss/calificacion-lugar.yaml").read_text("utf-8")
    docs = (root / "docs/procedure-definitions.md").read_text("utf-8")
    assert f"```yaml\n{seed}```" in docs
