"""Argon2id parameters: production's profile by default, a cheaper one only where configured,
and a sign-in stores the hash again when the parameters changed (portal/accounts/hashing.py)."""

from __future__ import annotations

from argon2 import extract_parameters

from tests.portal.helpers import PASSWORD, login, make_applicant


def test_the_default_profile_is_rfc_9106_low_memory(app):
    from portal.accounts.hashing import hash_password, verify_password

    app.config["ARGON2_PROFILE"] = "RFC_9106_LOW_MEMORY"
    try:
        with app.app_context():
            stored = hash_password("una clave cualquiera de prueba")
    finally:
        app.config["ARGON2_PROFILE"] = "CHEAPEST"
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)
    with app.app_context():
        assert verify_password(stored, "una clave cualquiera de prueba")
        assert not verify_password(stored, "una clave cualquiera de prueba ")
        assert not verify_password(None, "una clave cualquiera de prueba")
        assert not verify_password("no es un hash", "x")


def test_a_sign_in_upgrades_a_hash_made_with_other_parameters(app, client):
    from portal.accounts.models import User
    from portal.extensions import db

    with app.app_context():
        user_id = make_applicant().id
        cheap = db.session.get(User, user_id).password_hash
    assert extract_parameters(cheap).memory_cost < 65536  # made under the test profile
    app.config["ARGON2_PROFILE"] = "RFC_9106_LOW_MEMORY"
    try:
        login(client, "ana@example.sv", PASSWORD)
    finally:
        app.config["ARGON2_PROFILE"] = "CHEAPEST"
    with app.app_context():
        stored = db.session.get(User, user_id).password_hash
    assert stored != cheap and extract_parameters(stored).memory_cost == 65536
