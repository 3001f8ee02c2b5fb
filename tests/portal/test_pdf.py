"""PDF rendering: certificate and receipt content, QR code, and the URL fetcher's refusals."""

from __future__ import annotations

import base64
import io
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import zxingcpp
from flask import Flask
from flask_babel import Babel
from PIL import Image
from pypdf import PdfReader

from portal.certificates.layouts import layout_for, primitives
from portal.pdf import (
    FORMAT_NAME,
    PdfRenderError,
    ResourceRefused,
    load_resource,
    qr_svg_data_uri,
    render_pdf,
)
from workflows.model import CertificateSpec, Text

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
STATIC = REPO / "static"
VERIFICATION_URL = "https://ventanilla.amss.gob.sv/verificar/7KQ2-M9XD-4TPA"
PASSWD_MARKER = "root:x:0:0"  # first line of /etc/passwd on Debian
#: The built-in certificate layout, rendered in the sandbox as every certificate is.
CERTIFICATE = layout_for(CertificateSpec("certificate", Text("Resolución", "Resolution")))


def make_app(template_folder: Path) -> Flask:
    # Stand-in until the app factory exists; the lead swaps this for create_app(testing).
    app = Flask(__name__, template_folder=str(template_folder), static_folder=str(STATIC))
    app.config["BABEL_DEFAULT_LOCALE"] = "es"
    Babel(app)
    return app


@pytest.fixture
def app() -> Iterator[Flask]:
    app = make_app(TEMPLATES)
    with app.app_context():
        yield app


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local TCP port that records whether anything connected to it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def assert_nobody_connected(sock: socket.socket) -> None:
    try:
        connection, _ = sock.accept()
    except BlockingIOError:
        return
    connection.close()
    pytest.fail("the PDF renderer opened a network connection")


def certificate_context(**overrides: object) -> dict[str, object]:
    context: dict[str, object] = {
        "authority_name": "Oficina de Planificación del Área Metropolitana de San Salvador",
        "authority_code": "OPAMSS",
        "procedure_title": "Calificación de lugar",
        "tracking_number": "OPAMSS-CL-2026-000123",
        "holder_name": "José Ñúñez Peña",
        "decision_label": "FAVORABLE",
        "decision_comment": "Respetar los retiros indicados en el plano.",
        "conditions": "Respetar los retiros indicados en el plano.",
        "issued_on": "22 de noviembre de 2026",
        "place": "San Salvador",
        "signer_name": "Arq. Carlos Menjívar",
        "decision_data": [("Número de resolución", "CL-2026-0457")],
        "district_name": "San Salvador Centro",
        "data_summary": [("Uso solicitado", "Comercio"), ("Área del terreno", "350 m²")],
        "verification_code": "7KQ2-M9XD-4TPA",
        "verification_url": VERIFICATION_URL,
        "qr": qr_svg_data_uri(VERIFICATION_URL),
        "validity_text": "Tres años a partir de la fecha de emisión.",
    }
    context.update(overrides)
    return context


def receipt_context(**overrides: object) -> dict[str, object]:
    context: dict[str, object] = {
        "authority_name": "Distrito San Salvador Centro",
        "procedure_title": "Licencia de funcionamiento",
        "tracking_number": "AMSS-LF-2026-000042",
        "filed_at": datetime(2026, 11, 22, 16, 15, tzinfo=UTC),
        "medium": "Ventanilla Única AMSS, medio electrónico",
        "place": "San Salvador, El Salvador",
        "applicant_name": "María López",
        "documents": ["Copia de DUI", "Escritura de constitución"],
        "due_date": date(2026, 12, 7),
        "status_url": "https://ventanilla.amss.gob.sv/solicitudes/AMSS-LF-2026-000042",
        "legal_note": "Constancia emitida conforme al Art. 96 de la Ley de Procedimientos "
        "Administrativos.",
    }
    context.update(overrides)
    return context


def b64(data: bytes | io.BytesIO) -> str:
    raw = data.getvalue() if isinstance(data, io.BytesIO) else data
    return base64.b64encode(raw).decode()


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def one_line(text: str) -> str:
    return " ".join(text.split())


def rasterise_first_page(pdf: bytes, tmp_path: Path) -> Image.Image:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm is missing: install the Debian package poppler-utils")
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    command = [pdftoppm, "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile"]
    subprocess.run([*command, source, tmp_path / "page"], check=True, timeout=60)
    with Image.open(tmp_path / "page.png") as page:
        return page.convert("L")


# --- certificate -------------------------------------------------------------------------------


def test_certificate_shows_case_holder_decision_authority_and_code(app: Flask) -> None:
    text = one_line(pdf_text(render_pdf(CERTIFICATE, certificate_context())))

    assert "RESOLUCIÓN" in text
    assert "OPAMSS-CL-2026-000123" in text
    assert "José Ñúñez Peña" in text
    assert "FAVORABLE" in text
    assert "Oficina de Planificación del Área Metropolitana de San Salvador (OPAMSS)" in text
    assert "7KQ2-M9XD-4TPA" in text
    assert "Respetar los retiros indicados en el plano." in text
    assert "Área del terreno 350 m²" in text
    assert "Vigencia: Tres años a partir de la fecha de emisión." in text
    assert "Documento emitido electrónicamente por la Ventanilla Única AMSS" in text
    assert "Firmado electrónicamente por Arq. Carlos Menjívar" in text
    assert "Número de resolución CL-2026-0457" in text


def test_certificate_caption_names_the_verification_url_and_code(app: Flask) -> None:
    text = one_line(pdf_text(render_pdf(CERTIFICATE, certificate_context())))

    # The URL may wrap at a slash or a hyphen; pypdf then inserts a space.
    assert "Verifique la autenticidad de este documento en" in text
    assert VERIFICATION_URL in text.replace("/ ", "/").replace("- ", "-")
    assert "o con el código 7KQ2-M9XD-4TPA" in text


def test_certificate_dates_are_written_out_in_san_salvador_time(app: Flask) -> None:
    # 03:30 UTC on the 23rd is still the 22nd in San Salvador (UTC-6): the layout gets text.
    values = primitives({"at": datetime(2026, 11, 23, 3, 30, tzinfo=UTC), "on": date(2026, 11, 22)})
    pdf = render_pdf(CERTIFICATE, certificate_context(issued_on=date(2026, 11, 22)))

    assert values == {"at": "22/11/2026 21:30", "on": "22 de noviembre de 2026"}
    assert "San Salvador, 22 de noviembre de 2026" in one_line(pdf_text(pdf))


def test_certificate_leaves_out_empty_conditions_and_validity(app: Flask) -> None:
    context = certificate_context(conditions="", validity_text=None)
    text = pdf_text(render_pdf(CERTIFICATE, context))

    assert "Condiciones" not in text and "Fundamentación" not in text
    assert "Vigencia" not in text


def test_certificate_metadata_title_author_and_language(app: Flask) -> None:
    reader = PdfReader(io.BytesIO(render_pdf(CERTIFICATE, certificate_context())))

    assert reader.metadata is not None
    assert reader.metadata.title == "Resolución OPAMSS-CL-2026-000123: Calificación de lugar"
    assert reader.metadata.author == "Ventanilla Única AMSS"
    assert "WeasyPrint" not in str(reader.metadata.producer)
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert len(reader.pages) == 1
    assert [round(float(side)) for side in reader.pages[0].mediabox[2:]] == [595, 842]  # A4


def test_certificate_qr_code_on_the_page_decodes_to_the_verification_url(
    app: Flask, tmp_path: Path
) -> None:
    pdf = render_pdf(CERTIFICATE, certificate_context())

    barcodes = zxingcpp.read_barcodes(rasterise_first_page(pdf, tmp_path))

    assert [(code.format, code.text) for code in barcodes] == [
        (zxingcpp.BarcodeFormat.QRCode, VERIFICATION_URL)
    ]
    assert barcodes[0].ec_level == "M"


def test_qr_svg_data_uri_is_an_inline_svg() -> None:
    uri = qr_svg_data_uri(VERIFICATION_URL)

    assert uri.startswith("data:image/svg+xml")
    assert qr_svg_data_uri(VERIFICATION_URL) == uri


# --- receipt ---------------------------------------------------------------------------------


def test_receipt_states_number_date_time_place_medium_and_article_96(app: Flask) -> None:
    text = one_line(pdf_text(render_pdf("pdf/receipt.html", receipt_context())))

    assert "CONSTANCIA DE RECEPCIÓN" in text
    assert "AMSS-LF-2026-000042" in text
    assert "22/11/2026 10:15" in text  # 16:15 UTC is 10:15 in San Salvador
    assert "recibida el 22 de noviembre de 2026, a las 10:15 horas" in text
    assert "San Salvador, El Salvador" in text
    assert "Ventanilla Única AMSS, medio electrónico" in text
    assert "María López" in text
    assert "Documentos recibidos Copia de DUI Escritura de constitución" in text
    assert "Plazo legal estimado de respuesta 7 de diciembre de 2026" in text
    assert "Art. 96 de la Ley de Procedimientos Administrativos" in text


def test_naive_datetimes_are_refused_rather_than_guessed(app: Flask) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        render_pdf("pdf/receipt.html", receipt_context(filed_at=datetime(2026, 11, 22, 10, 15)))


def test_receipt_without_due_date_or_documents_says_so(app: Flask) -> None:
    text = pdf_text(render_pdf("pdf/receipt.html", receipt_context(due_date=None, documents=[])))

    assert "Plazo legal estimado" not in text
    assert "No se recibieron documentos adjuntos." in text


# --- safety ----------------------------------------------------------------------------------


def test_applicant_data_is_printed_as_text_not_markup(app: Flask, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    image = '<img src="file:///etc/passwd">'
    stylesheet = f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
    context = certificate_context(holder_name=image, conditions=stylesheet)

    pdf = render_pdf(CERTIFICATE, context)

    text = one_line(pdf_text(pdf))
    assert image in text
    assert stylesheet in text
    assert PASSWD_MARKER not in text
    assert_nobody_connected(listener)


@pytest.mark.parametrize(
    "qr",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "../../../../../../etc/passwd",
        "/etc/passwd",
        "pdf/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "data:text/html,<b>x</b>",
        "data:image/jpeg;base64,/9j/4AAQ",
    ],
)
def test_context_cannot_point_the_qr_image_elsewhere(app: Flask, qr: str) -> None:
    with pytest.raises(ResourceRefused, match="refused"):
        render_pdf(CERTIFICATE, certificate_context(qr=qr))


def test_context_cannot_make_the_renderer_open_a_connection(
    app: Flask, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]

    with pytest.raises(ResourceRefused, match="only use files from static/"):
        render_pdf(CERTIFICATE, certificate_context(qr=f"http://127.0.0.1:{port}/x.png"))

    assert_nobody_connected(listener)


HOSTILE_TEMPLATES = {
    "img_file.html": '<img src="file:///etc/passwd">',
    "img_http.html": '<img src="http://127.0.0.1:{port}/x.png">',
    "link_file.html": '<link rel="stylesheet" href="file:///etc/passwd">',
    "link_http.html": '<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
    "import_file.html": '<style>@import url("file:///etc/passwd");</style>',
    "import_http.html": '<style>@import "http://127.0.0.1:{port}/x.css";</style>',
    "background.html": '<p style="background: url(file:///etc/passwd)">x</p>',
    "font_face.html": (
        '<style>@font-face { font-family: x; src: url("http://127.0.0.1:{port}/f.ttf") }'
        "p { font-family: x }</style><p>x</p>"
    ),
    "object.html": '<object data="file:///etc/passwd" type="image/png"></object>',
    "base.html": '<base href="http://127.0.0.1:{port}/"><img src="x.png">',
}


@pytest.fixture
def hostile_app(tmp_path: Path, listener: socket.socket) -> Iterator[Flask]:
    """An app whose templates try to read local files or reach the network."""
    port = listener.getsockname()[1]
    folder = tmp_path / "templates"
    folder.mkdir()
    for name, body in HOSTILE_TEMPLATES.items():
        html = f"<!doctype html><html><head></head><body><p>Hola</p>{body}</body></html>"
        (folder / name).write_text(html.replace("{port}", str(port)), encoding="utf-8")
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<image href="file:///etc/passwd" width="10" height="10"/></svg>'
    )
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, format="PNG")
    pages = {
        "svg_image.html": f'<img alt="x" src="data:image/svg+xml;base64,{b64(svg)}">',
        "attachments.html": (
            '<link rel="attachment" href="pdf/print.css">'
            '<p><a rel="attachment" href="pdf/print.css">adjunto</a></p>'
        ),
        "inline_png.html": f'<p>Sello</p><img alt="Sello" src="data:image/png;base64,{b64(png)}">',
    }
    for name, html in pages.items():
        (folder / name).write_text(html, encoding="utf-8")
    app = make_app(folder)
    with app.app_context():
        yield app


@pytest.mark.parametrize("template", sorted(HOSTILE_TEMPLATES))
def test_template_cannot_load_local_files_or_network_resources(
    hostile_app: Flask, listener: socket.socket, template: str
) -> None:
    # The fetcher's refusal stops the render: no PDF at all, so nothing of /etc/passwd in it.
    with pytest.raises(ResourceRefused, match="refused"):
        render_pdf(template, {})

    assert_nobody_connected(listener)


def test_svg_cannot_smuggle_a_local_file(hostile_app: Flask) -> None:
    # WeasyPrint catches every error while drawing an SVG and only logs it; render_pdf turns
    # that log record into an error instead of returning a PDF with a hole in it.
    with pytest.raises(PdfRenderError, match="SVG"):
        render_pdf("svg_image.html", {})


def test_attachments_are_never_embedded(hostile_app: Flask) -> None:
    # pdf/print.css is served by the fetcher, so only render_pdf's stripping keeps it out.
    pdf = render_pdf("attachments.html", {})

    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    annotations = reader.pages[0].get("/Annots") or []
    assert [a.get_object()["/Subtype"] for a in annotations] == []
    assert "adjunto" in pdf_text(pdf)


def test_inline_png_images_are_allowed(hostile_app: Flask) -> None:
    reader = PdfReader(io.BytesIO(render_pdf("inline_png.html", {})))

    assert len(reader.pages[0].images) == 1


def test_reserved_context_name_is_rejected(app: Flask) -> None:
    with pytest.raises(ValueError, match=FORMAT_NAME):
        render_pdf("pdf/receipt.html", receipt_context(**{FORMAT_NAME: "x"}))


# --- the fetcher on its own ----------------------------------------------------------------------


@pytest.fixture
def static_root(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "pdf").mkdir(parents=True)
    (root / "pdf" / "print.css").write_text("p { color: red }", encoding="utf-8")
    (root / "app.js").write_text("alert(1)", encoding="utf-8")
    (root / "folder.css").mkdir()
    (tmp_path / "secret.css").write_text("secret", encoding="utf-8")
    (root / "pdf" / "link.css").symlink_to(tmp_path / "secret.css")
    return root


def test_fetcher_serves_print_assets_from_static(static_root: Path) -> None:
    resource = load_resource((static_root / "pdf" / "print.css").as_uri(), static_root)

    assert resource.body == b"p { color: red }"
    assert resource.content_type == "text/css; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("pdf/link.css", "outside static/"),  # symlink pointing out of static/
        ("pdf/../../secret.css", "outside static/"),
        ("app.js", "not a print asset"),
        ("pdf", "not a print asset"),
        ("folder.css", "not a print asset"),
        ("pdf/missing.css", "no such file"),
    ],
)
def test_fetcher_refuses_files_that_are_not_print_assets_in_static(
    static_root: Path, path: str, reason: str
) -> None:
    url = f"file://{static_root}/{path}"

    with pytest.raises(ResourceRefused, match=reason):
        load_resource(url, static_root)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/logo.png",
        "ftp://example.org/logo.png",
        "file://example.org/static/pdf/print.css",
        "data:image/svg+xml",
        "data:image/png;base64,%%%",
        "javascript:alert(1)",
        "pdf/print.css",
    ],
)
def test_fetcher_refuses_other_urls(static_root: Path, url: str) -> None:
    with pytest.raises(ResourceRefused):
        load_resource(url, static_root)


def test_fetcher_decodes_inline_svg() -> None:
    resource = load_resource("data:image/svg+xml;charset=utf-8,%3Csvg%2F%3E", STATIC)

    assert resource == type(resource)(b"<svg/>", "image/svg+xml")


def test_importing_the_module_does_not_import_weasyprint() -> None:
    code = "import sys, portal.pdf; print('weasyprint' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "False"


def test_certificate_shows_logo_legal_basis_validity_signer_role_and_serial(app: Flask) -> None:
    context = certificate_context(
        authority_logo="images/favicon.svg",
        legal_basis=["Ley de Desarrollo y Ordenamiento Territorial del AMSS, Art. 62"],
        validity_text="",
        valid_until=date(2027, 11, 22),
        signer_role="Jefe de Control del Desarrollo Urbano",
        serial="OPAMSS-CER-2026-000017",
        conditions="",
        reasoned_text="El uso solicitado es compatible con la zona.",
    )

    pdf = render_pdf(CERTIFICATE, context)

    text = one_line(pdf_text(pdf))
    assert "Base legal: Ley de Desarrollo y Ordenamiento Territorial del AMSS, Art. 62." in text
    assert "Vigencia: hasta el 22 de noviembre de 2027." in text
    assert "Arq. Carlos Menjívar Jefe de Control del Desarrollo Urbano" in text
    assert "Número de serie OPAMSS-CER-2026-000017" in text
    assert "Fundamentación y observaciones El uso solicitado es compatible con la zona." in text


def test_a_layout_without_signer_or_serial_leaves_them_out(app: Flask) -> None:
    context = certificate_context()
    context.pop("signer_name")

    text = one_line(pdf_text(render_pdf(CERTIFICATE, context)))

    assert "Número de serie" not in text
    assert "Firmado electrónicamente por Oficina de Planificación" in text
