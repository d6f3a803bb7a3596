"""The words of a PostgreSQL refusal (review of tester round 124, 2 and 3): a schema the role may not use reads as a
missing schema to PostgreSQL (no current schema, 3F000), so the fix names the GRANT first; a refused table's GRANT
names the session's schema (a search_path set on the role or database), not the URL's default."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from lmsync.store.pg_refusals import NO_SCHEMA, PRIVILEGE, _Said, refusal

URL = make_url("postgresql+psycopg://lm_role:s3cret@db.example/lmsync")


def test_no_schema_to_create_in_names_the_grant_for_a_schema_the_role_may_not_use():
    refused = refusal(_Said(NO_SCHEMA, "no schema has been selected to create in"), URL, "the store")
    assert refused is not None and refused.exit_code == 2
    assert "or none the role may use" in refused.message
    assert (refused.hint or "").startswith("if the schema exists, GRANT USAGE, CREATE ON SCHEMA NAME TO lm_role")


def test_a_refused_table_names_the_sessions_schema_in_its_grant():
    said = _Said(PRIVILEGE, "permission denied for table meetings")
    in_session = refusal(said, URL, "the store", "programme_a")
    assert in_session is not None and "IN SCHEMA programme_a" in (in_session.hint or "")
    from_url = refusal(said, URL, "the store")
    assert from_url is not None and "IN SCHEMA public" in (from_url.hint or "")
    assert "s3cret" not in in_session.message + (in_session.hint or "")
