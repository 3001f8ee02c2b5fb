"""PAdES signatures of issued documents (issue 10, item 1): receipts, certificates and payment
orders come out signed by their authority's key, pyHanko's validator trusts them against the
demo CA and reports a one-byte change; production keys come from PKCS#12 files."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from portal.authorities.models import Authority
from portal.extensions import db
from portal.signing import SigningKeyError, check_signature, sign_pdf
from tests.portal.helpers import make_applicant, make_staff, pdf_bytes, pdf_text
from tests.portal.test_back_office import _filed
from tests.portal.test_decision_outputs import TAX_CLASS, case_waiting_for_classification

OFFICER = "Marta Elena Quintanilla"
SEAL_ROLE = "Ventanilla Única AMSS"


def _receipt_and_order(run_jobs):
    from portal.certificates.services import get_issued, read_pdf
    from portal.payments.services import list_payment_orders, read_order_pdf

    application = _filed(make_applicant("luis@example.sv", "Luis Alberto Mejía"))
    run_jobs()
    db.session.expire_all()
    receipt = get_issued(application.id, "receipt")
    (order,) = list_payment_orders(application.id)
    return application, (receipt, read_pdf(receipt)), (order, read_order_pdf(order))


def _certificate(run_jobs):
    from portal.applications.models import Application
    from portal.applications.services import act_on_application
    from portal.certificates.models import IssuedDocument
    from portal.certificates.services import read_pdf

    application_id = case_waiting_for_classification("0511")
    officer = make_staff("supervisor", "0511", "jefa.0511@example.sv")
    officer.full_name = OFFICER
    db.session.commit()
    act_on_application(
        actor=officer,
        application=db.session.get(Application, application_id),
        action="inscribir",
        outputs={"cuenta_contribuyente": "0511-2026-000123", "calificacion_tributaria": TAX_CLASS},
    )
    run_jobs()
    db.session.expire_all()
    document = db.session.scalars(
        sa.select(IssuedDocument).where(
            IssuedDocument.application_id == application_id, IssuedDocument.kind == "certificate"
        )
    ).one()
    return db.session.get(Application, application_id), document, read_pdf(document)


@pytest.fixture
def signed_documents(app_ctx, run_jobs):
    """Each document type as the jobs stored it: (row, PDF, authority, signer name, role)."""
    decided, certificate, certificate_pdf = _certificate(run_jobs)
    application, (receipt, receipt_pdf), (order, order_pdf) = _receipt_and_order(run_jobs)
    seal = f"Sello electrónico de {application.authority.short_name}"
    return {
        "receipt": (receipt, receipt_pdf, application.authority, seal, SEAL_ROLE),
        "payment_order": (order, order_pdf, application.authority, seal, SEAL_ROLE),
        "certificate": (certificate, certificate_pdf, decided.authority, OFFICER, "Jefatura"),
    }


def _demo_root(app) -> ValidationContext:
    ca = load_cert_from_pemder(str(Path(app.config["INSTANCE_PATH"]) / "signing" / "demo-ca.pem"))
    return ValidationContext(trust_roots=[ca], allow_fetching=False)


def _claimed_role(embedded) -> str:
    """The role the signer claims in the CMS (signer-attributes-v2, id-at-role)."""
    (attributes,) = [
        a["values"][0]
        for a in embedded.signer_info["signed_attrs"]
        if a["type"].native == "signer_attributes_v2"
    ]
    (claimed,) = attributes["claimed_attributes"]
    assert claimed["type"].native == "role"
    return claimed["values"][0]["role_name"].chosen.native["title"]


def _one_byte_changed(pdf: bytes) -> bytes:
    """The PDF with one byte flipped inside the first page content stream (a signed range)."""
    altered = bytearray(pdf)
    at = pdf.index(b"stream\n") + len(b"stream\n") + 20
    reader = PdfFileReader(BytesIO(pdf))
    start, length, *_ = reader.embedded_signatures[0].sig_object["/ByteRange"]
    assert start <= at < start + length  # inside the signed bytes
    altered[at] ^= 0x01
    return bytes(altered)


def test_each_document_carries_a_pades_signature_the_validator_trusts_and_names_its_signer(
    signed_documents, app_ctx
) -> None:
    import hashlib

    context = _demo_root(app_ctx)
    for kind, (row, pdf, authority, signer, role) in signed_documents.items():
        assert hashlib.sha256(pdf).hexdigest() == row.sha256, kind  # the hash of signed bytes
        (embedded,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
        assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached", kind
        assert embedded.sig_object["/Name"] == signer, kind
        assert embedded.sig_object["/Location"] == authority.place, kind
        assert _claimed_role(embedded) == role, kind
        status = validate_pdf_signature(embedded, context)
        assert status.intact and status.valid and status.trusted and status.bottom_line, kind
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE, kind
        subject = status.signing_cert.subject.native
        assert subject["organization_name"] == authority.name, kind
        assert status.signing_cert.key_usage_value.native == {
            "digital_signature",
            "non_repudiation",
        }
        # The signer is printed on the page too, with their role.
        text = " ".join(pdf_text(pdf).split())
        assert signer in text and role in text, (kind, text)

        check = check_signature(pdf)
        assert (check.signed, check.intact, check.trusted) == (True, True, True), kind
        assert check.authority_code == authority.code, kind
        assert authority.name in check.signer_subject, kind
        assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=10), kind

        altered = _one_byte_changed(pdf)
        (embedded,) = PdfFileReader(BytesIO(altered)).embedded_signatures
        status = validate_pdf_signature(embedded, context)
        assert not status.intact and not status.bottom_line, kind
        check = check_signature(altered)
        assert check.signed and not check.intact and not check.trusted, kind


def test_text_drawn_on_the_page_after_signing_is_reported_altered(signed_documents) -> None:
    """An incremental update after the signature that draws on the page leaves the signed
    revision intact, but the document as a whole is no longer what was signed."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _, pdf, *_ = signed_documents["certificate"]
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    overlay = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 10 10 200 50 re f"))
    writer.add_stream_to_page(0, overlay)
    out = BytesIO()
    writer.write(out)
    check = check_signature(out.getvalue())
    # The signed revision is genuine (trusted), the file as a whole is not what was signed.
    assert check.signed and not check.intact and check.trusted


@pytest.mark.parametrize(
    "garbage",
    [b"", b"hola, no soy un PDF", b"%PDF-1.7\n%%EOF", pdf_bytes()],
    ids=["empty", "text", "stub", "unsigned"],
)
def test_check_signature_answers_not_signed_for_garbage_and_unsigned_pdfs(app_ctx, garbage) -> None:
    check = check_signature(garbage)
    assert not check.signed and not check.intact and not check.trusted


def test_a_truncated_signed_pdf_is_not_intact(app_ctx) -> None:
    authority = db.session.scalar(sa.select(Authority).where(Authority.code == "OPAMSS"))
    signed = sign_pdf(
        pdf_bytes(), authority=authority, signer_name="Ana", signer_role="Jefatura", reason="r"
    )
    for cut in (len(signed) // 2, len(signed) - 40):
        check = check_signature(signed[:cut])
        assert not check.intact and not check.trusted


def test_signing_and_checking_work_inside_a_running_event_loop(app_ctx) -> None:
    """pyHanko runs its own event loop: a caller already inside one (an async server, a test
    driving a browser) still gets a signed PDF and its check, not "asyncio.run() cannot be
    called from a running event loop"."""
    import asyncio

    authority = db.session.scalar(sa.select(Authority).where(Authority.code == "OPAMSS"))

    async def inside():
        signed = sign_pdf(
            pdf_bytes(), authority=authority, signer_name="Ana", signer_role="Jefatura", reason="r"
        )
        return check_signature(signed)

    check = asyncio.run(inside())
    assert check.signed and check.intact and check.trusted


# --- production: PKCS#12 per authority -----------------------------------------------------


def _p12(tmp_path: Path, passphrase: bytes, authority) -> tuple[Path, Path]:
    """A PKCS#12 (RSA key, certificate by a CA of the test) and the CA's PEM, as an office's
    certification provider would hand them over."""
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA de prueba")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, authority.name),
            x509.NameAttribute(NameOID.COMMON_NAME, authority.short_name),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    path = tmp_path / "opamss.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"opamss", key, cert, [ca], serialization.BestAvailableEncryption(passphrase)
        )
    )
    roots = tmp_path / "roots.pem"
    roots.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return path, roots


def test_production_signs_with_the_authoritys_pkcs12_by_path_and_passphrase(
    app_ctx, tmp_path, monkeypatch
) -> None:
    authority = db.session.scalar(sa.select(Authority).where(Authority.code == "OPAMSS"))
    path, roots = _p12(tmp_path, b"clave-de-prueba", authority)
    monkeypatch.setitem(app_ctx.config, "SIGNING_MODE", "pkcs12")
    monkeypatch.setitem(app_ctx.config, "PRODUCTION", True)
    monkeypatch.setitem(app_ctx.config, "SIGNING_P12", {"OPAMSS": str(path)})
    monkeypatch.setitem(app_ctx.config, "SIGNING_P12_PASSPHRASES", {"OPAMSS": "clave-de-prueba"})
    monkeypatch.setitem(app_ctx.config, "SIGNING_TRUST_ROOTS", str(roots))

    signed = sign_pdf(
        pdf_bytes(), authority=authority, signer_name="Sello", signer_role="VU", reason="prueba"
    )
    (embedded,) = PdfFileReader(BytesIO(signed)).embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(roots))])
    status = validate_pdf_signature(embedded, context)
    assert status.intact and status.valid and status.trusted
    check = check_signature(signed)
    assert (check.signed, check.intact, check.trusted) == (True, True, True)
    assert check.authority_code == "OPAMSS"
    assert status.signing_cert.issuer.native["common_name"] == "CA de prueba"  # not the demo

    # A wrong passphrase, a missing file, an authority without a key: clear errors.
    monkeypatch.setitem(app_ctx.config, "SIGNING_P12_PASSPHRASES", {"OPAMSS": "otra"})
    with pytest.raises(SigningKeyError, match="wrong passphrase"):
        sign_pdf(pdf_bytes(), authority=authority, signer_name="S", signer_role="V", reason="r")
    monkeypatch.setitem(app_ctx.config, "SIGNING_P12", {"OPAMSS": str(tmp_path / "no.p12")})
    with pytest.raises(SigningKeyError, match="not found"):
        sign_pdf(pdf_bytes(), authority=authority, signer_name="S", signer_role="V", reason="r")
    monkeypatch.setitem(app_ctx.config, "SIGNING_P12", {})
    with pytest.raises(SigningKeyError, match="SIGNING_P12_OPAMSS"):
        sign_pdf(pdf_bytes(), authority=authority, signer_name="S", signer_role="V", reason="r")
    # Checking an uploaded PDF needs the trust roots: their absence is the operator's error.
    monkeypatch.setitem(app_ctx.config, "SIGNING_TRUST_ROOTS", str(tmp_path / "none.pem"))
    with pytest.raises(SigningKeyError, match="SIGNING_TRUST_ROOTS"):
        check_signature(signed)
    monkeypatch.setitem(app_ctx.config, "SIGNING_TRUST_ROOTS", None)
    with pytest.raises(SigningKeyError, match="SIGNING_TRUST_ROOTS is not set"):
        check_signature(signed)
    # Never a demo key in production.
    monkeypatch.setitem(app_ctx.config, "SIGNING_MODE", "demo")
    with pytest.raises(SigningKeyError, match="refused in production"):
        sign_pdf(pdf_bytes(), authority=authority, signer_name="S", signer_role="V", reason="r")


# --- the demo CA, made once whatever the number of workers ---------------------------------


def _make_demo_key(folder: str, start, results) -> None:
    from flask import Flask

    from portal.signing.keys import signer_for

    app = Flask(__name__)
    app.config["INSTANCE_PATH"] = folder
    authority = SimpleNamespace(code="OPAMSS", name="OPAMSS", short_name="OPAMSS", place="SS")
    start.wait()
    with app.app_context():
        signer = signer_for(authority)
    results.put(signer.signing_cert.issuer.human_friendly + "|" + signer.signing_cert.sha256.hex())


def test_two_workers_making_the_demo_ca_at_once_end_with_one_ca(tmp_path) -> None:
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Event(), spawn.Queue()
    workers = [
        spawn.Process(target=_make_demo_key, args=(str(tmp_path), start, results)) for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    start.set()
    answers = {results.get(timeout=120) for _ in workers}
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert len(answers) == 1  # one CA issued one authority certificate, used by all
    folder = tmp_path / "signing"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "OPAMSS.pem",
        "demo-ca-key.pem",
        "demo-ca.pem",
    ]
    ca = x509.load_pem_x509_certificate((folder / "demo-ca.pem").read_bytes())
    leaf = x509.load_pem_x509_certificates((folder / "OPAMSS.pem").read_bytes())[0]
    leaf.verify_directly_issued_by(ca)


def test_the_environment_names_each_authoritys_pkcs12_and_passphrase(monkeypatch, tmp_path):
    from config import Config

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("PRODUCTION", "1")
    monkeypatch.setenv("SIGNING_P12_DIR", "/etc/ventanilla/keys")
    monkeypatch.setenv("SIGNING_P12_PASSPHRASE", "todas")
    monkeypatch.setenv("SIGNING_P12_OPAMSS", "/etc/ventanilla/opamss.p12")
    monkeypatch.setenv("SIGNING_P12_PASSPHRASE_0511", "santa-tecla")
    config = Config()
    assert config.SIGNING_MODE == "pkcs12"  # never the demo keys in production by default
    assert config.SIGNING_P12 == {"OPAMSS": "/etc/ventanilla/opamss.p12"}
    assert config.SIGNING_P12_PASSPHRASES == {"0511": "santa-tecla"}
    assert (config.SIGNING_P12_DIR, config.SIGNING_P12_PASSPHRASE) == (
        "/etc/ventanilla/keys",
        "todas",
    )


def test_a_denial_resolution_is_signed_by_the_officer_who_denied_and_a_changed_byte_shows(
    client, app_ctx, run_jobs
) -> None:
    """The fourth kind of document: the resolution of a denial, signed by the clerk who denied
    (their name and role on the page and in the signature), trusted as the others are."""
    from portal.certificates.services import get_issued, read_pdf
    from tests.portal.test_serials import _deny
    from tests.portal.test_serials import _filed as filed_by_browser

    application_id = filed_by_browser(client)
    entry = _deny(application_id)
    run_jobs()
    db.session.expire_all()
    resolution = get_issued(application_id, "resolution")
    pdf = read_pdf(resolution)
    (embedded,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
    officer = entry.actor.full_name
    assert embedded.sig_object["/Name"] == officer
    role = _claimed_role(embedded)
    status = validate_pdf_signature(embedded, _demo_root(app_ctx))
    assert status.intact and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    text = " ".join(pdf_text(pdf).split())
    assert officer in text and role in text and resolution.serial in text
    (altered,) = PdfFileReader(BytesIO(_one_byte_changed(pdf))).embedded_signatures
    assert not validate_pdf_signature(altered, _demo_root(app_ctx)).intact
