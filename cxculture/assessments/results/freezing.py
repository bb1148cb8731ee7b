"""The figures a closed campaign keeps (closing.freeze_results), and reading them back.

A closed campaign's answers and population never change, so its analysis (every tally and what suppression
hides) and, for every group that may be shown, its statements' tallies and reliability are computed once, with a
fixed number of grouped queries whatever the number of teams, and kept as FrozenResult rows. An open campaign's
figures are computed from its answers on each request, the same way.
"""
from __future__ import annotations

from ..answers import Response
from ..models import PULSE, Campaign
from ..pulses import ENPS_FOCUS, frozen_enps
from ..scoring import Moments, moments
from .analysis import Analysis, analysis_data, compute_analysis, frozen_focus

ORGANISATION = "organisation"


def focus_key(kind: str, key: int | None) -> str:
    """The FrozenResult focus of the organisation, a team or a job role."""
    return ORGANISATION if kind == ORGANISATION or key is None else f"{kind}:{key}"


def frozen_results(campaign: Campaign) -> dict[str, dict]:
    """{focus: data} of everything kept for a campaign that has just closed."""
    analysis = compute_analysis(campaign)
    result = {"analysis": analysis_data(analysis)}
    whole = moments(campaign.id).get(None, Moments())
    result[ORGANISATION] = whole.as_data()
    for team_id, team_moments in _team_moments(campaign, analysis).items():
        if analysis.team_visible(team_id):
            result[focus_key("team", team_id)] = team_moments.as_data()
    for role_id, role_moments in moments(campaign.id, group_by=Response.job_role_id).items():
        if role_id is not None and analysis.role_visible(role_id):
            result[focus_key("job_role", role_id)] = role_moments.as_data()
    if campaign.kind == PULSE:
        result[ENPS_FOCUS] = frozen_enps(campaign, analysis)
    return result


def _team_moments(campaign: Campaign, analysis: Analysis) -> dict[int, Moments]:
    """Each team's moments with its sub-teams', rolled up from one grouped query."""
    rolled: dict[int, Moments] = {}
    for team_id, direct in moments(campaign.id, group_by=Response.team_id).items():
        node = team_id
        while node is not None and node in analysis.teams:
            if node in analysis.team_n:
                rolled.setdefault(node, Moments()).add(direct)
            node = analysis.teams[node][0]
    return rolled


def focus_moments(campaign: Campaign, kind: str, key: int | None, where: tuple) -> Moments:
    """A shown group's statement tallies and reliability: kept ones for a closed campaign, else computed."""
    if campaign.status == "closed":
        data = frozen_focus(campaign, focus_key(kind, key))
        if data is not None:
            return Moments.from_data(data)
    return moments(campaign.id, where=where).get(None, Moments())
