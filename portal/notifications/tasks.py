"""RQ entry point for notifications."""

from portal.notifications.services import send_notification as _send
from portal.notifications.services import send_staff_alert


def send_notification(history_id: int) -> bool:
    return _send(history_id)


def alert_staff(history_id: int, role: str) -> int:
    return send_staff_alert(history_id, role)
