"""The API's schema is true: what every read answers, with real data of every kind, validates against
the schema it publishes (nullable fields are nullable, enums hold every value sent, a list that is a
plain array is not documented as a paginated page). The schema itself generates without warnings
and validates (test_api.test_schema_generates_without_warnings)."""

from __future__ import annotations

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from hub.wsgi import application

from .helpers import api_token

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["admin", "observer"])
def test_every_read_answers_what_the_schema_says(world, in_process_wsgi, persona: str) -> None:
    # identity: the WSGI transport hands schemathesis the body as sent, and pages are gzipped when asked.
    headers = {"Authorization": f"Token {api_token(world.people[persona])}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=headers)
    violations: list[str] = []
    checked = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue

        @settings(
            max_examples=1,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(headers=headers, path_parameters=world.path_parameters(operation.path)))
        def read(case: schemathesis.Case) -> None:
            nonlocal checked
            case.query = {}  # the unfiltered list, with every kind of row in it
            point = transaction.savepoint()
            try:
                case.call_and_validate(headers=headers, checks=[response_schema_conformance])
                checked += 1
            except (Exception, BaseExceptionGroup) as violation:  # schemathesis raises a group; all are reported
                violations.append(f"{case.operation.label}: {str(violation)[:600]}")
            finally:
                transaction.savepoint_rollback(point)

        read()
    assert checked > 30
    assert violations == [], "\n\n".join(violations)
