"""What a person types on /verificar, as people really type it: codes pasted with text around
them, from a chat, with punctuation, as the page's address, in lower case, in look-alike
letters; and the portal's other identifiers (a case's tracking number and code, a payment
order's number and reference), which are told what they are and where they work, the same
whether such a case exists or not."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from portal.tracking.identifiers import read_typed
from portal.tracking.services import display_code
from tests.portal.helpers import reload_application
from tests.portal.test_serials import _filed as _filed_case
from tests.portal.test_verification import HEADINGS, _certificate, _page

SEGUIMIENTO = 'href="/seguimiento/"'
# Cyrillic capitals drawn as K, M, P, X, A, H, T, C (a phone's keyboard in another script).
CYRILLIC = str.maketrans("KMPXAHTC", "КМРХАНТС")


@pytest.mark.parametrize(
    "typed",
    [
        "*{code}*",  # WhatsApp bold
        "_{code}_",  # WhatsApp italic
        "Hola, le comparto el código de verificación: {code}. Saludos 🙏",
        "Código:\n{code}\nGracias",
        "{code}.",
        "{code}!!",
        "«{code}»",
        '"{code}",',
        "({code})",
        "{code}\u200b",  # a zero-width space a chat app added
        "\u2066{code}\u2069",  # direction isolates around a pasted code
        "{nbsp}",  # groups apart by non-breaking spaces
        "{bare}",
        "{lower}",
        "{cyrillic}",
        "{cyrillic_lower}",
        "https://ventanilla.amss.gob.sv/verificar/{code}",
        "http://ventanilla.amss.gob.sv/verificar/{code}/",
        "https://ventanilla.amss.gob.sv/verificar/{lower}?utm_source=whatsapp#inicio",
        "ventanilla.amss.gob.sv/verificar/{bare}",
        "https://ventanilla.amss.gob.sv/verificar/{escaped}",  # %20 between the groups
        "https://ventanilla.amss.gob.sv/verificar/?codigo={plus}",  # + between the groups
    ],
)
def test_a_code_as_people_paste_it_is_found(client, app_ctx, typed):
    document = _certificate()
    shown = display_code(document.code)
    text = typed.format(
        code=shown,
        lower=shown.lower(),
        bare=document.code,
        nbsp=shown.replace("-", "\u00a0"),
        cyrillic=shown.translate(CYRILLIC),
        cyrillic_lower=shown.translate(CYRILLIC).lower(),
        escaped=shown.replace("-", "%20"),
        plus=shown.replace("-", "+"),
    )
    form = client.post("/verificar/", data={"code": text})
    assert form.status_code == 302, (text, _page(form)[:1500])
    assert form.headers["Location"].endswith(f"/verificar/{shown}")
    assert HEADINGS["valid"] in _page(client.get(form.headers["Location"]))


def test_the_address_with_a_slash_or_a_query_after_the_code_opens_the_same_answer(client, app_ctx):
    document = _certificate()
    shown = display_code(document.code)
    for path in (f"/verificar/{shown}/", f"/verificar/{document.code.lower()}/?utm_source=qr"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert HEADINGS["valid"] in _page(response)


def _told(client, typed: str):
    """The form's answer for `typed`: status, page, the field's message."""
    response = client.post("/verificar/", data={"code": typed})
    page = _page(response)
    error = re.search(r'id="code-error"[^>]*>(.*?)</p>', page)
    assert error, (typed, page[:2000])
    assert (
        f'value="{escape(" ".join(typed.split()))}"' in page or f'value="{escape(typed)}"' in page
    )
    return response.status_code, page, re.sub(r"<[^>]+>", "", error.group(1))


def test_a_tracking_code_is_sent_to_seguimiento_whether_or_not_its_case_exists(client, app_ctx):
    application = reload_application(_filed_case(client))
    real = display_code(application.tracking_code)
    assert re.fullmatch(r"\w{4}-\w{4}", real)
    made_up = "ZZZZ-ZZZZ" if real != "ZZZZ-ZZZZ" else "YYYY-YYYY"
    answers = []
    for code in (real, made_up):
        for typed in (code, code.lower(), code.replace("-", " "), f"Código de seguimiento: {code}"):
            status, page, message = _told(client, typed)
            assert status == 422, typed
            assert "código de seguimiento de un expediente" in message
            assert SEGUIMIENTO in page and "Consultar un expediente en Seguimiento" in page
            assert application.tracking_number not in page
        answers.append(message)
        # By the address, typed by hand: the same message, as a missing page.
        by_path = client.get(f"/verificar/{code}")
        assert by_path.status_code == 404 and SEGUIMIENTO in _page(by_path)
        assert "código de seguimiento de un expediente" in _page(by_path)
    assert answers[0] == answers[1]  # nothing tells whether such a case exists


def test_a_tracking_number_is_sent_to_seguimiento_whether_or_not_its_case_exists(client, app_ctx):
    application = reload_application(_filed_case(client))
    real = application.tracking_number
    made_up = re.sub(r"\d{6}$", "999999", real)
    answers = []
    for number in (real, made_up):
        for typed in (number, number.lower(), number.replace("-", " "), f"Expediente {number}."):
            status, page, message = _told(client, typed)
            assert status == 422, typed
            assert "Ese es un número de expediente" in message and SEGUIMIENTO in page
        answers.append(message)
        assert SEGUIMIENTO in _page(client.get(f"/verificar/{number}"))
    assert answers[0] == answers[1]


def test_a_payment_orders_number_or_reference_asks_for_its_code(client, app_ctx):
    from portal.payments.services import list_payment_orders

    application = reload_application(_filed_case(client))
    order = list_payment_orders(application.id)[0]
    for typed in (order.number, order.reference, order.reference.replace("-", " ")):
        status, page, message = _told(client, typed)
        assert status == 422, typed
        assert "mandamiento de pago" in message and "16 caracteres" in message
        assert display_code(order.code) not in page and SEGUIMIENTO not in page


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("K7QM-2PXA-H4TW-9ZRO", "Revise «O»"),  # O, 0, 1, I, L, U, V are in no code
        ("K7QM-2PXA-H4TW-9Z1C", "Revise «1»"),
        ("K7QM-2PXA-H4TW-9ZR", "lo que escribió tiene 15"),  # a character left out
        ("K7QM-2PXA-H4TW-9ZRCC", "lo que escribió tiene 17"),
        ("K7QM-2PXA-H4TW", "lo que escribió tiene 12"),
        ("https://ventanilla.amss.gob.sv/verificar/K7QM-2PXA-H4TW", "tiene 12"),
        ("https://ventanilla.amss.gob.sv/verificar/", "Esa dirección no lleva un código"),
        ("https://ventanilla.amss.gob.sv/seguimiento/", "Esa dirección no lleva un código"),
        (
            "Buenas tardes, quisiera saber si mi permiso de construcción es válido",
            "No encontramos un código de verificación en lo que escribió",
        ),
    ],
)
def test_a_mistyped_code_is_told_what_is_wrong_at_its_field_keeping_what_was_typed(
    client, app_ctx, typed, said
):
    status, page, message = _told(client, typed)
    assert status == 422 and said in message, message
    assert "Hay un problema" in page  # the error summary links to the field


def test_the_messages_are_in_english_too(client, app_ctx):
    client.post("/idioma/en", data={"next": "/verificar/"})
    for typed in ("K7QM-2PXA", "OPAMSS-2026-000123", "K7QM-2PXA-H4TW-9ZRO", "PRUEBA-3"):
        status, _shown, message = _told(client, typed)
        assert status == 422 and "Ese" not in message and "Revise" not in message, message


def test_what_is_typed_is_read_without_the_database():
    """The reading names a kind from the text alone (so it cannot tell cases apart)."""
    assert read_typed("OPAMSS-2026-000123").kind == read_typed("OPAMSS-2026-999999").kind
    assert read_typed("opamss2026000123").kind == "tracking_number"
    assert read_typed("MP-OPAMSS-2026-000002-1").kind == "payment_order"
    assert read_typed("OPAMSS-CERT-2026-000123").kind == "serial"
    assert read_typed("PRUEBA-CERT-0123456789ABCDEF").kind == "test_serial"
    assert read_typed("prueba 12").kind == "test_number"
    assert read_typed("K7QM-2PXA-H4TW-9ZRC").kind == "code"


def test_a_photo_of_the_paper_is_told_to_use_the_code_at_the_file_field(client, app_ctx):
    from tests.portal.sign_permit import jpeg, png
    from tests.portal.test_verification import _upload

    for name, data in (("IMG_2041.jpg", jpeg()), ("captura de pantalla.png", png())):
        answer = _upload(client, data, name)
        page = _page(answer)
        assert answer.status_code == 422, name
        assert 'id="document-error"' in page and "es una foto o una imagen" in page
        assert "escriba el código de verificación" in page
