"""Notice texts written by admins in definitions, rendered in Jinja's sandbox, primitives only."""

from __future__ import annotations

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)

#: What a notice may use; every value is a string, so no object reaches the template.
NOTICE_VARIABLES = ("tracking_number", "procedure", "state", "comment", "status_url", "due_date")
SAMPLE = {name: f"<{name}>" for name in NOTICE_VARIABLES}


def render_notice(source: str, context: dict[str, str]) -> str:
    """Render an admin's notice text with only the allowed string variables."""
    return _env.from_string(source).render({k: str(context.get(k, "")) for k in NOTICE_VARIABLES})


def notice_problem(source: str) -> str | None:
    """Return why a notice text cannot render (syntax, unknown variable), or None."""
    try:
        render_notice(source, SAMPLE)
    except TemplateError as error:
        return f"{type(error).__name__}: {error}"
    return None
