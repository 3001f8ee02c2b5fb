"""What the staff form refuses: a name of only spaces, an e-mail a mail server would not
deliver (accents before the @); a domain with accents is kept in the IDNA form servers read."""

from __future__ import annotations

import pytest

from tests.portal.helpers import make_staff
from tests.portal.test_staff import _as, _authority_id, _new_staff, _post, _user


@pytest.fixture
def admin(app, app_ctx):
    make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    return _as(app, "admin@opamss.sv")


@pytest.mark.parametrize("name", ["   ", "\t", "\u00a0 \u2003", ""])
def test_a_name_of_only_spaces_is_refused(admin, name):
    response = _post(admin, "/admin/personal/nuevo", {
        "full_name": name, "email": "nadie@santatecla.sv",
        "authority": str(_authority_id("0511")), "roles": ["clerk"],
    })  # fmt: skip
    assert response.status_code == 400 and "Escriba el nombre completo." in response.text
    assert 'value="nadie@santatecla.sv"' in response.text
    assert _user("nadie@santatecla.sv") is None


@pytest.mark.parametrize(
    "email",
    ["josé.peña@alcaldía.gob.sv", "josé@santatecla.sv", "maría.lópez@opamss.sv", "用户@例子.sv"],
)
def test_an_e_mail_with_accents_before_the_at_is_refused_with_what_to_change(admin, email):
    response = _new_staff(admin, email, ["clerk"])
    assert response.status_code == 400
    assert "Escriba la parte antes de la @ sin tildes, eñes" in response.text
    assert f'value="{email}"' in response.text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("jose.pena@alcaldía.gob.sv", "jose.pena@xn--alcalda-dza.gob.sv"),
        ("ana@SANTATECLA.SV", "ana@santatecla.sv"),
    ],
)
def test_a_domain_with_accents_is_kept_in_its_idna_form(admin, typed, stored):
    assert _new_staff(admin, typed, ["clerk"]).status_code == 302
    person = _user(stored)
    assert person is not None and person.email.isascii()


@pytest.mark.parametrize("email", ["jose@@santatecla.sv", "jose@santatecla", "jose pena@x.sv"])
def test_an_address_that_is_no_address_is_refused(admin, email):
    response = _new_staff(admin, email, ["clerk"])
    assert response.status_code == 400
    assert "Escriba un correo electrónico válido" in response.text
