"""`flask --app wsgi cx modules check|sync`."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..orgs.models import Organisation
from .library import LibraryError, read_library, sync_library
from .paths import ensure_default_paths

modules_cli = AppGroup("modules", help="The training module library.")


def report_library_problems(error: LibraryError) -> None:
    """Print every problem of the library, one a line, on stderr."""
    click.echo(f"The library has {len(error.problems)} problem(s); nothing was loaded:", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)


@modules_cli.command("check")
def check_command():
    """Validate the library without loading it."""
    try:
        modules = read_library()
    except LibraryError as error:
        report_library_problems(error)
        raise SystemExit(1) from None
    click.echo(f"{len(modules)} modules are valid.")


@modules_cli.command("sync")
def sync_command():
    """Validate and load the library (new modules, new versions), then give organisations their default paths."""
    try:
        report = sync_library()
    except LibraryError as error:
        db.session.rollback()
        report_library_problems(error)
        raise SystemExit(1) from None
    paths = sum(ensure_default_paths(o) for o in db.session.scalars(select(Organisation)))
    db.session.commit()
    click.echo(f"Modules: {len(report.created)} new, {len(report.new_versions)} new versions, "
               f"{len(report.unchanged)} unchanged, {len(report.retired)} retired. Default paths created: {paths}.")
