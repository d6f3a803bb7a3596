"""Alembic migrations of the store (``env.py`` and ``versions/``), for SQLite and PostgreSQL.

Run through ``lmsync.store.migrate`` (a store migrates itself when opened for writing).
"""
