"""What the engine is told about a case (facts) and what it answers when it says no (reasons)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from workflows.conditions import freeze


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Facts:
    """A snapshot of a case and of the person acting on it, taken by the service layer.

    Attributes:
        role: The actor's role in this case (applicant, clerk, supervisor, ...).
        data: The application's field values by field name.
        documents: Codes of the document requirements with a file attached.
        fee_paid: The assessed fees are paid.
        comment: The reason the actor wrote for this action.
        prerequisites_valid: Prerequisite resolutions the procedure needs are valid. It is
            made False whenever `missing_prerequisites` names something.
        inspection_recorded: The site inspection's result is on file.
        verdicts: Review verdicts by item (field name or document code): True is OK, False NO.
        missing_prerequisites: The "authority/slug" keys of the unmet prerequisites, from
            `workflows.prerequisites.missing_prerequisites`; the guard's refusal names them.
        outputs: What the actor gives with the action, by output name, as submitted; checked
            against the transition's `outputs`.
    """

    role: str
    data: Mapping[str, object] = field(default_factory=_empty)
    documents: frozenset[str] = frozenset()
    fee_paid: bool = False
    comment: str = ""
    prerequisites_valid: bool = True
    inspection_recorded: bool = False
    verdicts: Mapping[str, bool] = field(default_factory=_empty)
    missing_prerequisites: tuple[str, ...] = ()
    outputs: Mapping[str, object] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        missing = tuple(self.missing_prerequisites)
        object.__setattr__(self, "missing_prerequisites", missing)
        if missing:
            object.__setattr__(self, "prerequisites_valid", False)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an action is not allowed: a snake_case code and its parameters.

    The portal translates the code; parameters name the fields or documents concerned.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", freeze(self.params))

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))
