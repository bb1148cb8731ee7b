"""Assessments: when a closed campaign's results were first read (a campaign closed by mistake can be reopened
until then)

`campaign.results_read_at` is set the first time anyone sees a figure of a closed campaign's results (results
page, CSV, PDF, the summaries other areas read: dashboards, scorecards, café agendas, the benchmark). Until then
its owner may reopen it. Campaigns closed before this revision have already forgotten who answered (closing
deleted the participation rows), so they could not be reopened without letting people answer twice: they are
marked as read when they closed.

The downgrade drops the column; a closed campaign that still keeps who answered (closed, not yet read) keeps it
until it is deleted.

Revision ID: 0022
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("results_read_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE campaign SET results_read_at = COALESCE(closed_at, CURRENT_TIMESTAMP) "
               "WHERE status IN ('closing', 'closed')")


def downgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("results_read_at")
