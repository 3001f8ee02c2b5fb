"""RQ entry point for notifications."""

from portal.notifications.services import send_notification as _send


def send_notification(history_id: int) -> bool:
    return _send(history_id)
