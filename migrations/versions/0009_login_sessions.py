"""accounts: server-side login sessions; the login throttle counts by client address and device too

Every existing login ends: Person.session_token, which the old session cookies carried, is dropped, and a
cookie now names a row of login_session. People log in again. Recorded login failures are dropped too (they
only ever lasted minutes, and lack the address the throttle now counts by).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:20:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_login_session_person_id_person"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_session_token_hash")),
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_session_person_id"), ["person_id"], unique=False)

    op.execute("DELETE FROM login_failure")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("device", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_login_failure_address"), ["address"], unique=False)
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.alter_column("address", server_default=None)

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("session_token")


def downgrade():
    # Each person gets a fresh random token: every session of the newer scheme ends.
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    person = sa.table("person", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    ids = connection.execute(sa.select(person.c.id)).scalars().all()
    for person_id in ids:
        connection.execute(sa.update(person).where(person.c.id == person_id)
                           .values(session_token=secrets.token_hex(16)))
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=32), nullable=False)

    op.execute("DELETE FROM login_failure")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_address"))
        batch_op.drop_column("device")
        batch_op.drop_column("address")

    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_person_id"))
    op.drop_table("login_session")
