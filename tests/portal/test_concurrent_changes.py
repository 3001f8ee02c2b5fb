"""Two requests that change the same thing at once, where no service foresaw it: the second
meets a real unique-key violation or a row changed under it in PostgreSQL, and the person is
sent back to the page they posted from with a notice, never a 500 (portal/error_pages.py).
And any error page renders after a failed transaction."""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from tests.portal.test_error_pages import _in_layout

NOTICE = "Esto ya se había registrado, o alguien lo cambió al mismo tiempo"


def _app(app_settings, monkeypatch):
    from portal import create_app, permissions
    from portal.accounts.models import User
    from portal.extensions import db

    app = create_app(**{**app_settings, "PROPAGATE_EXCEPTIONS": False, "WTF_CSRF_ENABLED": False})
    for endpoint in ("duplicate", "changed", "null", "broken"):  # declared, as every route must be
        monkeypatch.setitem(permissions.ROUTES, endpoint, permissions.Rule(permissions.PUBLIC))

    @app.post("/prueba/duplicado")
    def duplicate():  # what a second click meets: the first one's row, by a unique key
        for _ in range(2):
            db.session.add(User(email="doble@example.sv", password_hash="x", full_name="Doble"))
            db.session.flush()
        return "no"

    @app.post("/prueba/cambiado")
    def changed():  # a row deleted by another request between reading it and writing it
        user = User(email="cambia@example.sv", password_hash="x", full_name="Cambia")
        db.session.add(user)
        db.session.commit()
        with db.engine.begin() as other:
            other.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": user.id})
        user.full_name = "Otro"
        db.session.commit()
        return "no"

    @app.post("/prueba/nulo")
    def null():  # not a concurrent change: a bug, answered as one
        db.session.add(User(email=None, password_hash="x", full_name="Nulo"))
        db.session.commit()
        return "no"

    @app.get("/prueba/transaccion-rota")
    def broken():  # the transaction failed, then something else went wrong
        with contextlib.suppress(sa.exc.DBAPIError):
            db.session.execute(sa.text("SELECT 1/0"))
        raise RuntimeError("después de un error de la base de datos")

    return app


@pytest.fixture
def fresh(app, app_settings, monkeypatch):
    """A client of an app of our own with the routes above; its connections closed after."""
    from portal.extensions import db

    own = _app(app_settings, monkeypatch)
    yield own.test_client()
    with own.app_context():
        db.engine.dispose()


def test_a_duplicate_or_a_row_changed_meanwhile_sends_the_person_back_with_a_notice(fresh):
    client = fresh
    for path in ("/prueba/duplicado", "/prueba/cambiado"):
        back = "http://localhost/tramites/"
        response = client.post(path, headers={"Referer": back})
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/tramites/"
        page = client.get("/tramites/").get_data(as_text=True)
        assert NOTICE in page, path
        _in_layout(page)


def test_without_a_page_to_go_back_to_it_is_a_409_page_in_the_layout(fresh):
    client = fresh
    for headers in ({}, {"Referer": "https://otro-sitio.example/formulario"}):
        response = client.post("/prueba/duplicado", headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "Alguien cambió esto al mismo tiempo" in page
        _in_layout(page)


def test_other_integrity_errors_stay_errors_and_every_error_page_renders(fresh):
    client = fresh
    response = client.post("/prueba/nulo", headers={"Referer": "http://localhost/tramites/"})
    assert response.status_code == 500
    _in_layout(response.get_data(as_text=True))
    response = client.get("/prueba/transaccion-rota")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    _in_layout(page)
    assert "Internal Server Error" not in page
