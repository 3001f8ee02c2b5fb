"""Public tracking of a case by its tracking number and secret code, without signing in."""
