"""One-time invitation links that let a new person set their password, and the e-mail that sends one.

A token names the person and a fingerprint of their current credentials, so it stops
working as soon as a password is set: no token is stored, and any link can be re-issued.
"""
from __future__ import annotations

import hashlib

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..mail import queue_mail
from ..orgs.models import Person
from ..orgs.recipients import recipient_of

SALT = "cxculture-invitation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(person: Person) -> str:
    material = f"{person.password_hash or ''}|{person.email}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def invitation_token(person: Person) -> str:
    return _serializer().dumps({"p": person.id, "f": _fingerprint(person)})


def invitation_url(person: Person) -> str:
    return url_for("auth.accept_invitation", token=invitation_token(person), _external=True)


def mail_invitation(person: Person) -> None:
    """Queue the person's invitation e-mail, with their link, in their language (flushes only). The link stays on
    the administrator's pages too, for people whose mail does not arrive."""
    recipient = recipient_of(person)
    queue_mail(recipient, "invitation", "invitation",
               _l("%(organisation)s invites you to CX Culture", organisation=recipient.organisation_name),
               {"link": invitation_url(person), "days": current_app.config["INVITATION_DAYS"]})


class InvalidInvitation(Exception):
    """The link is unknown, expired or already used."""


def person_for_invitation(token: str) -> Person:
    max_age = current_app.config["INVITATION_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidInvitation("expired") from exc
    except BadSignature as exc:
        raise InvalidInvitation("invalid") from exc
    person = db.session.get(Person, data.get("p"))
    if person is None or not person.is_active or _fingerprint(person) != data.get("f"):
        raise InvalidInvitation("used")
    return person
