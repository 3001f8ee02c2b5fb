"""Health, language switch, security headers, error pages."""

from __future__ import annotations

import re


def test_healthz_names_the_state_of_database_and_queue(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"
    expected = "ok" if app.config.get("REDIS_URL") else "inline"
    assert response.json["queue"] == expected and response.json["status"] == "ok"


def test_healthz_reports_an_unreachable_queue(client, app):
    real = app.extensions.pop("redis", None)
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.extensions.pop("redis").close()
        if real is not None:
            app.extensions["redis"] = real
    assert response.status_code == 503
    assert response.json["queue"].startswith("error")


def test_pages_are_spanish_by_default_and_english_on_request(client):
    page = client.get("/tramites/").get_data(as_text=True)
    assert '<html lang="es"' in page and "Trámites disponibles" in page
    response = client.post("/idioma/en", data={"next": "/tramites/"})
    assert response.status_code == 302 and response.headers["Location"] == "/tramites/"
    page = client.get("/tramites/").get_data(as_text=True)
    assert '<html lang="en"' in page and "Available procedures" in page


def test_the_language_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        response = client.post("/idioma/es", data={"next": target})
        assert response.headers["Location"] == "/"


def test_responses_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unknown_page_answers_a_spanish_404(client):
    response = client.get("/no-existe")
    assert response.status_code == 404
    assert "No encontramos la página" in response.get_data(as_text=True)


def test_the_catalogue_says_what_a_procedure_needs(client):
    page = client.get("/tramites/OPAMSS/calificacion-lugar").get_data(as_text=True)
    assert "Calificación de Lugar" in page
    assert "Documentos que necesita" in page
    assert "Entrar para comenzar" in page
    assert "Presentado (en revisión)" in page  # the steps as text, beside the drawing
    src = re.search(r'<figure class="app-diagram">\s*<img src="([^"]+)"', page).group(1)
    drawing = client.get(src)
    assert drawing.mimetype == "image/svg+xml" and b'role="img"' in drawing.data
