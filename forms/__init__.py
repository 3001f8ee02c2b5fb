"""Flask-WTF forms, and the builder that turns a definition's fields into a form."""
