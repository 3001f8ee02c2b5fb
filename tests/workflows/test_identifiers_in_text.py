"""Personal identifiers written in free text (a public reason), read by the DUI/NIT rule."""

from __future__ import annotations

import pytest

from workflows.identifiers import identifiers_in


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Ana María Pérez, DUI 01234567-8, presentó escritura falsa.", ["dui"]),
        ("documento 012345678", ["dui"]),
        ("documento 0123 4567 8", ["dui"]),
        ("documento 01234567\u20138", ["dui"]),
        ("DUI 01234567-9 mal escrito", ["dui"]),  # printed as a DUI: one, even misspelt
        ("NIT 0614-050707-104-8", ["nit"]),
        ("NIT 06140507071048", ["nit"]),
        ("NIT 0614-050707-104-9 mal escrito", ["nit"]),
        ("DUI 01234567-8 0614-050707-104-8", ["dui", "nit"]),
        ("Escribió ana.perez@example.sv", ["email"]),
        ("Expediente OPAMSS-2026-000123 del 30.11.2026, Arts. 132 a 135.", []),
        ("Área de 1,250.50 m²; 123456789 no es un DUI válido.", []),
        ("Un número de catorce cifras 12345678901234 sin forma de NIT.", []),
        ("Sin números.", []),
    ],
)
def test_identifiers_in_text(text, kinds):
    assert identifiers_in(text) == kinds
