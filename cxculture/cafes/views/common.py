"""Messages for the service's refusals, shared by the café views."""
from __future__ import annotations

from flask_babel import gettext as _

from ...assessments.action_forms import action_problem_messages
from ..service import MAX_DECISION_LENGTH, MAX_NOTES_LENGTH, MAX_PROMPT_LENGTH, MAX_PROMPTS, MAX_TITLE_LENGTH


def problem_messages() -> dict[tuple[str, str], str]:
    """The café's own messages over the action service's (a café's title is not an action's)."""
    return {
        **action_problem_messages(),
        ("title", "missing"): _("Write a title."),
        ("title", "too-long"): _("Keep it under %(max)s characters.", max=MAX_TITLE_LENGTH),
        ("starts_at", "missing"): _("Choose the date and the start time."),
        ("duration_minutes", "range"): _("Between %(min)s and %(max)s minutes.", min=15, max=480),
        ("location", "missing"): _("Write a place, a video link, or both."),
        ("location", "too-long"): _("Keep it under %(max)s characters.", max=200),
        ("video_link", "not-a-link"): _("Write the full link, starting with https://."),
        ("video_link", "too-long"): _("Keep it under %(max)s characters.", max=500),
        ("facilitator_id", "missing"): _("Choose the facilitator."),
        ("facilitator_id", "unknown"): _("Choose the facilitator from the list: one of your organisation's leaders."),
        ("attendee_ids", "unknown"): _("Attendees must be leaders of your organisation: choose them from the list."),
        ("focus_pillars", "unknown"): _("Choose focus pillars from the six pillars."),
        ("language", "unknown"): _("Choose English or Italian."),
        ("prompts", "too-many"): _("Keep to %(max)s prompts at most, one per line.", max=MAX_PROMPTS),
        ("prompts", "too-long"): _("Each prompt must stay under %(max)s characters.", max=MAX_PROMPT_LENGTH),
        ("notes", "too-long"): _("Keep the notes under %(max)s characters.", max=MAX_NOTES_LENGTH),
        ("text", "missing"): _("Write what was decided."),
        ("text", "too-long"): _("Keep it under %(max)s characters.", max=MAX_DECISION_LENGTH),
        ("agenda_item_id", "unknown"): _("That agenda item is no longer on this café's agenda."),
        ("person_id", "unknown"): _(
            "Choose a leader from the list: only organisations in the benchmark network can be invited."
        ),
    }


#: Where a service field's problem is shown when the form names it differently.
FORM_FIELDS = {"starts_at": "day"}


def show_problems(form, problems: dict[str, str]) -> None:
    """Put each refusal next to its field (or on top of the form when the form has no such field)."""
    messages = problem_messages()
    for name, code in problems.items():
        message = messages.get((name, code), code)
        field = FORM_FIELDS.get(name, name)
        if field in form._fields:
            form[field].errors = [*form[field].errors, message]
        else:
            form.form_errors.append(message)
