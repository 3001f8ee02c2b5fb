"""Server-side sign-in sessions: the cookie carries a random id, the database says if it lives."""
