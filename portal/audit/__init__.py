"""The audit trail of access to cases: refusals, staff reads, and the log a supervisor reads."""
