"""A campaign's results, as each viewer may see them, and the summaries other areas read.

- figures.py: what pages, CSV and PDF receive: a group's `Figure` on a pillar or item, hidden as a whole.
- analysis.py: every tally of a campaign and the groups suppression hides; the heatmap rows and the
  leadership/everyone gaps built from them.
- access.py: who may open which campaign's results, and which teams a manager reaches.
- report.py: a campaign's results page for one viewer (overview, breakdowns, items, comments, trend).
- summary.py: what other areas read (cafés, KPIs, home, training): the only module they import.

Every figure comes from scoring.py's grouped SQL tallies and passes through suppression.py; the threshold in
force is anonymity.campaign_threshold.
"""
