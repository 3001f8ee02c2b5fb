"""Every file is offered under the name its owner gave it, to the applicant and to the clerk."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage, Message
from email.utils import collapse_rfc2231_value

import pytest
from werkzeug.http import parse_options_header

from portal.downloads import download_name
from tests.portal.helpers import (
    documents,
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_bytes,
    start,
    submit,
)

NAMES = [
    "Fotomontaje–Čapek.pdf",  # the name from the issue: an en dash and a caron
    "Constancia_Peña.pdf",  # Latin-1 accents, downloaded as "28.pdf" before
    'Plano "final" 2/3.pdf',  # quotes and a slash
    "Planta 🏠 baja.pdf",  # emoji
    "مخطط الموقع.pdf",  # right-to-left script
    "Escritura " + "ñ" * 300 + ".pdf",  # longer than any file system allows
]


def _browser_name(response) -> str:
    """The name a client takes from Content-Disposition: `filename*` first (RFC 6266 4.3)."""
    header = response.headers["Content-Disposition"]
    legacy = Message()  # reads `filename*=UTF-8''...` as ("UTF-8", "", text) under "filename"
    legacy["Content-Disposition"] = header
    params = legacy.get_params(header="content-disposition")
    extended = [v for k, v in params if k == "filename" and isinstance(v, tuple)]
    if extended:
        return collapse_rfc2231_value(extended[0])
    modern = EmailMessage(policy=policy.HTTP)  # unescapes quoted-pairs (\")
    modern["Content-Disposition"] = header
    assert modern.get_content_disposition() == "attachment"
    return modern.get_filename()


def _ascii_fallback(response) -> str:
    header = response.headers["Content-Disposition"]
    header.encode("ascii")  # a header any HTTP/1.1 stack can carry
    _value, options = parse_options_header(header)
    return options["filename"]


def _upload(client, application_id: int, name: str):
    files = documents(escritura=pdf_bytes(), plano_topografico=pdf_bytes())
    # As a browser encodes a file name in multipart/form-data (HTML Standard).
    files["d_escritura"].filename = name.replace('"', "%22")
    return submit(client, application_id, files=files)


@pytest.mark.parametrize("name", NAMES)
def test_applicant_and_clerk_download_an_upload_under_its_own_name(client, app_ctx, name):
    make_applicant()
    make_staff("clerk")
    login(client, "ana@example.sv")
    application_id = start(client)
    assert _upload(client, application_id, name).status_code == 302
    from tests.portal.helpers import reload_application

    document = next(
        d for d in reload_application(application_id).documents if d.requirement_code == "escritura"
    )
    url = f"/solicitudes/{application_id}/documentos/{document.id}"
    expected = download_name(name)
    for who in ("ana@example.sv", "clerk.opamss@example.sv"):
        logout(client)
        login(client, who)
        response = client.get(url)
        assert response.status_code == 200, who
        assert response.data == pdf_bytes() or response.data.startswith(b"%PDF")
        assert response.mimetype == "application/pdf"
        assert _browser_name(response) == expected
        assert _ascii_fallback(response).endswith(".pdf")
        assert response.headers["Cache-Control"] == "private, no-store"


def test_the_offered_name_keeps_every_letter_and_drops_only_what_is_unsafe():
    assert download_name("Fotomontaje–Čapek.pdf") == "Fotomontaje–Čapek.pdf"
    assert download_name("Constancia_Pen\u0303a.pdf") == "Constancia_Peña.pdf"  # NFC
    assert download_name('Plano "final" 2/3.pdf') == 'Plano "final" 2_3.pdf'
    assert download_name("..\\..\\etc\\passwd") == "_.._etc_passwd"
    assert download_name("factura\u202efdp.exe") == "facturafdp.exe"
    assert download_name("línea\r\nSet-Cookie: x.pdf") == "líneaSet-Cookie: x.pdf"
    assert download_name("مخطط الموقع.pdf") == "مخطط الموقع.pdf"
    long = download_name("Escritura " + "ñ" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith("ñ.pdf")
    assert download_name(" . ") == "archivo"


def test_a_receipt_downloads_under_its_tracking_number(client, app_ctx, run_jobs):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    run_jobs()
    from tests.portal.helpers import reload_application

    number = reload_application(application_id).tracking_number
    response = client.get(f"/solicitudes/{application_id}/constancia.pdf")
    assert response.status_code == 200
    assert _browser_name(response) == f"constancia-{number}.pdf"
    assert response.data.startswith(b"%PDF")
