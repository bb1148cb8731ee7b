"""Permission and organisation checks used by every view."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..extensions import db


def permission_required(*permissions: str):
    """Let a view through when the logged-in person holds any of `permissions`; 403 otherwise."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.can(p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permissions = permissions
        return wrapped

    return decorator


def get_in_organisation(model, object_id: int):
    """Load a row of the current person's organisation, or 404 (never reveal another organisation's rows)."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.organisation_id != current_user.organisation_id:
        abort(404)
    return obj
