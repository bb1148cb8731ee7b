"""Assessments: pulse surveys and the employee Net Promoter Score

`pulse_series` holds a recurring pulse (its statements, cadence, start day, how long each round stays open);
the job queue turns it into successive campaigns of kind "pulse" (`campaign.kind`, `series_id`, `item_keys`),
frozen, answered and closed like the full self-assessment. A pulse response carries its eNPS answer, 0-10, in
`response.enps` (None in the full self-assessment). Every existing campaign is "full".

The downgrade deletes the pulse campaigns with their answers and kept figures, then drops the columns and the
table.

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _no_rowid() -> dict:
    # SQLite: the response table is rebuilt, and must stay WITHOUT ROWID (answers.py: no rowid counting arrivals).
    return {"sqlite_with_rowid": False} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade():
    op.create_table(
        "pulse_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("item_keys", sa.JSON(), nullable=False),
        sa.Column("cadence", sa.String(length=12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("round_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("round_days >= 1", name=op.f("ck_pulse_series_round_days_min")),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"], name=op.f("fk_pulse_series_created_by_id_person")),
        sa.ForeignKeyConstraint(["instrument_id"], ["instrument.id"],
                                name=op.f("fk_pulse_series_instrument_id_instrument")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_pulse_series_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_series")),
    )
    with op.batch_alter_table("pulse_series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulse_series_organisation_id"), ["organisation_id"], unique=False)
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), server_default="full", nullable=False))
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("item_keys", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_campaign_series_id"), ["series_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_campaign_series_id_pulse_series"), "pulse_series",
                                    ["series_id"], ["id"])
    no_rowid = _no_rowid()
    with op.batch_alter_table("response", schema=None, recreate="always" if no_rowid else "auto",
                              table_kwargs=no_rowid) as batch_op:
        batch_op.add_column(sa.Column("enps", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("enps_range", "enps BETWEEN 0 AND 10")


def downgrade():
    bind = op.get_bind()
    pulses = "SELECT id FROM campaign WHERE kind = 'pulse'"
    for statement in (
        f"DELETE FROM response_answer WHERE response_id IN (SELECT id FROM response WHERE campaign_id IN ({pulses}))",
        f"DELETE FROM response WHERE campaign_id IN ({pulses})",
        f"DELETE FROM response_comment WHERE campaign_id IN ({pulses})",
        f"DELETE FROM participation WHERE campaign_id IN ({pulses})",
        f"DELETE FROM campaign_invitee WHERE campaign_id IN ({pulses})",
        f"DELETE FROM assessment_draft WHERE campaign_id IN ({pulses})",
        f"DELETE FROM campaign_frozen_result WHERE campaign_id IN ({pulses})",
        f"DELETE FROM campaign_team WHERE campaign_id IN ({pulses})",
        f"UPDATE action_item SET campaign_id = NULL WHERE campaign_id IN ({pulses})",
        "DELETE FROM campaign WHERE kind = 'pulse'",
    ):
        bind.execute(sa.text(statement))
    no_rowid = _no_rowid()
    with op.batch_alter_table("response", schema=None, recreate="always" if no_rowid else "auto",
                              table_kwargs=no_rowid) as batch_op:
        batch_op.drop_constraint("enps_range", type_="check")
        batch_op.drop_column("enps")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_campaign_series_id_pulse_series"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_campaign_series_id"))
        batch_op.drop_column("item_keys")
        batch_op.drop_column("series_id")
        batch_op.drop_column("kind")
    with op.batch_alter_table("pulse_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_series_organisation_id"))
    op.drop_table("pulse_series")
