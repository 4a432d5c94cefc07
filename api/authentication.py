from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from tracker.models import Profile


class ProfileTokenAuthentication(TokenAuthentication):
    """Token auth that loads the user's profile in the same query: nearly every endpoint needs the
    profile (time zone, target), and a second query per request is measurable.

    The query is built once per process and its rows turned into the three models directly: every
    request pays it, and compiling the ORM's select_related query each time cost a third of the
    floor's time (README, "API throughput against a floor")."""

    def authenticate_credentials(self, key):
        token = _token_with_user_and_profile(key)
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # raises the standard 401
        return (token.user, token)


@cache
def _query() -> tuple[str, list]:
    """The SQL, and per model its field names, its columns' converters and its slice of the row."""
    parts, columns, start = [], [], 0
    for model, alias in ((Token, "t"), (get_user_model(), "u"), (Profile, "p")):
        fields = model._meta.concrete_fields
        converters = []
        for field in fields:
            column = field.get_col(alias)
            converters.append(
                (column, connection.ops.get_db_converters(column) + column.get_db_converters(connection))
            )
            columns.append(f'{alias}."{field.column}"')
        parts.append((model, [f.attname for f in fields], converters, slice(start, start + len(fields))))
        start += len(fields)
    user = get_user_model()._meta
    token_user = Token._meta.get_field("user").column
    profile_user = Profile._meta.get_field("user").column
    sql = (
        f"SELECT {', '.join(columns)} FROM {Token._meta.db_table} t "
        f'JOIN {user.db_table} u ON u."{user.pk.column}" = t."{token_user}" '
        f'LEFT JOIN {Profile._meta.db_table} p ON p."{profile_user}" = u."{user.pk.column}" '
        f'WHERE t."{Token._meta.pk.column}" = %s'
    )
    return sql, parts


def _token_with_user_and_profile(key: str) -> Token | None:
    sql, parts = _query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    token, user, profile = (
        _instance(model, names, converters, row[where]) for model, names, converters, where in parts
    )
    token.user = user
    if profile is not None:  # else profile_get creates it on first use
        user.profile = profile
    return token


def _instance(model, names, converters, values):
    if values[0] is None:  # the LEFT JOIN found no profile
        return None
    converted = []
    for value, (column, column_converters) in zip(values, converters, strict=True):
        for converter in column_converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)
