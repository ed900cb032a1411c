"""chaosml's PostgreSQL driver against a real server: statements, transactions, translated errors."""

from __future__ import annotations

import pytest

from chaosml.drivers import postgres_client
from chaosml.errors import DriverError, InfrastructureError
from chaosml.io.ports import free_port


def test_a_committed_block_is_seen_by_the_next_connection(postgres_url: str) -> None:
    with postgres_client.connect(postgres_url) as db:
        db.execute("CREATE TABLE t (v integer)")
        db.execute("INSERT INTO t VALUES (%s)", (7,))
    with postgres_client.connect(postgres_url) as db:
        assert db.execute("SELECT v FROM t") == [(7,)]


def test_an_error_in_the_block_rolls_the_whole_block_back(postgres_url: str) -> None:
    with postgres_client.connect(postgres_url) as db:
        db.execute("CREATE TABLE t (v integer)")
    with (
        pytest.raises(DriverError, match=r"PostgreSQL at .*nope"),
        postgres_client.connect(postgres_url) as db,
    ):
        db.execute("INSERT INTO t VALUES (1)")
        db.execute("SELECT nope FROM t")
    with postgres_client.connect(postgres_url) as db:
        assert db.execute("SELECT count(*) FROM t") == [(0,)]


def test_a_server_that_is_not_there_is_infrastructure_and_the_password_is_hidden() -> None:
    url = f"postgresql://drill:s3cret-pw@127.0.0.1:{free_port()}/history"
    with pytest.raises(InfrastructureError) as caught, postgres_client.connect(url, timeout_s=2):
        pass
    message = str(caught.value)
    assert "is not reachable" in message
    assert "s3cret-pw" not in message
    assert "drill:***@127.0.0.1" in message
