"""Schemathesis against the live OpenAPI schema: no input makes a 5xx, and every response matches the
schema (status codes, content types, bodies). Three phases: valid data per operation, invalid data per
operation (which must be refused with a 4xx), and stateful sequences that follow the links between
operations (create, then read, change and delete what was created). Logout and account deletion are
left out: they would end the session the rest runs in. Bounded examples keep it fast; FUZZ_EXAMPLES
raises the bound (bench/fault_bench.py)."""

import os
import re

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
# The rules a JSON schema cannot state: a relation between fields or with stored data (an id that is
# not yours, a meal logged that day, a taken user name), the clock, a password's strength, the server's
# configuration (its push services). A schema-valid request refused with a 400 must be refused for one
# of these; any other message is a limit the schema failed to state (a minimum, a maximum, a pattern, a
# format), and the check fails.
NOT_LIMITS = re.compile(
    "|".join(
        [
            r"object does not exist",
            r"No entry of yours has the id",
            r"Wrong username or password",
            r"password is too (similar|common)|password is entirely numeric",
            r"username is taken|email address exists already",
            r"Nothing was logged for|Copy from another day",
            r"Give both ends of the range|The range must run from more than 0 up to a higher value",
            r"in the future",
            r"Give the magnesium in|in mg or as % Daily Value, not both|more than any food holds",
            r"is not a known push service|resolves to a non-public address|Not a P-256 public key",
            r"A meal needs at least one food|Give items or entries, not both",
            r"check digit|already has this barcode",
            r"is invalid: nothing was stored",
            r"Give a portion|A quantity needs a portion|Give either a portion|belongs to another food",
            r"Too small an amount|Too small to contain any magnesium",
            r"Give the elemental magnesium \(mg\) or the compound weight|not both\.$",
            r"given in hospital",
            r"has no ingredients yet|Only a recipe has servings|cannot contain itself|A serving would weigh",
            r"cannot become a recipe|This food is a recipe",
            r"range is in the old unit",
            r"gives an age of|Pregnancy and breastfeeding",
            r"The end date is before the start date|days at most|at most .* days long",
            r"At most \d+ times for one medicine|At most \d+ reminders\.",
            r"A day after today cannot be complete yet",
            r"is not an answer to .* reminder|named no dose|a day that is over|Snoozed \d+ times already",
            r"Adherence is kept for supplement reminders|to turn this reminder on",
            r"has not been sent yet|Too late to snooze|no longer exists",
            # an uploaded file's content (imports): what no schema of a binary body can state
            r"MyFitnessPal|not UTF-8|binary data|no rows|No magnesium column|spreadsheet formula",
            r"characters long|larger than \d+ MB|More than [\d,]+ rows|The file is empty|no header line",
            r"not a readable CSV|Send the file as|Send a file|magnesium column but not",
            r"nothing to confirm|still running|A report covers at most|links at once",
        ]
    )
)


def _messages(body):
    if isinstance(body, str):
        yield body
    elif isinstance(body, list):
        for item in body:
            yield from _messages(item)
    elif isinstance(body, dict):
        for item in body.values():
            yield from _messages(item)


@schemathesis.check
def limits_are_stated(ctx, response, case):
    """A schema-valid request is never refused for a limit the schema does not state."""
    if response.status_code != 400:
        return None
    unstated = [m for m in _messages(response.json()) if not NOT_LIMITS.search(m)]
    if unstated:
        raise AssertionError(
            f"a schema-valid request was refused for a limit the schema does not state: {unstated}"
        )
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    limits_are_stated,
]
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
def open_food_facts(settings):
    """Open Food Facts, played here: a barcode the schema allows is asked of it (and is not found)."""
    from tests.servers import OpenFoodFacts

    server = OpenFoodFacts()
    settings.OPEN_FOOD_FACTS_URL = server.url
    yield server
    server.close()


@pytest.fixture
def auth_header(keep_test_connection, open_food_facts, user, almonds_oz, citrate):
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


@pytest.mark.django_db
def test_the_schema_states_each_limit_a_generated_client_used_to_cross(anon):
    """The limits a generated client used to cross (the server refused what the schema allowed)."""
    spec = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    parts = spec["components"]["schemas"]

    def field(component, name):
        return parts[component]["properties"][name]

    assert (
        field("OwnFoodRequest", "serving_grams")["minimum"],
        field("OwnFoodRequest", "serving_grams")["maximum"],
    ) == (0.1, 5000)
    assert field("IntakeEntryRequest", "quantity")["maximum"] == 50
    assert field("IntakeEntryRequest", "grams")["minimum"] == 0.01
    assert (field("LabResultRequest", "value")["minimum"], field("LabResultRequest", "value")["maximum"]) == (
        0.001,
        20,
    )
    assert (
        field("ReminderRequest", "local_time")["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )
    assert "id" not in parts["PatchedSymptomChangeRequest"]["properties"]
    assert field("PatchedProfileRequest", "time_zone")["allOf"] == [
        {"$ref": "#/components/schemas/TimeZoneEnum"}
    ]
    assert (
        "Pacific/Kiritimati" in parts["TimeZoneEnum"]["enum"]
        and "localtime" not in parts["TimeZoneEnum"]["enum"]
    )
    assert field("RegisterRequest", "password")["minLength"] >= 8
    assert field("SavedMealRequest", "items")["maxItems"] == 50
    assert field("BatchIntakeRequest", "id") and "id" in parts["BatchIntakeRequest"]["required"]
    assert field("SymptomRequest", "note")["pattern"] == "^[^\\u0000]*$"
    day = spec["paths"]["/api/v1/context/{day}/"]["put"]["parameters"][0]["schema"]
    assert day["format"] == "date" and day["pattern"].endswith("-[0-9]{2}-[0-9]{2}$")
    code = spec["paths"]["/api/v1/foods/barcode/{code}/"]["get"]["parameters"][0]["schema"]
    assert code["pattern"] == "^([0-9]{8}|[0-9]{12,14})$"
