"""`flask --app wsgi cx lti ...` (platform registrations, keys) and `cx xapi flush` (delivery by hand; the job
queue delivers on its own)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..orgs.service import organisation_by_slug
from ..refusals import Refused

lti_cli = AppGroup("lti", help="LTI 1.3 platform registrations and the tool's keys.")
xapi_cli = AppGroup("xapi", help="xAPI statements: deliver the outbox.")


def _organisation(slug: str):
    organisation = organisation_by_slug(slug)
    if organisation is None:
        raise click.BadParameter(f"no organisation with slug {slug!r}", param_hint="--org")
    return organisation


def _of_organisation(model, row_id: int, org_slug: str, what: str):
    """The organisation's row `row_id` of `model`, or a usage error naming `what` is missing there."""
    organisation = _organisation(org_slug)
    row = db.session.get(model, row_id)
    if row is None or row.organisation_id != organisation.id:
        raise click.BadParameter(f"{organisation.name} has no {what} {row_id}")
    return row


@lti_cli.command("add")
@click.option("--org", "org_slug", required=True, help="The organisation's slug.")
@click.option("--name", required=True, help="A name for people: 'Moodle HR academy'.")
@click.option("--issuer", required=True, help="The platform's issuer (Platform ID in Moodle).")
@click.option("--client-id", required=True)
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True, help="Repeat for several.")
@click.option("--login-url", required=True, help="The platform's authentication request URL.")
@click.option("--token-url", required=True, help="The platform's access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
def add_registration(org_slug, name, issuer, client_id, deployment_ids, login_url, token_url, jwks_url):
    """Register a platform for an organisation."""
    from .registrations import RegistrationData, parse_deployment_ids, save_registration

    organisation = _organisation(org_slug)
    data = RegistrationData(name, issuer, client_id, parse_deployment_ids("\n".join(deployment_ids)),
                            login_url, token_url, jwks_url)
    try:
        registration = save_registration(organisation.id, data,
                                         allow_http=current_app.config.get("ENV_NAME") != "production")
    except Refused as refusal:
        db.session.rollback()
        for field, message in refusal.errors.items():
            click.echo(f"Error: {field or 'registration'}: {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Registered {registration.name} (id {registration.id}) for {organisation.name}.")


@lti_cli.command("list")
@click.option("--org", "org_slug", required=True)
def list_registrations(org_slug):
    """List an organisation's platforms."""
    from .registrations import registrations_of

    for registration in registrations_of(_organisation(org_slug).id):
        click.echo(f"{registration.id}\t{registration.name}\t{registration.issuer}\t{registration.client_id}\t"
                   f"{','.join(registration.deployment_ids)}")


@lti_cli.command("remove")
@click.option("--org", "org_slug", required=True)
@click.argument("registration_id", type=int)
def remove_registration(org_slug, registration_id):
    """Remove a platform: it can no longer launch the tool."""
    from .models import LtiRegistration
    from .registrations import delete_registration

    registration = _of_organisation(LtiRegistration, registration_id, org_slug, "platform")
    delete_registration(registration)
    db.session.commit()
    click.echo(f"Removed {registration.name}.")


@lti_cli.command("rotate-key")
@click.option("--org", "org_slug", required=True)
def rotate(org_slug):
    """Start signing with a new key; the previous one stays in the JWKS for a week."""
    from .keys import RETIRED_KEY_DAYS, rotate_key

    key = rotate_key(_organisation(org_slug).id)
    db.session.commit()
    click.echo(f"New key {key.kid}; the previous key stays published for {RETIRED_KEY_DAYS} days.")


@lti_cli.command("config")
@click.option("--org", "org_slug", required=True)
def show_config(org_slug):
    """Print what an LMS administrator enters for the tool."""
    from .registrations import tool_configuration

    organisation = _organisation(org_slug)
    with current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000")):
        for field in tool_configuration(organisation):
            click.echo(f"{field.label}: {field.value}")
    db.session.commit()


@lti_cli.command("registration-url")
@click.option("--org", "org_slug", required=True)
def registration_url(org_slug):
    """Make a one-time URL to paste into Moodle's "Tool URL" (LTI Dynamic Registration)."""
    from .dynamic import URL_DAYS, make_url

    organisation = _organisation(org_slug)
    with current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000")):
        made = make_url(organisation, None)
    db.session.commit()
    click.echo(made.url)
    click.echo(f"It works once, for {URL_DAYS} days, for {organisation.name}; it is not shown again.", err=True)


@lti_cli.command("courses")
@click.option("--org", "org_slug", required=True)
def list_courses(org_slug):
    """List the courses whose members can be brought in, with the last sync."""
    from .rosters import courses_of

    for course in courses_of(_organisation(org_slug).id):
        line = [str(course.id), course.title, course.registration.name, course.sync_status or "never"]
        if course.sync_report:
            report = course.sync_report
            line.append(", ".join([f"{key} {len(report.get(key, []))}" for key in ("created", "linked", "refused",
                                                                                 "left")]
                                  + [f"unchanged {report.get('unchanged', 0)}"]))
        click.echo("\t".join(line))


@lti_cli.command("sync-course")
@click.option("--org", "org_slug", required=True)
@click.argument("course_id", type=int)
def sync_course_now(org_slug, course_id):
    """Bring a course's members in now (what the job queue does when an administrator asks on the LMS page)."""
    from .models import LtiCourse
    from .rosters import request_sync, sync_course

    course = _of_organisation(LtiCourse, course_id, org_slug, "course")
    request_sync(course)
    db.session.commit()
    report = sync_course(course_id)
    db.session.refresh(course)
    if report is None:
        click.echo(f"Error: {course.sync_error or 'the course is already being synced'}", err=True)
        raise SystemExit(1)
    click.echo(f"Created {len(report['created'])}, linked {len(report['linked'])}, unchanged {report['unchanged']}, "
               f"refused {len(report['refused'])}, no longer in the course {len(report['left'])}.")


@xapi_cli.command("flush")
def flush():
    """Deliver every due xAPI statement and grade passback now."""
    from .outbox import deliver_all

    report = deliver_all()
    click.echo(f"Sent {report.sent}, refused for good {report.rejected}, kept for a retry {report.retrying}.")
    for error in sorted(set(report.errors))[:5]:
        click.echo(f"  {error}")

