"""RQ entry point: sequence newly committed feed events."""

from portal.simdet.services import sequence_events


def sequence_feed() -> int:
    return sequence_events()
