"""Benchmark the business calendar: periods, membership and building an authority's calendar.

Run: .venv/bin/python bench/business_days.py [--calls 20000]

Prints p50/p95 in microseconds per call over random filings of 2026-2027 and periods of 3 to
90 business days, on a public-office calendar with San Salvador's local days. Never part of
the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflows.calendar import BusinessCalendar, DayRule  # noqa: E402

FIESTAS = {"es": "Fiestas agostinas", "en": "August festivities"}
RULES = [DayRule("local", 8, d, FIESTAS, "Código de Trabajo, Art. 190") for d in (3, 5)]


def percentiles(samples_ns: list[int]) -> tuple[float, float]:
    """Return p50 and p95 in microseconds."""
    cuts = statistics.quantiles(samples_ns, n=100)
    return cuts[49] / 1000, cuts[94] / 1000


def timed(call, arguments) -> list[int]:
    """Time each call on its own, in nanoseconds."""
    clock, out = time.perf_counter_ns, []
    for args in arguments:
        start = clock()
        call(*args)
        out.append(clock() - start)
    return out


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(2026)
    calendar = BusinessCalendar(rules=RULES, vacations=True)
    starts = [date(2026, 1, 1) + timedelta(days=rng.randrange(730)) for _ in range(args.calls)]
    periods = [rng.choice([3, 5, 8, 10, 15, 20, 25, 30, 60, 90]) for _ in starts]
    rows = [
        ("add_business_days", calendar.add_business_days, list(zip(starts, periods, strict=True))),
        (
            "business_days_between",
            calendar.business_days_between,
            [(s, s + timedelta(days=2 * n)) for s, n in zip(starts, periods, strict=True)],
        ),
        ("is_business_day", calendar.is_business_day, [(s,) for s in starts]),
        ("reason", calendar.reason, [(s,) for s in starts]),
    ]
    print(f"{args.calls:,} random filings in 2026-2027, public-office calendar")
    print(f"{'':24}{'p50 µs':>10}{'p95 µs':>10}")
    for name, call, arguments in rows:
        timed(call, arguments[:500])  # warm up
        p50, p95 = percentiles(timed(call, arguments))
        print(f"{name:24}{p50:10.2f}{p95:10.2f}")

    def fresh(day: date) -> date:
        return BusinessCalendar(rules=RULES, vacations=True).add_business_days(day, 10)

    p50, p95 = percentiles(timed(fresh, [(s,) for s in starts[:2000]]))
    print(f"{'new calendar + 10 days':24}{p50:10.2f}{p95:10.2f}")


if __name__ == "__main__":
    main()
