"""The SIMDET feed: bearer token, order, cursor, no personal data."""

from __future__ import annotations

import json

from tests.portal.helpers import file_new_application, login, logout, make_applicant


def _token():
    from portal.simdet.services import create_api_client

    return create_api_client(name="simdet")[1]


def _get(client, token, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/simdet/v1/events", query_string=params, headers=headers)


def test_a_missing_or_wrong_token_gets_401(client, app_ctx):
    _token()
    for token in (None, "not-the-token"):
        response = _get(client, token)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (
        client.get("/api/simdet/v1/events", headers={"Authorization": "Basic eDp5"}).status_code
        == 401
    )


def test_events_come_in_order_with_a_cursor_to_resume_from(client, app_ctx, run_jobs):
    token = _token()
    make_applicant()
    login(client, "ana@example.sv")
    for n in range(3):
        file_new_application(client, token=f"token-numero-{n:04d}-abc")
    run_jobs()
    logout(client)
    first = _get(client, token, after=0, limit=2)
    assert first.status_code == 200
    body = first.json
    assert [e["tracking_number"][-6:] for e in body["events"]] == ["000001", "000002"]
    assert [e["type"] for e in body["events"]] == ["case.filed", "case.filed"]
    assert body["next_cursor"] == body["events"][-1]["cursor"]
    rest = _get(client, token, after=body["next_cursor"], limit=100).json
    assert [e["tracking_number"][-6:] for e in rest["events"]] == ["000003"]
    empty = _get(client, token, after=rest["next_cursor"]).json
    assert empty["events"] == [] and empty["next_cursor"] == rest["next_cursor"]
    ids = [e["id"] for e in body["events"] + rest["events"]]
    assert len(set(ids)) == 3


def test_events_carry_the_case_and_place_but_no_personal_data(client, app_ctx, run_jobs):
    token = _token()
    make_applicant()
    login(client, "ana@example.sv")
    file_new_application(client)
    run_jobs()
    event = _get(client, token).json["events"][0]
    assert event["district"] == "0614" and event["authority"] == "OPAMSS"
    assert event["procedure"] == "calificacion-lugar" and event["procedure_version"] == 5
    assert event["activity_code"] == "56101"
    text = json.dumps(event, ensure_ascii=False)
    for personal in ("Ana María", "ana@example.sv", "01234567-8", "Calle Arce", "José Martínez"):
        assert personal not in text


def test_bad_cursor_parameters_get_a_structured_400(client, app_ctx):
    token = _token()
    response = _get(client, token, after="abc")
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_parameter"
