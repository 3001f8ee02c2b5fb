"""Establishments registered by approved procedures (fed to SIMDET)."""
