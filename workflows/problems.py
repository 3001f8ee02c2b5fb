"""Problems found in a procedure definition, and the error that reports them all at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a definition.

    Attributes:
        path: Where, in the definition's own terms (`workflow.transitions[3].to`).
        code: What, as a snake_case code the portal translates (`unknown_state`).
        message: A short English explanation for administrators and logs.
        params: What the portal's message names, as `(name, value)` pairs (the limits of a
            range, the mark a text does not know, the type expected); a `variant` names which
            of the code's messages fits (`out_of_range` `between` or `at_least`).
    """

    path: str
    code: str
    message: str
    params: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return f"{self.path}: {self.code}: {self.message}"


class InvalidDefinition(ValueError):
    """A definition failed validation; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)
