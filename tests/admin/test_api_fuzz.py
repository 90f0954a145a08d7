"""Property-based fuzzing of the case API and Open311 from their OpenAPI document:
whatever arrives, the answer is a documented 4xx (or success), never a crash."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, assume, settings
from sqlalchemy import Engine

pytestmark = pytest.mark.slow


@pytest.fixture
def api_schema(app: Flask, clean_db: Engine, database_url: str) -> schemathesis.BaseSchema:
    if not database_url.startswith("sqlite"):
        pytest.skip("input handling does not depend on the database; fuzzed on SQLite only")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_input_without_crashing(
    case: schemathesis.Case, auth: dict[str, str]
) -> None:
    # A form-encoded or multipart body must be a mapping; the test client cannot send another.
    forms = ("application/x-www-form-urlencoded", "multipart/form-data")
    assume(case.media_type not in forms or isinstance(case.body, dict))
    response = case.call(headers=auth)
    assert response.status_code < 500, response.text
    case.validate_response(response)
