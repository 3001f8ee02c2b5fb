"""What the reports call things: procedures, states, reasons and items, from definitions."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.procedures.models import ProcedureVersion
from portal.procedures.services import definition_of


class Labels:
    """The definitions of every version, read in one statement, and the labels they give."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        versions = db.session.scalars(
            sa.select(ProcedureVersion).options(joinedload(ProcedureVersion.procedure))
        ).all()
        self.versions = {v.id: v for v in versions}

    def of(self, version_id: int):
        return definition_of(self.versions[version_id])

    def procedure(self, version_id: int) -> tuple[int, str]:
        version = self.versions[version_id]
        title = version.procedure.title
        return version.procedure_id, title.get(self.locale) or title.get("es", "")

    def state(self, version_id: int, code: str) -> tuple[str, str, int]:
        """(label, kind, position in the definition) of a state; unknown codes as they are."""
        definition = self.of(version_id)
        for position, state in enumerate(definition.states):
            if state.code == code:
                return state.label.get(self.locale), state.kind, position
        return code, "", len(definition.states)

    def reason(self, version_id: int, code: str) -> str:
        """The label of a reason in the definition's `reasons` catalogue, else its code."""
        catalogue = getattr(self.of(version_id), "reasons", None) or ()
        if isinstance(catalogue, Mapping):
            entry = catalogue.get(code)
        else:
            entry = next((r for r in catalogue if getattr(r, "code", None) == code), None)
        label = getattr(entry, "label", None) or getattr(entry, "title", None)
        if label is None and isinstance(entry, Mapping):
            label = entry.get("label")
        return label.get(self.locale) or code if hasattr(label, "get") else code

    def item(self, version_id: int, item: str) -> str:
        """The label of a reviewed field or document, else its key."""
        definition = self.of(version_id)
        labels = {f.name: f.label for f in definition.fields}
        labels |= {d.code: d.title for d in definition.documents}
        return labels[item].get(self.locale) if item in labels else item
