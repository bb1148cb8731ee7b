"""Which language a page is shown in, and which language a person reads."""
from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user


def person_language(person) -> str:
    """A person's language, else their organisation's (else English): what they read, in or out of a request."""
    return person.language or person.organisation.default_language or "en"


def current_language() -> str:
    """The language the current page (or PDF, or e-mail being rendered) is shown in: "en", "it"."""
    return str(get_locale() or "en")


def select_locale() -> str:
    """The person's language, else their organisation's, else the visitor's choice or browser."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and services called outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        return person_language(current_user)
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
