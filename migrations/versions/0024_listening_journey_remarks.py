"""Listening: each organisation's customer journey and what staff hear from customers

`journey_stage` and `journey_touchpoint` hold the journey (a touchpoint in a stage, with its owner team), and
`touchpoint_kpi` the KPIs of the catalogue that measure a touchpoint. `customer_remark` holds what a customer told
a member of staff at a touchpoint, masked of customers' personal data, with how the owner team followed it up.
Existing organisations get the starter journey the first time someone opens a listening page.

The downgrade drops the four tables (the journey and every remark are lost).

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "journey_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=True),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("name_it", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_journey_stage_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_stage")),
        sa.UniqueConstraint("organisation_id", "key", name=op.f("uq_journey_stage_organisation_id_key"))
    )
    with op.batch_alter_table("journey_stage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journey_stage_organisation_id"), ["organisation_id"], unique=False)
    op.create_table(
        "journey_touchpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=True),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("name_it", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner_team_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_journey_touchpoint_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["owner_team_id"], ["team.id"],
                                name=op.f("fk_journey_touchpoint_owner_team_id_team"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["stage_id"], ["journey_stage.id"],
                                name=op.f("fk_journey_touchpoint_stage_id_journey_stage")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_touchpoint")),
        sa.UniqueConstraint("organisation_id", "key", name=op.f("uq_journey_touchpoint_organisation_id_key"))
    )
    with op.batch_alter_table("journey_touchpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journey_touchpoint_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_journey_touchpoint_owner_team_id"), ["owner_team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_journey_touchpoint_stage_id"), ["stage_id"], unique=False)
    op.create_table(
        "customer_remark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("touchpoint_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("customer_words", sa.Text(), nullable=False),
        sa.Column("feeling", sa.String(length=12), nullable=False),
        sa.Column("idea", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["person.id"],
                                name=op.f("fk_customer_remark_acknowledged_by_id_person")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["person.id"], name=op.f("fk_customer_remark_closed_by_id_person")),
        sa.ForeignKeyConstraint(["logged_by_id"], ["person.id"], name=op.f("fk_customer_remark_logged_by_id_person")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_customer_remark_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["touchpoint_id"], ["journey_touchpoint.id"],
                                name=op.f("fk_customer_remark_touchpoint_id_journey_touchpoint")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_remark")),
        sa.UniqueConstraint("organisation_id", "submission_key",
                                name=op.f("uq_customer_remark_organisation_id_submission_key"))
    )
    with op.batch_alter_table("customer_remark", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_remark_logged_by_id"), ["logged_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_remark_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_remark_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_remark_touchpoint_id"), ["touchpoint_id"], unique=False)
    op.create_table(
        "touchpoint_kpi",
        sa.Column("touchpoint_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_touchpoint_kpi_kpi_id_kpi"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["touchpoint_id"], ["journey_touchpoint.id"],
                                name=op.f("fk_touchpoint_kpi_touchpoint_id_journey_touchpoint"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("touchpoint_id", "kpi_id", name=op.f("pk_touchpoint_kpi"))
    )
    with op.batch_alter_table("touchpoint_kpi", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_touchpoint_kpi_kpi_id"), ["kpi_id"], unique=False)



def downgrade():
    with op.batch_alter_table("touchpoint_kpi", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_touchpoint_kpi_kpi_id"))
    op.drop_table("touchpoint_kpi")
    with op.batch_alter_table("customer_remark", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_remark_touchpoint_id"))
        batch_op.drop_index(batch_op.f("ix_customer_remark_status"))
        batch_op.drop_index(batch_op.f("ix_customer_remark_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_customer_remark_logged_by_id"))
    op.drop_table("customer_remark")
    with op.batch_alter_table("journey_touchpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journey_touchpoint_stage_id"))
        batch_op.drop_index(batch_op.f("ix_journey_touchpoint_owner_team_id"))
        batch_op.drop_index(batch_op.f("ix_journey_touchpoint_organisation_id"))
    op.drop_table("journey_touchpoint")
    with op.batch_alter_table("journey_stage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journey_stage_organisation_id"))
    op.drop_table("journey_stage")
