"""Alembic revisions, oldest first: ``0001`` baseline (numbered migrations 001-007), ``0002`` pairing history."""
