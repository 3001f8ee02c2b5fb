"""Notice texts written by admins in definitions, rendered in Jinja's sandbox, primitives only."""

from __future__ import annotations

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)

#: What a notice may use; every value is a string, so no object reaches the template.
NOTICE_VARIABLES = ("tracking_number", "procedure", "state", "comment", "status_url", "due_date")
SAMPLE = {name: f"<{name}>" for name in NOTICE_VARIABLES}
#: What a notice may contain: text, the variables, `{% if %}` with comparisons, `~` joins and
#: a few filters that change letters only. Everything else (include, import, extends, loops,
#: macros, calls, arithmetic, attribute access) is refused before rendering, so a notice can
#: neither read files nor grow beyond a small multiple of its own length.
_ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If,
    nodes.CondExpr, nodes.Concat, nodes.Compare, nodes.Operand, nodes.And, nodes.Or,
    nodes.Not, nodes.Filter,
)  # fmt: skip
_ALLOWED_FILTERS = frozenset({"upper", "lower", "capitalize", "title", "trim", "default", "d"})


def render_notice(source: str, context: dict[str, str]) -> str:
    """Render an admin's notice text with only the allowed string variables."""
    return _env.from_string(source).render({k: str(context.get(k, "")) for k in NOTICE_VARIABLES})


def notice_problem(source: str) -> str | None:
    """Return why a notice text cannot be used, or None.

    Refused: syntax errors, constructs outside `_ALLOWED_NODES` and `_ALLOWED_FILTERS`
    (`{% include %}`, `{% for %}`, `range(...)`, `"x" * 9**9`, ...), unknown variables.
    Never raises.
    """
    try:
        tree = _env.parse(source)
        for node in tree.find_all(nodes.Node):
            if not isinstance(node, _ALLOWED_NODES):
                return f"{type(node).__name__.lower()} is not allowed in a notice"
            if isinstance(node, nodes.Filter) and node.name not in _ALLOWED_FILTERS:
                return f"the filter {node.name!r} is not allowed in a notice"
            if isinstance(node, nodes.Name) and node.name not in NOTICE_VARIABLES:
                return f"{node.name!r} is not a notice variable"
        render_notice(source, SAMPLE)
    except TemplateError as error:
        return f"{type(error).__name__}: {error}"
    except RecursionError:
        return "the notice nests too deeply"
    return None
