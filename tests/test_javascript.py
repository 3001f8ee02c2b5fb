"""The browser's modules pass their Node tests (tests/js/*.test.mjs, Node's own runner).

The shared case lists (tests/shared/) are run there against static/js/, and against workflows/
by tests/workflows, so `make test` fails when the two evaluators disagree.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

from workflows.conditions import evaluate, freeze

ROOT = Path(__file__).resolve().parent.parent
#: Answers as people type them: codes with zeros, numbers with separators or none, yes/no words
#: in Spanish and English, dates in both forms and off the calendar, blanks and odd digits.
ANSWERS = (
    "", " ", "0614", "614", "00614", "0614.0", "\u00a00614\u00a0", "1,500", "1 500", "1500",
    "2,5", "1.250", "1e3", "NaN", "-0", "-3.5", "$35", "$1,250.50", "12.345", "2.0", "2.5",
    "007", "0.1", "100.00", " 200.5 ", "+5", ".5", "5.", "1_000", "\uff11\uff12", "\u0663",
    "999999999999999", "1234567890123456", "sí", "SÍ", "si", "Si", "no", "NO", "true", "True",
    "false", "1", "0", "on", "off", "yes", "quizá", "2026-03-01", "01/03/2026", "1/3/2026",
    "2026-02-30", "29/02/2024", "31/12/2025", "2026-3-1", "0000-01-01", "juridica", "bar",
    "\ufeff0614", "0614\x1c", "\x85sí", "\u30002026-03-01", "\u2028", "\ufeff",
)  # fmt: skip
TYPES = (
    "text", "district", "choice", "multi_choice", "number", "integer", "money", "area_m2",
    "yes_no", "date", "nit", None,
)  # fmt: skip
VALUES = {
    "text": ["0614", "juridica", "bar", "1500"],
    "number": [1000, 1500, 0, 2.5, 0.1, -3.5, 614, 1250.5, 35],
    "yes_no": [True, False],
    "date": ["2026-01-01", "2026-03-01", "2024-02-29"],
}
KIND = {"number": "number", "integer": "number", "money": "number", "area_m2": "number"}
KIND |= {"yes_no": "yes_no", "date": "date"}
OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "present", "absent")


def test_the_javascript_modules_pass_their_node_tests():
    node = shutil.which("node")
    assert node, "node (v20 or later) is needed to test static/js"
    files = sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / "tests" / "js").glob("*.test.mjs")
    )
    assert files
    result = subprocess.run(
        # The modules under static/js are ES modules without a package.json to say so.
        [node, "--experimental-detect-module", "--test", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


def _value(rng: random.Random, type_: str | None) -> object:
    """A condition's value fitting `type_` (any kind when the type is not given)."""
    kind = KIND.get(type_, "text") if type_ else rng.choice(list(VALUES))
    return rng.choice(VALUES[kind])


def _random_case(rng: random.Random) -> dict:
    type_ = rng.choice(TYPES)
    op = rng.choice(OPS)
    leaf: dict = {"field": "f", "op": op}
    if op in ("in", "not_in"):  # now and then a value of another type, as a bad file has
        leaf["value"] = [
            _value(rng, rng.choice(TYPES) if rng.random() < 0.3 else type_)
            for _ in range(rng.randint(0, 3))
        ]
    elif op not in ("present", "absent"):
        leaf["value"] = _value(rng, rng.choice(TYPES) if rng.random() < 0.2 else type_)
    roll = rng.random()
    if type_ == "multi_choice" or roll < 0.1:
        answers: dict = {"f": rng.sample(ANSWERS, rng.randint(0, 3))}
    else:
        answers = {} if roll < 0.15 else {"f": rng.choice(ANSWERS)}
    return {"condition": leaf, "types": {"f": type_} if type_ else {}, "answers": answers}


def test_both_evaluators_agree_on_random_conditions_and_answers(tmp_path):
    """10,000 random comparisons (seeded), mixed types and invalid values included."""
    rng = random.Random(20261130)
    cases = [_random_case(rng) for _ in range(10_000)]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    node = shutil.which("node")
    assert node
    result = subprocess.run(
        [node, "--experimental-detect-module", "tests/js/evaluate.mjs", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    browser = json.loads(result.stdout)
    server = [evaluate(freeze(c["condition"]), c["answers"], c["types"]) for c in cases]
    disagreements = [
        case for case, js, py in zip(cases, browser, server, strict=True) if js is not py
    ]
    assert not disagreements, disagreements[:5]
