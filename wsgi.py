"""The one module-level WSGI application."""

from portal import create_app

app = create_app()
