"""Home, language switch and health."""
