"""RQ entry point for deadlines: derive again the open cases' dates after a calendar change."""

from portal.deadlines.services import rederive_deadlines as rederive


def rederive_deadlines(authority_id: int | None, after_id: int) -> int:
    return rederive(authority_id, after_id)
