"""Problems found in a procedure definition, and the error that reports them all at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a definition.

    Attributes:
        path: Where, in the definition's own terms (`workflow.transitions[3].to`).
        code: What, as a snake_case code the portal translates (`unknown_state`).
        message: A short English explanation for administrators and logs.
    """

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.code}: {self.message}"


class InvalidDefinition(ValueError):
    """A definition failed validation; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)
