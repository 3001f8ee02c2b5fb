"""Which staff tasks a role may do in a state, read from the definition's guarded transitions."""

from __future__ import annotations

import pytest

from tests.workflows.conftest import DEFINITIONS
from workflows import STAFF_TASKS, action_into, allowed_tasks, load_file, may_act

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
        (INSCRIPCION, "en_revision", "clerk", {"record_verdicts", "record_payment"}),
        (INSCRIPCION, "inspeccion", "inspector", {"record_inspection"}),
        (INSCRIPCION, "inspeccion", "clerk", set()),
        (INSCRIPCION, "calificacion", "supervisor", {"record_payment"}),
        # Final inspection: the inspector and the supervisor record it; only the latter the fee.
        (RECEPCION, "inspeccion_final", "inspector", {"record_inspection"}),
        (RECEPCION, "inspeccion_final", "supervisor", {"record_inspection", "record_payment"}),
        (CONSTRUCCION, "analisis_tecnico", "clerk", set()),
        (CONSTRUCCION, "dictamen", "supervisor", {"record_payment"}),
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


def test_the_withdrawal_is_found_by_the_kind_of_state_it_leads_to():
    assert action_into(ROTULO, "presentado", "applicant", "withdrawn") == "desistir"
    assert action_into(ROTULO, "presentado", "clerk", "withdrawn") is None
    assert action_into(ROTULO, "aprobado", "applicant", "withdrawn") is None
    assert action_into(CONSTRUCCION, "dictamen", "applicant", "withdrawn") is None
