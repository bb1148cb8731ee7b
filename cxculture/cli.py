"""The `flask --app wsgi cx ...` commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from .extensions import db

cx = AppGroup("cx", help="CX Culture commands: demo data, organisations, imports.")


@cx.command("demo")
def demo_command():
    """Load the demo organisations (idempotent: a second run changes nothing)."""
    from .demo import DEMO_PASSWORD, load_demo

    organisations = load_demo()
    db.session.commit()
    for organisation in organisations:
        click.echo(f"{organisation.name} ({organisation.slug}) ready.")
    click.echo(f"Log in as admin@, leader@, hr@, manager@ or employee@ retail.example.com / bank.example.com "
               f"with the password {DEMO_PASSWORD!r}.")


from .modules.cli import modules_cli  # noqa: E402
from .orgs.cli import register as _register_orgs  # noqa: E402

_register_orgs(cx)
cx.add_command(modules_cli)
