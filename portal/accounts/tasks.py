"""RQ entry point for account e-mail (confirmation, reset link, notices)."""

from portal.accounts.mail import send_account_mail as _send


def send_account_mail(kind: str, user_id: int, key: str | None = None) -> bool:
    return _send(kind, user_id, key)
