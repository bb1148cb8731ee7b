"""Audit trail and retention: the audit record, each organisation's retention settings, when a person left

Two new tables and a column. `audit_record` starts empty (nothing was recorded before). `retention_settings`
starts empty: an organisation without a row keeps its data for the defaults (orgs/retention.py). `person.
deactivated_at` is set to the time of the upgrade for people already deactivated, since when they left is not
known: the retention of people who left counts from the upgrade, so nobody is erased sooner than the settings
say. The downgrade drops the tables and the column (the audit records and the settings are lost with them).

Revision ID: 0015
Revises: 0014
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("target_label", sa.String(length=300), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_record") as batch_op:
        batch_op.create_index("ix_audit_record_organisation_at", ["organisation_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_record_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_record_action"), ["action"], unique=False)

    op.create_table(
        "retention_settings",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("survey_comment_months", sa.Integer(), nullable=False),
        sa.Column("kpi_value_years", sa.Integer(), nullable=False),
        sa.Column("deactivated_person_months", sa.Integer(), nullable=False),
        sa.Column("delivered_outbox_days", sa.Integer(), nullable=False),
        sa.Column("audit_record_months", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organisation_id"),
    )

    with op.batch_alter_table("person") as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(), nullable=True))
    person = sa.table("person", sa.column("active", sa.Boolean()), sa.column("deactivated_at", sa.DateTime()))
    now = datetime.now(UTC).replace(tzinfo=None)
    op.execute(person.update().where(person.c.active.is_(False)).values(deactivated_at=now))


def downgrade():
    with op.batch_alter_table("person") as batch_op:
        batch_op.drop_column("deactivated_at")
    op.drop_table("retention_settings")
    with op.batch_alter_table("audit_record") as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_record_action"))
        batch_op.drop_index(batch_op.f("ix_audit_record_actor_id"))
        batch_op.drop_index("ix_audit_record_organisation_at")
    op.drop_table("audit_record")
