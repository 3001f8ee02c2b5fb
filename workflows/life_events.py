"""The life events a procedure may be tagged with, so people find it by what they want to do.

The vocabulary is fixed (issue 8, item 1: "abrir un negocio, construir o ampliar, poner un
rótulo, renovar, cerrar"): definitions list codes in `catalogue.life_events`, the validator
refuses any other code (`unknown_life_event`), and the catalogue filters by them.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from workflows.problems import Problem
from workflows.text import Text

#: Code → label, in the order the catalogue offers them.
LIFE_EVENTS = MappingProxyType(
    {
        "abrir_negocio": Text("Abrir un negocio", "Open a business"),
        "construir": Text("Construir o ampliar", "Build or extend"),
        "rotulo": Text("Poner un rótulo", "Put up a sign"),
        "renovar": Text("Renovar", "Renew"),
        "cerrar": Text("Cerrar", "Close"),
    }
)


def life_event_problems(codes: Iterable[str], path: str) -> list[Problem]:
    """Return an `unknown_life_event` problem for each code outside `LIFE_EVENTS`.

    Args:
        codes: The codes a definition lists.
        path: Where they are, such as `catalogue.life_events`.

    Returns:
        One problem per unknown code, with its index in the path.
    """
    return [
        Problem(f"{path}[{index}]", "unknown_life_event", f"no life event {code!r}")
        for index, code in enumerate(codes)
        if code not in LIFE_EVENTS
    ]
