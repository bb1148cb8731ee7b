"""Roster provisioning with SCIM 2.0: an identity provider (Microsoft Entra ID, Okta, ...) creates, changes and
deactivates people and teams through /scim/v2, with the organisation's token, behind a safety stop.

`service` is what the requests do to the roster, `resources` the JSON, `protocol` the endpoints, `views` the
administrator's page (token, safety stop, the changes that wait).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .protocol import bp as protocol_bp
    from .views import bp as admin_bp

    app.register_blueprint(protocol_bp)
    app.register_blueprint(admin_bp)
