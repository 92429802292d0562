"""The API token lookup: token, user, person and grants in one statement.

Every API request with `Authorization: Bearer …` starts here, so this is on
the list API's hot path (SPEC §3: 300 requests/s on 2 cores). Compiling
`ApiToken.objects.select_related("user", "user__person").get(prefix=…)`
cost about a third of the request's server CPU, more than running it, and
`restrict()` then read the grants in a second round trip. The SQL here is
written once per process from the models' metadata, and the rows become
the same model instances the ORM would build (with Django's converters),
read afresh on every request: nothing is cached across requests, so a
revoked token, a deactivated user, an ended position or a lowered
clearance applies to the very next request. On PostgreSQL the statement is
prepared once per connection (`core/statements.py`): planning its five
joins cost 0.3 ms, four times its execution.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Field, Model
from django.utils import timezone

from hoso.accounts.models import ApiToken, Person, Position, Role
from hoso.core import permissions
from hoso.core.statements import prepared_cursor
from hoso.organizations.models import Organization


@dataclass(frozen=True)
class _Lookup:
    """The statement and how to cut its rows into models."""

    sql: str
    token_fields: list[Field]
    user_fields: list[Field]
    person_fields: list[Field]


@functools.cache
def _lookup(vendor: str) -> _Lookup:
    """The lookup statement for one database vendor, written once.

    Parameters: the date twice (current positions), then the prefix. One row
    per current position of the token's user (one row when there is none);
    the grant columns come last, in `permissions._grants_sql()`'s order.
    """
    user_model = get_user_model()
    quote = connections[router.db_for_read(ApiToken)].ops.quote_name

    def fields(model: type[Model]) -> list[Field]:
        return list(model._meta.concrete_fields)

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def col(model: type[Model], name: str) -> str:
        return quote(model._meta.get_field(name).column)

    def columns(alias: str, model: type[Model]) -> list[str]:
        return [f"{alias}.{quote(field.column)}" for field in fields(model)]

    select = ", ".join(
        [
            *columns("tk", ApiToken),
            *columns("u", user_model),
            *columns("pe", Person),
            f"p.{col(Position, 'id')}",
            f"o.{col(Organization, 'path')}",
            f"r.{col(Role, 'permissions')}",
        ]
    )
    user_pk = quote(user_model._meta.pk.column)
    start, end = col(Position, "start_date"), col(Position, "end_date")
    sql = (  # table and column names from the models; values are parameters
        f"SELECT {select} FROM {table(ApiToken)} tk "  # noqa: S608
        f"JOIN {table(user_model)} u ON u.{user_pk} = tk.{col(ApiToken, 'user')} "
        f"LEFT JOIN {table(Person)} pe ON pe.{col(Person, 'user')} = u.{user_pk} "
        f"LEFT JOIN {table(Position)} p "
        f"ON p.{col(Position, 'person')} = pe.{col(Person, 'id')} "
        f"AND p.{start} <= %s AND (p.{end} IS NULL OR p.{end} >= %s) "
        f"LEFT JOIN {table(Organization)} o "
        f"ON o.{col(Organization, 'id')} = p.{col(Position, 'organization')} "
        f"LEFT JOIN {table(Role)} r ON r.{col(Role, 'id')} = p.{col(Position, 'role')} "
        f"WHERE tk.{col(ApiToken, 'prefix')} = %s "
        f"ORDER BY o.{col(Organization, 'path')}, r.{col(Role, 'rank')}"
    )
    return _Lookup(sql, fields(ApiToken), fields(user_model), fields(Person))


def _converters(model: type[Model], fields: list[Field], connection) -> list:
    """Per field, (the column expression, Django's converters for it), as
    the compiler applies them; kept on the connection (one per thread)."""
    cache = connection.__dict__.setdefault("_hoso_token_converters", {})
    if model not in cache:
        found = []
        for field in fields:
            expression = field.get_col(model._meta.db_table)
            found.append(
                (
                    expression,
                    connection.ops.get_db_converters(expression)
                    + field.get_db_converters(connection),
                )
            )
        cache[model] = found
    return cache[model]


def _instance(model: type[Model], fields: list[Field], values, connection) -> Model:
    """A model instance from raw column values, converted as the ORM would
    (datetimes on SQLite, JSON everywhere)."""
    converted = []
    for (expression, converters), value in zip(
        _converters(model, fields, connection), values, strict=True
    ):
        if value is not None:
            for converter in converters:
                value = converter(value, expression, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def find_token(prefix: str) -> ApiToken | None:
    """The token with this prefix, with its user, the user's person and the
    user's current grants loaded (one query), or None.

    `token.user.person` is set (or known to be missing) as with
    `select_related("user", "user__person")`, and the grants are cached on
    the user for this request as `permissions.current_grants()` would read
    them.
    """
    alias = router.db_for_read(ApiToken)
    connection = connections[alias]
    lookup = _lookup(connection.vendor)
    today: date = timezone.localdate()
    with prepared_cursor(alias) as cursor:  # one plan for every token
        cursor.execute(lookup.sql, [today, today, prefix])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    n_token, n_user = len(lookup.token_fields), len(lookup.user_fields)
    n_person = len(lookup.person_fields)
    token = _instance(ApiToken, lookup.token_fields, first[:n_token], connection)
    user_model = get_user_model()
    user = _instance(
        user_model, lookup.user_fields, first[n_token : n_token + n_user], connection
    )
    person_values = first[n_token + n_user : n_token + n_user + n_person]
    person_pk = person_values[lookup.person_fields.index(Person._meta.pk)]
    person = (
        None
        if person_pk is None
        else _instance(Person, lookup.person_fields, person_values, connection)
    )
    ApiToken.user.field.set_cached_value(token, user)
    user_model.person.related.set_cached_value(user, person)
    if person is not None:
        Person.user.field.set_cached_value(person, user)
    grants = [row[-3:] for row in rows if row[-3] is not None]
    permissions.remember_grants(user, grants)
    return token
