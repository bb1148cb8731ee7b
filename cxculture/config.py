"""Configuration: safe defaults, overridden by CXCULTURE_* environment variables."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

#: Where the project lives; templates/ and instance/ sit beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

LANGUAGES = ("en", "it")


class ConfigError(RuntimeError):
    """The environment asks for something the app cannot safely run with."""


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret(instance_path: Path) -> str:
    """A random secret kept in instance/ so a development restart keeps people logged in."""
    secret_file = instance_path / "secret_key"
    if secret_file.exists():
        return secret_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    secret_file.write_text(secret)
    secret_file.chmod(0o600)
    return secret


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or not value.strip() else int(value)


def engine_options(database_url: str) -> dict:
    """SQLAlchemy engine options for `database_url`: on PostgreSQL a bounded pool and a statement timeout; on a
    SQLite file a pool without a cap.

    Every process keeps at most CXCULTURE_DB_POOL_SIZE + CXCULTURE_DB_MAX_OVERFLOW connections (a request holds
    one while it runs, so give a worker at least as many as its threads), and they must fit the server's
    `max_connections` (100 by default): web workers x (pool size + overflow) + job-queue worker processes (one
    connection each) + a few for migrations and psql. The defaults (5 + 5) allow 8 gunicorn workers and 10 queue
    processes on a default server: 8 x 10 + 10 = 90 < 100. A statement running longer than
    CXCULTURE_DB_STATEMENT_TIMEOUT_MS (30 s) is cancelled: the request fails rather than hold its locks.
    """
    options: dict = {"pool_pre_ping": True}
    if database_url.startswith("sqlite") and ":memory:" not in database_url and database_url != "sqlite://":
        # A SQLite connection is an open file, not a server process: no cap. Every request keeps one until it
        # ends, and a login keeps it while argon2 runs, so a capped pool (SQLAlchemy's 5 + 10) made the 16th
        # simultaneous login wait for a connection and fail after 30 s. Writers queue on the write lock instead.
        options.update(pool_size=_env_int("CXCULTURE_DB_POOL_SIZE", 10), max_overflow=-1)
    if database_url.startswith("postgresql"):
        timeout = _env_int("CXCULTURE_DB_STATEMENT_TIMEOUT_MS", 30000)
        options.update(
            pool_size=_env_int("CXCULTURE_DB_POOL_SIZE", 5),
            max_overflow=_env_int("CXCULTURE_DB_MAX_OVERFLOW", 5),
            pool_timeout=_env_int("CXCULTURE_DB_POOL_TIMEOUT", 30),
            pool_recycle=3600,
            connect_args={"options": f"-c statement_timeout={timeout}"},
        )
    return options


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the configuration from defaults, the environment and `overrides` (which win)."""
    overrides = overrides or {}
    env = overrides.get("ENV_NAME") or os.environ.get("CXCULTURE_ENV", "development")
    secret = overrides.get("SECRET_KEY") or os.environ.get("CXCULTURE_SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigError(
                "CXCULTURE_SECRET_KEY is not set: production refuses to start without a secret key. "
                "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        secret = _development_secret(instance_path)
    database_url = os.environ.get("CXCULTURE_DATABASE_URL") or f"sqlite:///{instance_path / 'cxculture.db'}"
    config = {
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # SQLite (the embedded default) waits this long for another request's write to finish before it
        # answers "database is locked"; every write transaction is short, so a wait means a queue, not a hang.
        "SQLITE_BUSY_TIMEOUT_MS": _env_int("CXCULTURE_SQLITE_BUSY_TIMEOUT_MS", 30000),
        # Uploads (roster CSV, KPI imports) are checked for their own limits; this only stops abuse.
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Production (CXCULTURE_ENV=production) serves https only: its cookies are always Secure. In development
        # they are Secure when the request came over https (`make run` serves plain http on 127.0.0.1).
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "cxculture_session",
        # A login session ends after this long without a request, and this long after it began, whatever the cookie.
        "LOGIN_SESSION_IDLE_MINUTES": int(os.environ.get("CXCULTURE_SESSION_IDLE_MINUTES", "120")),
        "LOGIN_SESSION_MAX_HOURS": int(os.environ.get("CXCULTURE_SESSION_MAX_HOURS", "12")),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": LANGUAGES,
        # Set when a reverse proxy terminates TLS and sends X-Forwarded-Proto / -For.
        "BEHIND_PROXY": _env_bool("CXCULTURE_BEHIND_PROXY"),
        # The login throttle (auth/throttle.py): failures that cost nothing per account and per client address,
        # then a wait that doubles from LOGIN_DELAY_SECONDS up to LOGIN_MAX_DELAY_SECONDS; failures are
        # forgotten after LOGIN_FAILURE_WINDOW_HOURS. A browser that has logged in to an account keeps a device
        # cookie for LOGIN_DEVICE_DAYS and is slowed only by its own failures on that account.
        "LOGIN_FREE_FAILURES": int(os.environ.get("CXCULTURE_LOGIN_FREE_FAILURES", "3")),
        "LOGIN_ADDRESS_FREE_FAILURES": int(os.environ.get("CXCULTURE_LOGIN_ADDRESS_FREE_FAILURES", "10")),
        "LOGIN_DELAY_SECONDS": int(os.environ.get("CXCULTURE_LOGIN_DELAY_SECONDS", "2")),
        "LOGIN_MAX_DELAY_SECONDS": int(os.environ.get("CXCULTURE_LOGIN_MAX_DELAY_SECONDS", "900")),
        "LOGIN_FAILURE_WINDOW_HOURS": int(os.environ.get("CXCULTURE_LOGIN_FAILURE_WINDOW_HOURS", "24")),
        "LOGIN_DEVICE_DAYS": int(os.environ.get("CXCULTURE_LOGIN_DEVICE_DAYS", "180")),
        "INVITATION_DAYS": int(os.environ.get("CXCULTURE_INVITATION_DAYS", "14")),
        # argon2id cost: OWASP's Password Storage Cheat Sheet minimum (m=19 MiB, t=2, p=1), about 27 ms of one core
        # per login here, so 150 people logging in at once wait seconds, not minutes (bench/login_storm.py).
        # A stored hash made with other parameters is rehashed with these at its next login. Tests lower them.
        "ARGON2_TIME_COST": _env_int("CXCULTURE_ARGON2_TIME_COST", 2),
        "ARGON2_MEMORY_COST": _env_int("CXCULTURE_ARGON2_MEMORY_KIB", 19456),
        "ARGON2_PARALLELISM": _env_int("CXCULTURE_ARGON2_PARALLELISM", 1),
        "PAGE_SIZE": 25,
        # The job queue (cxculture/jobs): Celery, with Redis as broker. The default is the Redis that `make run` and
        # `make serve` start on a unix socket under instance/; several hosts share one Redis (redis://host:6379/0).
        "BROKER_URL": os.environ.get("CXCULTURE_BROKER_URL") or f"redis+socket://{instance_path / 'redis.sock'}",
        # Every JOBS_HEARTBEAT_SECONDS a worker notes it is alive; /healthz answers 503 when the latest note is
        # older than WORKER_SILENT_SECONDS. Due outbox rows are retried every JOBS_OUTBOX_SECONDS.
        "JOBS_HEARTBEAT_SECONDS": 30,
        "WORKER_SILENT_SECONDS": int(os.environ.get("CXCULTURE_WORKER_SILENT_SECONDS", "120")),
        "JOBS_OUTBOX_SECONDS": _env_int("CXCULTURE_JOBS_OUTBOX_SECONDS", 60),
        # A worker takes an outbox row for this long before sending it, so no other worker sends it meanwhile; a
        # worker lost mid-delivery leaves its row to the others once this has passed. Longer than one delivery
        # (the LRS or platform is given 5 s to answer).
        "OUTBOX_LEASE_SECONDS": _env_int("CXCULTURE_OUTBOX_LEASE_SECONDS", 120),
        # Webhooks may go to http:// and loopback addresses (a receiver on the developer's machine): None follows
        # the app's debug or testing mode; production refuses them, and every private address (webhooks/service.py).
        "WEBHOOKS_ALLOW_LOOPBACK": None,
        # Files made by the job queue (cxculture/downloads): kept DOWNLOADS_KEEP_HOURS after they are made, then
        # swept; a download's job is stopped by its worker's parent process after DOWNLOAD_TIME_LIMIT_SECONDS (each
        # document inside it also stops after PDF_TIMEOUT_SECONDS).
        "DOWNLOADS_KEEP_HOURS": _env_int("CXCULTURE_DOWNLOADS_KEEP_HOURS", 7 * 24),
        "DOWNLOAD_TIME_LIMIT_SECONDS": _env_int("CXCULTURE_DOWNLOAD_TIME_LIMIT_SECONDS", 900),
        # E-mail (cxculture/mail): sent through CXCULTURE_SMTP_HOST when it is set (port 587 with STARTTLS by
        # default; CXCULTURE_SMTP_SSL=1 for implicit TLS, usually on port 465); with no host, every message is
        # written as an .eml file under MAIL_DIR (instance/mail/) instead, so a demo shows what would be sent.
        "SMTP_HOST": os.environ.get("CXCULTURE_SMTP_HOST", "").strip() or None,
        "SMTP_PORT": _env_int("CXCULTURE_SMTP_PORT", 465 if _env_bool("CXCULTURE_SMTP_SSL") else 587),
        "SMTP_USERNAME": os.environ.get("CXCULTURE_SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("CXCULTURE_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _env_bool("CXCULTURE_SMTP_STARTTLS", default=not _env_bool("CXCULTURE_SMTP_SSL")),
        "SMTP_SSL": _env_bool("CXCULTURE_SMTP_SSL"),
        # The sender's address; the display name is the organisation's name.
        "MAIL_FROM": os.environ.get("CXCULTURE_MAIL_FROM", "cxculture@localhost"),
        "MAIL_DIR": os.environ.get("CXCULTURE_MAIL_DIR") or str(instance_path / "mail"),
        # How many requests each API token may make (cxculture/api), as Flask-Limiter reads it: "600 per minute".
        "API_RATE_LIMIT": os.environ.get("CXCULTURE_API_RATE_LIMIT", "120 per minute"),
        #: Base address used in links printed by commands (invitations).
        "PUBLIC_URL": os.environ.get("CXCULTURE_PUBLIC_URL", "http://127.0.0.1:5000"),
    }
    config.update(overrides)
    # For the database in use, whether it came from the environment or from `overrides`.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(config["SQLALCHEMY_DATABASE_URI"]))
    # The cookie lives as long as the server-side session may.
    config.setdefault("PERMANENT_SESSION_LIFETIME", config["LOGIN_SESSION_MAX_HOURS"] * 3600)
    return config
