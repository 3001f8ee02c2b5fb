"""Subjects as records: legal units, establishments and properties, linked to their cases."""
