"""CX Culture: make a company customer-centric."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, render_template
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import PROJECT_ROOT, load_config
from .extensions import babel, csrf, db, login_manager, migrate
from .sessions import SessionInterface


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides the environment (tests pass their own)."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(load_config(Path(app.instance_path), config))
    app.session_interface = SessionInterface()
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    register_extensions(app)
    register_jobs(app)
    register_security(app)
    register_blueprints(app)
    register_commands(app)
    register_subscribers(app)
    register_hooks(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every model, for Alembic and create_all)
    from .auth.service import load_person
    from .i18n import select_locale

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                keep_sqlite_savepoints_inside_transactions(engine)
                if not is_memory_sqlite(engine.url):
                    tune_sqlite_file(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.user_loader(load_person)


def keep_sqlite_savepoints_inside_transactions(engine) -> None:
    """Open the transaction before a SAVEPOINT on SQLite, so that releasing it does not commit.

    Python's sqlite3 begins a transaction only before a write; a savepoint that comes first would start one of
    its own, and its RELEASE would commit everything so far: a later rollback could not undo it. BEGIN IMMEDIATE
    takes the write lock the savepoint is about to need, waiting for other writers rather than deadlocking.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "savepoint")
    def begin_first(connection, name):
        driver_connection = connection.connection.driver_connection
        if not driver_connection.in_transaction:
            driver_connection.execute("BEGIN IMMEDIATE")


def is_memory_sqlite(url) -> bool:
    """True for an in-memory SQLite database (tests), where a journal mode does not apply."""
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def tune_sqlite_file(engine, busy_timeout_ms: int) -> None:
    """Make a SQLite file serve concurrent requests: every new connection gets the PRAGMAs below.

    WAL lets readers go on while one request writes (and a writer does not wait for readers); `busy_timeout` makes
    a writer queue for the write lock instead of failing at once with "database is locked"; `synchronous=NORMAL`
    is safe with WAL (a power cut may lose the last commits, never corrupt the file) and spares an fsync per
    commit. Foreign keys stay as SQLite's default (off): Alembic's batch migrations rebuild tables by dropping
    them, which with enforcement on would cascade to the rows that point at them.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()


def register_jobs(app: Flask) -> None:
    """The job queue's Celery app (app.extensions["celery"]), through which areas' background work is sent."""
    from .jobs import init_app as init_jobs

    init_jobs(app)


def register_security(app: Flask) -> None:
    """Security headers and production cookies; before the blueprints, so the LMS area's framing list is kept."""
    from . import security

    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    from . import params
    from .api import init_app as init_api
    from .assessments.views import bp as assessments_bp
    from .auth.views import bp as auth_bp
    from .cafes.views import bp as cafes_bp
    from .downloads import bp as downloads_bp
    from .home.views import bp as home_bp
    from .kpis.views import bp as kpis_bp
    from .listening.views import bp as listening_bp
    from .lms import init_app as init_lms
    from .modules.views import bp as modules_bp
    from .orgs.views import bp as orgs_bp
    from .privacy import bp as privacy_bp
    from .scim import init_app as init_scim
    from .sso import init_app as init_sso
    from .webhooks import init_app as init_webhooks

    params.init_app(app)  # before any route: `<int:...>` is an id the database can hold
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(orgs_bp, url_prefix="/admin")
    app.register_blueprint(modules_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(kpis_bp)
    app.register_blueprint(cafes_bp)
    app.register_blueprint(listening_bp)
    app.register_blueprint(downloads_bp)
    app.register_blueprint(privacy_bp)
    init_lms(app)  # the LTI and LMS-admin blueprints, and the iframe-friendly cookies and CSP
    init_scim(app)  # /scim/v2 for identity providers, and the provisioning page
    init_sso(app)  # single sign-on pages, and the rule that turns password login off where the provider signs in
    init_webhooks(app)  # the administrators' pages and the subscribers that queue deliveries
    init_api(app)  # the API tokens' pages and /api/v1 (CSRF-exempt, rate-limited)

    @app.get("/healthz")
    def healthz():
        from .jobs.health import health

        report, status = health()
        return jsonify(report), status


def register_commands(app: Flask) -> None:
    from .cli import cx

    app.cli.add_command(cx)


def register_hooks(app: Flask) -> None:
    """Areas above others lend them what they show: listening fills the hooks of actions, cafés and scorecards."""
    from .listening.rhythm import register as register_listening

    register_listening()


def register_subscribers(app: Flask) -> None:
    """Areas that react to other areas' signals."""
    from .assessments.results.summary import weakest_pillars_for
    from .cafes.sources import set_reward_conflicts_provider
    from .home.dashboards import add_attention_provider, set_integration_status_provider
    from .kpis.catalogue import connect_signals as connect_kpis
    from .kpis.conflicts import reward_conflicts_for
    from .lms import connect_signals as connect_lms
    from .lms.status import integration_status
    from .modules.paths import connect_signals as connect_modules
    from .modules.personalisation import set_pillar_focus_provider
    from .scim.views import attention as provisioning_attention
    from .webhooks.views import attention as webhooks_attention

    connect_modules()
    connect_kpis()
    connect_lms(app)
    set_pillar_focus_provider(app, weakest_pillars_for)
    set_reward_conflicts_provider(app, reward_conflicts_for)
    set_integration_status_provider(app, integration_status)
    add_attention_provider(app, provisioning_attention)
    add_attention_provider(app, webhooks_attention)


def register_errorhandlers(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    def render_error(status: int, template: str, **context):
        return render_template(f"errors/{template}.html", status=status, **context), status

    app.register_error_handler(400, lambda e: render_error(400, "400"))
    app.register_error_handler(CSRFError, lambda e: render_error(400, "csrf"))
    app.register_error_handler(403, lambda e: render_error(403, "403"))
    from .api.v1 import routing_error as api_routing_error

    # Under /api/v1 an unknown address or method is answered in the API's JSON, not with a page.
    app.register_error_handler(404, lambda e: api_routing_error(e) or render_error(404, "404"))
    app.register_error_handler(405, lambda e: api_routing_error(e) or render_error(405, "405"))
    app.register_error_handler(413, lambda e: render_error(413, "413"))

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return render_error(500, "500")


def register_template_helpers(app: Flask) -> None:
    from .templating import init_templating

    init_templating(app)
