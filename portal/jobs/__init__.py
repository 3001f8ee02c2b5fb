"""Background jobs through a transactional outbox: RQ with REDIS_URL, else in-process."""
