"""Drafts: a form asked step by step, saved as typed, checked before filing, kept for a while."""
