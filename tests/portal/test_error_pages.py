"""Every refusal is a page in the portal's layout and language (JSON under /api/), says what to
do, and loses nothing that was typed when it can be kept."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from tests.portal.helpers import VALID_FIELDS, login, make_applicant, make_staff, start

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


class _Inputs(HTMLParser):
    """The <input>s of a page, and the action of each <form>."""

    def __init__(self):
        super().__init__()
        self.inputs: list[dict] = []
        self.forms: list[dict] = []
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))
        elif tag == "form":
            self.forms.append(dict(attrs))
        elif tag == "textarea":
            self._textarea = {**dict(attrs), "value": ""}
            self.inputs.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += (
                data.removeprefix("\n") if not self._textarea["value"] else data
            )


def _inputs(html: str) -> _Inputs:
    parser = _Inputs()
    parser.feed(html)
    return parser


def _in_layout(html: str, lang: str = "es") -> None:
    assert f'<html lang="{lang}"' in html
    assert "Ventanilla Única AMSS" in html and 'id="main-content"' in html
    assert "Werkzeug" not in html and "<title>4" not in html


@pytest.fixture
def fresh_app(app_settings, monkeypatch):
    """An app of our own, with routes that fail in every way a real view can."""
    from portal import permissions

    for endpoint in ("fail", "crash", "api_crash"):  # declared, as every route must be
        monkeypatch.setitem(permissions.ROUTES, endpoint, permissions.Rule(permissions.PUBLIC))
    app = _fresh_app(app_settings)
    yield app
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()


def _fresh_app(app_settings):
    from flask import abort

    from portal import create_app

    app = create_app(**{**app_settings, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/prueba/<int:code>")
    def fail(code):
        abort(code)

    @app.get("/prueba/excepcion")
    def crash():
        raise RuntimeError("database on fire")

    @app.get("/api/prueba/excepcion")
    def api_crash():
        raise RuntimeError("database on fire")

    return app


# -- item 20: huge integers in query strings --------------------------------------------------


@pytest.mark.parametrize(
    "tramite", ["99999999999999999999999", "-1", "0", "dos", "1e3", "9223372036854775808"]
)
def test_a_bad_procedure_number_in_the_queue_is_a_clear_400_page(client, app_ctx, tramite):
    make_staff("clerk")
    login(client, "clerk.opamss@example.sv")
    response = client.get(f"/bandeja/?tramite={tramite}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    _in_layout(html)
    assert "Elija una de las opciones." in html and f'value="{tramite}" selected' in html


def test_a_tampered_queue_cursor_shows_the_first_page_with_a_message(client, app_ctx):
    make_staff("clerk")
    login(client, "clerk.opamss@example.sv")
    for cursor in ("abc", "9" * 300, "WzEsMiwzXQ", "%00"):
        response = client.get(f"/bandeja/?despues={cursor}")
        assert response.status_code == 200
        assert "El enlace de la página no es válido" in response.get_data(as_text=True)


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "9" * 40])
def test_a_huge_id_in_a_path_is_the_404_page_never_a_database_error(client, app_ctx, number):
    """The same kind in paths: every `<int:...>` route stops at what an id column holds."""
    make_applicant()
    make_staff("clerk")
    make_staff("admin", email="admin.opamss@example.sv")
    paths = {
        "ana@example.sv": [
            f"/solicitudes/{number}",
            f"/solicitudes/{number}/editar",
            f"/solicitudes/1/documentos/{number}",
            f"/solicitudes/{number}/constancia.pdf",
        ],
        "clerk.opamss@example.sv": [f"/bandeja/{number}", f"/bandeja/{number}/accesos"],
        "admin.opamss@example.sv": [f"/admin/tramites/{number}/versiones/1"],
    }
    for email, urls in paths.items():
        login(client, email)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (url, response.status_code)
            _in_layout(response.get_data(as_text=True))
        client.post("/cuenta/salir")
    login(client, "ana@example.sv")
    started = client.post(f"/solicitudes/nueva/{number}", data={"token": "t-1"})
    assert started.status_code == 404


@pytest.fixture
def api_token(app_ctx):
    from portal.simdet.services import create_api_client

    return create_api_client(name="simdet-prueba")[1]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("after=9223372036854775808", "after"),
        ("after=99999999999999999999999999", "after"),
        ("after=-1", "after"),
        ("after=abc", "after"),
        ("limit=0", "limit"),
        ("limit=1.5", "limit"),
    ],
)
def test_the_feed_answers_bad_integers_with_a_json_400(client, api_token, query, name):
    response = client.get(
        f"/api/simdet/v1/events?{query}", headers={"Authorization": f"Bearer {api_token}"}
    )
    assert response.status_code == 400
    assert response.is_json
    error = response.json["error"]
    assert error["code"] == "invalid_parameter"
    assert f"«{name}»" in error["message"]


def test_the_feed_serves_the_largest_cursor(client, api_token):
    response = client.get(
        "/api/simdet/v1/events?after=9223372036854775807&limit=100000",
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert response.status_code == 200 and response.json["events"] == []


def test_every_view_reads_query_integers_through_the_one_parser():
    """`int_arg` is the one parser; no view converts request.args by itself."""
    offenders = []
    for path in (ROOT / "portal").rglob("*.py"):
        text = path.read_text()
        if re.search(r"request\.args\.get\([^)]*type=", text) or re.search(
            r"int\(\s*request\.args", text
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# -- item 7: every refusal is a page (or JSON under /api/) -------------------------------------


@pytest.mark.parametrize(
    ("code", "spanish", "english"),
    [
        (400, "No pudimos entender lo que se envió", "We could not understand what was sent"),
        (404, "No encontramos la página", "Page not found"),
        (405, "Esta acción no se puede hacer desde esta dirección", "This action cannot be done"),
        (413, "Lo que envió es demasiado grande", "What you sent is too large"),
        (429, "Demasiados intentos", "Too many attempts"),
        (500, "Lo sentimos, hubo un problema con el servicio", "Sorry, there is a problem"),
    ],
)
def test_every_refusal_is_a_page_in_the_layout_in_the_chosen_language(
    fresh_app, code, spanish, english
):
    client = fresh_app.test_client()
    spanish_page = client.get(f"/prueba/{code}", headers={"Accept-Language": "es"})
    assert spanish_page.status_code == code
    html = spanish_page.get_data(as_text=True)
    _in_layout(html)
    assert spanish in html
    with client.session_transaction() as session:  # English is chosen, never assumed
        session["locale"] = "en"
    english_page = client.get(f"/prueba/{code}")
    assert english_page.status_code == code
    html = english_page.get_data(as_text=True)
    _in_layout(html, "en")
    assert english in html


def test_an_unexpected_failure_is_the_500_page_and_json_under_the_api(fresh_app):
    client = fresh_app.test_client()
    page = client.get("/prueba/excepcion")
    assert page.status_code == 500
    _in_layout(page.get_data(as_text=True))
    api = client.get("/api/prueba/excepcion")
    assert api.status_code == 500 and api.is_json
    assert api.json["error"]["code"] == "internal_server_error"
    assert "database on fire" not in api.get_data(as_text=True)


def test_the_api_answers_unknown_addresses_and_methods_in_json(client):
    missing = client.get("/api/simdet/v1/nada")
    assert missing.status_code == 404 and missing.is_json
    assert missing.json["error"]["code"] == "not_found"
    wrong_method = client.post("/api/simdet/v1/events")
    assert wrong_method.status_code == 405 and wrong_method.is_json
    assert "GET" in wrong_method.headers["Allow"]
    html_method = client.post("/")
    assert html_method.status_code == 405 and "GET" in html_method.headers["Allow"]
    _in_layout(html_method.get_data(as_text=True))


# -- item 7: oversized uploads keep what was typed ---------------------------------------------


def _post_edit(client, application_id, fields, files):
    data = MultiDict({**fields, "save": "1"})
    for name, (filename, payload) in files.items():
        from io import BytesIO

        from werkzeug.datastructures import FileStorage

        data.add(name, FileStorage(BytesIO(payload), filename=filename))
    boundary, body = encode_multipart(data)
    return client.post(
        f"/solicitudes/{application_id}/editar",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize(
    ("field", "size_mb", "limit_mb"),
    [("d_escritura", 26, 10), ("d_plano_topografico", 26, 20), ("d_escritura", 11, 10)],
)
def test_a_scan_too_large_comes_back_at_its_field_with_every_answer(
    client, app_ctx, field, size_mb, limit_mb
):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    fields = {**VALID_FIELDS, "f_uso_propuesto": "Cafetería «La Ceiba» & panadería"}
    scan = b"%PDF-1.4\n" + b"0" * (size_mb * MB)
    response = _post_edit(client, application_id, fields, {field: ("escaneo.pdf", scan)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"El archivo es demasiado grande (máximo {limit_mb} MB)." in html
    values = {i.get("name"): i.get("value") for i in _inputs(html).inputs}
    assert values["f_direccion"] == VALID_FIELDS["f_direccion"]
    assert values["f_uso_propuesto"] == "Cafetería «La Ceiba» & panadería"


def test_a_request_larger_than_any_form_takes_is_a_413_page_that_says_what_to_do(
    client, app, app_ctx
):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    app.config["MAX_CONTENT_LENGTH"] = 2 * MB
    try:
        response = _post_edit(
            client, application_id, VALID_FIELDS, {"d_escritura": ("x.pdf", b"%PDF" * MB)}
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 64 * MB
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    _in_layout(html)
    assert "Reduzca el tamaño del archivo" in html and "2 MB en total" in html


# -- item 7: a form sent after its session expired keeps what was typed ------------------------


def test_a_form_sent_with_an_expired_token_comes_back_with_what_was_typed(client, app, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    app.config["WTF_CSRF_ENABLED"] = True
    typed = {**VALID_FIELDS, "f_direccion": "Final 3a Calle Poniente #7, Santa Tecla"}
    for stale in (None, "IjU2ZTk.caducado.xyz"):  # missing, and one from an ended session
        data = {**typed, "save": "1"} | ({"csrf_token": stale} if stale else {})
        response = client.post(f"/solicitudes/{application_id}/editar", data=data)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        _in_layout(html)
        assert "Su sesión expiró" in html and "CSRF" not in html
        page = _inputs(html)
        carried = {i["name"]: i.get("value") for i in page.inputs if i.get("type") == "hidden"}
        assert carried["f_direccion"] == typed["f_direccion"]
        assert carried["csrf_token"] and carried["csrf_token"] != stale
    resent = client.post(page.forms[-1]["action"], data=carried)
    assert resent.status_code == 302
    from tests.portal.helpers import reload_application

    assert reload_application(application_id).data["direccion"] == typed["f_direccion"]


def test_signed_out_the_expired_form_offers_to_sign_in_again_in_english(client, app):
    application_id = 41  # cookies cleared: nobody is signed in, nothing is looked up
    app.config["WTF_CSRF_ENABLED"] = True
    with client.session_transaction() as session:  # English is chosen, never assumed
        session["locale"] = "en"
    response = client.post(
        f"/solicitudes/{application_id}/editar",
        data={"f_direccion": "Calle El Progreso 5", "save": "1"},
        headers={
            "Referer": f"http://localhost/solicitudes/{application_id}/editar",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    _in_layout(html, "en")
    assert "Your session expired" in html and "Calle El Progreso 5" in html
    assert f"/cuenta/entrar?next=/solicitudes/{application_id}/editar" in html


def test_an_expired_sign_in_never_writes_the_password_back(client, app):
    app.config["WTF_CSRF_ENABLED"] = True
    for password in ("una-clave-larga-2026", "Contraseña «secreta» 99", "p@ss<script>"):
        response = client.post(
            "/cuenta/entrar", data={"email": "ana@example.sv", "password": password}
        )
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Su sesión expiró" in html
        assert password not in html and 'name="password"' not in html
        assert "ana@example.sv" in html
