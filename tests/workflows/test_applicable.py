"""Only the answers and files that apply to what was answered reach the case (to a fixpoint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows import load, load_file
from workflows.guards import applicable_data, applicable_documents, required_documents

from .conftest import t

SIGN = load_file(
    Path(__file__).parents[2] / "workflows" / "definitions" / "0511" / "permiso-rotulo.yaml"
)


def _chain() -> object:
    """a -> b -> c -> d: each question is asked only when the previous one says yes."""

    def question(name: str, after: str | None) -> dict:
        spec = {"name": name, "type": "yes_no", "label": t(name)}
        if after:
            spec["visible_if"] = {"field": after, "op": "eq", "value": True}
        return spec

    return load(
        {
            "authority": "DEMO",
            "slug": "cadena",
            "version": 1,
            "title": t("Cadena"),
            "summary": t("Preguntas encadenadas"),
            "catalogue": {"purpose": t("Probar")},
            "fields": [
                # Declared out of order on purpose: one pass in order would not be enough.
                question("d", "c"),
                question("c", "b"),
                question("b", "a"),
                question("a", None),
                {
                    "name": "motivo",
                    "type": "text",
                    "label": t("Motivo"),
                    "visible_if": {"field": "d", "op": "absent"},
                },
            ],
            "documents": [
                {
                    "code": "anexo_d",
                    "title": t("Anexo"),
                    "required_if": {"field": "d", "op": "eq", "value": True},
                },
                {"code": "libre", "title": t("Libre")},
            ],
            "workflow": {
                "initial": "borrador",
                "states": [
                    {
                        "code": "borrador",
                        "kind": "draft",
                        "label": t("Borrador"),
                        "roles": ["applicant"],
                    },
                    {"code": "fin", "kind": "approved", "label": t("Fin")},
                ],
                "transitions": [
                    {
                        "action": "ir",
                        "from": "borrador",
                        "to": "fin",
                        "roles": ["applicant"],
                        "label": t("Ir"),
                    }
                ],
            },
        }
    )


def test_the_billboard_permit_number_goes_when_the_sign_is_on_the_facade() -> None:
    data = {"tipo_rotulo": "adosado", "permiso_opamss_valla": "OPAMSS-V-1", "caras": "1"}
    assert applicable_data(SIGN, data) == {"tipo_rotulo": "adosado", "caras": "1"}
    valla = {**data, "tipo_rotulo": "valla"}
    assert applicable_data(SIGN, valla) == valla
    assert set(applicable_documents(SIGN, data)) == {"fotomontaje"}
    assert set(applicable_documents(SIGN, valla)) == {
        "fotomontaje",
        "calculo_estructural",
        "permiso_opamss",
    }


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (
            {"a": True, "b": True, "c": True, "d": True},
            {"a": True, "b": True, "c": True, "d": True},
        ),
        ({"a": False, "b": True, "c": True, "d": True}, {"a": False, "motivo": None}),
        (
            {"a": True, "b": False, "c": True, "d": True, "motivo": "x"},
            {"a": True, "b": False, "motivo": "x"},
        ),
        ({"b": True, "c": True, "d": True, "ajeno": 1}, {}),
    ],
)
def test_hiding_one_question_hides_the_questions_that_hang_from_it(given, kept) -> None:
    definition = _chain()
    given = dict(given)
    if "motivo" in kept and "motivo" not in given:
        given["motivo"] = None
    assert applicable_data(definition, given) == kept


def test_a_visibility_cycle_gets_one_answer() -> None:
    """a is asked when b is absent, b when a is absent: resolving a, b's condition sees a as
    unanswered, so b is asked and a is not; always the same answer, whatever the data order."""
    from dataclasses import replace

    definition = _chain()
    x = replace(definition.field("a"), visible_if={"field": "b", "op": "absent"})
    y = replace(definition.field("b"), visible_if={"field": "a", "op": "absent"})
    cyclic = replace(definition, fields=(x, y))
    assert applicable_data(cyclic, {"a": True, "b": True}) == {"b": True}
    assert applicable_data(cyclic, {"b": True, "a": True}) == {"b": True}


def test_a_file_under_a_requirement_that_hangs_from_a_hidden_answer_does_not_apply() -> None:
    definition = _chain()
    everything = {"a": True, "b": True, "c": True, "d": True}
    assert applicable_documents(definition, everything) == ("anexo_d", "libre")
    assert required_documents(definition, everything) == ("anexo_d",)
    # d is still "yes" in the data, but it is no longer asked once a is "no".
    cut = {**everything, "a": False}
    assert applicable_documents(definition, cut) == ("libre",)
    assert required_documents(definition, cut) == ()


@pytest.mark.parametrize(
    ("given", "pending"),
    [
        # a unanswered: what hangs from it is not decided yet, however deep.
        ({"b": True, "c": True, "d": True, "ajeno": 1}, {"b": True, "c": True, "d": True}),
        ({"a": False, "b": True}, {}),  # hidden by an answer
        ({"a": True, "b": False, "c": True}, {}),  # hidden by an answer further down
        ({"a": True, "b": True, "c": True, "d": True, "motivo": "x"}, {}),
        ({"a": True, "c": True}, {"c": True}),  # b, asked, not answered yet
    ],
)
def test_answers_wait_while_what_decides_their_question_is_unanswered(given, pending) -> None:
    from workflows.guards import pending_answers

    assert pending_answers(_chain(), given) == pending


def test_a_visibility_cycle_leaves_nothing_pending_once_answered() -> None:
    from dataclasses import replace

    from workflows.guards import pending_answers

    definition = _chain()
    x = replace(definition.field("a"), visible_if={"field": "b", "op": "eq", "value": True})
    y = replace(definition.field("b"), visible_if={"field": "a", "op": "eq", "value": True})
    cyclic = replace(definition, fields=(x, y))
    assert pending_answers(cyclic, {"a": True, "b": True}) == {}
    assert pending_answers(cyclic, {"a": True}) == {"a": True}
