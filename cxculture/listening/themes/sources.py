"""Where the comments grouped by theme come from, as one viewer may read them.

Each source is a function (viewer, language) -> list[CommentSource] registered with @comment_source; a source
returns only comments the viewer may read, already suppressed (groups below the anonymity threshold left out).
The culture assessment's and the voice of the customer's are here; pulses register theirs when they come.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from ...assessments.results.summary import campaign_results, latest_closed_campaign
from ...extensions import db
from ...orgs.models import Person
from ...refusals import Refused
from ..remarks import answers_remarks, inbox_query


@dataclass(frozen=True)
class CommentSource:
    """The comments of one source (a campaign, a pulse, ...) that the viewer may read."""

    #: What kind of source, for the page ("culture", "pulse", "voice").
    kind: str
    #: Which one, as people know it: a campaign's title.
    title: str
    texts: tuple[str, ...]
    closed_on: date | None = None
    #: Why the source shows no comments although it exists (too few answered, retention deleted them), or "".
    note: str = ""


SourceReader = Callable[[Person, str], list[CommentSource]]
_READERS: list[SourceReader] = []


def comment_source(reader: SourceReader) -> SourceReader:
    """Register a source of comments (a decorator); registering the same function twice keeps one."""
    if reader not in _READERS:
        _READERS.append(reader)
    return reader


def comments_for(viewer: Person, language: str) -> list[CommentSource]:
    """Every registered source's comments that the viewer may read, in the order the sources registered."""
    return [source for reader in _READERS for source in reader(viewer, language)]


@comment_source
def culture_comments(viewer: Person, language: str) -> list[CommentSource]:
    """The latest closed culture campaign's comments, as its results page shows them to the viewer: only when the
    campaign's respondents reach its threshold, and (for a manager) only their shown teams' comments."""
    campaign = latest_closed_campaign(viewer.organisation_id)
    if campaign is None:
        return []
    try:
        results = campaign_results(campaign, viewer, language)
    except Refused:
        return []
    texts = tuple(text for question in results.comments for text in question.comments)
    note = ""
    if not results.visible:
        note = _("Fewer people answered than the anonymity threshold: its comments are not shown.")
    elif results.comments_expired:
        note = _("The organisation's retention period has deleted its comments.")
    return [CommentSource("culture", campaign.title, texts, campaign.closes_on, note)]


@comment_source
def voice_comments(viewer: Person, language: str) -> list[CommentSource]:
    """What customers told staff (their words, personal data already masked), the remarks the viewer answers in
    their inbox: every one of the organisation for leaders and administrators, a manager's teams' touchpoints'."""
    if not answers_remarks(viewer):
        return []
    texts = tuple(remark.customer_words for remark in db.session.scalars(inbox_query(viewer, "all")).unique())
    return [CommentSource("voice", _("Every remark logged"), texts)] if texts else []
