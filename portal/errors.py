"""Domain errors that services raise and views map to form errors or HTTP codes."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A use case refused; `code` is snake_case and translated at the edge."""

    code = "domain_error"

    def __init__(self, code: str | None = None, **params: object) -> None:
        self.code = code or self.code
        self.params: Mapping[str, object] = params
        super().__init__(self.code)


class NotAllowed(DomainError):
    code = "not_allowed"


class Conflict(DomainError):
    """Someone else changed the record first."""

    code = "conflict"


class InvalidInput(DomainError):
    """Bad input for one field; `field` names it."""

    code = "invalid_input"

    def __init__(self, code: str, field: str | None = None, **params: object) -> None:
        super().__init__(code, **params)
        self.field = field


class NotFound(NotAllowed):
    """The record is not the actor's to see at all: answer as if it did not exist (404)."""

    code = "not_found"
