"""The application factory, configuration, health check and error pages."""
import pytest

from cxculture import create_app
from cxculture.config import ConfigError
from tests.conftest import TEST_DATABASE_URL


def test_healthz_reports_database_broker_and_worker(app, client):
    from cxculture.extensions import db
    from cxculture.jobs.health import record_heartbeat

    record_heartbeat("celery@web-1")
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok",
                             "worker_heartbeat_age_seconds": 0}


def test_healthz_reports_unreachable_database(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_production_refuses_to_start_without_secret(monkeypatch):
    monkeypatch.delenv("CXCULTURE_SECRET_KEY", raising=False)
    monkeypatch.setenv("CXCULTURE_ENV", "production")
    with pytest.raises(ConfigError, match="CXCULTURE_SECRET_KEY"):
        create_app()


def test_production_starts_with_secret_and_database_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CXCULTURE_ENV", "production")
    monkeypatch.setenv("CXCULTURE_SECRET_KEY", "s3cret-from-env")
    monkeypatch.setenv("CXCULTURE_DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    app = create_app()
    assert app.config["SECRET_KEY"] == "s3cret-from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("prod.db")


def test_development_secret_is_random_and_kept(monkeypatch, tmp_path):
    from cxculture.config import load_config

    monkeypatch.delenv("CXCULTURE_SECRET_KEY", raising=False)
    monkeypatch.delenv("CXCULTURE_ENV", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    assert len(first) >= 40
    assert load_config(tmp_path)["SECRET_KEY"] == first
    assert load_config(tmp_path / "other")["SECRET_KEY"] != first


def test_unknown_page_is_a_product_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert b"CX Culture" in response.data


def test_forbidden_page(client, login_as):
    login_as("employee", org="bank")
    response = client.get("/home/admin")
    assert response.status_code == 403
    assert b"You do not have access to this page" in response.data


def test_server_error_page(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data


def test_postgresql_gets_a_bounded_pool_and_a_statement_timeout(monkeypatch):
    from cxculture.config import engine_options

    monkeypatch.setenv("CXCULTURE_DB_POOL_SIZE", "4")
    monkeypatch.setenv("CXCULTURE_DB_STATEMENT_TIMEOUT_MS", "15000")
    options = engine_options("postgresql+psycopg://cx@db/cx")
    assert (options["pool_size"], options["max_overflow"], options["pool_pre_ping"]) == (4, 5, True)
    assert options["connect_args"] == {"options": "-c statement_timeout=15000"}
    assert engine_options("sqlite://") == {"pool_pre_ping": True}


def test_a_sqlite_file_has_a_pool_without_a_cap():
    from cxculture.config import engine_options

    assert engine_options("sqlite:////srv/cx/instance/cxculture.db")["max_overflow"] == -1


@pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"), reason="a PostgreSQL server")
def test_the_statement_timeout_reaches_the_server():
    from sqlalchemy import create_engine, text

    from cxculture.config import engine_options

    engine = create_engine(TEST_DATABASE_URL, **engine_options(TEST_DATABASE_URL))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "30s"
    finally:
        engine.dispose()


def test_the_engine_options_follow_the_database_an_override_names():
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://cx@db/cx"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"options": "-c statement_timeout=30000"}
