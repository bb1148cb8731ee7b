"""café guests are invited by e-mail address and accept; benchmark snapshots drafted under the old rule are removed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:10:00

Data:
- every guest attendee already on a café had been picked from the old list and counts as having accepted: it gets
  an "accepted" invitation to its own address, so the host's list of invitations shows it and it stays a guest;
- a benchmark agenda item's snapshot drafted under the old rule (exact quartiles of as few as three organisations)
  could give away other organisations' scores: it is replaced by {"status": "withdrawn"}, which the pages explain
  (a redraft computes the new, coarse figures). The downgrade cannot bring those figures back.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cafe_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cafe_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cafe_id"], ["cafe.id"], name=op.f("fk_cafe_invitation_cafe_id_cafe"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["person.id"], name=op.f("fk_cafe_invitation_invited_by_id_person")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_cafe_invitation_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cafe_invitation")),
        sa.UniqueConstraint("cafe_id", "email", name=op.f("uq_cafe_invitation_cafe_id_email")),
    )
    with op.batch_alter_table("cafe_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cafe_invitation_cafe_id"), ["cafe_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cafe_invitation_person_id"), ["person_id"], unique=False)

    # Guests already on a café accepted when they were picked: keep them as accepted invitations.
    op.execute(
        sa.text(
            "INSERT INTO cafe_invitation (cafe_id, email, person_id, status, invited_by_id, invited_at, answered_at) "
            "SELECT a.cafe_id, lower(p.email), a.person_id, 'accepted', c.created_by_id, c.created_at, c.created_at "
            "FROM cafe_attendee a JOIN person p ON p.id = a.person_id JOIN cafe c ON c.id = a.cafe_id "
            "WHERE a.guest = :guest"
        ).bindparams(guest=True)
    )

    # Benchmark figures drafted under the old rule could give other organisations' scores away: remove them.
    items = sa.table("cafe_agenda_item", sa.column("kind", sa.String), sa.column("snapshot", sa.JSON))
    op.execute(items.update().where(items.c.kind == "benchmark").values(snapshot={"status": "withdrawn"}))


def downgrade():
    # Accepted invitations are guest attendees already; pending and declined ones are dropped with the table.
    with op.batch_alter_table("cafe_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cafe_invitation_person_id"))
        batch_op.drop_index(batch_op.f("ix_cafe_invitation_cafe_id"))
    op.drop_table("cafe_invitation")
