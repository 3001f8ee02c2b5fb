"""The staff back office: queue and case review."""
