"""Background jobs through a transactional outbox: RQ when REDIS_URL is set, in-process otherwise."""
