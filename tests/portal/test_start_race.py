"""Several "Comenzar solicitud" requests with one token at the same instant open one draft.

On PostgreSQL the race is forced, not hoped for: a second connection holds a lock that lets the
requests read (they all find no draft) but stops their INSERT; once every request waits on it,
the lock is released and all the inserts meet the unique (applicant, token) constraint at once.
On SQLite the requests only start together (SQLite serialises writers anyway).
"""

from __future__ import annotations

import re
import threading
import time

import pytest
import sqlalchemy as sa

from tests.portal.helpers import login, make_applicant, procedure_id


def _race(app, clients_and_tokens: list[tuple[object, str]]) -> list[object]:
    """POST the start form from every client at once; return the responses in order."""
    from portal.extensions import db

    url = f"/solicitudes/nueva/{procedure_id()}"
    responses: list[object] = [None] * len(clients_and_tokens)
    barrier = threading.Barrier(len(clients_and_tokens))

    def post(index: int, client, token: str) -> None:
        barrier.wait()
        responses[index] = client.post(url, data={"token": token})

    threads = [
        threading.Thread(target=post, args=(i, client, token))
        for i, (client, token) in enumerate(clients_and_tokens)
    ]
    postgres = db.engine.dialect.name == "postgresql"
    gate = db.engine.connect() if postgres else None
    if gate is not None:
        gate.begin()
        # SHARE ROW EXCLUSIVE: SELECT goes through, INSERT (ROW EXCLUSIVE) waits.
        gate.execute(sa.text("LOCK TABLE applications IN SHARE ROW EXCLUSIVE MODE"))
    for thread in threads:
        thread.start()
    if gate is not None:
        waiting_query = sa.text(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'applications' AND NOT l.granted"
        )
        deadline = time.monotonic() + 30
        with db.engine.connect() as probe:
            while probe.execute(waiting_query).scalar() < len(threads):
                assert time.monotonic() < deadline, "the requests never reached their INSERT"
                time.sleep(0.02)
        gate.rollback()  # every request now inserts at the same instant
        gate.close()
    for thread in threads:
        thread.join(60)
    return responses


def _draft_id(response) -> int:
    assert response.status_code == 302, response.data[:300]
    return int(re.search(r"/(?:solicitudes|borradores)/(\d+)/", response.headers["Location"])[1])


def _signed_in_clients(app, email: str, count: int) -> list:
    clients = [app.test_client() for _ in range(count)]
    for client in clients:
        login(client, email)
    return clients


@pytest.mark.parametrize("requests", [2, 5])
def test_simultaneous_starts_with_one_token_all_land_on_the_same_draft(app_ctx, requests):
    from portal.applications.models import Application
    from portal.extensions import db

    make_applicant()
    clients = _signed_in_clients(app_ctx, "ana@example.sv", requests)
    responses = _race(app_ctx, [(c, "un-solo-token-0001") for c in clients])

    drafts = {_draft_id(r) for r in responses}  # no HTTP 500 UniqueViolation
    assert len(drafts) == 1
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 1
    # Every request opens the very draft that exists, and the applicant can edit it.
    (draft_id,) = drafts
    assert clients[-1].get(f"/solicitudes/{draft_id}/editar").status_code == 200


def test_simultaneous_starts_keep_different_tokens_and_people_apart(app_ctx):
    from portal.applications.models import Application
    from portal.extensions import db

    make_applicant()
    make_applicant("beto@example.sv", "Roberto Alas")
    ana = _signed_in_clients(app_ctx, "ana@example.sv", 3)
    beto = _signed_in_clients(app_ctx, "beto@example.sv", 2)
    responses = _race(
        app_ctx,
        [
            (ana[0], "token-compartido-01"),
            (ana[1], "token-compartido-01"),
            (ana[2], "otro-token-de-ana-02"),
            # The same token string from another person is another person's draft.
            (beto[0], "token-compartido-01"),
            (beto[1], "token-compartido-01"),
        ],
    )
    ids = [_draft_id(r) for r in responses]
    assert ids[0] == ids[1] and ids[3] == ids[4]
    assert len({ids[0], ids[2], ids[3]}) == 3
    rows = db.session.execute(
        sa.select(Application.start_token, sa.func.count()).group_by(Application.start_token)
    ).all()
    assert dict(rows) == {"token-compartido-01": 2, "otro-token-de-ana-02": 1}
