"""The RQ side: a worker class that owns one app, and the job entry point."""

from __future__ import annotations

import os
from contextlib import contextmanager

from rq import Worker

_app = None


def _get_app():
    global _app
    if _app is None:
        from portal import create_app

        _app = create_app()
        _app.config["_POOL_PID"] = os.getpid()
    return _app


class AppWorker(Worker):
    """The worker class for `rq worker-pool --worker-class`: builds the app once, before forking.

    Besides RQ's own upkeep, each worker sweeps the outbox when it starts (so a worker that the
    pool starts again after Redis came back re-dispatches what Redis lost) and then every
    `OUTBOX_SWEEP_INTERVAL` seconds. It retries a lost Redis every few seconds at most
    (`max_connection_wait_time`), and checks on its running job every `WORKER_MONITOR_SECONDS`.
    """

    def __init__(self, *args, **kwargs) -> None:
        config = _get_app().config
        import weasyprint  # noqa: F401 - imported once here, not in every forked work horse

        self._sweep_interval = int(config["OUTBOX_SWEEP_INTERVAL"])
        super().__init__(*args, **kwargs)
        # `rq worker` passes its own defaults (600 s upkeep): ours are shorter, never longer.
        self.maintenance_interval = min(
            self.maintenance_interval, int(config["OUTBOX_SWEEP_INTERVAL"])
        )
        self.job_monitoring_interval = min(
            self.job_monitoring_interval, int(config["WORKER_MONITOR_SECONDS"])
        )
        self.max_connection_wait_time = float(config["WORKER_RECONNECT_MAX_SECONDS"])

    @property
    def dequeue_timeout(self) -> int:
        """An idle worker wakes at least once per sweep interval (RQ waits 405 s by default)."""
        return max(1, min(super().dequeue_timeout, self._sweep_interval))

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        from portal.jobs.services import dispatch_stale

        try:
            with job_context():
                count = dispatch_stale()
        except Exception:  # Redis or the database is down: the next round tries again
            self.log.exception("Worker %s: outbox sweep failed", self.name)
        else:
            if count:
                self.log.info("Worker %s: re-dispatched %s outbox message(s)", self.name, count)


@contextmanager
def job_context():
    """The app context every job runs in: the test's app when there is one, else the worker's.

    The work horse is a fork, so it never reuses the parent's pooled connections, and the
    session is removed when the job ends.
    """
    from flask import current_app, has_app_context

    app = current_app._get_current_object() if has_app_context() else _get_app()
    with app.app_context():
        from portal.extensions import db

        if app.config.get("_POOL_PID", os.getpid()) != os.getpid():
            db.engine.dispose(close=False)
            app.config["_POOL_PID"] = os.getpid()
        try:
            yield
        finally:
            db.session.remove()


def perform(message_id: int) -> bool:
    """Run one outbox message (the RQ job function)."""
    from portal.jobs.services import run_message

    with job_context():
        return run_message(message_id)


def periodic(name: str) -> object:
    """Run one of the periodic sweeps (registered in portal.jobs.cron)."""
    from portal.certificates.services import mark_expired
    from portal.deadlines.services import sweep_deadlines
    from portal.drafts.services import sweep_drafts
    from portal.jobs.services import dispatch_stale
    from portal.renewals.services import send_expiry_reminders

    sweeps = {
        "sweep_outbox": dispatch_stale,
        "sweep_deadlines": sweep_deadlines,
        "sweep_drafts": sweep_drafts,
        "expiry_reminders": send_expiry_reminders,
        "expire_documents": mark_expired,
    }
    with job_context():
        return sweeps[name]()
