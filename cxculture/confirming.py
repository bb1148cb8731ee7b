"""Asking first: every destructive or irreversible action goes through one confirmation page.

A route that deletes, closes, erases, revokes, rotates, publishes or sends mail answers GET with the confirmation
page (what will happen, to how many people or records, whether it can be undone) and acts only on a POST that
carries the page's confirming button (`confirm=yes`). A POST without it — an old bookmarked form, a script, a
double-clicked button from another page — changes nothing and gets the same page with HTTP 400 and a message
saying that nothing was done. It works without JavaScript: the page is a plain form.

    if not confirmed():
        return ask_first(title=..., consequences=[...], undo=..., button=..., back=url)
    ... do it, commit, redirect ...
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import render_template, request

#: The confirming button's name and value on the shared page.
CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def confirmed() -> bool:
    """Whether this request is the confirmation page's POST (its CSRF token is checked by CSRFProtect)."""
    return request.method == "POST" and request.form.get(CONFIRM_FIELD) == CONFIRM_VALUE


def ask_first(*, title: str, consequences: Sequence[str], undo: str, button: str, back: str,
              eyebrow: str | None = None, eyebrow_url: str | None = None, hidden: Mapping[str, object] | None = None,
              danger: bool = True, facts: Sequence[tuple[str, str]] = (), problem: str | None = None,
              form_sent: bool = False):
    """The shared confirmation page for the current URL: 200 on GET, 400 on a POST that was not confirmed.

    `consequences` are sentences saying what will happen (with the numbers of people, answers or records), `undo`
    whether and how it can be undone, `hidden` form values the action needs (sent back with the confirmation),
    `facts` label/value pairs naming what is acted on, `problem` a refusal to show instead of the "not confirmed"
    message (with 400). `form_sent`: this POST is a settings form's own, checked and about to do something
    irreversible (a threshold raised, a retention period shortened): the question is its next step (200), not
    a refused request.
    """
    not_confirmed = request.method == "POST" and not form_sent
    status = 400 if not_confirmed or problem else 200
    return render_template("confirm.html", title=title, consequences=list(consequences), undo=undo, button=button,
                           back=back, eyebrow=eyebrow, eyebrow_url=eyebrow_url, hidden=dict(hidden or {}),
                           danger=danger, facts=list(facts), problem=problem, not_confirmed=not_confirmed,
                           action=request.full_path.rstrip("?"), confirm_field=CONFIRM_FIELD,
                           confirm_value=CONFIRM_VALUE), status
