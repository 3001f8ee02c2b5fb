"""The admin console: procedures, versions and what changed between them."""
