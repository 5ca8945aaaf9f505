"""Schemathesis against the API's own schema (/api/schema/), as every persona: no request it makes,
valid or not, gets a server error.

The app is called in-process through its WSGI handler (schemathesis.openapi.from_wsgi), inside the
test's transaction: every call runs in a savepoint that is rolled back, so that each example meets
the same data (a DELETE does not take the object away from the next one). Path parameters are the
real ids of coalition "alpha"'s objects, so that bodies and query strings reach the views behind
the 404; the outsider (admin of "beta") sends the same requests and must get nothing but 4xx.
Examples are bounded and derandomised: the run is the same every time and takes a few minutes.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from hub.wsgi import application

from .helpers import api_token

pytestmark = pytest.mark.django_db

# Examples per operation and generation mode (valid bodies, then bodies that break the schema).
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 2, schemathesis.GenerationMode.NEGATIVE: 1}
PERSONAS = ["admin", "editor", "member", "observer", "outsider"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_schemathesis_finds_no_server_error(world, in_process_wsgi, persona: str) -> None:
    raised = in_process_wsgi
    # identity: the WSGI transport hands schemathesis the body as sent, and pages are gzipped when asked.
    headers = {"Authorization": f"Token {api_token(world.people[persona])}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=headers)
    failures: list[str] = []
    calls = 0
    answers: Counter[str] = Counter()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        for mode, examples in EXAMPLES.items():
            strategy = operation.as_strategy(
                generation_mode=mode, headers=headers, path_parameters=world.path_parameters(operation.path)
            )

            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def probe(case: schemathesis.Case) -> None:
                nonlocal calls
                calls += 1
                raised.clear()
                point = transaction.savepoint()
                try:
                    response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
                    answers[f"{case.method} {response.status_code}"] += 1
                    if persona == "outsider" and case.path.startswith("/api/c/") and response.status_code < 400:
                        failures.append(f"outsider got {response.status_code} from {case.method} {case.formatted_path}")
                except (Exception, BaseExceptionGroup) as failure:  # schemathesis raises a group; all are reported
                    failures.append(
                        f"{persona} {case.operation.label} {case.path_parameters} query={case.query} "
                        f"body={case.body!r:.300}\n{failure}\n{''.join(raised)}"
                    )
                finally:
                    transaction.savepoint_rollback(point)

            try:
                probe()
            except Unsatisfiable:  # no invalid request of this kind exists (a GET with fixed path parameters only)
                assert mode is schemathesis.GenerationMode.NEGATIVE
    print(persona, calls, "requests:", sorted(answers.items()))
    assert calls > 100
    assert not failures, f"{len(failures)} server errors in {calls} requests:\n\n" + "\n\n".join(failures[:20])
