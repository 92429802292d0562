"""Prepared statements for the hot statements of fixed shape: prepared once
per connection on PostgreSQL, plain elsewhere or when switched off, logged
like any query, and read afresh on every execution."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hoso.accounts import services
from hoso.core.statements import prepared_cursor

SQL = "SELECT id, code FROM organizations_organization WHERE code = %s ORDER BY id"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _run(sql: str, params: list) -> list[tuple]:
    with prepared_cursor(connection.alias) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_answers_as_the_plain_cursor(tree):
    """GIVEN the test tree
    WHEN a statement runs through prepared_cursor, twice, with other values
    THEN each answer equals the plain cursor's, read afresh (a renamed code
    is seen at once)."""
    with connection.cursor() as cursor:
        cursor.execute(SQL, ["A"])
        expected = cursor.fetchall()
    assert _run(SQL, ["A"]) == expected == [(tree["a"].pk, "A")]
    assert _run(SQL, ["B"]) == [(tree["b"].pk, "B")]
    tree["b"].code = "B2"
    tree["b"].save(update_fields=["code"])
    assert _run(SQL, ["B"]) == []
    assert _run(SQL, ["B2"]) == [(tree["b"].pk, "B2")]


@postgresql_only
def test_prepares_once_per_connection(tree):
    """GIVEN a PostgreSQL connection
    WHEN the same statement runs three times with different values
    THEN the server holds it once as a prepared statement, with parameters."""
    for code in ("A", "B", "P1"):
        _run(SQL, [code])
    mine = [
        sql for sql in _prepared_statements() if "organizations_organization" in sql
    ]
    assert len(mine) == 1
    assert "$1" in mine[0]


@postgresql_only
def test_plain_when_switched_off(tree):
    """GIVEN prepared statements switched off (no psycopg threshold, as
    HOSO_DATABASE_PREPARED_STATEMENTS=false leaves it)
    THEN the statement runs as text and nothing is prepared."""
    connection.ensure_connection()
    raw = connection.connection
    threshold = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        assert _run(SQL, ["A"]) == [(tree["a"].pk, "A")]
        assert not [s for s in _prepared_statements() if "organizations_" in s]
    finally:
        raw.prepare_threshold = threshold


def test_logged_with_its_values(tree):
    """GIVEN query logging (as in DEBUG or a test's query capture)
    THEN the statement is logged with the values it ran with."""
    with CaptureQueriesContext(connection) as captured:
        _run(SQL, ["A"])
    assert len(captured.captured_queries) == 1
    logged = captured.captured_queries[0]["sql"]
    assert "organizations_organization" in logged and "'A'" in logged


@postgresql_only
def test_api_token_lookup_is_prepared(tree, make_user, client):
    """GIVEN an API token
    WHEN two calls authenticate with it
    THEN the token lookup is a prepared statement, and revoking the token
    refuses the very next call."""
    user = make_user("clerk", tree["a"])
    token, plaintext = services.create_token(user, name="t", scopes=["read"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    for _ in range(2):
        assert client.get("/api/v1/organizations", **headers).status_code == 200
    assert [sql for sql in _prepared_statements() if "accounts_apitoken" in sql]
    services.revoke_token(token, acting_user=user)
    assert client.get("/api/v1/organizations", **headers).status_code == 401
