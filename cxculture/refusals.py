"""One way to refuse: services raise `Refused`, views show it the same way.

A service that will not carry out a request raises `Refused` with a message per field — the name of the form
field it is about, or None for the request as a whole — written for the person who asked, and changes nothing
(the view rolls back or simply does not commit). A view shows a refusal with `show_refusal(form, refused)` (each
message beside its field, the rest above the form) or flashes `refused.message`, and answers a form page with
`form_status(form)`: 400 whenever the form carries errors, from its own validators or from the service.

`code` is for the few views that must act differently on one kind of refusal (answer 404 for an id outside the
organisation, say, or show a whole page rather than a form), and `codes` says per field what was wrong in words
a program can test; people read the messages, never the codes.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm


class Refused(ValueError):
    """A request a service will not carry out; `errors` maps a field name (or None) to why, readable."""

    def __init__(self, errors: Mapping[str | None, object] | object, code: str | None = None, *,
                 codes: Mapping[str | None, str] | None = None, **details):
        if not isinstance(errors, Mapping):
            errors = {None: errors}
        self.errors: dict[str | None, object] = dict(errors)
        self.code = code
        #: What was wrong with each field, as a code ("missing", "too-long", "unknown", ...), when the service says.
        self.codes: dict[str | None, str] = dict(codes or {})
        self.details = details
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """Every message in one line, for a flash or a command's error output."""
        return " ".join(str(message) for message in self.errors.values())


def refuse_if(errors: Mapping[str | None, object], code: str | None = None) -> None:
    """Raise `Refused(errors)` when there are any: the end of a service's checks."""
    if errors:
        raise Refused(errors, code)


def show_refusal(form: FlaskForm, refused: Refused, fields: Mapping[str, str] | None = None) -> None:
    """Each message beside the field it names (`fields` renames the service's names to the form's); messages about
    no field of this form, or about a hidden one (nobody would see them there), above it."""
    for name, message in refused.errors.items():
        name = (fields or {}).get(name, name)
        if name is not None and name in form and form[name].type != "HiddenField":
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)


def form_status(form: FlaskForm) -> int:
    """The status of a form page: 400 when the form carries errors (its own or a refusal's), else 200."""
    return 400 if form.errors else 200
