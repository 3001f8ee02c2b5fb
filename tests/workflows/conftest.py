"""Shared fixtures of the engine tests: the seed definitions and a small synthetic one."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from workflows import Definition, load, load_file

DEFINITIONS = Path(__file__).parents[2] / "workflows" / "definitions"
CALIFICACION = DEFINITIONS / "opamss" / "calificacion-lugar.yaml"


def t(es: str, en: str | None = None) -> dict[str, str]:
    """Return a bilingual text; the English defaults to a marked copy of the Spanish."""
    return {"es": es, "en": en if en is not None else f"{es} (en)"}


DEMO: dict[str, Any] = {
    "authority": "DEMO",
    "slug": "demo",
    "version": 2,
    "title": t("Demostración"),
    "summary": t("Un trámite de prueba"),
    "catalogue": {"purpose": t("Probar el motor"), "legal_max_business_days": 30},
    "fields": [
        {"name": "area", "type": "area_m2", "required": True, "label": t("Área")},
        {
            "name": "tipo",
            "type": "choice",
            "required": True,
            "label": t("Tipo"),
            "choices": [{"value": "a", "label": t("A")}, {"value": "b", "label": t("B")}],
        },
        {"name": "express", "type": "yes_no", "label": t("Exprés")},
        {
            "name": "correo",
            "type": "email",
            "required": True,
            "label": t("Correo"),
            "visible_if": {"field": "express", "op": "eq", "value": True},
        },
        {"name": "empleados", "type": "integer", "label": t("Empleados")},
        {"name": "inicio", "type": "date", "label": t("Inicio")},
    ],
    "documents": [
        {"code": "plano", "title": t("Plano"), "required": True},
        {
            "code": "poder",
            "title": t("Poder"),
            "required_if": {"field": "tipo", "op": "eq", "value": "b"},
        },
        {"code": "original", "title": t("Original"), "required": True, "presentation": "counter"},
    ],
    "fees": [
        {"code": "fija", "kind": "fixed", "label": t("Fija"), "amount": 10},
    ],
    "workflow": {
        "initial": "borrador",
        "states": [
            {"code": "borrador", "kind": "draft", "label": t("Borrador"), "roles": ["applicant"]},
            {
                "code": "revision",
                "kind": "active",
                "label": t("Revisión"),
                "roles": ["clerk"],
                "business_days": 5,
                "breach": [{"kind": "escalate", "role": "supervisor"}],
            },
            {"code": "inspeccion", "kind": "active", "label": t("Inspección")},
            {"code": "pago", "kind": "active", "label": t("Pago")},
            {"code": "aprobado", "kind": "approved", "label": t("Aprobado")},
            {"code": "denegado", "kind": "denied", "label": t("Denegado")},
        ],
        "transitions": [
            {
                "action": "presentar",
                "from": "borrador",
                "to": "revision",
                "roles": ["applicant"],
                "label": t("Presentar"),
                "guards": ["form_complete", "documents_complete"],
                "effects": [
                    "issue_receipt",
                    {"name": "assign_to_role", "params": {"role": "clerk"}},
                ],
            },
            {
                "action": "admitir",
                "from": "revision",
                "to": "inspeccion",
                "roles": ["clerk"],
                "label": t("Admitir"),
                "verdicts_required": True,
                "guards": ["all_items_verified"],
            },
            {
                "action": "registrar",
                "from": "inspeccion",
                "to": "pago",
                "roles": ["inspector"],
                "label": t("Registrar inspección"),
                "guards": ["inspection_recorded", "prerequisites_valid"],
                "effects": ["request_payment"],
            },
            {
                "action": "resolver",
                "from": "pago",
                "to": "aprobado",
                "roles": ["supervisor"],
                "label": t("Aprobar"),
                "guards": [
                    "fee_paid",
                    {"name": "condition", "params": {"field": "tipo", "op": "eq", "value": "a"}},
                ],
            },
            {
                "action": "resolver",
                "from": "pago",
                "to": "denegado",
                "roles": ["supervisor"],
                "label": t("Denegar"),
                "guards": [
                    "comment_given",
                    {"name": "condition", "params": {"field": "tipo", "op": "ne", "value": "a"}},
                ],
            },
        ],
    },
}


@pytest.fixture(scope="session")
def calificacion() -> Definition:
    """Return the OPAMSS Calificación de Lugar seed definition."""
    return load_file(CALIFICACION)


@pytest.fixture
def demo_data() -> dict[str, Any]:
    """Return a fresh, valid synthetic definition mapping to change in a test."""
    return copy.deepcopy(DEMO)


@pytest.fixture(scope="session")
def demo() -> Definition:
    """Return the synthetic definition, loaded."""
    return load(copy.deepcopy(DEMO))
