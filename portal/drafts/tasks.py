"""RQ entry point for drafts: the e-mail that says a draft is about to be deleted."""

from portal.drafts.services import send_expiry_warning


def warn_draft_expiry(application_id: int, expires: str) -> bool:
    return send_expiry_warning(application_id, expires)
