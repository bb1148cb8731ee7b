"""`flask --app wsgi cx freeze-results`: keep the results of closed campaigns that have none kept yet."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from .closing import freeze_results
from .models import Campaign, FrozenResult


@click.command("freeze-results")
@with_appcontext
def freeze_results_command() -> None:
    """Compute and keep the results of every closed campaign that has none kept (campaigns closed before
    results were kept); run by `make migrate`, harmless to run again."""
    kept = select(FrozenResult.campaign_id)
    campaigns = list(db.session.scalars(
        select(Campaign).where(Campaign.status == "closed", Campaign.id.not_in(kept)).order_by(Campaign.id)))
    for campaign in campaigns:
        freeze_results(campaign)
        db.session.commit()
    click.echo(f"Results kept for {len(campaigns)} closed campaign(s).")
