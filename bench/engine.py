"""Benchmark the workflow engine: available_actions and fire per call, and definition loading.

Run: .venv/bin/python bench/engine.py [--calls 100000]

Prints p50/p95 in microseconds per call over random (definition, state, facts) triples,
against a floor: a bare dict lookup of the same transitions. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflows import (  # noqa: E402
    Definition,
    Facts,
    TransitionNotAllowed,
    available_actions,
    fire,
    load,
    load_file,
)
from workflows.model import ROLES  # noqa: E402

SAMPLE = {
    "text": "Texto", "long_text": "Texto largo", "address": "Calle Arce 1", "number": "10",
    "integer": "3", "money": "100.00", "area_m2": "250", "date": "2026-04-06", "yes_no": True,
    "email": "ana@example.com", "phone": "2222-3333", "dui": "01234567-8",
    "nit": "0614-050707-104-8", "district": "0614", "point": "13.7,-89.2",
    "activity_code": "47112", "resolution": "OPAMSS-2026-000001",
}  # fmt: skip


def random_facts(rng: random.Random, definition: Definition) -> Facts:
    """Return facts with a random role, a random part of the form and documents given."""
    data: dict[str, Any] = {}
    for field in definition.fields:
        if rng.random() < 0.8:
            data[field.name] = (
                rng.choice(field.choices).value if field.choices else SAMPLE[field.type]
            )
    documents = frozenset(d.code for d in definition.documents if rng.random() < 0.8)
    return Facts(
        role=rng.choice(ROLES),
        data=data,
        documents=documents,
        fee_paid=rng.random() < 0.5,
        comment=rng.choice(["", "Motivo"]),
        inspection_recorded=rng.random() < 0.5,
        verdicts={name: rng.random() < 0.9 for name in data},
    )


def percentiles(samples_ns: list[int]) -> tuple[float, float]:
    """Return p50 and p95 in microseconds."""
    cuts = statistics.quantiles(samples_ns, n=100)
    return cuts[49] / 1000, cuts[94] / 1000


def timed(calls: list[Callable[[], object]]) -> list[int]:
    """Time each call on its own, in nanoseconds."""
    clock = time.perf_counter_ns
    out = []
    for call in calls:
        start = clock()
        call()
        out.append(clock() - start)
    return out


def fire_or_refuse(definition: Definition, state: str, action: str, facts: Facts) -> object:
    """Fire, treating a refusal as a normal answer (it is one)."""
    try:
        return fire(definition, state, action, facts)
    except TransitionNotAllowed as refused:
        return refused.reasons


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--loads", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(2026)
    paths = sorted((ROOT / "workflows" / "definitions").rglob("*.yaml"))
    definitions = [load_file(path) for path in paths]

    triples = []
    for _ in range(args.calls):
        definition = rng.choice(definitions)
        state = rng.choice(definition.states).code
        outgoing = definition.transitions_from(state)
        action = rng.choice(outgoing).action if outgoing and rng.random() < 0.95 else "volar"
        triples.append((definition, state, action, random_facts(rng, definition)))

    floor = {
        id(d): {
            (source, t.action): t for t in d.transitions for source in t.sources
        }
        for d in definitions
    }  # fmt: skip
    rows = [
        ("dict lookup (floor)", [partial(floor[id(d)].get, (s, a)) for d, s, a, _ in triples]),
        ("available_actions", [partial(available_actions, d, s, f) for d, s, _, f in triples]),
        ("fire", [partial(fire_or_refuse, d, s, a, f) for d, s, a, f in triples]),
    ]
    count = len(definitions)
    print(f"{args.calls:,} random (definition, state, facts) triples, {count} definition(s)")
    print(f"{'':24}{'p50 µs':>10}{'p95 µs':>10}")
    for name, calls in rows:
        timed(calls[:2000])  # warm up
        p50, p95 = percentiles(timed(calls))
        print(f"{name:24}{p50:10.2f}{p95:10.2f}")

    largest = max(paths, key=lambda path: path.stat().st_size)
    raw = yaml.safe_load(largest.read_text(encoding="utf-8"))
    load(raw)  # warm the schema caches
    p50, p95 = percentiles(timed([lambda: load(raw)] * args.loads))
    name = largest.relative_to(ROOT)
    print(f"load + validate {name}: p50 {p50 / 1000:.2f} ms, p95 {p95 / 1000:.2f} ms")


if __name__ == "__main__":
    main()
