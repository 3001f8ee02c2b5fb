"""Which staff tasks a role may do in a state, read from the definition's guarded transitions."""

from __future__ import annotations

import pytest

from tests.workflows.conftest import DEFINITIONS
from workflows import STAFF_TASKS, action_of_kind, allowed_tasks, load, load_file, may_act

ROTULO = load_file(DEFINITIONS / "0511" / "permiso-rotulo.yaml")
INSCRIPCION = load_file(DEFINITIONS / "0511" / "inscripcion-establecimiento.yaml")
RECEPCION = load_file(DEFINITIONS / "opamss" / "recepcion-obra.yaml")
CONSTRUCCION = load_file(DEFINITIONS / "opamss" / "permiso-construccion.yaml")


@pytest.mark.parametrize(
    ("definition", "state", "role", "expected"),
    [
        # The sign permit's approval checks verdicts and the fee: its deciders do both.
        (ROTULO, "presentado", "clerk", {"record_verdicts", "record_payment"}),
        (ROTULO, "presentado", "supervisor", {"record_verdicts", "record_payment"}),
        (ROTULO, "presentado", "inspector", set()),
        (ROTULO, "presentado", "admin", set()),
        # Decided: nobody records anything any more.
        (ROTULO, "aprobado", "supervisor", set()),
        (ROTULO, "borrador", "applicant", set()),
        # Registration: the clerk admits (verdicts + fee), the inspector inspects.
        # ... and schedules the visit it sends the case to, then reschedules it there.
        (
            INSCRIPCION,
            "en_revision",
            "clerk",
            {"record_verdicts", "record_payment", "schedule_inspection"},
        ),
        (INSCRIPCION, "inspeccion", "inspector", {"record_inspection"}),
        (INSCRIPCION, "inspeccion", "clerk", {"schedule_inspection"}),
        (INSCRIPCION, "calificacion", "supervisor", {"record_payment"}),
        # Final inspection: the inspector and the supervisor record it; only the latter the fee.
        # Opinions: asked where the office works the case, answered while it is open.
        (RECEPCION, "inspeccion_final", "inspector", {"record_inspection"}),
        (
            RECEPCION,
            "inspeccion_final",
            "supervisor",
            {"record_inspection", "record_payment", "schedule_inspection", "record_opinion"},
        ),
        (
            CONSTRUCCION,
            "analisis_tecnico",
            "clerk",
            {"schedule_inspection", "request_opinion", "record_opinion"},
        ),
        (CONSTRUCCION, "inspeccion", "clerk", {"schedule_inspection", "record_opinion"}),
        (CONSTRUCCION, "inspeccion", "inspector", {"record_inspection"}),
        (
            CONSTRUCCION,
            "dictamen",
            "supervisor",
            {"record_payment", "request_opinion", "record_opinion"},
        ),
    ],
)
def test_a_role_may_do_the_tasks_feeding_the_guards_of_what_it_may_take(
    definition, state, role, expected
):
    assert allowed_tasks(definition, state, role) == expected
    assert allowed_tasks(definition, state, role) <= set(STAFF_TASKS)


def test_a_role_may_act_only_where_a_transition_names_it():
    assert may_act(ROTULO, "presentado", "clerk")
    assert not may_act(ROTULO, "presentado", "inspector")
    assert not may_act(ROTULO, "aprobado", "supervisor")
    assert may_act(CONSTRUCCION, "analisis_tecnico", "clerk")


def test_the_withdrawal_is_found_by_its_kind():
    assert action_of_kind(ROTULO, "presentado", "applicant", "withdraw") == "desistir"
    assert action_of_kind(ROTULO, "presentado", "clerk", "withdraw") is None
    assert action_of_kind(ROTULO, "aprobado", "applicant", "withdraw") is None
    assert action_of_kind(CONSTRUCCION, "dictamen", "applicant", "withdraw") is None


def test_sending_the_form_files_it_or_answers_what_was_asked():
    assert action_of_kind(ROTULO, "borrador", "applicant", "submit", "correct") == "presentar"
    assert action_of_kind(ROTULO, "prevenido", "applicant", "submit", "correct") == "subsanar"
    assert action_of_kind(ROTULO, "presentado", "applicant", "submit", "correct") is None


KINDS = {
    "presentar": "submit",
    "subsanar": "correct",
    "solicitar_reinspeccion": "correct",
    "presentar_opiniones": "correct",
    "prevenir": "ask_applicant",
    "observar": "ask_applicant",
    "emitir_liquidacion": "ask_applicant",
    "solicitar_opiniones": "ask_applicant",
    "aprobar": "decide",
    "aprobar_con_condiciones": "decide",
    "denegar": "decide",
    "inscribir": "decide",
    "recibir": "decide",
    "recibir_con_condiciones": "decide",
    "dar_de_baja": "decide",
    "desistir": "withdraw",
}


def test_every_seeded_transition_has_the_kind_its_states_give_it():
    seen = set()
    for path in sorted(DEFINITIONS.rglob("*.yaml")):
        definition = load_file(path)
        for transition in definition.transitions:
            seen.add(transition.action)
            assert transition.kind is None, "the seeded definitions declare no kind"
            wanted = KINDS.get(transition.action, "advance")
            assert definition.kind_of(transition) == wanted, (path.name, transition.action)
    assert set(KINDS) <= seen


def test_a_declared_kind_wins_and_round_trips(demo_data):
    data = demo_data
    data["workflow"]["states"].append(
        {"code": "archivado", "kind": "abandoned", "label": {"es": "Archivado", "en": "Archived"}}
    )
    data["workflow"]["transitions"].append(
        {
            "action": "archivar",
            "from": "revision",
            "to": "archivado",
            "roles": ["clerk"],
            "label": {"es": "Archivar", "en": "Archive"},
        }
    )
    data["workflow"]["transitions"][1]["kind"] = "correct"  # admitir would be "advance"
    with_kinds = load(data)
    admit, archive = with_kinds.transitions[1], with_kinds.transitions[-1]
    assert with_kinds.kind_of(archive) == "abandon"
    assert with_kinds.kind_of(admit) == "correct" and admit.kind == "correct"
    assert load(with_kinds.to_dict()) == with_kinds
    assert "kind" not in with_kinds.to_dict()["workflow"]["transitions"][0]
    assert action_of_kind(with_kinds, "revision", "clerk", "abandon") == "archivar"
