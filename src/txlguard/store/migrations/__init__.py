"""Alembic migrations of the case store (run by txlguard.store.migrate)."""
