"""Root conftest: the app and database fixtures live in tests/fixtures_app.py."""

pytest_plugins = ["tests.fixtures_app"]
