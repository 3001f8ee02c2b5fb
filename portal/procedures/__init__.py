"""Procedures (trámites) and their published, immutable versions."""
