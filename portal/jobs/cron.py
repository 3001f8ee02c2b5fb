"""Periodic jobs for `rq cron portal.jobs.cron` (RQ's own scheduler, no home-made loop)."""

from rq import cron

from portal.jobs.worker import periodic

# Jobs lost between commit and enqueue (a crash) are dispatched again every minute.
cron.register(periodic, "default", args=("sweep_outbox",), interval=60, name="sweep_outbox")
# Deadlines are business days: every quarter of an hour is far finer than any period.
cron.register(
    periodic, "default", args=("sweep_deadlines",), cron="*/15 * * * *", name="sweep_deadlines"
)
# Licences and permits about to expire: the applicant is reminded once per threshold, daily.
cron.register(
    periodic, "default", args=("expiry_reminders",), cron="0 8 * * *", name="expiry_reminders"
)
# Documents past their last day are marked expired, daily just after midnight in San Salvador.
cron.register(
    periodic, "default", args=("expire_documents",), cron="5 6 * * *", name="expire_documents"
)
# Drafts expire by the day: warn and delete once an hour.
cron.register(periodic, "default", args=("sweep_drafts",), cron="7 * * * *", name="sweep_drafts")
