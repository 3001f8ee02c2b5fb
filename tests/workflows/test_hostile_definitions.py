"""Hostile definition files get named problems with paths, quickly, and never an exception."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
import yaml

from tests.workflows.conftest import DEMO, t
from workflows import InvalidDefinition, load
from workflows.identifiers import validate_value
from workflows.loader import inspect_source, load_source
from workflows.model import Field
from workflows.source import MAX_BYTES, MAX_DEPTH, read_source
from workflows.text import Text
from workflows.validator import MAX_ALTERNATIVES, MAX_CONDITION_DEPTH, check, check_set


def codes(source: str | bytes) -> list[tuple[str, str]]:
    definition, problems = inspect_source(source)
    assert definition is None
    return [(problem.path, problem.code) for problem in problems]


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as invalid:
        load(data)
    return [(problem.path, problem.code) for problem in invalid.value.problems]


def text_of(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def states(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["workflow"]["states"]


def transitions(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["workflow"]["transitions"]


# Files that are not bounded YAML text


def test_a_sound_file_loads_from_bytes_or_text(demo_data: dict[str, Any]) -> None:
    source = text_of(demo_data)
    assert load_source(source.encode()) == load_source("\ufeff" + source) == load(demo_data)


def test_every_schema_problem_of_a_file_comes_at_once(demo_data: dict[str, Any]) -> None:
    del demo_data["slug"]
    states(demo_data)[0]["kind"] = "nope"
    assert codes(text_of(demo_data)) == [
        ("slug", "missing_key"),
        ("workflow.states[0].kind", "not_allowed"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image
        b"title: \xff\xfe caf\xe9\n",  # Latin-1, not UTF-8
        "title: a\x00b\n",  # a NUL in text
        "title: a\x1bb\n",  # a control character
    ],
)
def test_a_file_that_is_not_text_is_refused(content: str | bytes) -> None:
    assert codes(content) == [("", "not_text")]


def test_a_file_too_large_is_refused_before_parsing() -> None:
    started = time.perf_counter()
    assert codes("a: " + "x" * MAX_BYTES) == [("", "too_large")]
    assert time.perf_counter() - started < 1


def test_the_size_limit_can_be_lifted_for_the_benchmark() -> None:
    assert read_source("a: " + "x" * MAX_BYTES, max_bytes=2 * MAX_BYTES)[1] == []


def test_duplicate_keys_are_named_not_silently_overwritten(demo_data: dict[str, Any]) -> None:
    source = text_of(demo_data).replace("slug: demo\n", "slug: demo\nslug: other\n", 1)
    source = source.replace("  initial: borrador\n", "  initial: borrador\n  initial: x\n")
    found = codes(source)
    assert ("slug", "duplicate_key") in found
    assert ("workflow.initial", "duplicate_key") in found


def test_an_alias_bomb_is_refused_before_any_object_is_built() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    started = time.perf_counter()
    found = codes("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1
    assert [code for _path, code in found] == ["too_many_values"]


def test_an_alias_that_contains_itself_is_refused() -> None:
    assert codes("a: &a [1, *a]\n") == [("a[1]", "recursive_alias")]


def test_aliases_within_bounds_are_ordinary_yaml(demo_data: dict[str, Any]) -> None:
    source = text_of(demo_data) + "extra: &shared {es: x, en: y}\nmore: *shared\nagain: *shared\n"
    data, found = read_source(source)
    assert found == [] and data["more"] == data["again"] == {"es": "x", "en": "y"}


def test_flow_nesting_is_refused_before_the_parser_recurses() -> None:
    started = time.perf_counter()
    assert codes("a: " + "[" * 200_000) == [("", "too_deep")]
    assert time.perf_counter() - started < 1


def test_block_nesting_beyond_the_limit_is_refused() -> None:
    source = "".join("  " * level + "a:\n" for level in range(MAX_DEPTH + 2)) + "  " * 60 + "1\n"
    assert codes(source) == [("a", "too_deep")]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a: !!binary aGVsbG8=\n", [("a", "unsupported_tag")]),
        ("a: !!python/object:os.system ls\n", [("a", "unsupported_tag")]),
        ("a: !!set {x, y}\n", [("a", "unsupported_tag")]),
        ("a: !custom [1]\n", [("a", "unsupported_tag")]),
        ("b: &b {x: 1}\na:\n  <<: *b\n", [("a", "complex_key")]),
        ("? [a, b]\n: 1\n", [("", "complex_key")]),
        ("title: [unclosed\n", [("", "not_yaml")]),
        ("a: 1\n---\nb: 2\n", [("", "not_yaml")]),
        ("", [("", "empty")]),
        (" \n\t\n", [("", "empty")]),
        ("\ufeff\n", [("", "empty")]),
        ("# solo un comentario\n", [("", "not_a_mapping")]),
        ("- a\n", [("", "not_a_mapping")]),
    ],
)
def test_yaml_beyond_plain_data_is_named(source: str, expected: list[tuple[str, str]]) -> None:
    assert codes(source) == expected


def test_dates_stay_text_and_numbers_keep_their_type() -> None:
    data, found = read_source("a: 2026-01-01\nb: 0x10\nc: 1.5\nd: true\ne: ~\n")
    assert found == [] and data == {"a": "2026-01-01", "b": 16, "c": 1.5, "d": True, "e": None}


def test_digits_with_a_leading_zero_stay_a_code_not_an_octal_number() -> None:
    data, found = read_source("a: 0614\nb: [01111, 0]\nc: 0.5\nd: 00\ne: 614\nf: 08111\n")
    assert found == []
    assert data == {"a": "0614", "b": ["01111", 0], "c": 0.5, "d": "00", "e": 614, "f": "08111"}


# Codes, patterns and conditions


@pytest.mark.parametrize("code", ["aprobado ", "aprobado\n", " aprobado", "aprobado\t"])
def test_state_codes_with_surrounding_whitespace_are_refused(
    demo_data: dict[str, Any], code: str
) -> None:
    states(demo_data)[4]["code"] = code
    transitions(demo_data)[3]["to"] = code
    assert ("workflow.states[4].code", "bad_format") in problems(demo_data)


def test_a_backtracking_pattern_matches_in_linear_time(demo_data: dict[str, Any]) -> None:
    demo_data["fields"].append(
        {"name": "codigo", "type": "text", "label": t("Código"), "pattern": "(a+)+$"}
    )
    definition = load(demo_data)  # RE2 has no catastrophic case, so the pattern is sound
    started = time.perf_counter()
    assert validate_value(definition.field("codigo"), "a" * 50_000 + "!") == (
        None,
        "pattern_mismatch",
    )
    assert validate_value(definition.field("codigo"), "aaa") == ("aaa", None)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)a", r"a{1000}{1000}", "(unclosed"])
def test_patterns_that_need_backtracking_or_explode_are_refused(
    demo_data: dict[str, Any], pattern: str
) -> None:
    demo_data["fields"].append(
        {"name": "codigo", "type": "text", "label": t("Código"), "pattern": pattern}
    )
    assert problems(demo_data) == [("fields[6].pattern", "invalid_pattern")]


def nested(depth: int) -> dict[str, Any]:
    condition: dict[str, Any] = {"field": "tipo", "op": "eq", "value": "a"}
    for level in range(depth - 1):
        condition = {"not": condition} if level % 2 else {"all": [condition]}
    return condition


def test_conditions_nested_beyond_the_limit_are_named_everywhere(
    demo_data: dict[str, Any],
) -> None:
    deep = nested(MAX_CONDITION_DEPTH + 1)
    demo_data["fields"][3]["visible_if"] = deep
    demo_data["documents"][1]["required_if"] = deep
    demo_data["fees"] = [
        {"code": "fija", "kind": "fixed", "label": t("Fija"), "amount": 10, "when": deep},
        {
            "code": "area",
            "kind": "per_unit_above",
            "label": t("Por área"),
            "field": "area",
            "base": 1,
            "threshold": 100,
            "rate": 1,
            "rates": [{"when": deep, "rate": 2}],
        },
    ]
    transitions(demo_data)[3]["guards"][1]["params"] = {"any": [nested(MAX_CONDITION_DEPTH)]}
    demo_data["routing"] = {"rules": [{"when": deep, "authority": "OTRA"}]}
    demo_data["prerequisites"] = [
        {"procedure": "DEMO/otro", "title": t("Otro"), "when": deep},
    ]
    found = [path for path, code in problems(demo_data) if code == "condition_too_deep"]
    assert found == [
        "fields[3].visible_if",
        "documents[1].required_if",
        "fees[0].when",
        "fees[1].rates[0].when",
        "workflow.transitions[3].guards[1].params",
        "routing.rules[0].when",
        "prerequisites[0].when",
    ]


def test_a_condition_at_the_depth_limit_loads(demo_data: dict[str, Any]) -> None:
    demo_data["fields"][3]["visible_if"] = nested(MAX_CONDITION_DEPTH)
    load(demo_data)


# The state graph and the clock


def test_states_that_lead_only_to_each_other_are_a_trap(demo_data: dict[str, Any]) -> None:
    # inspeccion <-> pago, with no way to a decision: neither is a dead end on its own.
    transitions(demo_data)[2]["to"] = "pago"
    transitions(demo_data)[3].update({"from": "pago", "to": "inspeccion", "action": "devolver"})
    transitions(demo_data)[4].update({"from": "revision", "to": "aprobado"})
    found = problems(demo_data)
    assert ("workflow.states[2]", "trapped_states") in found
    assert not [code for _path, code in found if code == "dead_end_state"]


def test_a_cycle_with_a_way_out_is_no_trap(demo_data: dict[str, Any]) -> None:
    transitions(demo_data).append(
        {
            "action": "devolver",
            "from": "pago",
            "to": "inspeccion",
            "roles": ["supervisor"],
            "label": t("Devolver"),
        }
    )
    load(demo_data)


def test_a_final_state_left_by_mistake_is_named_once(demo_data: dict[str, Any]) -> None:
    transitions(demo_data).append(
        {"action": "reabrir", "from": "aprobado", "to": "pago", "roles": ["clerk"], "label": t("R")}
    )
    found = problems(demo_data)
    assert found == [("workflow.transitions[5].from", "transition_from_final_state")]


def correcting(data: dict[str, Any], **state: Any) -> None:
    """Add a correction loop: revision -prevenir-> prevenido -subsanar-> revision."""
    states(data).insert(
        2,
        {"code": "prevenido", "kind": "waiting_applicant", "label": t("Prevenido"), **state},
    )
    transitions(data).extend(
        [
            {
                "action": "prevenir",
                "from": "revision",
                "to": "prevenido",
                "roles": ["clerk"],
                "label": t("Prevenir"),
                "effects": ["suspend_clock"],
            },
            {
                "action": "subsanar",
                "from": "prevenido",
                "to": "revision",
                "roles": ["applicant"],
                "label": t("Subsanar"),
                "effects": ["resume_clock"],
            },
        ]
    )


def test_a_sound_correction_loop_loads(demo_data: dict[str, Any]) -> None:
    correcting(demo_data, business_days=10)
    demo_data["workflow"]["breach"] = [{"kind": "deem_approved", "target": "aprobado"}]
    load(demo_data)


def test_a_correction_period_of_zero_days_is_refused(demo_data: dict[str, Any]) -> None:
    correcting(demo_data, business_days=0)
    assert problems(demo_data) == [("workflow.states[2].business_days", "out_of_range")]
    states(demo_data).append({"code": "abandonado", "kind": "abandoned", "label": t("Archivado")})
    correcting_state = states(demo_data)[2]
    correcting_state["business_days"] = 10
    correcting_state["breach"] = [
        {"kind": "deem_abandoned", "target": "abandonado", "after_business_days": 0}
    ]
    assert problems(demo_data) == [
        ("workflow.states[2].breach[0].after_business_days", "zero_correction_days")
    ]


def test_positive_silence_while_the_applicant_corrects_is_refused(
    demo_data: dict[str, Any],
) -> None:
    correcting(
        demo_data,
        business_days=10,
        breach=[{"kind": "deem_approved", "target": "aprobado"}],
    )
    assert problems(demo_data) == [
        ("workflow.states[2].breach[0]", "silence_while_correcting"),
        # and the silence decides the case without resuming the suspended clock
        ("workflow.transitions[5].effects[0]", "suspension_not_resumed"),
    ]


def test_procedure_silence_while_the_correction_clock_runs_is_refused(
    demo_data: dict[str, Any],
) -> None:
    correcting(demo_data, business_days=10, clock="running")
    demo_data["workflow"]["breach"] = [
        {"kind": "notify", "role": "supervisor", "after_business_days": 20},
        {"kind": "deem_approved", "target": "aprobado"},
    ]
    assert problems(demo_data) == [("workflow.breach[1]", "silence_while_correcting")]


def test_silence_on_a_suspended_active_state_is_refused(demo_data: dict[str, Any]) -> None:
    states(demo_data)[2].update(
        clock="suspended",
        business_days=5,
        breach=[{"kind": "deem_approved", "target": "aprobado"}],
    )
    assert problems(demo_data) == [("workflow.states[2].breach[0]", "silence_while_correcting")]


def test_a_decision_reachable_while_suspended_is_refused(demo_data: dict[str, Any]) -> None:
    correcting(demo_data, business_days=10)
    transitions(demo_data).append(
        {
            "action": "denegar",
            "from": "prevenido",
            "to": "denegado",
            "roles": ["clerk"],
            "label": t("Denegar"),
        }
    )
    assert problems(demo_data) == [("workflow.transitions[5].effects[0]", "suspension_not_resumed")]


def test_a_suspension_with_no_resumption_at_all_is_refused(demo_data: dict[str, Any]) -> None:
    correcting(demo_data, business_days=10)
    transitions(demo_data)[6]["effects"] = []
    transitions(demo_data)[6].update(to="desistido", action="desistir")
    states(demo_data).append({"code": "desistido", "kind": "withdrawn", "label": t("Desistido")})
    assert problems(demo_data) == [("workflow.transitions[5].effects[0]", "suspension_not_resumed")]


def test_withdrawing_or_abandoning_while_suspended_needs_no_resumption(
    demo_data: dict[str, Any],
) -> None:
    correcting(
        demo_data,
        business_days=10,
        breach=[{"kind": "deem_abandoned", "target": "abandonado"}],
    )
    states(demo_data).append({"code": "abandonado", "kind": "abandoned", "label": t("Archivado")})
    load(demo_data)


# Sets of definitions


def procedure(slug: str, *requires: str) -> Any:
    data = copy.deepcopy(DEMO)
    data["slug"] = slug
    data["prerequisites"] = [
        {"procedure": f"DEMO/{other}", "title": t(other), "when": None} for other in requires
    ]
    for item in data["prerequisites"]:
        del item["when"]
    return load(data)


def test_prerequisites_that_require_each_other_across_definitions() -> None:
    definitions = [
        procedure("a", "b"),
        procedure("b", "c", "x"),
        procedure("c", "a"),
        procedure("d", "a"),  # requires one on the cycle, but is not on it
        procedure("e"),
    ]
    found = [(index, problem.path, problem.code) for index, problem in check_set(definitions)]
    assert found == [
        (0, "prerequisites[0].procedure", "prerequisite_cycle"),
        (1, "prerequisites[0].procedure", "prerequisite_cycle"),
        (2, "prerequisites[0].procedure", "prerequisite_cycle"),
    ]
    assert "DEMO/a -> DEMO/b -> DEMO/c" in check_set(definitions)[0][1].message
    assert check_set(definitions[3:]) == []


# Size


def many(count: int) -> dict[str, Any]:
    """A definition with `count` transitions in a chain of review states."""
    data = copy.deepcopy(DEMO)
    chain = [{"code": f"r{i}", "kind": "active", "label": t("R")} for i in range(count)]
    states(data)[1:1] = chain
    moves = [
        {
            "action": "seguir",
            "from": f"r{i}",
            "to": f"r{i + 1}",
            "roles": ["clerk"],
            "label": t("S"),
        }
        for i in range(count - 1)
    ]
    moves.append(
        {"action": "seguir", "from": f"r{count - 1}", "to": "revision", "roles": ["clerk"]}
        | {"label": t("S")}
    )
    transitions(data)[0]["to"] = "r0"
    transitions(data)[1:1] = moves
    return data


def test_tens_of_thousands_of_transitions_answer_at_once() -> None:
    source = text_of(many(20_000)).encode()
    started = time.perf_counter()
    assert codes(source) == [("", "too_large")]
    assert time.perf_counter() - started < 1


def test_the_checks_are_linear_in_the_number_of_transitions() -> None:
    # Built directly (no YAML, no schema): only the semantic checks are timed. Before they
    # were linear, 5,000 transitions took over ten seconds here; now well under one.
    definition = load(many(50))
    big = many(5_000)
    from workflows.loader import _Builder

    built = _Builder().definition(big)
    started = time.perf_counter()
    assert check(built) == []
    assert time.perf_counter() - started < 5
    assert check(definition) == []


def test_one_action_offered_too_many_times_from_one_state_is_named(
    demo_data: dict[str, Any],
) -> None:
    template = transitions(demo_data)[3]
    for number in range(MAX_ALTERNATIVES):
        extra = copy.deepcopy(template)
        extra["guards"][1]["params"] = {"field": "tipo", "op": "eq", "value": "a"}
        extra["label"] = t(f"Aprobar {number}")
        transitions(demo_data).append(extra)
    found = problems(demo_data)
    assert found == [
        (f"workflow.transitions[{MAX_ALTERNATIVES + 3}].action", "too_many_alternatives")
    ]


def test_a_field_pattern_is_compiled_once_and_reused() -> None:
    field = Field(name="x", type="text", label=Text("X", "X"), pattern="[0-9]+")
    assert validate_value(field, "123") == ("123", None)
    assert validate_value(field, "12a") == (None, "pattern_mismatch")


def test_reading_pauses_the_cycle_collector_and_restores_it(demo_data: dict[str, Any]) -> None:
    import gc

    source = text_of(demo_data)
    assert gc.isenabled()
    assert inspect_source(source)[1] == [] and gc.isenabled()
    gc.disable()
    try:
        assert inspect_source(source)[1] == [] and not gc.isenabled()
    finally:
        gc.enable()


def test_upper_bounds_of_the_schema_have_named_codes(demo_data: dict[str, Any]) -> None:
    demo_data["opinions"] = [
        {"code": f"i{n}", "name": t(f"Institución {n}"), "business_days": 400} for n in range(51)
    ]
    found = problems(demo_data)
    assert ("opinions", "too_many_items") in found
    assert ("opinions[0].business_days", "out_of_range") in found
    assert not [code for _path, code in found if code.startswith("schema_")]
