"""A sign permit of Santa Tecla to file in tests, and the helpers to post it as a browser does."""

from __future__ import annotations

import io
import re

from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.portal.helpers import login, make_applicant, procedure_id

SIGN = {
    "f_cuenta_tributaria": "CT-0511-2026-0042",
    "f_nombre_titular": "Inversiones El Pino, S.A. de C.V.",
    "f_nit": "0614-050707-104-8",
    "f_nombre_comercial": "Cafetería El Pino",
    "f_direccion": "Calle El Pino 5, Santa Tecla",
    "f_motivo": "nuevo",
    "f_tipo_rotulo": "adosado",
    "f_ancho_m": "2.5",
    "f_alto_m": "1",
    "f_caras": "1",
    "f_area_publicitaria_m2": "2.5",
    "f_iluminado": "no",
}
VALLA_PERMIT = "OPAMSS-VALLA-2026-0777"


def file_(name: str, data: bytes, mime: str = "application/pdf") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=mime)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def post(client, application_id: int, data: dict, button: str = "submit"):
    body = MultiDict({**data, button: "1"})
    boundary, encoded = encode_multipart(body)
    return client.post(
        f"/solicitudes/{application_id}/editar",
        data=encoded,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def start_sign_permit(client, token: str = "rotulo-de-prueba-0001") -> int:
    response = client.post(
        f"/solicitudes/nueva/{procedure_id('permiso-rotulo', '0511')}", data={"token": token}
    )
    assert response.status_code == 302
    return int(
        re.search(r"/(?:solicitudes|borradores)/(\d+)/", response.headers["Location"]).group(1)
    )


def error_at(page: str, input_id: str) -> str:
    """The text of the error message shown at one input (GOV.UK's `<id>-error` element)."""
    found = re.search(rf'id="{input_id}-error"[^>]*>(.*?)</p>', page, re.S)
    assert found, f"no error message at {input_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def applicant(client):
    make_applicant()
    login(client, "ana@example.sv")
