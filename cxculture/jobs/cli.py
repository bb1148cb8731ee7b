"""`flask --app wsgi cx retention run [--dry-run] [--org SLUG]`: the nightly retention run, by hand."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..refusals import Refused
from .retention import report_lines, run_retention

retention_cli = AppGroup("retention", help="Delete personal data kept longer than each organisation's retention.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Count and list what is due; delete nothing.")
@click.option("--org", "slug", help="Only this organisation (its short name); the installation-wide sweeps are "
                                    "left out.")
def run_command(dry_run: bool, slug: str | None):
    """Count per kind and organisation what the retention settings say is due, and delete it (unless
    --dry-run): the same as the nightly job."""
    try:
        report = run_retention(apply=not dry_run, slug=slug)
    except Refused as refused:
        raise click.ClickException(refused.message) from None
    for line in report_lines(report):
        click.echo(line)
