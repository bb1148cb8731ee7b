"""`flask --app wsgi cx modules check|sync`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..orgs.models import Organisation
from .library import LIBRARY_PATH, LibraryError, sync_library
from .paths import ensure_default_paths
from .quizcheck import check_quizzes

modules_cli = AppGroup("modules", help="The training module library.")


def report_library_problems(error: LibraryError) -> None:
    """Print every problem of the library, one a line, on stderr."""
    click.echo(f"The library has {len(error.problems)} problem(s); nothing was loaded:", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)


@modules_cli.command("check")
@click.option("--library", "root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=LIBRARY_PATH, show_default=True, help="The library folder to check.")
def check_command(root: Path):
    """Validate the library without loading it, and refuse quizzes a learner could pass without reading."""
    try:
        modules, problems = check_quizzes(root)
    except LibraryError as error:
        report_library_problems(error)
        raise SystemExit(1) from None
    if problems:
        failing = sorted({problem.file.split("/")[1] for problem in problems})
        click.echo(f"{len(modules)} modules are valid, but {len(failing)} have quizzes a learner could pass without "
                   f"reading ({len(problems)} problem(s)):", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"{len(modules)} modules are valid, and no quiz can be passed by the length or the place of its "
               f"answers.")


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
