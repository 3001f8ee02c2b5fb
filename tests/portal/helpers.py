"""Helpers for portal tests: accounts, sign-in, a valid form, real files."""

from __future__ import annotations

import io
import re

from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

PASSWORD = "una-clave-larga-2026"
VALID_FIELDS = {
    "f_distrito": "0614",
    "f_direccion": "Calle Arce 1234, Colonia Escalón",
    "f_area_terreno_m2": "350",
    "f_uso_actual": "Vivienda",
    "f_uso_propuesto": "Cafetería de barrio con 6 mesas",
    "f_actividad_claees": "56101",
    "f_tipo_persona": "natural",
    "f_nombre_propietario": "Ana María Pérez",
    "f_nit_propietario": "01234567-8",
    "f_profesional_nombre": "Arq. José Martínez",
    "f_profesional_registro": "A-1234",
}


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_applicant(email: str = "ana@example.sv", name: str = "Ana María Pérez"):
    from portal.accounts.services import register_applicant

    return register_applicant(email=email, password=PASSWORD, full_name=name, ip=None)


def make_staff(role: str = "clerk", authority: str = "OPAMSS", email: str | None = None):
    """A staff account; supervisors and admins come enrolled in TOTP with `TOTP_SECRET` (their
    role requires it), as a person who set up their phone would be."""
    from portal.accounts.services import create_staff

    user = create_staff(
        email=email or f"{role}.{authority.lower()}@example.sv",
        password=PASSWORD,
        role=role,
        authority_code=authority,
    )
    from portal.two_factor.services import required_for

    if required_for(user):
        enrol_second_factor(user)
    return user


#: The authenticator secret of staff that `make_staff` enrols (base32, RFC 4648).
TOTP_SECRET = "VENTANILLAUNICAAMSSPRUEBASTOTPQQ"


def enrol_second_factor(user, secret: str = TOTP_SECRET) -> list[str]:
    """Enrol `user` in TOTP with `secret` through the services; return the recovery codes."""
    from portal.two_factor import services

    services.begin_enrolment(actor=user, secret=secret)
    return services.confirm_enrolment(
        actor=user, code=totp_code(user.email), session_token=None, ip=None
    )


def totp_code(email: str) -> str | None:
    """The code the person's phone shows now, for a step not used yet; None without TOTP.

    Tests sign one person in several times within one 30-second step, which a person cannot:
    when every step of the window was used, the helper forgets the last use, as the next step
    would make it harmless.
    """
    import pyotp

    from portal.accounts.services import get_user_by_email
    from portal.extensions import db, utcnow
    from portal.two_factor.services import WINDOW, get_factor

    user = get_user_by_email(email)
    factor = get_factor(user) if user is not None else None
    if factor is None:
        return None
    totp = pyotp.TOTP(factor.secret)
    now = totp.timecode(utcnow().timestamp())
    # Now's step, else the next one (the window takes it): the server's clock may have moved
    # on to the next step by the time the code arrives, never back.
    free = [s for s in (now, now + WINDOW) if s > (factor.last_step or -1)]
    if not free:
        factor.last_step = None
        db.session.commit()
        free = [now]
    return totp.generate_otp(free[0])


def login(client, email: str, password: str = PASSWORD):
    """Sign in; staff with a second factor also give a code from their authenticator, so the
    answer is the redirect to where the sign-in leads, as for everyone else."""
    response = client.post("/cuenta/entrar", data={"email": email, "password": password})
    assert response.status_code == 302, response.data[:500]
    with client.application.app_context():
        code = totp_code(email)
    if code is None:
        return response
    response = client.post(
        "/cuenta/segundo-factor/verificar",
        query_string={"next": response.headers["Location"]},
        data={"code": code},
    )
    assert response.status_code == 302, response.data[:500]
    return response


def logout(client):
    return client.post("/cuenta/salir")


def procedure_id(slug: str = "calificacion-lugar", authority: str = "OPAMSS") -> int:
    from portal.procedures.services import get_procedure

    return get_procedure(authority, slug).id


def start(client, token: str = "token-de-prueba-0001") -> int:
    response = client.post(f"/solicitudes/nueva/{procedure_id()}", data={"token": token})
    assert response.status_code == 302
    return int(
        re.search(r"/(?:solicitudes|borradores)/(\d+)/", response.headers["Location"]).group(1)
    )


def documents(**files: bytes) -> dict:
    return {
        f"d_{code}": FileStorage(
            io.BytesIO(data), filename=f"{code}.pdf", content_type="application/pdf"
        )
        for code, data in files.items()
    }


def submit(
    client,
    application_id: int,
    fields: dict | None = None,
    files: dict | None = None,
    button: str = "submit",
):
    data = dict(VALID_FIELDS if fields is None else fields)
    data.update(
        files
        if files is not None
        else documents(escritura=pdf_bytes(), plano_topografico=pdf_bytes())
    )
    data[button] = "1"
    # Encoded in memory: the test client would spill a large body to a temporary file that
    # it does not always close.
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(
        f"/solicitudes/{application_id}/editar",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def file_new_application(client, token: str = "token-de-prueba-0001") -> int:
    application_id = start(client, token)
    response = submit(client, application_id)
    assert response.status_code == 302, response.data.decode()[:3000]
    return application_id


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def visible_text(html: str) -> str:
    """What a person reads on a page: its text nodes, without markup, attributes, scripts or
    styles, joined by spaces."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.hidden = 0

        def handle_starttag(self, tag, attrs):
            self.hidden += tag in ("script", "style", "template")

        def handle_endtag(self, tag):
            self.hidden -= tag in ("script", "style", "template") and self.hidden > 0

        def handle_data(self, data):
            if not self.hidden:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def qr_texts(pdf: bytes, tmp_path) -> list[str]:
    """Rasterise the first page with poppler's pdftoppm and decode its QR codes with zxing-cpp."""
    import shutil
    import subprocess

    import zxingcpp
    from PIL import Image

    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: install the Debian package poppler-utils"
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    with Image.open(tmp_path / "page.png") as image:
        return [result.text for result in zxingcpp.read_barcodes(image)]


def reload_application(application_id: int):
    """The case as the database has it now (expires what the session holds)."""
    from portal.applications.models import Application
    from portal.extensions import db

    db.session.expire_all()
    return db.session.get(Application, application_id)


def mails(app) -> list:
    """The e-mails the portal wrote to MAIL_DIR (embedded mode), oldest first, parsed."""
    import email
    from email import policy
    from pathlib import Path

    folder = Path(app.config["MAIL_DIR"])
    paths = (
        sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns) if folder.exists() else []
    )
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def decided_case(
    applicant,
    slug: str,
    data: dict,
    *,
    authority: str = "OPAMSS",
    kind: str = "approved",
    decided_at=None,
):
    """A case of the applicant already decided (`kind`), as the portal stores one.

    Written straight to the tables, as filing and deciding would leave it: a tracking number
    from the authority's counter, the decision time, and the records its bound data names.
    """
    import uuid
    from datetime import timedelta

    from portal.applications import effects
    from portal.applications.models import Application
    from portal.extensions import db, utcnow
    from portal.procedures.services import definition_of, get_procedure, latest_version
    from portal.subjects import services as subjects

    procedure = get_procedure(authority, slug)
    version = latest_version(procedure)
    definition = definition_of(version)
    state = next(s.code for s in definition.states if s.kind == kind)
    moment = decided_at or utcnow() - timedelta(days=30)
    application = Application(
        procedure_id=procedure.id,
        procedure_version_id=version.id,
        applicant_id=applicant.id,
        authority_id=procedure.authority_id,
        authority=procedure.authority,
        start_token=f"decided-{uuid.uuid4().hex}",
        state=state,
        data=dict(data),
        decided_at=moment if kind in effects.FINAL_KINDS else None,
    )
    db.session.add(application)
    db.session.flush()
    effects.assign_tracking_number(application)
    application.filed_at = moment - timedelta(days=20)
    subjects.record_case(application, definition)
    db.session.commit()
    return application


def ready_to_decide(application_id: int, actor) -> None:
    """Do what a decision waits on, as the office does: every item OK, every order paid.

    `actor` is the staff member who reviews and records the payment at the counter (the
    definition names the roles that may, `workflows.allowed_tasks`). Items get an OK verdict
    only when the case's state offers the verdict task; every pending payment order is paid.
    """
    from portal.applications.facts import facts_for
    from portal.payments.services import list_payment_orders
    from portal.procedures.services import definition_of
    from portal.review import services as review
    from workflows.guards import RECORD_VERDICTS, review_items
    from workflows.tasks import allowed_tasks

    application = reload_application(application_id)
    definition = definition_of(application.procedure_version)
    if RECORD_VERDICTS in allowed_tasks(definition, application.state, actor.role):
        items = review_items(definition, facts_for(application, actor.role))
        review.record_verdicts(
            actor=actor,
            application=application,
            verdicts=dict.fromkeys(items, (True, "")),
            items=items,
        )
    for order in list_payment_orders(application_id):
        if order.status == "pending":
            review.record_payment(
                actor=actor,
                application=reload_application(application_id),
                order_id=order.id,
                reference="REC-0001",
            )


def at_once(app, *works) -> list:
    """Run each of `works` (callables) in its own thread and app context, all held at a barrier
    just before their first write to the database, so they race as a double click's two
    requests do. Returns what each returned, or the exception it raised, in order."""
    import threading

    import sqlalchemy as sa

    from portal.extensions import db

    barrier = threading.Barrier(len(works), timeout=30)
    held = threading.local()

    def hold(_session, _context, _instances):
        if not getattr(held, "done", False):
            held.done = True
            barrier.wait()

    results: list = [None] * len(works)

    def run(index: int) -> None:
        with app.app_context():
            try:
                results[index] = works[index]()
            except Exception as error:  # returned to the test, which says what it expects
                db.session.rollback()
                results[index] = error

    sa.event.listen(db.session, "before_flush", hold)
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sa.event.remove(db.session, "before_flush", hold)
    return results
