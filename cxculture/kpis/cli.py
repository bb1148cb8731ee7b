"""`flask --app wsgi cx scorecards`: every person's scorecard PDF for a quarter (and team packs), in bulk.

The work is split into chunks of person ids handed to a pool of worker processes; each worker builds its own
app and database session, builds a chunk's scorecards set-based, and renders and writes them one at a time, so
memory stays flat whatever the size of the organisation. Nothing but ids and file names crosses processes.
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..util import slugify

#: People per task: large enough to keep queries few, small enough for a smooth progress bar.
CHUNK = 20
#: How long a team pack may take per person in the bulk run before it is stopped.
PACK_SECONDS_PER_PERSON = 3.0
#: Configuration a worker copies from the command's app (the rest comes from the environment).
WORKER_CONFIG_KEYS = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING", "PDF_TIMEOUT_SECONDS", "PDF_MAX_PAGES",
                      "PDF_MAX_HTML_BYTES")


@dataclass(frozen=True)
class Task:
    kind: str  #: "people" or "pack"
    ids: tuple[int, ...]  #: person ids, or (team id,) for a pack
    period: str
    out: str
    organisation_id: int
    title: str = ""
    language: str = "en"


# Work done inside a worker (or in-process) -------------------------------------------------------------------

_worker_app = None


def _init_worker(config: dict) -> None:
    """Each worker process builds its own app, engine and session."""
    global _worker_app
    from .. import create_app

    _worker_app = create_app(config)


def _run_in_worker(task: Task) -> tuple[int, list[str]]:
    with _worker_app.app_context():
        try:
            return run_task(task)
        finally:
            db.session.remove()


def run_task(task: Task) -> tuple[int, list[str]]:
    """Render and write one task's PDFs; returns (people or packs done, problems)."""
    # Templates read the request (navigation, language); a bare one stands in for it.
    with current_app.test_request_context():
        return _run_task(task)


def _run_task(task: Task) -> tuple[int, list[str]]:
    from ..orgs.models import Person
    from ..pdf import PdfRenderError, render_pdf
    from . import scorecards as service
    from .views.scorecards import render_pack_html, render_scorecard_html

    out = Path(task.out)
    problems = []
    if task.kind == "people":
        query = select(Person).where(Person.id.in_(task.ids)).order_by(Person.name, Person.id)
        done = 0
        for card in service.scorecards_for(query, task.period):
            path = out / f"scorecard-{task.period}-{card.person_id}-{slugify(card.name)}.pdf"
            try:
                render_pdf(render_scorecard_html(card), target=str(path))
            except PdfRenderError as error:
                problems.append(f"{card.name} (id {card.person_id}): {error}")
                continue
            done += 1
        return done, problems
    team_id = task.ids[0]
    query = select(Person).where(Person.team_id == team_id, Person.active.is_(True)).order_by(Person.name, Person.id)
    cards = service.scorecards_for(query, task.period, task.language)
    if not cards:
        return 0, problems
    pack = service.team_pack(task.title, cards, task.organisation_id, task.period, task.language, team_id)
    path = out / f"team-pack-{task.period}-{team_id}-{slugify(task.title)}.pdf"
    # A pack grows with its team: the bulk run, unlike a web request, may wait for it (PACK_SECONDS_PER_PERSON).
    timeout = max(float(current_app.config.get("PDF_TIMEOUT_SECONDS", 60)), PACK_SECONDS_PER_PERSON * len(cards))
    try:
        render_pdf(render_pack_html(pack), target=str(path), timeout=timeout, max_pages=3 * len(cards) + 20)
    except PdfRenderError as error:
        return 0, [f"team pack {task.title}: {error}"]
    return 1, problems


# The command ------------------------------------------------------------------------------------------------

def _teams(organisation_id: int, wanted: tuple[str, ...]) -> dict[int, str] | None:
    """The selected teams (with their sub-teams) by id -> path; None for the whole organisation."""
    from ..orgs.service import team_paths, team_with_subteams

    if not wanted:
        return None
    paths = team_paths(organisation_id)
    by_path = {path.casefold(): team_id for team_id, path in paths.items()}
    selected: set[int] = set()
    for text in wanted:
        team_id = int(text) if text.isdigit() and int(text) in paths else by_path.get(text.strip().casefold())
        if team_id is None:
            raise click.BadParameter(
                f"no team {text!r} in this organisation; give a team's id or its path, such as "
                f"{next(iter(sorted(paths.values())), 'Sales/Milano Store')!r}", param_hint="--team")
        selected |= team_with_subteams(organisation_id, team_id) or {team_id}
    return {team_id: paths[team_id] for team_id in selected}


def scorecard_tasks(organisation, period: str, out: Path, team_paths_selected: dict[int, str] | None,
                    packs: bool) -> tuple[list[Task], int]:
    """The tasks of a run and how many people it covers."""
    from ..orgs.models import Person
    from ..orgs.service import team_paths
    from .scorecards import organisation_people_query

    query = organisation_people_query(organisation.id, list(team_paths_selected) if team_paths_selected else None)
    rows = db.session.execute(query.with_only_columns(Person.id, Person.team_id)).all()
    ids = [person_id for person_id, _team in rows]
    tasks = [Task("people", tuple(ids[i:i + CHUNK]), period, str(out), organisation.id)
             for i in range(0, len(ids), CHUNK)]
    if packs:
        paths = team_paths(organisation.id)
        for team_id in sorted({team for _id, team in rows if team is not None}, key=lambda t: paths[t].casefold()):
            tasks.append(
                Task(
                    "pack", (team_id,), period, str(out), organisation.id, paths[team_id], organisation.default_language
                )
            )
    return tasks, len(ids)


@click.command("scorecards")
@click.option("--org", "slug", required=True, help="The organisation's slug.")
@click.option("--period", required=True, help="The quarter, such as 2026-Q3.")
@click.option(
    "--team",
    "teams",
    multiple=True,
    help="Only this team and its sub-teams (id or path, such as 'Sales/Milano Store'); repeatable.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the PDFs to (created if missing).",
)
@click.option("--pack/--no-pack", default=False, help="Also write one team pack per team.")
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=2,
    show_default=True,
    help="Worker processes; 1 renders in this process.",
)
@with_appcontext
def scorecards_command(slug, period, teams, out, pack, workers):
    """Write every person's scorecard PDF for a quarter (each in the person's language) to a folder."""
    from ..orgs.service import organisation_by_slug
    from .periods import InvalidPeriod, Period

    organisation = organisation_by_slug(slug)
    if organisation is None:
        raise click.BadParameter(f"no organisation with the slug {slug!r}", param_hint="--org")
    try:
        period = str(Period.parse(period))
    except InvalidPeriod:
        raise click.BadParameter(f"{period!r} is not a quarter: write it like 2026-Q3", param_hint="--period") from None
    selected = _teams(organisation.id, teams)
    out.mkdir(parents=True, exist_ok=True)
    tasks, people = scorecard_tasks(organisation, period, out, selected, pack)
    if not people:
        click.echo("Nobody to write a scorecard for.")
        return
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if uri in ("sqlite://", "sqlite:///:memory:") or ":memory:" in uri:
        workers = 1  # an in-memory database cannot be shared with other processes
    config = {key: current_app.config[key] for key in WORKER_CONFIG_KEYS if key in current_app.config}
    written = packs = 0
    problems: list[str] = []
    with click.progressbar(
        length=people + sum(t.kind == "pack" for t in tasks),
        label=f"Scorecards {organisation.slug} {period}",
        show_pos=True,
    ) as bar:
        if workers == 1:
            results = ((task, run_task(task)) for task in tasks)
            results = _with_session_cleanup(results)
        else:
            context = multiprocessing.get_context("spawn")
            pool = context.Pool(workers, initializer=_init_worker, initargs=(config,))
            results = zip_results(pool, tasks)
        for task, (done, task_problems) in results:
            if task.kind == "pack":
                packs += done
                bar.update(1)
            else:
                written += done
                bar.update(len(task.ids))
            problems.extend(task_problems)
        if workers != 1:
            pool.close()
            pool.join()
    click.echo(f"Wrote {written} scorecards{f' and {packs} team packs' if pack else ''} to {out}.")
    for problem in problems:
        click.echo(f"  not written: {problem}", err=True)
    if problems:
        raise SystemExit(1)


def _with_session_cleanup(results):
    for item in results:
        db.session.expunge_all()  # keep the in-process run's memory flat
        yield item


def zip_results(pool, tasks):
    """(task, result) pairs in completion order."""
    indexed = list(enumerate(tasks))
    for index, result in pool.imap_unordered(_run_indexed, indexed):
        yield tasks[index], result


def _run_indexed(item: tuple[int, Task]):
    index, task = item
    return index, _run_in_worker(task)


@click.command("kpi-catalogue")
@click.option("--org", "slug", help="Only this organisation (default: every organisation).")
@with_appcontext
def kpi_catalogue_command(slug: str | None):
    """Give organisations the shipped KPIs, behaviours and links they lack (after an upgrade); edits are kept."""
    from ..orgs.models import Organisation
    from .catalogue import ensure_catalogue
    from .models import Behaviour, Kpi

    query = select(Organisation).order_by(Organisation.slug)
    if slug:
        query = query.where(Organisation.slug == slug)
    organisations = list(db.session.scalars(query))
    if slug and not organisations:
        raise click.ClickException(f"There is no organisation with the slug {slug!r}.")
    for organisation in organisations:
        before = _catalogue_size(organisation.id, Kpi, Behaviour)
        ensure_catalogue(organisation)
        after = _catalogue_size(organisation.id, Kpi, Behaviour)
        click.echo(f"{organisation.slug}: {after[0] - before[0]} KPIs and {after[1] - before[1]} behaviours added.")
    db.session.commit()


def _catalogue_size(organisation_id: int, *models) -> tuple[int, ...]:
    from sqlalchemy import func

    return tuple(
        db.session.scalar(select(func.count(model.id)).where(model.organisation_id == organisation_id))
        for model in models
    )
