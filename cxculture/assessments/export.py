"""The results CSV: aggregates only, exactly what the viewer's results page shows, hidden figures left empty.

"Respondents" is the number who gave a score; "Don't know" and "Don't know %" count the "don't know / not
applicable" answers (questionnaires from version 2 on), which are in no score or percentage.
"""
from __future__ import annotations

import re
from functools import partial

from flask_babel import gettext as _

from ..pillars import PILLARS
from ..spreadsheets import csv_bytes, escape_cell
from .results.figures import CampaignResults, Figure


def _number(value: float | None, decimals: int = 2) -> str:
    # Plain numbers with a dot: a spreadsheet reads them as numbers, and no formula can start with a digit.
    return "" if value is None else f"{value:.{decimals}f}"


def results_table(results: CampaignResults) -> tuple[list[str], list[list[str]]]:
    """The results as a header and rows: one row per group and pillar (or item); hidden rows say so."""
    header = [_("Section"), _("Group"), _("Pillar"), _("Statement"), _("Score (1-5)"), _("Favourable %"),
              _("Neutral %"), _("Unfavourable %"), _("Respondents"), _("Don't know"), _("Don't know %"),
              _("Small sample"), _("Reliability (alpha)"), _("Reliability n"), _("Change since previous campaign"),
              _("Hidden")]
    rows: list[list] = []

    def add(section: str, group: str, pillar: str, figure: Figure, statement: str = "", alpha=None,
            alpha_n=None, change=None) -> None:
        if figure.hidden:
            rows.append([section, group, pillar, statement, "", "", "", "", "", "", "", "", "", "", "",
                         _("hidden: not enough answers")])
            return
        rows.append(
            [
                section,
                group,
                pillar,
                statement,
                _number(figure.score),
                _number(figure.favourable, 1),
                _number(figure.neutral, 1),
                _number(figure.unfavourable, 1),
                "" if figure.respondents is None else str(figure.respondents),
                "" if figure.dont_know is None else str(figure.dont_know),
                _number(figure.dont_know_percent, 1),
                "" if figure.too_few_scored else _("yes") if figure.small_sample else _("no"),
                _number(alpha),
                "" if alpha_n is None else str(alpha_n),
                _number(change),
                "",
            ]
        )

    if not results.visible:
        for pillar in results.pillars or []:
            add(_("Overview"), _("The whole organisation"), pillar.label, pillar.figure)
        if not results.pillars:
            rows.append(
                [
                    _("Overview"),
                    _("The whole organisation"),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    _("hidden: not enough answers"),
                ]
            )
        return header, rows
    for pillar in results.pillars:
        add(
            _("Overview"),
            results.focus_label,
            pillar.label,
            pillar.figure,
            alpha=pillar.alpha,
            alpha_n=pillar.alpha_n,
            change=pillar.change,
        )
    labels = [p.label for p in results.pillars] or list(PILLARS)
    for section, heatmap in ((_("Teams"), results.team_rows), (_("Job roles"), results.role_rows)):
        for row in heatmap:
            for label, figure in zip(labels, row.cells, strict=False):
                add(section, row.label, label, figure)
    if results.gaps:
        for gap in results.gaps:
            add(_("Leadership vs everyone else"), _("Leadership"), gap.label, gap.leadership)
            add(_("Leadership vs everyone else"), _("Everyone else"), gap.label, gap.others)
    for pillar in results.items:
        for item in pillar.items:
            add(_("Statements"), results.focus_label, pillar.label, item.figure, statement=item.text)
    return header, rows


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _cell(value: str, decimal_comma: bool) -> str:
    """Numbers as numbers (a negative change is not a formula); any other text formula-safe."""
    if NUMBER.fullmatch(value):
        return value.replace(".", ",") if decimal_comma else value
    return escape_cell(value)


def results_csv(results: CampaignResults, delimiter: str = ",") -> bytes:
    """The CSV file (cxculture/spreadsheets.py: UTF-8 with a BOM, CRLF, text cells formula-safe in any locale).

    With ";" as delimiter (Italian spreadsheets) numbers use a decimal comma.
    """
    header, rows = results_table(results)
    return csv_bytes(header, rows, delimiter, cell=partial(_cell, decimal_comma=delimiter == ";"))
