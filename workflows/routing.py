"""Which authority issues a case: a definition's routing rules evaluated over the data."""

from __future__ import annotations

from collections.abc import Mapping

from workflows.conditions import evaluate
from workflows.model import Definition


def issuing_authority(definition: Definition, data: Mapping[str, object]) -> str:
    """Return the code of the authority that issues a case with this data.

    The first routing rule whose condition holds wins; when none does (or there is no
    `routing` section) the routing's `default_authority` applies, and without one the
    definition's own `authority`. The code is not checked here: authorities are the portal's
    data.

    Args:
        definition: The procedure definition the case is pinned to.
        data: The application's field values by field name, typed or as submitted text.

    Returns:
        An authority code, such as "OPAMSS" or "DOT".
    """
    routing = definition.routing
    if routing is None:
        return definition.authority
    for rule in routing.rules:
        if evaluate(rule.when, data, definition.field_types):
            return rule.authority
    if routing.default_authority is None:
        return definition.authority
    return routing.default_authority
