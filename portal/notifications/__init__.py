"""E-mail notifications of case changes (SMTP, or .eml files in the embedded mode)."""
