"""The browser reads typed numbers exactly as the server does: one list of cases, two readers.

tests/shared/number_cases.json is also run against workflows/numbers.py
(tests/workflows/test_numbers.py); here static/js/numbers.js, as the portal serves it, reads
every case in Chromium.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "shared" / "number_cases.json").read_text("utf-8")
)["cases"]

READ_ALL = """async (cases) => {
  const { parseNumber } = await import('/static/js/numbers.js')
  return cases.map((c) => parseNumber(c.input, { money: Boolean(c.money) }))
}"""


def test_the_browser_reads_every_shared_case_as_the_server(live_server, browser):
    page = browser.new_page()
    response = page.goto(f"{live_server}/")
    assert response.status == 200
    results = page.evaluate(READ_ALL, CASES)
    assert len(results) == len(CASES)
    for case, result in zip(CASES, results, strict=True):
        if "value" in case:
            assert result == {"ok": True, "value": case["value"], "number": float(case["value"])}, (
                case
            )
        else:
            assert result == {"ok": False, "code": case["error"]}, case
