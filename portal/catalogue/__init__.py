"""The public catalogue of procedures."""
