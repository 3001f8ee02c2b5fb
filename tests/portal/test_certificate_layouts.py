"""A procedure version's own certificate layout: checked when the definition is validated,
rendered in Jinja's sandbox with primitives only, on its own paper (issue 10, item 6)."""

from __future__ import annotations

import io
import re
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

import workflows
from portal.applications.models import Application, HistoryEntry
from portal.certificates.layout_checks import SAMPLE, layout_problems
from portal.certificates.layouts import Layout, LayoutError, primitives
from portal.certificates.models import IssuedDocument
from portal.certificates.services import read_pdf, render_issued
from portal.extensions import db
from portal.procedures.services import definition_of, publish_source
from portal.procedures.validation import validate_source
from tests.portal import pdf_probe
from tests.portal.helpers import make_applicant, make_staff
from tests.portal.test_pdf_layout import SIGNER, assert_closing_on_page_one

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "workflows/definitions/opamss/calificacion-lugar.yaml"
SLUG = "calificacion-plantilla"
ISSUED_AT = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 10:00 in San Salvador
TITLE = (
    "  title: {es: Resolución de Calificación de Lugar, en: Land-use qualification resolution}\n"
)
BUILT_IN = "  template: certificate\n" + TITLE
FIRST = """\
<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>{{ procedure_title }}</title>
<link rel="stylesheet" href="pdf/print.css"></head>
<body>
<img src="{{ authority_logo }}" alt="Logo de {{ authority_name }}">
<h1>CONSTANCIA PROPIA DE LA PRIMERA VERSION</h1>
<p>Titular: {{ holder_name }}</p>
<p>Dictamen: {{ decision_label }}</p>
{% for label, value in decision_data %}<p>{{ label }}: {{ value }}</p>{% endfor %}
<p>Base legal: {{ legal_basis | join("; ") }}</p>
<p>{{ place }}, {{ issued_on }}</p>
<img src="{{ qr }}" alt="Código QR de verificación">
<p>Código de verificación {{ verification_code }}</p>
</body></html>
"""
SECOND = """\
{% extends "pdf/certificate.html" %}
{% block authority %}{{ authority_name }}: PLANTILLA DE LA SEGUNDA VERSION{% endblock %}
"""


def definition_text(version: int, certificate: str) -> str:
    text = re.sub(
        r"slug: calificacion-lugar\n(?:#.*\n)*version: \d+\n",
        f"slug: {SLUG}\nversion: {version}\n",
        GOOD.read_text(encoding="utf-8"),
        count=1,
    )
    assert BUILT_IN in text
    return text.replace(BUILT_IN, certificate, 1)


def own_layout(source: str, paper: str = "A4") -> str:
    return f"  paper: {paper}\n" + TITLE + "  layout: |\n" + textwrap.indent(source, "    ")


def publish(version: int, certificate: str):
    return publish_source(definition_text(version, certificate).encode(), path=f"{SLUG}.yaml")


def decided(version, number: int, *, issued_at: datetime = ISSUED_AT) -> int:
    """A case filed on `version`, approved by an officer, its certificate yet to render."""
    pinned = definition_of(version)
    procedure = version.procedure
    approving = next(
        t
        for t in pinned.transitions
        if "issue_certificate" in {e.name for e in t.effects}
        and pinned.state(t.target).kind in workflows.model.APPROVED_KINDS
    )
    applicant = make_applicant(email=f"plantilla{number}@example.sv", name="Ana María Pérez")
    role = next(r for r in approving.roles if r not in ("applicant", "system"))
    officer = make_staff(role, procedure.authority.code, f"oficial{number}@example.sv")
    officer.full_name = SIGNER
    application = Application(
        procedure=procedure,
        procedure_version=version,
        applicant=applicant,
        authority_id=procedure.authority_id,
        start_token=f"plantilla{number}",
        tracking_number=f"OPAMSS-2026-9{number:05d}",
        state=approving.target,
        data={},
        filed_at=issued_at,
        decided_at=issued_at,
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        HistoryEntry(
            application_id=application.id,
            actor_id=officer.id,
            actor_role=role,
            action=approving.action,
            from_state=approving.sources[0],
            to_state=approving.target,
            comment="Respetar los retiros del plano.",
            outputs={spec.name: "CL-2026-0457" for spec in approving.outputs} or None,
        )
    )
    db.session.add(
        IssuedDocument(
            application_id=application.id,
            kind="certificate",
            authority_id=procedure.authority_id,
            serial=f"OPAMSS-CERT-2026-9{number:05d}",
            code=f"7KQ2M9XD4TPA{number:04d}",
            title={"es": pinned.certificate.title.es, "en": pinned.certificate.title.en},
            holder_name="Ana María Pérez",
            decision=approving.target,
            issued_at=issued_at,
        )
    )
    db.session.commit()
    return application.id


def certificate(application_id: int) -> bytes:
    document = db.session.scalar(
        sa.select(IssuedDocument).where(IssuedDocument.application_id == application_id)
    )
    assert render_issued(document.id)
    return read_pdf(document)


def page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    reader = PdfReader(io.BytesIO(pdf))
    return {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}


def unembedded_fonts(pdf: bytes) -> list[str]:
    """Names of the fonts of a PDF whose glyphs are not in the file (no FontFile*)."""
    reader = PdfReader(io.BytesIO(pdf))
    seen, missing, fonts = set(), [], []
    pending = [page.get("/Resources") for page in reader.pages]
    while pending:
        resources = pending.pop()
        resources = resources.get_object() if resources is not None else None
        if not resources or id(resources) in seen:
            continue
        seen.add(id(resources))
        fonts += [font.get_object() for font in (resources.get("/Font") or {}).values()]
        for xobject in (resources.get("/XObject") or {}).values():
            pending.append(xobject.get_object().get("/Resources"))
    assert fonts, "the PDF has no fonts at all"
    for font in fonts:
        for face in [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]:
            if face.get("/Subtype") == "/Type3":  # glyphs drawn by the file's own procedures
                continue
            descriptor = face["/FontDescriptor"].get_object()
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(face.get("/BaseFont")))
    return missing


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "code", "said"),
    [
        ("{{ ''.__class__ }}", "unsafe_certificate_layout", "attributes of objects"),
        ("{{ cycler.__init__.__globals__ }}", "unsafe_certificate_layout", "attributes of objects"),
        ("{{ holder_name['__class__'] }}", "unsafe_certificate_layout", "attributes of objects"),
        ("{{ holder_name|attr('__class__') }}", "unsafe_certificate_layout", "SecurityError"),
        ("{{ holder_name.upper() }}", "unsafe_certificate_layout", "call anything"),
        ("{{ range(10) }}", "unsafe_certificate_layout", "call anything"),
        ("{{ 'x' * 999999999 }}", "unsafe_certificate_layout", "multiply"),
        ('{% include "pdf/base.html" %}', "unsafe_certificate_layout", "include or import"),
        ('{% import "pdf/base.html" as b %}', "unsafe_certificate_layout", "include or import"),
        ('{% extends "../../../etc/passwd" %}', "unsafe_certificate_layout", "only extend"),
        ('<img src="http://127.0.0.1/x.png" alt="x">', "unsafe_certificate_layout", "http:"),
        ('<link rel="stylesheet" href="file:///etc/passwd">', "unsafe_certificate_layout", "file:"),
        ("<style>p { background: url(https://x.example/a.png) }</style>", "unsafe_", "https:"),
        ('<style>@import "pdf/print.css";</style>', "unsafe_certificate_layout", "@import"),
        ('<img src="//x.example/a.png" alt="x">', "unsafe_certificate_layout", "//x"),
        ('<img src="data:text/html,hola" alt="x">', "unsafe_certificate_layout", "data:"),
        # Written so that no URL is in its text: refused once rendered with sample data.
        (
            "<img src=\"{{ 'ht' ~ 'tp:' ~ '/' ~ '/x.example/a.png' }}\" alt=\"x\">",
            "unsafe_",
            "http",
        ),
        (
            "<p style=\"background: url('{{ 'ht' ~ 'tps:' ~ '/' ~ '/x' }}')\">x</p>",
            "unsafe_",
            "htt",
        ),
        ('<img src="../../etc/passwd" alt="x">', "unsafe_certificate_layout", "../"),
        (
            "{% for a in documents %}{% for b in documents %}{% for c in documents %}"
            "{{ c }}{% endfor %}{% endfor %}{% endfor %}",
            "unsafe_certificate_layout",
            "more than 2 nested loops",
        ),
        ("{% for a in documents recursive %}{% endfor %}", "unsafe_", "recursive loops"),
        ("{{ self.content() }}" * 21, "unsafe_certificate_layout", "more than 20 block calls"),
        ("{{ config }}", "invalid_certificate_layout", "unknown names: config"),
        ("{% if %}", "invalid_certificate_layout", "no se puede leer"),
        (
            "{% for a in data_summary %}{% for b in data_summary %}"
            '<p style="break-after: page">{{ a[0] }}</p>{% endfor %}{% endfor %}',
            "invalid_certificate_layout",
            "36 pages",
        ),
    ],
)
def test_a_layout_that_reaches_out_or_escapes_the_sandbox_is_refused(
    app_ctx, source, code, said
) -> None:
    problems = layout_problems(source)

    assert problems, source
    assert all(found.startswith(code) for found, _message in problems)
    assert any(said in message for _code, message in problems), problems
    # Each message says it in Spanish and in English.
    assert all(" / " in message for _code, message in problems)


def test_the_definition_validator_names_the_layout_and_its_problem(app_ctx) -> None:
    layout = '<img src="http://127.0.0.1/x.png" alt="x">{{ holder_name }}'

    problems = validate_source(definition_text(1, own_layout(layout)))

    assert [(p.path, p.code) for p in problems] == [
        ("certificate.layout", "unsafe_certificate_layout")
    ]
    assert "'http:'" in problems[0].message and "static/" in problems[0].message


def test_a_layout_problem_is_listed_once_however_often_it_occurs(app_ctx) -> None:
    image = '<img src="http://127.0.0.1/x.png" alt="x">'
    layout = image * 2 + '<img src="file:///etc/passwd" alt="y">{{ holder_name }}'

    problems = validate_source(definition_text(1, own_layout(layout)))

    assert [(p.path, p.code) for p in problems] == [
        ("certificate.layout", "unsafe_certificate_layout")
    ]
    details = problems[0].message.split("; ")
    assert len(details) == len(set(details))  # the image given twice is named once
    assert [d for d in details if "'http:'" in d] == details[:1]
    assert any("'file:'" in d for d in details)


def test_the_built_in_layout_and_the_examples_pass_the_same_checks(app_ctx) -> None:
    built_in = (ROOT / "templates/pdf/certificate.html").read_text(encoding="utf-8")

    assert layout_problems(built_in, "Letter") == []
    assert layout_problems(FIRST, "Letter") == []
    assert layout_problems(SECOND) == []


def test_the_sandbox_refuses_what_validation_would_have_caught() -> None:
    from portal.certificates.layouts import sandbox

    with pytest.raises(LayoutError, match="SecurityError"):
        Layout(sandbox.from_string("{{ holder_name.__class__.__mro__ }}"), "A4").render(SAMPLE)
    with pytest.raises(LayoutError, match="cycler"):
        Layout(sandbox.from_string("{{ cycler }}"), "A4").render(SAMPLE)


@pytest.mark.parametrize("value", [object(), len, lambda: 1])
def test_the_context_holds_primitives_only(value) -> None:
    with pytest.raises(TypeError, match="cannot enter a certificate layout"):
        primitives({"holder_name": value})


# --- rendering ---------------------------------------------------------------------------------


def test_each_version_prints_its_own_layout_on_its_own_paper(app_ctx, tmp_path) -> None:
    first = publish(1, own_layout(FIRST, "Letter"))
    on_first = decided(first, 1)
    second = publish(2, own_layout(SECOND, "A4"))
    on_second = decided(second, 2)

    first_pdf, second_pdf = certificate(on_first), certificate(on_second)
    (tmp_path / "1").mkdir(), (tmp_path / "2").mkdir()

    first_text = pdf_probe.everything(pdf_probe.pages(first_pdf, tmp_path / "1"))
    assert "CONSTANCIAPROPIADELAPRIMERAVERSION" in first_text
    assert "Titular:AnaMaríaPérez" in first_text
    assert "SanSalvador,30denoviembrede2026" in first_text
    assert "PLANTILLADELASEGUNDAVERSION" not in first_text
    assert page_sizes(first_pdf) == {(612, 792)}  # Letter
    (qr,) = pdf_probe.barcodes(first_pdf, tmp_path / "1")
    assert qr.text.endswith("/verificar/7KQ2M9XD4TPA0001")
    second_text = pdf_probe.everything(pdf_probe.pages(second_pdf, tmp_path / "2"))
    assert "PLANTILLADELASEGUNDAVERSION" in second_text
    assert "CONSTANCIAPROPIA" not in second_text
    assert page_sizes(second_pdf) == {(595, 842)}  # A4


def test_the_built_in_layout_keeps_its_closing_block_on_page_one_of_letter(
    app_ctx, tmp_path
) -> None:
    version = publish(1, BUILT_IN.replace("  template:", "  paper: Letter\n  template:"))
    application_id = decided(version, 3)

    pdf = certificate(application_id)

    assert page_sizes(pdf) == {(612, 792)}
    assert_closing_on_page_one(pdf, application_id, tmp_path)


def test_every_font_is_embedded_in_certificates_receipts_and_payment_orders(
    app_ctx, run_jobs, tmp_path
) -> None:
    from portal.certificates.services import issued_for
    from portal.payments.services import list_payment_orders, read_order_pdf
    from tests.portal.test_back_office import _filed

    application = _filed(make_applicant())
    run_jobs()
    db.session.expire_all()
    (order,) = list_payment_orders(application.id)
    receipt = read_pdf(issued_for(application.id)["receipt"])
    version = publish(1, own_layout(FIRST, "Letter"))

    for pdf in (certificate(decided(version, 4)), receipt, read_order_pdf(order)):
        assert unembedded_fonts(pdf) == []
