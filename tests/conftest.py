"""Shared fixtures: real databases (SQLite and PostgreSQL) and a real Prometheus."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _postgres_base_url() -> str:
    return os.environ.get("WAOOAW_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The PostgreSQL server the tests may use; skipped visibly only outside CI."""
    url = _postgres_base_url()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            raise RuntimeError(f"No PostgreSQL answers at {url} in CI: {exc}") from exc
        pytest.skip(f"No PostgreSQL answers at {url} (set WAOOAW_TEST_DATABASE_URL)")
    finally:
        engine.dispose()
    yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema of their own, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(postgres_server)
    with engine.begin() as connection:
        connection.execute(sa.text(f"create schema {schema}"))
    url = sa.engine.make_url(postgres_server).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    yield url.render_as_string(hide_password=False)
    with engine.begin() as connection:
        connection.execute(sa.text(f"drop schema {schema} cascade"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'platform.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus on a free loopback port over the hand-made history of history.py."""
    from tests.history import write_history
    from waooaw_reports.demo.prometheus_server import PrometheusServer, load_openmetrics

    root = tmp_path_factory.mktemp("prometheus")
    load_openmetrics(write_history(root / "input"), root / "tsdb")
    with PrometheusServer(root / "tsdb", root) as server:
        yield server.url


@pytest.fixture(scope="session")
def security_prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus over the security and customer history of security_history.py."""
    from tests.security_history import write_history
    from waooaw_reports.demo.prometheus_server import PrometheusServer, load_openmetrics

    root = tmp_path_factory.mktemp("security_prometheus")
    load_openmetrics(write_history(root / "input"), root / "tsdb")
    with PrometheusServer(root / "tsdb", root) as server:
        yield server.url


@pytest.fixture(scope="session")
def slo_prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus over the three months of tests/slo_history.py."""
    from tests.slo_history import write_history
    from waooaw_reports.demo.prometheus_server import PrometheusServer, load_openmetrics

    root = tmp_path_factory.mktemp("slo-prometheus")
    load_openmetrics(write_history(root / "input"), root / "tsdb")
    with PrometheusServer(root / "tsdb", root) as server:
        yield server.url
