"""The server reads every shared condition case as the browser does: one list, two evaluators.

tests/shared/condition_cases.json holds conditions, field types and answers as the browser
holds them; static/js/conditions.js runs the same list under Node (tests/js/conditions.test.mjs,
started by tests/test_javascript.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workflows.conditions import evaluate, freeze

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "shared" / "condition_cases.json").read_text("utf-8")
)["cases"]


def test_the_list_covers_every_kind_of_answer() -> None:
    assert len(CASES) >= 60
    types = {kind for case in CASES for kind in case["types"].values()}
    assert {"text", "district", "choice", "multi_choice", "number", "integer", "money"} <= types
    assert {"area_m2", "yes_no", "date", "activity_code"} <= types
    assert any(not case["answers"] for case in CASES), "a case with every field missing"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_server_gives_the_shared_answer(case: dict) -> None:
    condition = freeze(case["condition"])
    assert evaluate(condition, case["answers"], case["types"]) is case["expected"]
