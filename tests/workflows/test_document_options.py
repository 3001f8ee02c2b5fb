"""A requirement says what happens to a PDF with active content; refusing is the default."""

from __future__ import annotations

import copy

import pytest

from workflows import InvalidDefinition, load

from .conftest import DEMO


def _with_option(value: object) -> dict:
    data = copy.deepcopy(DEMO)
    data["documents"][0]["active_content"] = value
    return data


def test_a_pdf_with_active_content_is_refused_unless_the_requirement_flags_it() -> None:
    assert not load(copy.deepcopy(DEMO)).document("plano").flags_active_content
    assert not load(_with_option("refuse")).document("plano").flags_active_content
    flagged = load(_with_option("flag"))
    assert flagged.document("plano").flags_active_content
    assert load(flagged.to_dict()) == flagged


def test_an_unknown_option_is_a_problem_of_the_definition() -> None:
    with pytest.raises(InvalidDefinition) as refused:
        load(_with_option("ignore"))
    assert any("active_content" in problem.path for problem in refused.value.problems)
