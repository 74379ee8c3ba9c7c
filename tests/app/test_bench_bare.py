"""The bench's bare SQL server (`bench.bare_server`): a bare query answers over HTTP on both databases with the rows
it gives when run directly, so the bench compares callbacks with the same numbers."""

import importlib
import json

import pytest
from sqlalchemy import create_engine

from bench import bare
from db.session import normalise_url


@pytest.fixture
def bare_client(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    module = importlib.reload(importlib.import_module("bench.bare_server"))
    yield module.app.test_client()
    module.engine.dispose()


def test_a_bare_query_answers_over_http_with_its_direct_rows(bare_client, database_url):
    params = {"home-year": "2025"}  # the input values the page's callback received
    answer = bare_client.post("/bare/home-figures", json=params)
    assert answer.status_code == 200
    engine = create_engine(normalise_url(database_url))
    with engine.connect() as connection:
        direct = [list(row) for row in bare.home(bare.Sql(connection), params)]
    engine.dispose()
    assert answer.get_json() == json.loads(json.dumps(direct, default=str)) and direct
    assert bare_client.post("/bare/inconnu", json={}).status_code == 404
