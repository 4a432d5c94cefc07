"""Schemathesis against the live OpenAPI schema: no input makes a 5xx, and every response matches the
schema (status codes, content types, bodies). Three phases: valid data per operation, invalid data per
operation (which must be refused with a 4xx), and stateful sequences that follow the links between
operations (create, then read, change and delete what was created). Logout and account deletion are
left out: they would end the session the rest runs in. Bounded examples keep it fast; FUZZ_EXAMPLES
raises the bound (bench/fault_bench.py)."""

import os

import pytest
import schemathesis
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from tracker.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SKIP = {"path_regex": r"/(account|auth/logout)/$"}
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application).exclude(**SKIP)
schema.config.generation.update(modes=[GenerationMode.POSITIVE])
# A barcode is any path segment: the only invalid one would hold a "/", which is another URL.
negative = (
    schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    .exclude(**SKIP)
    .exclude(path_regex=r"/barcode/")
)
negative.config.generation.update(modes=[GenerationMode.NEGATIVE])
# Refusals the schema documents besides schemathesis' defaults: a body or a URL too large.
_rejection = negative.config.checks.negative_data_rejection
_rejection.expected_statuses = [*_rejection.expected_statuses, "413", "414"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NEGATIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
]
FAST = {"deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": True}


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
@schema.parametrize()
@settings(max_examples=EXAMPLES, **FAST)
def test_api_never_errors_and_matches_its_schema(case, auth_header):
    case.call_and_validate(headers=auth_header, checks=CHECKS)


@pytest.mark.django_db
@negative.parametrize()
@settings(max_examples=max(EXAMPLES // 2, 4), **FAST)
def test_invalid_input_is_refused_with_a_4xx(case, auth_header):
    case.call_and_validate(headers=auth_header, checks=NEGATIVE_CHECKS)


@pytest.mark.django_db
def test_sequences_of_calls_never_error(auth_header):
    calls = []

    class Workflow(schema.as_state_machine()):
        """Each scenario starts from the same data (a savepoint rolled back after it) and no throttle
        counts, so that Hypothesis can replay a scenario exactly."""

        def setup(self):
            cache.clear()
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": auth_header}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            calls.append((case.method, case.operation.path, response.status_code))
            case.validate_response(response, checks=CHECKS)

    Workflow.run(settings=settings(max_examples=EXAMPLES * 2, stateful_step_count=6, **FAST))
    # the sequences reached objects that earlier calls created (a linked id found, not a 404)
    linked = [(m, p) for m, p, status in calls if "{" in p and status < 300]
    assert len(calls) > EXAMPLES and linked, calls[:20]
