"""The SIMDET feed: ordered, resumable events with no personal data."""
