"""Validity: a fixed last day, the end of the fiscal year or months from issue; who revokes."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from workflows import InvalidDefinition, load
from workflows.diff import diff, summary
from workflows.model import Validity


def t(es: str) -> dict[str, str]:
    return {"es": es, "en": f"{es} (en)"}


@pytest.mark.parametrize(
    ("validity", "expected"),
    [
        (Validity(until=date(2027, 3, 31)), date(2027, 3, 31)),
        (Validity(until=date(2027, 3, 31), months=12), date(2027, 3, 31)),
        (Validity(ends_with_fiscal_year=True), date(2026, 12, 31)),
        (Validity(months=12), date(2027, 5, 14)),
        (Validity(months=1), date(2026, 6, 14)),
        (Validity(), None),
    ],
)
def test_the_last_day_follows_the_one_rule(validity: Validity, expected: date | None) -> None:
    assert validity.last_day(date(2026, 5, 14)) == expected


def test_a_fixed_last_day_and_the_revoking_roles_load_and_round_trip(
    demo_data: dict[str, Any],
) -> None:
    demo_data["validity"] = {"until": "2027-03-31", "note": t("Hasta marzo")}
    demo_data["certificate"] = {
        "template": "certificate",
        "title": t("Licencia"),
        "revoke_roles": ["supervisor", "admin"],
    }
    loaded = load(demo_data)
    assert loaded.validity is not None and loaded.validity.until == date(2027, 3, 31)
    assert loaded.certificate is not None
    assert loaded.certificate.revoke_roles == ("supervisor", "admin")
    assert loaded.to_dict()["validity"]["until"] == "2027-03-31"
    assert load(loaded.to_dict()) == loaded


def test_a_certificate_without_revoking_roles_lets_nobody_revoke(demo_data: dict[str, Any]) -> None:
    demo_data["certificate"] = {"template": "certificate", "title": t("Licencia")}
    certificate = load(demo_data).certificate
    assert certificate is not None and certificate.revoke_roles == ()


def test_a_day_that_is_not_in_the_calendar_is_refused(demo_data: dict[str, Any]) -> None:
    demo_data["validity"] = {"until": "2027-02-30"}
    with pytest.raises(InvalidDefinition) as refused:
        load(demo_data)
    assert [(p.path, p.code) for p in refused.value.problems] == [
        ("validity.until", "invalid_date")
    ]


@pytest.mark.parametrize("roles", [["applicant"], ["system"], ["supervisor", "supervisor"]])
def test_only_staff_roles_may_revoke(demo_data: dict[str, Any], roles: list[str]) -> None:
    demo_data["certificate"] = {
        "template": "certificate",
        "title": t("Licencia"),
        "revoke_roles": roles,
    }
    with pytest.raises(InvalidDefinition):
        load(demo_data)


def test_the_changes_of_a_version_name_the_expiry_date_and_the_revoking_roles(
    demo_data: dict[str, Any],
) -> None:
    demo_data["validity"] = {"until": "2027-03-31"}
    demo_data["certificate"] = {"template": "certificate", "title": t("Licencia")}
    new = copy.deepcopy(demo_data)
    new["validity"]["until"] = "2028-03-31"
    new["certificate"]["revoke_roles"] = ["supervisor"]
    found = diff(load(demo_data), load(new))
    assert summary(found) == [
        "La fecha de vencimiento de la vigencia cambió de 2027-03-31 a 2028-03-31",
        "Se agregaron los roles de revocación y reemplazo del certificado (supervisor)",
    ]
