"""Checks of a procedure version's own certificate layout, run when its definition is validated.

`layout_problems` refuses a layout that could read a file or reach the network, escape Jinja's
sandbox, or not fit its paper; `portal.procedures.validation` reports its problems at
`certificate.layout`. Messages are in Spanish and English ("es / en").
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser

import tinycss2
from jinja2 import TemplateError, meta, nodes

from portal.certificates.layouts import (
    BASES,
    CONTEXT_NAMES,
    JINJA_NAMES,
    LINK_NAMES,
    Layout,
    LayoutError,
    sandbox,
)

#: Sample data for the test render: long enough to show a layout that overflows two pages.
SAMPLE = {
    "authority_name": "Distrito de Santa Tecla",
    "authority_code": "0511",
    "authority_logo": "images/favicon.svg",
    "place": "Santa Tecla",
    "procedure_title": "Constancia de inscripción en el Registro Tributario Municipal",
    "tracking_number": "STE-2026-000123",
    "tracking_code": "7KQ2-M9XD",
    "tracking_url": "https://ventanilla.amss.gob.sv/seguimiento",
    "status_url": "https://ventanilla.amss.gob.sv/solicitudes/123",
    "holder_name": "Inversiones y Servicios Generales del Norte, S.A. de C.V.",
    "applicant_name": "Inversiones y Servicios Generales del Norte, S.A. de C.V.",
    "district_name": "Santa Tecla",
    "decision_label": "APROBADO CON CONDICIONES",
    "decision_data": [["Número de cuenta", "0511-2026-000456"]],
    "decision_comment": "Respetar la fachada y el horario de carga y descarga. " * 6,
    "conditions": "Respetar la fachada y el horario de carga y descarga. " * 6,
    "reasoned_text": "",
    "legal_basis": ["Ley General Tributaria Municipal, Art. 90", "Ordenanza municipal, Art. 4"],
    "data_summary": [["Nombre comercial", "Panadería La Espiga"]] * 6,
    "documents": ["Escritura de constitución", "Solvencia municipal"],
    "validity_text": "hasta el 31 de diciembre de 2026.",
    "valid_until": "31 de diciembre de 2026",
    "issued_on": "30 de noviembre de 2026",
    "issued_at": "30/11/2026 10:00",
    "filed_at": "20/11/2026 09:15",
    "due_date": "15 de diciembre de 2026",
    "signer_name": "Licda. María Fernanda Quintanilla de Rodríguez",
    "signer_role": "Jefa del Registro Tributario",
    "test_document": False,
    "serial": "0511-CER-2026-000001",
    "status": "valid",
    "verification_code": "7KQ2M9XD4TPA",
    "verification_url": "https://ventanilla.amss.gob.sv/verificar/7KQ2M9XD4TPA",
    "qr": "",  # set by _sample(): a real QR code
    "medium": "Ventanilla Única AMSS, medio electrónico",
    "claim_code": "",
    "claim_url": "",
    "legal_note": "Constancia emitida conforme al Art. 96 de la Ley de Procedimientos "
    "Administrativos.",
}
#: The sizes of the papers in points (width, height), as pypdf reads a MediaBox.
PAPER_POINTS = {"A4": (595.28, 841.89), "Letter": (612.0, 792.0)}
MAX_PAGES = 2
MAX_BLOCK_CALLS = 20
MAX_LOOP_DEPTH = 2
# Attributes whose value a renderer may fetch or follow.
_URL_ATTRIBUTES = frozenset(
    {"src", "href", "xlink:href", "srcset", "data", "poster", "background", "action",
     "formaction", "cite", "longdesc", "manifest", "ping", "lowsrc", "dynsrc", "codebase",
     "archive", "classid", "profile", "usemap", "icon"}
)  # fmt: skip
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
_DATA_IMAGE = re.compile(r"^data:image/(png|svg\+xml)[;,]", re.I)
# A URL written in the layout's own text: a scheme that reaches out (or a data: URI that is not
# a PNG/SVG image), a protocol-relative address, or a CSS @import.
_LITERAL_URL = re.compile(
    r"(?i)\b(?:https?|ftps?|file|javascript|wss?|gopher|blob|jar|smb|dav)\s*:"
    r"|\bdata\s*:(?!image/(?:png|svg\+xml)[;,])"
    r"|\b[a-z][a-z0-9+.-]*://"
    r"|(?<![\w:])//[\w.-]"
    r"|@import"
)


def layout_problems(source: str, paper: str = "A4") -> list[tuple[str, str]]:
    """Return why a version's own layout cannot be used, as (code, message) pairs.

    `unsafe_certificate_layout`: it includes, imports or extends a file (other than `BASES`),
    reads an attribute or item starting with "_", calls anything but its blocks, multiplies
    (a text a billion times), or loads a URL that is not a relative path into static/ or a
    PNG/SVG data: image (http:, https:, file:, //host, url() and @import in CSS).
    `invalid_certificate_layout`: it does not parse, uses a name not in `CONTEXT_NAMES`, fails
    to render with `SAMPLE`, or does not give one or two pages of `paper`. Never raises.
    """
    try:
        tree = sandbox.parse(source)
    except TemplateError as error:
        return [("invalid_certificate_layout", _bilingual("no se puede leer", f"{error}"))]
    except RecursionError:
        return [("invalid_certificate_layout", _bilingual("anida demasiado", "nests too deeply"))]
    unsafe = list(_unsafe_nodes(tree)) + list(_literal_urls(tree))
    if unsafe:
        return [("unsafe_certificate_layout", message) for message in unsafe]
    unknown = sorted(meta.find_undeclared_variables(tree) - set(CONTEXT_NAMES) - JINJA_NAMES)
    if unknown:
        names = ", ".join(unknown)
        return [
            (
                "invalid_certificate_layout",
                _bilingual(f"nombres desconocidos: {names}", f"unknown names: {names}"),
            )
        ]
    return _render_problems(source, paper)


def _bilingual(es: str, en: str) -> str:
    return f"{es} / {en}"


def _unsafe_nodes(tree: nodes.Template) -> Iterator[str]:
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport):
            yield _bilingual(
                "la plantilla no puede incluir ni importar archivos",
                "the layout may not include or import files",
            )
        elif isinstance(node, nodes.Extends) and not (
            isinstance(node.template, nodes.Const) and node.template.value in BASES
        ):
            yield _bilingual(
                f"solo puede extender {', '.join(sorted(BASES))}",
                f"it may only extend {', '.join(sorted(BASES))}",
            )
        elif isinstance(node, nodes.Getattr | nodes.Getitem) and _private(node):
            yield _bilingual(
                "no puede leer atributos internos de objetos",
                "it may not read attributes of objects",
            )
        elif isinstance(node, nodes.Call) and not _block_call(node.node):
            yield _bilingual("no puede llamar funciones", "it may not call anything")
        elif isinstance(node, nodes.Mul | nodes.Pow):
            yield _bilingual("no puede multiplicar", "it may not multiply")
        elif isinstance(node, nodes.For) and node.recursive:
            yield _bilingual("no puede usar bucles recursivos", "it may not use recursive loops")
    # Bounded work: a layout that repeats its blocks or nests loops could print without end.
    if len(list(tree.find_all(nodes.Call))) > MAX_BLOCK_CALLS:
        yield _bilingual(
            f"más de {MAX_BLOCK_CALLS} llamadas a bloques",
            f"more than {MAX_BLOCK_CALLS} block calls",
        )
    if _loop_depth(tree) > MAX_LOOP_DEPTH:
        yield _bilingual(
            f"más de {MAX_LOOP_DEPTH} bucles anidados", f"more than {MAX_LOOP_DEPTH} nested loops"
        )


def _loop_depth(node: nodes.Node) -> int:
    inner = max((_loop_depth(child) for child in node.iter_child_nodes()), default=0)
    return inner + isinstance(node, nodes.For)


def _private(node: nodes.Getattr | nodes.Getitem) -> bool:
    key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
    return isinstance(key, str) and key.startswith("_")


def _block_call(callee: nodes.Node) -> bool:
    """`super()`, `caller()` and `self.<block>()` render the template's own blocks."""
    if isinstance(callee, nodes.Name):
        return callee.name in ("super", "caller")
    return isinstance(callee, nodes.Getattr) and getattr(callee.node, "name", "") == "self"


def _literal_urls(tree: nodes.Template) -> Iterator[str]:
    texts = [node.data for node in tree.find_all(nodes.TemplateData)]
    texts += [node.value for node in tree.find_all(nodes.Const) if isinstance(node.value, str)]
    for text in texts:
        for match in _LITERAL_URL.finditer(text):
            yield _url_message(match.group(0))


def _url_message(url: str) -> str:
    shown = url if len(url) <= 80 else url[:77] + "..."
    return _bilingual(
        f"no puede usar {shown!r}: solo rutas relativas a static/ e imágenes PNG o SVG en data:",
        f"it may not use {shown!r}: only relative paths into static/ and PNG or SVG data: images",
    )


class _References(HTMLParser):
    """Collect the URLs an HTML document loads or links, and its CSS."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []  # (tag, url)
        self.css: list[tuple[bool, str]] = []  # (a whole stylesheet, its text)
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if name == "srcset" and value is not None:
                parts = [part.split() for part in value.split(",")]
                self.urls += [(tag, part[0]) for part in parts if part]
            elif name in _URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, value))
            elif name == "style" and value:
                self.css.append((False, value))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append((True, data))


def html_problems(html: str, links: Mapping[str, object]) -> list[str]:
    """Return the URLs a rendered layout loads that are not static/ or data: images.

    A link (`<a href>`) may also point to one of the context's own addresses (`links`).
    """
    parser = _References()
    parser.feed(html)
    parser.close()
    allowed_links = {value for value in links.values() if isinstance(value, str) and value}
    problems = [
        _url_message(url)
        for tag, url in parser.urls
        if not _local(url) and not (tag == "a" and (url in allowed_links or url.startswith("#")))
    ]
    for sheet, css in parser.css:
        problems += _css_problems(css, sheet=sheet)
    return problems


def _local(url: str) -> bool:
    """A relative path inside static/, or a PNG/SVG data: image."""
    cleaned = "".join(ch for ch in url if ch > " ")
    if _DATA_IMAGE.match(cleaned):
        return True
    if not cleaned or _SCHEME.match(cleaned) or cleaned.startswith(("/", "\\")):
        return False
    return ".." not in cleaned.replace("\\", "/").split("/") and "\\" not in cleaned


def _css_problems(css: str, *, sheet: bool) -> list[str]:
    """The URLs a stylesheet (or a style attribute's declarations) loads, and its @import."""
    parse = tinycss2.parse_stylesheet if sheet else tinycss2.parse_blocks_contents
    problems = []
    pending = list(parse(css, skip_comments=True, skip_whitespace=True))
    while pending:
        token = pending.pop()
        if token.type == "at-rule" and token.lower_at_keyword == "import":
            problems.append(_url_message("@import"))
        if token.type == "url" and not _local(token.value):
            problems.append(_url_message(token.value))
        if token.type == "function" and token.lower_name in ("url", "src", "image-set"):
            args = [arg.value for arg in token.arguments if arg.type == "string"]
            problems += [_url_message(arg) for arg in args if not _local(arg)]
        for name in ("prelude", "content", "arguments", "value"):
            child = getattr(token, name, None)
            if isinstance(child, list):
                pending += child
    return problems


def _sample() -> dict[str, object]:
    from portal.pdf import qr_png_data_uri

    return SAMPLE | {"qr": qr_png_data_uri(str(SAMPLE["verification_url"]))}


def _render_problems(source: str, paper: str) -> list[tuple[str, str]]:
    from pypdf import PdfReader

    from portal.pdf import PdfError, ResourceRefused, html_to_pdf

    sample = _sample()
    try:
        html = Layout(sandbox.from_string(source), paper).render(sample)
    except LayoutError as error:
        code = "unsafe" if "SecurityError" in str(error) else "invalid"
        es, en = f"falla con datos de ejemplo: {error}", f"fails with sample data: {error}"
        return [(f"{code}_certificate_layout", _bilingual(es, en))]
    refused = html_problems(html, {name: sample[name] for name in LINK_NAMES})
    if refused:
        return [("unsafe_certificate_layout", message) for message in refused]
    try:
        pdf = html_to_pdf(html, paper=paper)
    except PdfError as error:
        code = "unsafe" if isinstance(error, ResourceRefused) else "invalid"
        es, en = f"el PDF no se pudo generar: {error}", f"no PDF could be made: {error}"
        return [(f"{code}_certificate_layout", _bilingual(es, en))]
    pages = PdfReader(io.BytesIO(pdf)).pages
    width, height = PAPER_POINTS[paper]
    sizes_ok = all(
        abs(float(page.mediabox.width) - width) < 1
        and abs(float(page.mediabox.height) - height) < 1
        for page in pages
    )
    if not 1 <= len(pages) <= MAX_PAGES or not sizes_ok:
        return [
            (
                "invalid_certificate_layout",
                _bilingual(
                    f"con datos de ejemplo da {len(pages)} páginas; debe dar 1 o 2 en {paper}",
                    f"with sample data it gives {len(pages)} pages; it must give 1 or 2 on {paper}",
                ),
            )
        ]
    return []
