"""Commands to create an organisation and its first administrator."""
from __future__ import annotations

import re

import click

from ..extensions import db
from .service import create_organisation, organisation_by_slug

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def register(group) -> None:
    @group.command("create-org")
    @click.option("--name", required=True, help="The organisation's name.")
    @click.option("--slug", required=True, help="Short identifier: lower-case letters, digits and hyphens.")
    @click.option("--language", type=click.Choice(["en", "it"]), default="en", show_default=True)
    @click.option("--admin-email", required=True, help="E-mail of the first administrator.")
    @click.option("--admin-name", required=True, help="Name of the first administrator.")
    def create_org(name, slug, language, admin_email, admin_name):
        """Create an organisation and its first administrator; prints the administrator's invitation link and
        e-mails it to them."""
        from flask import current_app

        from ..auth.invitations import invitation_url, mail_invitation
        from .models import Person
        from .service import person_by_email

        if not SLUG_PATTERN.match(slug):
            raise click.BadParameter("use 2-63 lower-case letters, digits and hyphens", param_hint="--slug")
        if organisation_by_slug(slug):
            raise click.BadParameter(f"an organisation with slug {slug!r} already exists", param_hint="--slug")
        email = admin_email.strip().lower()
        if person_by_email(email):
            raise click.BadParameter(f"{email} already has an account", param_hint="--admin-email")
        organisation = create_organisation(name, slug, default_language=language)
        admin = Person(organisation=organisation, email=email, name=admin_name)
        admin.permissions = ("admin", "employee")
        db.session.add(admin)
        db.session.flush()
        base = current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000")
        with current_app.test_request_context(base_url=base):
            link = invitation_url(admin)
            mail_invitation(admin)  # sent by the job queue once committed (an .eml under instance/mail/ without SMTP)
        db.session.commit()
        click.echo(f"Created {name} ({slug}). {admin_name} sets a password at:\n{link}\n(also e-mailed to {email})")
