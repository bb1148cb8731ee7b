"""Single sign-on with OpenID Connect, per organisation: its settings page, the sign-in flow, the people it links.

The provider proves who someone is (issuer + `sub`, and a verified e-mail the first time); it never grants a
permission. Only the app's wiring imports this package: it lends auth the rule "password login is off here".
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The blueprint, and the password-login rule for organisations that sign in through their provider."""
    from ..auth.service import set_password_login_rule
    from .service import password_login_refusal
    from .views import bp

    app.register_blueprint(bp)
    set_password_login_rule(app, password_login_refusal)
