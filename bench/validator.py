"""Benchmark the definition validator on a generated 10,000-transition definition.

Run: .venv/bin/python bench/validator.py [--transitions 10000] [--runs 5]

Validates the same YAML text several times through the engine's whole path (reading bounded
YAML, the JSON Schema, building, every check of `workflows.validator.CHECKS`) and prints p50
and p95 wall time and the peak memory of one run (tracemalloc, in a separate run), against a
floor measured in the same process: a trivial definition of one transition. The generated file
is larger than `workflows.source.MAX_BYTES`, so its size limit is lifted here; a file that size
is refused at once in production (also timed below, with an alias bomb); the largest file
accepted is timed too. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflows import load  # noqa: E402
from workflows.loader import _without_cycle_collection, inspect_source  # noqa: E402
from workflows.source import MAX_BYTES, read_source  # noqa: E402


def text(es: str) -> dict[str, str]:
    return {"es": es, "en": f"{es} (en)"}


def generated(transitions: int) -> dict[str, Any]:
    """A sound definition: a chain of review states with `transitions` transitions in all.

    Every review state can also be decided, withdrawn, or sent back for a correction, so the
    graph has branches, a cycle through the waiting state and every kind of check to run.
    """
    reviews = max(1, (transitions - 3 + 3) // 4)  # 4 per review state, 3 more: n rounded up
    states = [
        {"code": "borrador", "kind": "draft", "label": text("Borrador"), "roles": ["applicant"]},
        *(
            {
                "code": f"r{i}",
                "kind": "active",
                "label": text(f"Revisión {i}"),
                "roles": ["clerk"],
                "business_days": 5,
                "breach": [{"kind": "notify", "role": "supervisor"}],
            }
            for i in range(reviews)
        ),
        {
            "code": "prevenido",
            "kind": "waiting_applicant",
            "label": text("Prevenido"),
            "business_days": 10,
        },
        {"code": "aprobado", "kind": "approved", "label": text("Aprobado")},
        {"code": "denegado", "kind": "denied", "label": text("Denegado")},
        {"code": "desistido", "kind": "withdrawn", "label": text("Desistido")},
    ]
    moves: list[dict[str, Any]] = [
        {
            "action": "presentar",
            "from": "borrador",
            "to": "r0",
            "roles": ["applicant"],
            "label": text("Presentar"),
            "guards": ["form_complete"],
            "effects": ["issue_receipt"],
        },
        {
            "action": "subsanar",
            "from": "prevenido",
            "to": "r0",
            "roles": ["applicant"],
            "label": text("Subsanar"),
            "effects": ["resume_clock"],
        },
        {
            "action": "desistir",
            "from": ["borrador", "prevenido", *(f"r{i}" for i in range(reviews))],
            "to": "desistido",
            "roles": ["applicant"],
            "label": text("Desistir"),
        },
    ]
    for i in range(reviews):
        following = f"r{i + 1}" if i + 1 < reviews else "aprobado"
        moves += [
            {
                "action": "avanzar",
                "from": f"r{i}",
                "to": following,
                "roles": ["clerk"],
                "label": text("Avanzar"),
                "guards": [
                    {"name": "condition", "params": {"field": "tipo", "op": "eq", "value": "a"}}
                ],
                "effects": [{"name": "notify", "params": {"message": text("{{ state }}")}}],
            },
            {
                "action": "avanzar",
                "from": f"r{i}",
                "to": "denegado",
                "roles": ["clerk"],
                "label": text("Denegar"),
                "guards": [
                    {"name": "condition", "params": {"field": "tipo", "op": "ne", "value": "a"}}
                ],
            },
            {
                "action": "prevenir",
                "from": f"r{i}",
                "to": "prevenido",
                "roles": ["clerk"],
                "label": text("Prevenir"),
                "comment_required": True,
                "effects": ["suspend_clock"],
            },
            {
                "action": "archivar",
                "from": f"r{i}",
                "to": "denegado",
                "roles": ["supervisor"],
                "label": text("Archivar"),
            },
        ]
    return {
        "authority": "OPAMSS",
        "slug": "generado",
        "version": 1,
        "title": text("Generado"),
        "summary": text("Un trámite generado"),
        "catalogue": {"purpose": text("Medir el validador"), "legal_max_business_days": 30},
        "fields": [
            {
                "name": "tipo",
                "type": "choice",
                "required": True,
                "label": text("Tipo"),
                "choices": [{"value": "a", "label": text("A")}, {"value": "b", "label": text("B")}],
            },
            {
                "name": "codigo",
                "type": "text",
                "label": text("Código"),
                "pattern": "[A-Z]{2}-[0-9]+",
            },
        ],
        "workflow": {"initial": "borrador", "states": states, "transitions": moves},
    }


def validate(source: str) -> None:
    """What `inspect_source` does, with the size limit lifted."""
    with _without_cycle_collection():
        data, problems = read_source(source, max_bytes=len(source) + 1)
        assert not problems, problems[:3]
        load(data)


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def peak_bytes(call: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    big_data = generated(args.transitions)
    count = len(big_data["workflow"]["transitions"])
    big = yaml.safe_dump(big_data, allow_unicode=True, sort_keys=False)
    trivial = yaml.safe_dump(generated(1), allow_unicode=True, sort_keys=False)
    print(f"generated: {count} transitions, {len(big) / 1e6:.1f} MB of YAML")

    floor = timed(lambda: validate(trivial), max(20, args.runs))
    times = timed(lambda: validate(big), args.runs)
    floor_peak = peak_bytes(lambda: validate(trivial))
    big_peak = peak_bytes(lambda: validate(big))
    print(f"{'':<22}{'p50 s':>10}{'p95 s':>10}{'peak MB':>10}")
    print(f"{'floor (1 transition)':<22}{statistics.median(floor):>10.4f}{p95(floor):>10.4f}"
          f"{floor_peak / 1e6:>10.1f}")  # fmt: skip
    print(f"{f'{args.transitions} transitions':<22}{statistics.median(times):>10.3f}"
          f"{p95(times):>10.3f}{big_peak / 1e6:>10.1f}")  # fmt: skip
    print(f"ratio to floor: {statistics.median(times) / statistics.median(floor):.0f}x time, "
          f"{big_peak / max(floor_peak, 1):.0f}x memory")  # fmt: skip

    # The largest file accepted in production, through the very path the portal takes.
    fitting = int(args.transitions * MAX_BYTES / len(big) * 0.97)
    largest = yaml.safe_dump(generated(fitting), allow_unicode=True, sort_keys=False)
    while len(largest) > MAX_BYTES:
        fitting = int(fitting * 0.95)
        largest = yaml.safe_dump(generated(fitting), allow_unicode=True, sort_keys=False)
    spent = timed(lambda: inspect_source(largest), args.runs)
    assert inspect_source(largest)[1] == []
    label = f"largest: {fitting}"
    print(f"{label:<22}{statistics.median(spent):>10.3f}{p95(spent):>10.3f}  "
          f"transitions, {len(largest) / 1e6:.2f} MB, the size limit")  # fmt: skip

    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)
    )
    for name, source in (("hostile: too large", big), ("hostile: alias bomb", bomb)):
        spent = timed(lambda source=source: inspect_source(source), 3)
        print(f"{name:<22}{statistics.median(spent):>10.4f}{max(spent):>10.4f}  "
              f"{inspect_source(source)[1][0].code}")  # fmt: skip


if __name__ == "__main__":
    main()
