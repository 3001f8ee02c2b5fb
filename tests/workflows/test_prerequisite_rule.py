"""The one prerequisite rule: procedure, favourable, still valid, same subject; and its reasons."""

from __future__ import annotations

from datetime import date

import pytest

from workflows import Reason
from workflows.model import Prerequisite
from workflows.prerequisites import (
    Held,
    is_satisfied,
    qualifying,
    refusal,
    status_of,
    tracking_key,
)
from workflows.text import Text

TODAY = date(2026, 4, 6)
CALIFICACION = "OPAMSS/calificacion-lugar"
TITLE = Text(es="Calificación de Lugar", en="Land-use qualification")
SAME_PROPERTY = Prerequisite(
    CALIFICACION, TITLE, field="resolucion", same_subject="property", max_age_months=24
)


def held(number: str = "OPAMSS-2026-000001", **changes) -> Held:
    values = {
        "state_kind": "approved",
        "decided_on": date(2026, 1, 10),
        "expires_on": None,
        "tracking_number": number,
        "procedure": CALIFICACION,
        "subjects": {"property": 7},
    } | changes
    return Held(**values)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("OPAMSS-2026-000001", "OPAMSS-2026-000001"),
        (" opamss-2026-000001 ", "OPAMSS-2026-000001"),
        ("opamss - 2026 - 000001", "OPAMSS-2026-000001"),
        ("ste-2026-\u00a0000042\t", "STE-2026-000042"),
        ("opamss 2026 000001", "OPAMSS-2026-000001"),
        ("OPAMSS\u00a02026\u00a0000001", "OPAMSS-2026-000001"),
        ("OPAMSS\u20132026\u2013000001", "OPAMSS-2026-000001"),
        ("opamss \u2014 2026 \u2212 000001", "OPAMSS-2026-000001"),
        ("OPAMSS2026000001", "OPAMSS-2026-000001"),
        ("A1-2026-000001", "A1-2026-000001"),
        ("OPAMSS-2026-1", "OPAMSS-2026-1"),
        (None, ""),
        (42, ""),
    ],
)
def test_tracking_numbers_are_read_without_spaces_in_capitals(typed, key) -> None:
    assert tracking_key(typed) == key


@pytest.mark.parametrize(
    ("case", "code", "params"),
    [
        (None, "resolution_not_found", {}),
        (
            held(procedure="OPAMSS/linea-construccion"),
            "resolution_other_procedure",
            {"number": "OPAMSS-2026-000001"},
        ),
        (held(state_kind="denied"), "resolution_not_favourable", {"number": "OPAMSS-2026-000001"}),
        (held(state_kind="active"), "resolution_not_decided", {"number": "OPAMSS-2026-000001"}),
        (
            held(expires_on=date(2026, 4, 5)),
            "resolution_expired",
            {"number": "OPAMSS-2026-000001", "expired_on": "2026-04-05"},
        ),
        (
            # 24 months after 2024-04-05 is 2026-04-05, before the check; the expiry is later.
            held(decided_on=date(2024, 4, 5), expires_on=date(2027, 1, 1)),
            "resolution_expired",
            {"number": "OPAMSS-2026-000001", "expired_on": "2026-04-05"},
        ),
        (
            held(subjects={"property": 8}),
            "resolution_other_subject",
            {"number": "OPAMSS-2026-000001", "subject": "property"},
        ),
        (
            held(subjects={}),
            "resolution_other_subject",
            {"number": "OPAMSS-2026-000001", "subject": "property"},
        ),
    ],
)
def test_each_way_of_not_qualifying_has_its_reason(case, code, params) -> None:
    assert refusal(SAME_PROPERTY, case, TODAY, {"property": 7}) == Reason(code, params)
    assert not is_satisfied(SAME_PROPERTY, case, TODAY, {"property": 7})


def test_a_favourable_valid_case_about_the_same_property_qualifies() -> None:
    assert refusal(SAME_PROPERTY, held(), TODAY, {"property": 7}) is None
    assert refusal(SAME_PROPERTY, held(expires_on=TODAY), TODAY, {"property": 7}) is None
    # The case that needs it has no property yet: nothing can be about the same one.
    assert refusal(SAME_PROPERTY, held(), TODAY, {}) == Reason(
        "resolution_other_subject", {"number": "OPAMSS-2026-000001", "subject": "property"}
    )
    # Without `same_subject`, and for cases whose procedure the portal did not say, any will do.
    plain = Prerequisite(CALIFICACION, TITLE)
    assert refusal(plain, held(subjects={}, procedure=""), TODAY) is None


def test_the_choices_are_the_qualifying_cases() -> None:
    mine = held("OPAMSS-2026-000001")
    other_place = held("OPAMSS-2026-000002", subjects={"property": 8})
    denied = held("OPAMSS-2026-000003", state_kind="denied")
    nowhere = held("OPAMSS-2026-000004", subjects={})
    cases = [mine, other_place, denied, nowhere]
    assert qualifying(SAME_PROPERTY, cases, TODAY, {"property": 7}) == (mine,)
    # While the draft names no property yet, every favourable valid case about one is offered.
    assert qualifying(SAME_PROPERTY, cases, TODAY, {}) == (mine, other_place)
    assert qualifying(Prerequisite(CALIFICACION, TITLE), cases, TODAY) == (
        mine,
        other_place,
        nowhere,
    )


def test_the_field_names_the_case_that_counts() -> None:
    good, old = held("OPAMSS-2026-000001"), held("OPAMSS-2025-000009", expires_on=date(2025, 1, 1))
    cases = [good, old]
    subjects = {"property": 7}
    typed = {"resolucion": " opamss-2025-000009"}
    assert status_of(SAME_PROPERTY, typed, cases, TODAY, subjects).reason == Reason(
        "resolution_expired", {"number": "OPAMSS-2025-000009", "expired_on": "2025-01-01"}
    )
    unknown = status_of(SAME_PROPERTY, {"resolucion": "OPAMSS-2026-999999"}, cases, TODAY, subjects)
    assert (unknown.held, unknown.reason) == (
        None,
        Reason("resolution_not_found", {"number": "OPAMSS-2026-999999"}),
    )
    named = status_of(SAME_PROPERTY, {"resolucion": "opamss-2026-000001"}, cases, TODAY, subjects)
    assert named.satisfied and named.held == good
    # Left blank, any qualifying case counts; none is "missing".
    assert status_of(SAME_PROPERTY, {}, cases, TODAY, subjects).held == good
    assert status_of(SAME_PROPERTY, {}, [old], TODAY, subjects).reason == Reason(
        "resolution_missing"
    )
