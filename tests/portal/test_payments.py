"""Payments: the mandamiento de pago (PDF, reference, due date), paying online through the
demonstration gateway, the signed callback, and the counter payment, each paid once."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.extensions import db
from tests.portal import pdf_probe
from tests.portal.helpers import login, make_applicant, make_staff, reload_application
from tests.portal.test_back_office import _filed

CALLBACK = "/api/pagos/notificacion"


def _order(application_id: int):
    from portal.payments.services import list_payment_orders

    db.session.expire_all()
    (order,) = list_payment_orders(application_id)
    return order


def _signed(reference: str, amount: str, transaction_id: str, status: str = "paid", secret=None):
    from flask import current_app

    from portal.payments.providers import sign

    body = json.dumps(
        {
            "reference": reference,
            "transaction_id": transaction_id,
            "amount": amount,
            "status": status,
        }
    ).encode()
    key = secret or current_app.config["PAYMENT_CALLBACK_SECRET"]
    return body, {"X-Signature": sign(body, key), "Content-Type": "application/json"}


def _notify(client, reference, amount, transaction_id, status="paid", secret=None):
    body, headers = _signed(reference, amount, transaction_id, status, secret)
    return client.post(CALLBACK, data=body, headers=headers)


def _payment_acts(application_id: int) -> list:
    from portal.applications.models import HistoryEntry

    return db.session.scalars(
        sa.select(HistoryEntry).where(
            HistoryEntry.application_id == application_id,
            HistoryEntry.action == "record_payment",
        )
    ).all()


def test_the_payment_order_pdf_prints_reference_breakdown_due_date_and_where_to_pay(
    app_ctx, run_jobs, tmp_path
):
    from portal.payments.references import is_valid
    from portal.payments.services import read_order_pdf

    app_ctx.config["PAYMENT_BANKS"] = ("Banco de Prueba Uno", "Banco de Prueba Dos")
    application = _filed(make_applicant())
    run_jobs()
    order = _order(application.id)
    # The case's own number and the order's sequence on it, then the check digits.
    assert is_valid(order.reference)
    assert order.reference.startswith(f"{application.tracking_number}-1-")
    assert order.number == f"MP-{application.tracking_number}-1"
    pdf = read_order_pdf(order)
    assert pdf is not None and order.sha256
    pages = pdf_probe.pages(pdf, tmp_path)
    assert len(pages) == 1 and not pdf_probe.outside(pages)
    flat = pages[0].flat
    for text in (
        "MANDAMIENTODEPAGO",
        order.reference,
        order.number,
        application.tracking_number,
        "AnaMaríaPérez(PupuseríaLaCeiba)",  # the holder: legal unit and trade name
        "$20.00",
        "".join(application.authority.name.split()),  # the office's counter
        "BancodePruebaUno,BancodePruebaDos",
        "Pagarenlínea",
    ):
        assert text in flat, text
    assert "01234567-8" not in flat  # never the DUI (nor the NIT)
    months = (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    )
    due = f"{order.due_on.day}de{months.split()[order.due_on.month - 1]}de{order.due_on.year}"
    assert due in flat
    # Layout: the reference heads the page, the breakdown follows, the amounts stand right.
    words = pages[0].words
    reference_word = next(w for w in words if order.reference in w.text)
    total_label = next(w for w in words if w.text == "Total")
    amounts = [w for w in words if w.text in ("15.00", "5.00", "$20.00")]
    assert len(amounts) == 3
    assert reference_word.y0 < total_label.y0
    assert all(w.x0 > pages[0].width / 2 for w in amounts)
    assert all(abs(w.x1 - amounts[0].x1) < 2 for w in amounts)  # right-aligned column
    # A second run of the job does not render again.
    from portal.payments.services import render_order

    assert render_order(order.id) is False


def test_the_due_date_counts_business_days_on_the_office_calendar_skipping_its_days_off(app_ctx):
    from portal.applications.effects import local_now
    from portal.authorities.models import Authority
    from portal.authorities.services import add_day_off, calendar_for

    authority = db.session.scalar(sa.select(Authority).where(Authority.code == "0511"))
    today = local_now().date()
    before = calendar_for(authority)
    working = [
        today + timedelta(days=n)
        for n in range(1, 30)
        if before.is_business_day(today + timedelta(days=n))
    ]
    days_off = working[:3]
    for day in days_off:
        add_day_off(
            authority_code="0511", day=day, kind="local", name="Asueto de prueba", source="Test"
        )
    expected, counted, day = None, 0, today
    while counted < 10:
        day += timedelta(days=1)
        if before.is_business_day(day) and day not in days_off:
            counted += 1
            expected = day
    application = _filed(make_applicant())
    order = _order(application.id)
    assert order.due_on == expected
    assert order.due_on > before.add_business_days(today, 10)
    assert order.due_on.weekday() < 5


def test_an_effect_parameter_sets_the_days_to_pay(app_ctx):
    from portal.applications.clocks import calendar_of
    from portal.applications.effects import local_now
    from portal.payments.assessment import Assessment
    from portal.payments.services import issue_order
    from portal.procedures.services import definition_of

    application = _filed(make_applicant())
    definition = definition_of(application.procedure_version)
    assessment = Assessment(lines=(), total=Decimal("1.00"), regime=None)
    order = issue_order(application, definition, assessment, {"due_business_days": 3})
    today = local_now().date()
    assert order.due_on == calendar_of(application).add_business_days(today, 3)


def test_an_applicant_pays_online_through_the_demonstration_gateway(client, app_ctx, run_jobs):
    application = _filed(make_applicant())
    run_jobs()
    order = _order(application.id)
    login(client, "ana@example.sv")
    page = client.get(f"/solicitudes/{application.id}").get_data(as_text=True)
    assert "Pagar en línea" in page and order.reference in page
    assert order.due_on.strftime("%d/%m/%Y") in page
    assert "Registro Tributario" in page or "colecturía" in page
    assert f"/pagos/{application.id}/{order.id}/mandamiento.pdf" in page
    pdf = client.get(f"/pagos/{application.id}/{order.id}/mandamiento.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    started = client.post(f"/pagos/{application.id}/{order.id}/en-linea")
    assert started.status_code == 302
    gateway = started.headers["Location"]
    assert gateway.startswith("/pagos/simulador/")
    shown = client.get(gateway).get_data(as_text=True)
    assert "Pasarela de demostración" in shown and order.reference in shown and "$20.00" in shown
    assert client.get(gateway + "x").status_code == 404  # a forged token

    done = client.post(gateway, data={"decision": "confirmar"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/solicitudes/{application.id}")
    order = _order(application.id)
    assert order.status == "paid" and order.paid_via == "online"
    assert order.payment_reference.startswith("SIM-")
    page = client.get(f"/solicitudes/{application.id}").get_data(as_text=True)
    assert "Pagado el" in page and order.payment_reference in page
    assert f"/pagos/{application.id}/{order.id}/en-linea" not in page  # no button any more
    # The clerk may now admit the case: the fee is paid, as after a counter payment.
    from portal.applications.facts import facts_for

    assert facts_for(reload_application(application.id), "clerk").fee_paid
    (act,) = _payment_acts(application.id)
    assert act.actor_role == "system" and act.actor_id is None
    # Pressing "confirmar" again (back button) pays nothing twice: it is a duplicate to refund.
    client.post(gateway, data={"decision": "confirmar"})
    assert len(_payment_acts(application.id)) == 1


def test_cancelling_at_the_gateway_leaves_the_order_pending(client, app_ctx):
    application = _filed(make_applicant())
    order = _order(application.id)
    login(client, "ana@example.sv")
    gateway = client.post(f"/pagos/{application.id}/{order.id}/en-linea").headers["Location"]
    client.post(gateway, data={"decision": "cancelar"})
    assert _order(application.id).status == "pending"
    assert not _payment_acts(application.id)


def test_the_callback_is_idempotent_by_transaction_id(client, app_ctx):
    from portal.payments.models import PaymentNotification

    application = _filed(make_applicant())
    order = _order(application.id)
    first = _notify(client, order.reference, "20.00", "TX-1")
    assert first.status_code == 200 and first.json == {"outcome": "paid", "new": True}
    again = _notify(client, order.reference, "20.00", "TX-1")
    assert again.status_code == 200 and again.json == {"outcome": "paid", "new": False}
    assert db.session.scalar(sa.select(sa.func.count(PaymentNotification.id))) == 1
    assert len(_payment_acts(application.id)) == 1
    assert _order(application.id).payment_reference == "TX-1"


def test_a_second_payment_of_a_paid_order_is_a_duplicate_shown_to_staff(client, app_ctx):
    application = _filed(make_applicant())
    order = _order(application.id)
    assert _notify(client, order.reference, "20.00", "TX-1").json["outcome"] == "paid"
    paid_at = _order(application.id).paid_at
    second = _notify(client, order.reference, "20.00", "TX-2")
    assert second.status_code == 200 and second.json["outcome"] == "duplicate"
    order = _order(application.id)
    assert order.payment_reference == "TX-1" and order.paid_at == paid_at
    assert len(_payment_acts(application.id)) == 1
    make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    login(client, "registro@santatecla.example.sv")
    page = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert "debe reembolsarse" in page and "TX-2" in page


def test_a_bad_signature_is_refused_and_audited(client, app_ctx):
    from portal.accounts.models import AuditEvent

    application = _filed(make_applicant())
    order = _order(application.id)
    forged = _notify(client, order.reference, "20.00", "TX-1", secret="not-the-secret")
    assert forged.status_code == 403 and forged.json["error"]["code"] == "bad_signature"
    body, _headers = _signed(order.reference, "20.00", "TX-1")
    unsigned = client.post(CALLBACK, data=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 400
    assert _order(application.id).status == "pending"
    audited = db.session.scalars(
        sa.select(AuditEvent.detail)
        .where(AuditEvent.action == "payment.bad_signature")
        .order_by(AuditEvent.id)
    ).all()
    assert [d["reason"] for d in audited] == ["bad_signature", "missing_signature"]


def test_a_wrong_amount_or_an_unknown_reference_pays_nothing(client, app_ctx):
    application = _filed(make_applicant())
    order = _order(application.id)
    short = _notify(client, order.reference, "15.00", "TX-1")
    assert short.status_code == 422 and short.json["outcome"] == "amount_mismatch"
    unknown = _notify(client, "STE-2026-9999999-00", "20.00", "TX-2")
    assert unknown.status_code == 422 and unknown.json["outcome"] == "unknown_reference"
    for hostile in ("1e30", "NaN", "-20.00", "20.001", "veinte"):
        assert _notify(client, order.reference, hostile, f"TX-{hostile}").status_code == 400
    assert _order(application.id).status == "pending"


def test_the_counter_payment_is_recorded_by_the_role_the_definition_names(client, app_ctx):
    from portal.errors import NotAllowed
    from portal.review import services as review

    application = _filed(make_applicant())
    order = _order(application.id)
    clerk = make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    inspector = make_staff("inspector", "0511", email="inspector@santatecla.example.sv")
    from portal.applications.services import act_on_application

    act_on_application(actor=clerk, application=application, action="tomar")
    with pytest.raises(NotAllowed):  # the inspector takes no transition checking the fee
        review.record_payment(
            actor=inspector,
            application=reload_application(application.id),
            order_id=order.id,
            reference="REC-1",
        )
    review.record_payment(
        actor=clerk,
        application=reload_application(application.id),
        order_id=order.id,
        reference=" REC-77 ",
    )
    order = _order(application.id)
    assert (order.status, order.paid_via, order.payment_reference) == ("paid", "counter", "REC-77")
    (act,) = _payment_acts(application.id)
    assert act.actor_id == clerk.id and act.actor_role == "clerk"
    # The gateway's late notification for the same order is a duplicate, not a second payment.
    late = _notify(client, order.reference, "20.00", "TX-LATE")
    assert late.json["outcome"] == "duplicate"
    assert _order(application.id).payment_reference == "REC-77"


def test_a_counter_payment_and_an_online_one_at_once_pay_the_order_once(app_ctx):
    """Both wait on the case's row lock held by a third connection, then race: one pays."""
    from portal.applications.services import act_on_application
    from portal.payments import services as payments
    from portal.review import services as review

    application = _filed(make_applicant())
    order = _order(application.id)
    clerk = make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    act_on_application(actor=clerk, application=application, action="tomar")
    body, headers = _signed(order.reference, "20.00", "TX-RACE")
    app = app_ctx
    errors: list[BaseException] = []

    def counter():
        with app.app_context():
            try:
                from portal.accounts.models import User

                review.record_payment(
                    actor=db.session.get(User, clerk.id),
                    application=reload_application(application.id),
                    order_id=order.id,
                    reference="REC-RACE",
                )
            except BaseException as exc:
                errors.append(exc)

    def online():
        with app.app_context():
            try:
                payments.receive_notification(body, headers, ip=None)
            except BaseException as exc:
                errors.append(exc)

    postgres = db.engine.dialect.name == "postgresql"
    gate = db.engine.connect() if postgres else None
    if gate is not None:
        gate.begin()
        gate.execute(
            sa.text("SELECT id FROM applications WHERE id = :id FOR UPDATE"), {"id": application.id}
        )
    threads = [threading.Thread(target=counter), threading.Thread(target=online)]
    for thread in threads:
        thread.start()
    if gate is not None:
        waiting = sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")
        deadline = time.monotonic() + 30
        with db.engine.connect() as probe:
            while probe.execute(waiting).scalar() < 2:
                assert time.monotonic() < deadline, "the payments never waited on the case"
                time.sleep(0.02)
        gate.rollback()
        gate.close()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    order = _order(application.id)
    assert order.status == "paid"
    assert len(_payment_acts(application.id)) == 1
    from portal.payments.models import PaymentNotification

    outcome = db.session.scalar(sa.select(PaymentNotification.outcome))
    assert (order.paid_via, outcome) in (("counter", "duplicate"), ("online", "paid"))


def test_references_name_the_case_and_carry_iso_7064_check_digits():
    from portal.payments.references import is_valid, make_reference, normalize

    reference = make_reference("OPAMSS-2026-000002", 1)
    assert reference.startswith("OPAMSS-2026-000002-1-") and is_valid(reference)
    assert make_reference("opamss-2026-000002", 1) == reference
    check = reference[-2:]
    # Typed back by a clerk: any case, spaces, dashes pasted from a PDF, no-break spaces.
    for typed in (
        f" opamss-2026-000002-1-{check} ",
        f"OPAMSS 2026 000002 1 {check}",
        f"OPAMSS\u20132026\u2013000002\u20131\u2013{check}",
        f"opamss\u00a02026 \u2014 000002-1-{check}",
    ):
        assert normalize(typed) == reference and is_valid(typed), typed
    # Another case's order, another sequence: another reference.
    assert make_reference("OPAMSS-2026-000001", 2) != reference
    assert make_reference("OPAMSS-2026-000002", 2) != reference
    for wrong in (
        f"OPAMSS-2026-000003-1-{check}",
        f"OPAMSS-2026-000002-2-{check}",
        f"OPAMSS-2026-000020-1-{check}",
        "X",
        "a--b",
        "OPAMSS-2026-000002-1-",
    ):
        assert not is_valid(wrong), wrong


def test_the_gateway_page_reopened_after_paying_says_the_order_is_paid(client, app_ctx):
    application = _filed(make_applicant())
    order = _order(application.id)
    login(client, "ana@example.sv")
    gateway = client.post(f"/pagos/{application.id}/{order.id}/en-linea").headers["Location"]
    client.post(gateway, data={"decision": "confirmar"})
    paid = _order(application.id)
    for reopened in (client.get(gateway), client.post(gateway, data={"decision": "confirmar"})):
        page = reopened.get_data(as_text=True)
        assert reopened.status_code == 200
        assert "Este mandamiento ya está pagado" in page and "Confirmar el pago" not in page
        assert "Total a pagar" not in page and "$20.00" in page
        from portal.applications.effects import LOCAL_TZ

        assert paid.paid_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y") in page
        assert f'href="/solicitudes/{application.id}"' in page
    # Nothing was charged again: one payment, no duplicate to refund.
    from portal.payments.models import PaymentNotification

    assert len(_payment_acts(application.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count(PaymentNotification.id))) == 1
    # "Pagar en línea" sent again (back, then send) goes to the status page, not to an error.
    again = client.post(f"/pagos/{application.id}/{order.id}/en-linea")
    assert again.headers["Location"].endswith(f"/solicitudes/{application.id}")
    status = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Este mandamiento ya está pagado." in status and "Hay un problema" not in status


def test_withdrawing_after_paying_says_what_was_paid_and_where_refunds_are_asked(client, app_ctx):
    application = _filed(make_applicant())
    order = _order(application.id)
    assert _notify(client, order.reference, "20.00", "TX-1").json["outcome"] == "paid"
    login(client, "ana@example.sv")
    page = client.get(f"/solicitudes/{application.id}/desistir").get_data(as_text=True)
    assert "Lo que ya pagó" in page and "$20.00" in page and order.number in page
    assert "Desistir no devuelve por sí solo lo que pagó" in page
    assert application.authority.name in page
    assert "se le devolverá" not in page  # no promise


def test_withdrawing_before_paying_says_nothing_about_fees(client, app_ctx):
    application = _filed(make_applicant())
    login(client, "ana@example.sv")
    page = client.get(f"/solicitudes/{application.id}/desistir").get_data(as_text=True)
    assert "¿Desistir de la solicitud?" in page and "Lo que ya pagó" not in page


def test_the_applicant_is_told_by_mail_and_in_the_centre_when_an_order_is_issued_and_paid(
    client, app_ctx, run_jobs
):
    from tests.portal.helpers import mails

    app_ctx.config["PAYMENT_BANKS"] = ("Banco de Prueba Uno",)
    application = _filed(make_applicant())
    run_jobs()
    order = _order(application.id)
    issued = [m for m in mails(app_ctx) if "Mandamiento de pago" in str(m["Subject"])]
    assert len(issued) == 1 and issued[0]["To"] == "ana@example.sv"
    assert str(issued[0]["Subject"]) == (
        f"Mandamiento de pago del expediente {application.tracking_number}: $20.00"
    )
    body = issued[0].get_content()
    for text in (
        order.reference,
        "$20.00",
        order.due_on.strftime("%d/%m/%Y"),
        "Pagar en línea",
        "Banco de Prueba Uno",
        f"/solicitudes/{application.id}",
    ):
        assert text in body, text
    assert _notify(client, order.reference, "20.00", "TX-1").json["outcome"] == "paid"
    _notify(client, order.reference, "20.00", "TX-1")  # the same callback again: one e-mail
    run_jobs()
    run_jobs()
    paid = [m for m in mails(app_ctx) if "Pago recibido" in str(m["Subject"])]
    assert len(paid) == 1
    receipt = paid[0].get_content()
    assert "$20.00" in receipt and order.reference in receipt and "TX-1" in receipt
    assert "en línea" in receipt
    login(client, "ana@example.sv")
    centre = client.get("/avisos/").get_data(as_text=True)
    assert str(issued[0]["Subject"]) in centre and str(paid[0]["Subject"]) in centre
    assert order.reference in centre


def test_payment_mails_are_written_in_the_applicants_language(client, app_ctx, run_jobs):
    from tests.portal.helpers import mails

    applicant = make_applicant()
    applicant.locale = "en"
    db.session.commit()
    application = _filed(applicant)
    order = _order(application.id)
    _notify(client, order.reference, "20.00", "TX-EN")
    run_jobs()
    subjects = [str(m["Subject"]) for m in mails(app_ctx)]
    assert f"Payment order for case {application.tracking_number}: $20.00" in subjects
    assert f"Payment received: case {application.tracking_number} ($20.00)" in subjects
