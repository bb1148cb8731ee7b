"""Assessments: actions start from where the problem is seen, record progress, and can be shown to staff

`action_item.item_key` (the statement it answers) and `action_item.team_id` (the team of a heatmap cell) say what
an action answers; `action_item.shared` puts it on the "You said, we did" page everyone of the organisation reads.
`action_update` holds its progress notes and changes of status. Existing actions answer their pillar only, are not
shown to staff, and have no updates.

The downgrade drops the table and the columns (progress notes are lost).

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("item_key", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key("fk_action_item_team_id_team", "team", ["team_id"], ["id"], ondelete="SET NULL")
    op.create_table(
        "action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(["action_id"], ["action_item.id"], name=op.f("fk_action_update_action_id_action_item"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"], name=op.f("fk_action_update_author_id_person")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_action_update_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_update")),
    )
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_update_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_update_organisation_id"), ["organisation_id"], unique=False)


def downgrade():
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_update_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_action_update_action_id"))
    op.drop_table("action_update")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_constraint("fk_action_item_team_id_team", type_="foreignkey")
        batch_op.drop_column("shared")
        batch_op.drop_column("team_id")
        batch_op.drop_column("item_key")
