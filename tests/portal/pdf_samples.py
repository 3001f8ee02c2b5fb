"""Real PDFs with active content, crafted with pypdf the way attackers and form tools write them."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def open_action_javascript() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = _action("/JavaScript", JS="app.alert(1)")
    return _write(writer)


def document_javascript() -> bytes:
    """A document-level script in the catalogue's /Names /JavaScript name tree."""
    writer = _writer()
    script = writer._add_object(_action("/JavaScript", JS="this.print({bUI: false});"))
    names = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("imprimir"), script])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(names)}
    )
    return _write(writer)


def launch_link() -> bytes:
    writer = _writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 100, 100)]),
            NameObject("/A"): _action("/Launch", F="cmd.exe"),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _write(writer)


def page_additional_action() -> bytes:
    writer = _writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): _action("/URI", URI="https://example.invalid/")}
    )
    return _write(writer)


def embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("factura.exe", b"MZ\x90\x00")
    return _write(writer)


def escaped_javascript_name() -> bytes:
    """`/J#61vaScript` is `/JavaScript`, `/J#53` is `/JS`, written with escaped letters (the
    cross-reference offsets are then wrong too, as in many hand-made attack files)."""
    pdf = open_action_javascript()
    escaped = pdf.replace(b"/S /JavaScript", b"/S /J#61vaScript").replace(b"/JS (", b"/J#53 (")
    assert escaped.count(b"#") == 2
    return escaped


def open_at_first_page() -> bytes:
    """An ordinary file that opens at page 1 fitted: an open action that only shows a page."""
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")]
    )
    return _write(writer)


def with_a_web_link() -> bytes:
    writer = _writer()
    writer.add_uri(0, "https://www.opamss.org.sv/", [0, 0, 100, 100])
    return _write(writer)


def script_nested_deep(levels: int = 100) -> bytes:
    """A script buried under a hundred nested dictionaries, past any real document's depth."""
    writer = _writer()
    outer = DictionaryObject()
    current = outer
    for _ in range(levels):
        inner = DictionaryObject()
        current[NameObject("/K")] = inner
        current = inner
    current[NameObject("/JS")] = TextStringObject("app.alert(1)")
    writer._root_object[NameObject("/PieceInfo")] = outer
    return _write(writer)


def encrypted(user_password: str) -> bytes:
    """A PDF encrypted with RC4-128; with an empty user password anyone may open it."""
    writer = _writer()
    writer.encrypt(
        user_password=user_password, owner_password="clave-del-dueno", algorithm="RC4-128"
    )
    return _write(writer)
