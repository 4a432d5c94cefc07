"""Schemathesis against the live OpenAPI schema: no input makes a 5xx, and every response matches the
schema (status codes, content types, bodies). Bounded examples keep it fast."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tracker.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def keep_test_connection():
    """The raw WSGI app closes the database connection after each request; Django's test client
    prevents that, and so must we, or the test's transaction is lost on PostgreSQL."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(keep_test_connection, user, almonds_oz, citrate):
    from rest_framework.authtoken.models import Token

    from tracker import services

    services.intake_create(user=user, food=almonds_oz.food, portion=almonds_oz)
    services.dose_create(user=user, form=citrate, elemental_mg=100)
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@pytest.mark.django_db
@schema.exclude(path_regex=r"/account/$").exclude(path_regex=r"/auth/logout/$").parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_errors_and_matches_its_schema(case, auth_header):
    case.call_and_validate(headers=auth_header, checks=CHECKS)
