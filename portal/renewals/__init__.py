"""Renewal of expiring licences and permits, and the reminders before they expire."""
