"""Drafts in the admin console: cloned from a version, saved against the revision loaded."""

from __future__ import annotations

import threading

import pytest

from tests.portal.helpers import at_once, make_staff


def _published(slug: str = "calificacion-lugar"):
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.procedures.models import Procedure, ProcedureVersion

    return db.session.scalar(
        sa.select(ProcedureVersion)
        .join(Procedure)
        .where(Procedure.slug == slug, ProcedureVersion.status == "published")
        .order_by(ProcedureVersion.version.desc())
    )


def test_a_clone_is_the_next_version_as_a_draft_with_the_same_text(app_ctx):
    from portal.accounts.models import AuditEvent
    from portal.admin.draft_services import clone_to_draft
    from portal.extensions import db

    admin = make_staff("admin", "OPAMSS", email="admin@example.sv")
    origin = _published()
    draft = clone_to_draft(admin, origin.procedure_id, origin.version)

    assert (draft.status, draft.version, draft.revision) == ("draft", origin.version + 1, 1)
    assert f"version: {origin.version + 1}" in draft.source
    assert draft.source.replace(f"version: {draft.version}", "") == origin.source.replace(
        f"version: {origin.version}", ""
    )
    # A second clone returns the draft already open instead of a second one.
    assert clone_to_draft(admin, origin.procedure_id, origin.version).id == draft.id
    event = db.session.query(AuditEvent).filter_by(action="procedure.draft_created").one()
    assert event.actor_id == admin.id and event.detail["after"]["version"] == draft.version


def test_a_save_from_an_older_revision_is_refused_and_changes_nothing(app_ctx):
    from portal.admin.draft_services import StaleDraft, clone_to_draft, save_draft_source

    first = make_staff("admin", "OPAMSS", email="uno@example.sv")
    second = make_staff("admin", "OPAMSS", email="dos@example.sv")
    origin = _published()
    draft = clone_to_draft(first, origin.procedure_id, origin.version)
    text = draft.source

    saved, _ = save_draft_source(first, draft.id, text + "\n# uno\n", expected_revision=1)
    assert saved.revision == 2
    with pytest.raises(StaleDraft) as refused:
        save_draft_source(second, draft.id, text + "\n# dos\n", expected_revision=1)
    assert refused.value.params["revision"] == 2
    assert refused.value.params["by"] == first.full_name
    assert saved.source.endswith("# uno\n")


def test_a_draft_keeps_its_identity_and_refuses_unreadable_text(app_ctx):
    from portal.admin.draft_services import clone_to_draft, save_draft_source

    admin = make_staff("admin", "OPAMSS", email="admin@example.sv")
    origin = _published()
    draft = clone_to_draft(admin, origin.procedure_id, origin.version)
    renamed = draft.source.replace("slug: calificacion-lugar", "slug: otro-tramite", 1)

    stored, problems = save_draft_source(admin, draft.id, renamed, expected_revision=1)
    assert stored is None and [p.code for p in problems][:1] == ["identity_changed"]
    stored, problems = save_draft_source(admin, draft.id, "a: [1, 2", expected_revision=1)
    assert stored is None and problems[0].code == "not_yaml"
    assert draft.revision == 1


def test_a_draft_out_of_scope_is_not_found(app_ctx):
    from portal.admin.draft_services import clone_to_draft, save_draft_source
    from portal.errors import NotFound

    origin = _published()
    draft = clone_to_draft(
        make_staff("admin", "OPAMSS", email="admin@example.sv"), origin.procedure_id, origin.version
    )
    district_admin = make_staff("admin", "0511", email="ste@example.sv")
    with pytest.raises(NotFound):
        save_draft_source(district_admin, draft.id, draft.source, expected_revision=1)
    with pytest.raises(NotFound):
        clone_to_draft(district_admin, origin.procedure_id, origin.version)


def test_two_admins_saving_at_once_one_wins_the_other_is_told(app):
    """Two sessions save the same revision concurrently: exactly one is stored."""
    from portal.accounts.models import User
    from portal.admin.draft_services import StaleDraft, clone_to_draft, save_draft_source
    from portal.extensions import db

    with app.app_context():
        ids = [make_staff("admin", "OPAMSS", email=f"a{n}@example.sv").id for n in range(2)]
        origin = _published()
        draft = clone_to_draft(db.session.get(User, ids[0]), origin.procedure_id, origin.version)
        draft_id, text = draft.id, draft.source
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(user_id: int, mark: str) -> None:
        with app.app_context():
            actor = db.session.get(User, user_id)
            barrier.wait()
            try:
                save_draft_source(actor, draft_id, f"{text}\n# {mark}\n", expected_revision=1)
                outcomes.append("saved")
            except StaleDraft:
                outcomes.append("stale")

    threads = [threading.Thread(target=save, args=(i, f"m{i}")) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "stale"]


def test_the_reasons_page_skips_a_draft_that_does_not_load(client, app_ctx):
    from portal.admin.draft_services import clone_to_draft, save_draft_source
    from tests.portal.helpers import login

    admin = make_staff("admin", "OPAMSS", email="admin@example.sv")
    origin = _published()
    draft = clone_to_draft(admin, origin.procedure_id, origin.version)
    broken = draft.source + "\nclave_desconocida: 1\n"
    stored, problems = save_draft_source(admin, draft.id, broken, expected_revision=1)
    assert stored is not None and problems

    login(client, "admin@example.sv")
    page = client.get("/admin/referencias/motivos")
    assert page.status_code == 200
    assert f"versión {origin.version}" in page.get_data(as_text=True).lower()


def test_crear_borrador_clicked_twice_at_once_makes_one_draft_for_both(app):
    """Both requests find no draft and insert the next version at the same moment (held at a
    barrier just before their first write): PostgreSQL makes the second wait for the first's
    key and fail once it commits; the second then returns the first one's draft."""
    import sqlalchemy as sa

    from portal.accounts.models import User
    from portal.admin.draft_services import clone_to_draft
    from portal.extensions import db
    from portal.procedures.models import ProcedureVersion

    with app.app_context():
        ids = [make_staff("admin", "OPAMSS", email=f"a{n}@example.sv").id for n in range(2)]
        origin = _published()
        procedure_id, version = origin.procedure_id, origin.version

    def click(user_id: int) -> int:
        return clone_to_draft(db.session.get(User, user_id), procedure_id, version).id

    made = at_once(app, *(lambda user_id=user_id: click(user_id) for user_id in ids))
    assert all(isinstance(made_id, int) for made_id in made), made
    assert len(set(made)) == 1
    with app.app_context():
        drafts = db.session.scalars(
            sa.select(ProcedureVersion).where(
                ProcedureVersion.procedure_id == procedure_id, ProcedureVersion.status == "draft"
            )
        ).all()
        assert [d.id for d in drafts] == list(set(made))
