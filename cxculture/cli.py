"""The `flask --app wsgi cx ...` commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from .extensions import db

cx = AppGroup("cx", help="CX Culture commands: demo data, organisations, imports.")


@cx.command("demo")
@click.option("--library", "library_path", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Load the training modules from this folder instead of the shipped library.")
def demo_command(library_path: Path | None):
    """Load the demo organisations, the module library, demo training progress, culture self-assessments, KPI
    data and training cafés (a second run changes nothing)."""
    from .demo import DEMO_PASSWORD, load_all_demo
    from .modules.cli import report_library_problems
    from .modules.library import LibraryError

    try:
        demo = load_all_demo(library_path)
    except LibraryError as error:
        db.session.rollback()
        report_library_problems(error)
        raise SystemExit(1) from None
    db.session.commit()
    for organisation in demo.organisations:
        click.echo(f"{organisation.name} ({organisation.slug}) ready.")
    library, training = demo.training.library, demo.training
    click.echo(f"Training modules: {len(library.created)} new, {len(library.new_versions)} new versions, "
               f"{len(library.unchanged)} unchanged. Default paths created: {training.paths_created}. "
               f"Demo progress loaded for: {', '.join(training.progress_loaded) or 'nobody new'}.")
    click.echo(f"Culture self-assessment: {demo.assessments.responses} demo answers loaded for: "
               f"{', '.join(demo.assessments.loaded) or 'nobody new'}.")
    click.echo(f"KPIs: {demo.kpis.plans} reward plans and {demo.kpis.values} KPI values loaded for: "
               f"{', '.join(demo.kpis.loaded) or 'nobody new'}.")
    click.echo(f"Training cafés loaded for: {', '.join(demo.cafes.loaded) or 'nobody new'}.")
    click.echo(f"Listening: {demo.listening.remarks} customer remarks loaded for: "
               f"{', '.join(demo.listening.loaded) or 'nobody new'}.")
    click.echo(f"Log in as admin@, leader@, hr@, manager@ or employee@ retail.example.com / bank.example.com "
               f"with the password {DEMO_PASSWORD!r}.")


from .assessments.cli import freeze_results_command  # noqa: E402
from .jobs.cli import retention_cli  # noqa: E402
from .kpis.cli import kpi_catalogue_command, scorecards_command  # noqa: E402
from .lms.cli import lti_cli, xapi_cli  # noqa: E402
from .modules.cli import modules_cli  # noqa: E402
from .orgs.cli import register as _register_orgs  # noqa: E402

_register_orgs(cx)
cx.add_command(modules_cli)
cx.add_command(scorecards_command)
cx.add_command(freeze_results_command)
cx.add_command(kpi_catalogue_command)
cx.add_command(lti_cli)
cx.add_command(xapi_cli)
cx.add_command(retention_cli)
