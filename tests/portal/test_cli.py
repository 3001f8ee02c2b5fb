"""Operators' commands: validating definition files, and the periodic sweeps' schedule."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_validate_prints_every_problem_of_a_bad_file_and_exits_1(app, tmp_path):
    good = ROOT / "workflows/definitions/opamss/calificacion-lugar.yaml"
    bad = tmp_path / "roto.yaml"
    bad.write_text(
        good.read_text()
        .replace("to: favorable\n", "to: aprobado_por_error\n", 1)
        .replace("roles: [clerk, supervisor]", "roles: [clerk, jefe]", 1)
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["procedures", "validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{good}: ok (OPAMSS/calificacion-lugar v5)" in result.output
    assert "unknown_state" in result.output and "unknown_role" in result.output
    assert "problem(s)" in result.output
    assert runner.invoke(args=["procedures", "validate", str(good)]).exit_code == 0


def test_rq_cron_schedules_the_outbox_and_deadline_sweeps(app):
    from redis import Redis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis())  # never started: no connection is made
    scheduler.load_config_from_file("portal.jobs.cron")
    jobs = {job.name: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "sweep_outbox",
        "sweep_deadlines",
        "expiry_reminders",
        "expire_documents",
        "sweep_drafts",
    }
    assert jobs["sweep_outbox"].interval == 60
    assert jobs["sweep_deadlines"].cron == "*/15 * * * *"
    assert jobs["expiry_reminders"].cron == "0 8 * * *"
    assert jobs["sweep_drafts"].cron == "7 * * * *"
    assert jobs["expire_documents"].cron == "5 6 * * *"  # 00:05 in San Salvador (UTC-6)
    assert {job.func.__name__ for job in jobs.values()} == {"periodic"}


def test_the_periodic_job_runs_the_deadline_sweep_inside_the_app(app):
    from portal.jobs.worker import periodic

    with app.app_context():
        assert periodic("sweep_deadlines") == {"cases": 0, "actions": 0}
        assert periodic("sweep_outbox") == 0
        assert periodic("expiry_reminders") == {"cases": 0, "sent": 0}
        assert periodic("sweep_drafts") == {"warned": 0, "deleted": 0}
        assert periodic("expire_documents") == {"expired": 0}
