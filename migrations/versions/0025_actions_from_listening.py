"""Assessments: an action item can start from what listening shows (a touchpoint, a comment theme, a driver)

`action_item.touchpoint_id` (the journey touchpoint whose customer remarks it answers; cleared when the touchpoint is
deleted), `action_item.theme_key` (a comment theme) and `action_item.driver_outcome` (the outcome, "nps", "csat" or
"ces", whose driver analysis pointed at the action's pillar). Existing actions answer none of them.

The downgrade drops the columns (what those actions answered is lost; the actions stay).

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("touchpoint_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("theme_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("driver_outcome", sa.String(length=8), nullable=True))
        batch_op.create_foreign_key("fk_action_item_touchpoint_id_journey_touchpoint", "journey_touchpoint",
                                    ["touchpoint_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_constraint("fk_action_item_touchpoint_id_journey_touchpoint", type_="foreignkey")
        batch_op.drop_column("driver_outcome")
        batch_op.drop_column("theme_key")
        batch_op.drop_column("touchpoint_id")
